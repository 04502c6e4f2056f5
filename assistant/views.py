"""Tables the app shows: the documents, every measure with its units, units by role.

Read-only views over an opened index; the app turns them into data frames and files.
"""
from __future__ import annotations

from collections import Counter

from .index import PolicyIndex


def documents_table(index: PolicyIndex) -> list[dict]:
    """One row per indexed document with its metadata and number of measures."""
    counts = Counter(r.doc_id for r in index.records if r.kind == "measure" and r.part == 0)
    return [{"doc_id": d["doc_id"], "标题": d["title"], "文号": d.get("doc_number") or "", "发布机构": d.get("publisher") or "",
             "成文日期": d.get("written_date") or "", "措施数": counts.get(d["doc_id"], 0), "文件": d["path"]}
            for d in index.documents.values()]


def responsibility_table(index: PolicyIndex, unit: str | None = None, doc_id: str | None = None) -> list[dict]:
    """Every measure with its lead, supporting and joint units; filtered by a unit (canonical or alias)."""
    from .retrieve import find_units

    wanted = find_units(unit, index.units) if unit and unit.strip() else ()
    rows = []
    for r in index.records:
        if r.kind != "measure" or r.part != r.parts - 1 or (doc_id and r.doc_id != doc_id):
            continue
        if unit and unit.strip() and not (set(wanted) & set(r.all_units)):
            continue
        rows.append({"文件": r.doc_number or r.doc_title, "措施": r.measure_label, "标题": r.title or "",
                     "牵头单位": "、".join(r.lead_units), "配合单位": "、".join(r.co_units),
                     "共同负责": "、".join(r.joint_units), "doc_id": r.doc_id, "measure": r.measure})
    return rows


def unit_counts(index: PolicyIndex, doc_id: str | None = None) -> list[dict]:
    """How many measures each unit leads, supports and shares (for the chart)."""
    c: Counter = Counter()
    for r in index.records:
        if r.kind != "measure" or r.part != r.parts - 1 or (doc_id and r.doc_id != doc_id):
            continue
        for role, units in (("牵头", r.lead_units), ("配合", r.co_units), ("共同负责", r.joint_units)):
            for u in units:
                c[(u, role)] += 1
    return [{"单位": u, "角色": role, "措施数": n} for (u, role), n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
