"""Tables the app shows: the documents, every measure with its units, units by role, support items.

Read-only views over an opened index; the app turns them into data frames and files.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from .index import PolicyIndex

# Column names of the responsibility table, in order (also the CSV header).
DUTY_COLUMNS = ("文件", "措施", "标题", "牵头单位", "配合单位", "共同负责", "负责单位（未定牵头）")
DOC_COLUMNS = ("标题", "文号", "发布机构", "成文日期", "措施数", "文件名")
ROLES = (("牵头", "lead_units"), ("配合", "co_units"), ("共同负责", "joint_units"), ("负责（未定牵头）", "listed_units"))


def doc_label(d: dict) -> str:
    """How a reader names a document: its 文号 (when it has one) then 《标题》, never the doc_id.
    The 文号 comes first because a narrow selector cuts the end of a long title."""
    title = d.get("title") or d.get("doc_id") or ""
    return f"{d['doc_number']}《{title}》" if d.get("doc_number") else f"《{title}》"


def doc_choices(index: PolicyIndex) -> list[tuple[str, str]]:
    """(label, doc_id) pairs for a document selector, by 文号 then title."""
    docs = sorted(index.documents.values(), key=lambda d: (d.get("doc_number") is None, d.get("doc_number") or "", d.get("title") or ""))
    return [(doc_label(d), d["doc_id"]) for d in docs]


def resolve_doc(index: PolicyIndex, name: str | None) -> str | None:
    """The doc_id a caller means by a doc_id, a 文号 or a title; None for empty or 全部文件.

    Raises KeyError naming the choices when nothing matches.
    """
    name = (name or "").strip()
    if not name or name == "全部文件":
        return None
    for d in index.documents.values():
        if name in (d["doc_id"], d.get("doc_number"), d.get("title"), doc_label(d)):
            return d["doc_id"]
    raise KeyError(name)


def documents_table(index: PolicyIndex) -> list[dict]:
    """One row per indexed document with its metadata and number of measures."""
    counts = Counter(r.doc_id for r in index.records if r.kind == "measure" and r.part == 0)
    rows = [{"标题": d["title"], "文号": d.get("doc_number") or "", "发布机构": d.get("publisher") or "",
             "成文日期": d.get("written_date") or "", "措施数": counts.get(d["doc_id"], 0), "文件名": d["path"],
             "doc_id": d["doc_id"]}
            for d in index.documents.values()]
    return sorted(rows, key=lambda r: (r["文号"] == "", r["文号"], r["标题"]))


@dataclass(frozen=True)
class UnitFilter:
    """What a unit filter matched: the text typed and the canonical units it names."""

    text: str
    units: tuple[str, ...]

    @property
    def active(self) -> bool:
        return bool(self.text)


def unit_filter(index: PolicyIndex, unit: str | None) -> UnitFilter:
    """Read a unit filter (canonical name or alias such as 发改委, 经信厅, 大数据中心)."""
    from .query import find_units

    text = (unit or "").strip()
    return UnitFilter(text, find_units(text, index.units) if text else ())


NO_UNITS = "未列明责任单位"
UNCLEAR = "见原文（责任表述未能识别）"


def _measures(index: PolicyIndex, doc_id: str | None):
    """One record per measure (its last part, which carries the responsibility note); documents
    that assign responsibilities first, so the table does not open on a page of empty cells."""
    rows = [r for r in index.records if r.kind == "measure" and r.part == r.parts - 1 and (not doc_id or r.doc_id == doc_id)]
    assigning = {r.doc_id for r in rows if r.all_units}
    return sorted(rows, key=lambda r: r.doc_id not in assigning)  # stable: document order kept within each group


def responsibility_table(index: PolicyIndex, unit: str | None = None, doc_id: str | None = None) -> list[dict]:
    """Every measure with its lead, supporting, joint and listed units; filtered by a unit
    (canonical or alias: every measure the unit takes part in, in any role) and a document."""
    f = unit_filter(index, unit)
    rows = []
    for r in _measures(index, doc_id):
        if f.active and not (set(f.units) & set(r.all_units)):
            continue
        lead = "、".join(r.lead_units)
        if not r.all_units:  # say so, rather than leave a row that looks like missing data
            lead = UNCLEAR if r.duty_status == "unclear" else NO_UNITS
        rows.append({"文件": r.doc_number or r.doc_title, "措施": r.measure_label, "标题": r.title or "",
                     "牵头单位": lead, "配合单位": "、".join(r.co_units),
                     "共同负责": "、".join(r.joint_units), "负责单位（未定牵头）": "、".join(r.listed_units),
                     "doc_id": r.doc_id, "measure": r.measure})
    return rows


def unit_counts(index: PolicyIndex, doc_id: str | None = None, unit: str | None = None) -> list[dict]:
    """How many measures each unit leads, supports, shares or is listed for, over the measures
    the table shows (so the chart follows the unit and document filters)."""
    f = unit_filter(index, unit)
    c: Counter = Counter()
    for r in _measures(index, doc_id):
        if f.active and not (set(f.units) & set(r.all_units)):
            continue
        for role, attr in ROLES:
            for u in getattr(r, attr):
                c[(u, role)] += 1
    return [{"单位": u, "角色": role, "措施数": n} for (u, role), n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]


def top_units(counts: list[dict], n: int = 20) -> list[dict]:
    """The rows of the `n` units with most measures in any role (a chart of 100 units is unreadable)."""
    total: Counter = Counter()
    for row in counts:
        total[row["单位"]] += row["措施数"]
    keep = {u for u, _ in sorted(total.items(), key=lambda x: (-x[1], x[0]))[:n]}
    return [row for row in counts if row["单位"] in keep]


def filter_note(index: PolicyIndex, unit: str | None, doc_id: str | None, shown: int) -> str:
    """One sentence saying what the table shows, so that a filter that changes nothing visibly
    (an alias of a unit in every measure) still reads as applied."""
    docs = index.documents
    scope = doc_label(docs[doc_id]) if doc_id and doc_id in docs else "全部文件"
    total = len(_measures(index, doc_id))
    f = unit_filter(index, unit)
    if not f.active:
        return f"{scope}：共 {total} 条措施（未按单位筛选）。"
    if not f.units:
        return (f"没有找到单位「{f.text}」：请输入单位全称或常用简称（如 发改委、经信厅、大数据中心）。"
                f"{scope}共 {total} 条措施，筛选结果为 0 条。")
    names = "、".join(f.units)
    same = "，与未筛选时相同：该单位参与了其中每一条措施" if shown == total else ""
    alias = "" if f.units == (f.text,) else f"「{f.text}」即 "
    return f"已按单位筛选：{alias}{names}。{scope}共 {total} 条措施，其中 {shown} 条有该单位参与{same}。"


# --- 惠企政策: support items ------------------------------------------------------------------

# Columns of the support items (the CSV and XLSX header): 金额或比例 as the document writes it
# (300万元), 金额（元） the same amount as a number, for sorting in Excel.
ITEM_COLUMNS = ("文件", "条款", "支持类型", "适用对象", "受益方", "金额或比例", "金额（元）", "限定", "期限", "原文")
# Who the tab shows: support to enterprises and organisations unless the reader asks for personal
# benefits (a 个人所得税 deduction, a subsidy to 失业人员) or for everything.
WHO_CHOICES = (("企业和组织", "企业和组织"), ("个人待遇", "个人"), ("全部", "全部"))
UNSTATED = "未写明"


def library_items(index: PolicyIndex) -> list:
    """The support items of every indexed document (stored by the index, or derived from its records)."""
    from .items import extract_items

    stored = getattr(index, "items", None)
    return list(stored) if stored is not None else extract_items(index.records)


def support_table(index: PolicyIndex, doc_id: str | None = None, kind: str | None = None, keyword: str | None = None,
                  items: list | None = None, who: str | None = "企业和组织") -> list[dict]:
    """One row per support item (targets left out), filtered by document, kind of support, a keyword
    found in its condition or quote, and who receives it (`who`: 企业和组织 — the default, which keeps
    items naming no recipient —, 个人, or 全部/None); sorted by amount, largest first, items without
    an amount last. 适用对象 is the item's whole condition (assistant/beneficiary.py)."""
    from .beneficiary import beneficiary, whole_conditions
    from .items import is_support
    from .load import fold

    key = fold((keyword or "").strip())
    support = [it for it in (items if items is not None else library_items(index)) if is_support(it)]
    by_id = getattr(index, "by_id", None) or {r.record_id: r for r in getattr(index, "records", ())}
    rows = []
    for it, condition in zip(support, whole_conditions(support)):
        if (doc_id and it.doc_id != doc_id) or (kind and it.kind != kind):
            continue
        if key and key not in fold(condition + it.condition + it.quote):
            continue
        record = by_id.get(it.record_id)
        receiver = beneficiary(condition, it.quote, it.context, record.text if record else "") or UNSTATED
        d = index.documents.get(it.doc_id, {})
        money = [f.value for f in it.figures if f.unit == "元" and f.value is not None]
        rows.append({
            "文件": doc_label(d) if d else it.doc_id, "条款": it.measure_label or "", "支持类型": it.kind,
            "适用对象": condition, "受益方": receiver, "金额或比例": amount_text(it.figures),
            "金额（元）": max(money) if money else None,
            "限定": "、".join(dict.fromkeys(x for f in it.figures for x in (f.qualifier, f.per) if x)),
            "期限": it.period, "原文": it.quote, "doc_id": it.doc_id,
        })
    return for_whom(sorted(rows, key=lambda r: (r["金额（元）"] is None, -(r["金额（元）"] or 0))), who)


