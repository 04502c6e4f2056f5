"""Support items: the clauses of a measure that grant money, a ratio, a cap, a refund, land or a quota.

Pure functions over records (no index, no files). Each item names its condition (who or what
qualifies), the kind of support, its figures with qualifiers, and the exact quote. The index
stores the items of each document beside its records; amount answers are composed from them.
"""
from __future__ import annotations

from .records import Record, SupportItem


def extract_items(records: list[Record]) -> list[SupportItem]:
    """Every support clause of the records of one document (in text order)."""
    return []  # filled in under issue 10; the index already stores and loads what this returns
