"""How answers look to a reader: Markdown with readable references and highlighted quotes.

Used by the app; the CLI prints plain text (cli.format_answer).
"""
from __future__ import annotations

import re

from .index import PolicyIndex
from .load import fold
from .records import Answer, Citation

_FIGURE = re.compile(r"\d+(?:\.\d+)?\s*(?:万元|亿元|元|%|个百分点|座|家|个|项)?\+?")


def reference(c: Citation) -> str:
    """川办发〔2021〕93号 第（三十）条 加大财税支持."""
    if c.measure_label:
        label = c.measure_label if c.measure_label.startswith("第") else f"第{c.measure_label}条"
    elif c.section:
        label = f"{c.section}、{c.section_title or ''}"
    else:
        label = "文件信息"
    head = c.doc_number or f"《{c.doc_title}》"
    return " ".join(x for x in (head, label, c.title if c.measure_label else "") if x)


def units_line(c: Citation) -> str:
    if c.joint:
        return f"共同负责（无牵头单位）：{'、'.join(c.joint_units)}"
    if c.lead_units:
        return f"牵头单位：{'、'.join(c.lead_units)}；配合单位：{'、'.join(c.co_units) or '无'}"
    return ""


def highlight(quote: str, answer: str) -> str:
    """Bold the figures and unit names of the quote that the answer states."""
    a = fold(answer)
    marks = {m.group(0).strip() for m in _FIGURE.finditer(quote) if m.group(0).strip() and fold(m.group(0).strip()) in a}
    marks |= {u for u in re.split(r"[、，,；;：:（）()\s]+", quote) if 3 <= len(u) <= 15 and u in answer and re.search(r"[厅委局办中心行队]$", u)}
    out = quote
    for m in sorted(marks, key=len, reverse=True):
        out = re.sub(rf"(?<!\*){re.escape(m)}(?!\*)", f"**{m}**", out)
    return out


def answer_markdown(a: Answer) -> str:
    """The answer, then each citation: reference, units, quoted source with highlights."""
    parts = [a.answer.replace("\n", "  \n")]
    if a.extra.get("fallback"):
        reason = a.extra.get("fallback_reason", "")
        # A rejected reply's details name the invented figure: never put it in front of the user.
        why = "数字、单位或引用与原文不符" if "verification" in reason else reason
        parts.insert(0, f"_大模型回答未采用（{why}），以下为原文摘录回答_")
    elif a.mode == "llm" and a.extra.get("verified"):
        parts.insert(0, "_大模型回答，已核验：数字和单位均见于所引条款_")
    if not a.found:
        return "\n\n".join(parts)
    for i, c in enumerate(a.citations, 1):
        block = f"**[{i}] {reference(c)}**"
        units = units_line(c)
        if units:
            block += f"  \n{units}"
        block += "\n> " + highlight(c.quote, a.answer).replace("\n", "\n> ")
        parts.append(block)
    return "\n\n".join(parts)


def source_markdown(index: PolicyIndex, c: Citation) -> str:
    """The whole measure (or section) a citation points at, as it stands in the document."""
    parts = [r for r in index.records_of(c.doc_id) if r.measure == c.measure
             and (c.measure is not None or (r.section == c.section and r.kind in ("section", "preamble")))]
    if not parts:
        return "（原文不可用）"
    r = parts[0]
    where = f"{r.section}、{r.section_title}" if r.section else ""
    text = "".join(p.text for p in parts)
    if c.quote and c.quote in text and c.quote != text:
        text = text.replace(c.quote, f"**{c.quote}**", 1)  # where the answer was taken from
    head = f"### {reference(c)}\n《{r.doc_title}》" + (f" · {where}" if where else "")
    return f"{head}\n\n{text}"