def amount_text(figures) -> str:
    """The item's figures as the document writes them (300万元); a ceiling after a rate or an amount
    keeps its word, so a rate and its cap read apart: 20%、最高不超过40万元."""
    from .items import CAP_QUALIFIERS

    return "、".join(f"{f.qualifier}{f.text}" if i and f.qualifier in CAP_QUALIFIERS else f.text
                    for i, f in enumerate(figures)) or "（未规定）"


def for_whom(rows: list[dict], who: str | None) -> list[dict]:
    """The support rows for 企业和组织 (every row but the personal ones), 个人, or 全部 (None)."""
    from .beneficiary import PERSON

    if who == "企业和组织":
        return [r for r in rows if r["受益方"] != PERSON]
    if who == PERSON:
        return [r for r in rows if r["受益方"] == PERSON]
    return rows


def item_kinds(index: PolicyIndex) -> list[str]:
    """The kinds of support the library grants, for a filter."""
    from .items import is_support

    return sorted({it.kind for it in library_items(index) if is_support(it)})


def write_xlsx(rows: list[dict], columns: tuple[str, ...], path) -> None:
    """An Excel file of the rows (Chinese headers, amounts as numbers)."""
    from openpyxl import Workbook
    from openpyxl.utils import get_column_letter

    wb = Workbook()
    ws = wb.active
    ws.title = "惠企政策"
    ws.append(list(columns))
    for r in rows:
        ws.append([r.get(c) for c in columns])
    for i, name in enumerate(columns, 1):
        ws.column_dimensions[get_column_letter(i)].width = {"文件": 30, "适用对象": 30, "原文": 60, "金额或比例": 16}.get(name, 12)
    wb.save(path)
