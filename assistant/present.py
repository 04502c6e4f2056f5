"""How answers look to a reader in the app: escaped HTML with readable references and highlights.

Everything taken from a document or typed by a user is HTML-escaped here, and emphasis is a
`<mark class="pqa-hl">` span, never Markdown: `**` next to Chinese punctuation or % does not
render as bold and leaked into the page. Each message is one HTML block on one line, so the
chat's Markdown renderer passes it through untouched. The CLI prints plain text
(cli.format_answer) and uses `reference` only.
"""
from __future__ import annotations

import html
import re

from .index import PolicyIndex
from .load import fold
from .records import Answer, Citation

# What a reader looks for in a quote: the 文号, a date, a figure with its unit. Bare numbers are
# not marked (the 2021 inside 川办发〔2021〕93号, a measure number).
_CN_NUM = "零〇一二两三四五六七八九十百千万点"
_MARKABLE = re.compile(
    r"[\u4e00-\u9fff]{1,12}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号"  # 文号: 川办发〔2021〕93号
    r"|\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{4}-\d{1,2}-\d{1,2}"  # dates
    r"|\d+(?:\.\d+)?\s*(?:万亿元|亿元|万元|元|%|％|个百分点|倍|座|家|个|项|人|亩|平方米|年)\+?"  # figures with a unit
    rf"|[{_CN_NUM}]+(?:亿元|万元|元)|百分之[{_CN_NUM}]+"  # 五十万元, 百分之十
)
# A unit name as policy notes print them: 省发展改革委, 经济和信息化厅, 省大数据中心, 人民银行成都分行.
_UNIT_END = re.compile(r"[厅委局办院部署会中心行队]$")
_SPLIT = re.compile(r"[、，,；;：:（）()\s]+")

OPEN_CITATIONS = 3  # citations shown unfolded; the rest go into one folded block


def esc(text: str | None) -> str:
    """Escape text for HTML; line breaks become <br> so a message stays one HTML block."""
    return html.escape(text or "", quote=True).replace("\r\n", "\n").replace("\n", "<br>")


def reference(c: Citation) -> str:
    """川办发〔2021〕93号 （三十） 加大财税支持: the label as the document prints it (第…条 only where it
    writes 条), with its group's label before an item numbered 1. 2. in each group (（一）3.)."""
    if c.measure_label:
        where = c.section_path[-1] if c.measure_label[0].isdigit() and c.section_path else ""
        label = where + c.measure_label
    elif c.section:
        label = f"{c.section}、{c.section_title or ''}"
    else:
        label = "文件信息"
    head = c.doc_number or f"《{c.doc_title}》"
    return " ".join(x for x in (head, label, c.title if c.measure_label else "") if x)


def units_line(c: Citation) -> str:
    """The units responsible for the cited measure, by role, as plain text."""
    if c.joint:
        return f"共同负责（无牵头单位）：{'、'.join(c.joint_units)}"
    parts = []
    if c.lead_units:
        parts.append(f"牵头单位：{'、'.join(c.lead_units)}；配合单位：{'、'.join(c.co_units) or '无'}")
    if c.listed_units:
        parts.append(f"负责单位（未定牵头）：{'、'.join(c.listed_units)}")
    return "；".join(parts)


def highlight_spans(text: str, other: str, units: tuple[str, ...] | list[str] = ()) -> list[tuple[int, int]]:
    """Spans of `text` to emphasise: 文号, dates and figures that `other` also states, and unit
    names (`units`, or names ending like a unit) that `other` names. Non-overlapping, longest first."""
    o = fold(other)
    cands = [(m.start(), m.end()) for m in _MARKABLE.finditer(text) if fold(m.group(0).strip()) in o]
    known = set(units)
    pos = 0
    for tok in _SPLIT.split(text):
        at = text.find(tok, pos) if tok else -1
        if at < 0:
            continue
        pos = at + len(tok)
        if 3 <= len(tok) <= 15 and (tok in known or _UNIT_END.search(tok)) and tok in other:
            cands.append((at, at + len(tok)))
    chosen: list[tuple[int, int]] = []
    for s, e in sorted(cands, key=lambda x: (x[0] - x[1], x[0])):
        if all(e <= cs or s >= ce for cs, ce in chosen):
            chosen.append((s, e))
    return sorted(chosen)


def marked(text: str, spans: list[tuple[int, int]], cls: str = "pqa-hl") -> str:
    """`text` escaped, with each span wrapped in <mark class=cls>."""
    out, pos = [], 0
    for s, e in spans:
        out.append(esc(text[pos:s]))
        out.append(f'<mark class="{cls}">{esc(text[s:e])}</mark>')
        pos = e
    out.append(esc(text[pos:]))
    return "".join(out)


def highlight_html(quote: str, answer: str, units: tuple[str, ...] | list[str] = ()) -> str:
    """The quote, escaped, with the figures and unit names the answer states marked."""
    return marked(quote, highlight_spans(quote, answer, units))


def _answer_text_html(a: Answer) -> str:
    """The answer text: escaped, figures it shares with its quotes marked, "- " lines as a list."""
    quotes = " ".join(c.quote for c in a.citations)
    blocks, items = [], []
    for line in a.answer.splitlines() or [""]:
        if line.startswith("- "):
            items.append(f"<li>{marked(line[2:], highlight_spans(line[2:], quotes))}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        blocks.append(f"<p>{marked(line, highlight_spans(line, quotes))}</p>" if line.strip() else "")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return "".join(blocks)


def _citation_html(i: int, c: Citation, answer: str, opened: bool) -> str:
    units = units_line(c)
    all_units = c.lead_units + c.co_units + c.joint_units + c.listed_units
    return (f'<details class="pqa-cite"{" open" if opened else ""}><summary>[{i}] {esc(reference(c))}</summary>'
            + (f'<div class="pqa-units">{esc(units)}</div>' if units else "")
            + f'<div class="pqa-quote">{highlight_html(c.quote, answer, all_units)}</div></details>')


def answer_note(a: Answer) -> str:
    """A line above the answer saying how it was made, when an LLM was involved."""
    if a.extra.get("fallback"):
        reason = a.extra.get("fallback_reason", "")
        # A rejected reply's details name the invented figure: never put it in front of the user.
        why = "数字、单位或引用与原文不符" if "verification" in reason else reason
        return f"大模型回答未采用（{why}），以下为原文摘录回答"
    if a.mode == "llm" and a.extra.get("verified"):
        return "大模型回答，已核验：数字和单位均见于所引条款"
    return ""


def answer_html(a: Answer, open_citations: int = OPEN_CITATIONS) -> str:
    """The answer, then its citations, each folded in a <details>: the first few open, the rest
    inside one folded block ("其余 N 条引用"), so a 21-measure count answer stays readable."""
    note = answer_note(a)
    parts = [f'<p class="pqa-note">{esc(note)}</p>' if note else "", f'<div class="pqa-text">{_answer_text_html(a)}</div>']
    if a.found and a.extra.get("items"):
        parts.append(items_html(a.extra["items"]))
    if a.found and a.citations:
        cites = [_citation_html(i, c, a.answer, i <= open_citations) for i, c in enumerate(a.citations, 1)]
        shown, rest = cites[:open_citations], cites[open_citations:]
        block = "".join(shown)
        if rest:
            block += f'<details class="pqa-more"><summary>其余 {len(rest)} 条引用（点击展开）</summary>{"".join(rest)}</details>'
        parts.append(f'<div class="pqa-cites"><div class="pqa-cites-head">依据（共 {len(cites)} 条）</div>{block}</div>')
    if not a.found and a.extra.get("mentions"):
        # Where the documents mention the subject without answering: shown, but not as a citation.
        from .records import Citation

        mentions = "".join(_citation_html(i, Citation(**m), "", False) for i, m in enumerate(a.extra["mentions"], 1))
        parts.append(f'<div class="pqa-cites"><div class="pqa-cites-head">文件提到之处（不是答案）</div>{mentions}</div>')
    cls = "pqa-answer" if a.found else "pqa-answer pqa-refused"
    return f'<div class="{cls}">{"".join(parts)}</div>'


def items_html(items: list[dict]) -> str:
    """An amount answer's support items as a small table, the way the 惠企政策 tab lists them."""
    rows = "".join(
        f"<tr><td>{esc(it.get('measure_label') or '')}</td><td>{esc(it['condition'])}</td><td>{esc(it['kind'])}</td>"
        f"<td>{esc('、'.join((f.get('qualifier') or '') + f['text'] for f in it['figures']) or '（未规定）')}</td></tr>"
        for it in items)
    return ('<table class="pqa-items"><thead><tr><th>条款</th><th>适用对象</th><th>支持类型</th><th>金额或比例</th></tr></thead>'
            f"<tbody>{rows}</tbody></table>")


def question_html(question: str) -> str:
    """The user's question as typed, escaped (never read as Markdown or HTML)."""
    return f'<div class="pqa-question">{esc(question)}</div>'


def message_html(text: str, cls: str = "pqa-error") -> str:
    """A plain message in the chat (an error, a notice), escaped."""
    return f'<div class="{cls}">{esc(text)}</div>'


def citation_label(i: int, c: Citation) -> str:
    return f"[{i}] {reference(c)}"


SOURCE_START = "提问后，这里显示所引用条款的完整原文。"


def source_note(a: Answer | None) -> str:
    """What the source panel says when an answer cites nothing."""
    if a is None:
        return SOURCE_START
    if a.kind == "invalid":
        return "没有引用条款：这个问题无法检索（见对话中的提示），请修改后再问。"
    return "没有引用条款：文件中没有找到回答这个问题的规定，所以这次回答没有依据条款。"


def panel_html(text: str) -> str:
    return f'<div class="pqa-source pqa-source-empty">{esc(text)}</div>'


def source_html(index: PolicyIndex, c: Citation, i: int = 1, total: int = 1) -> str:
    """The whole measure (or section) a citation points at, as it stands in the document, with
    the quoted passage marked; a caption says which citation it is."""
    parts = [r for r in index.records if r.doc_id == c.doc_id and r.measure == c.measure
             and (not c.section_path or list(r.section_path) == list(c.section_path))
             and (c.measure is not None or (r.section == c.section and r.kind in ("section", "preamble")))]
    caption = f"正在显示：引用 [{i}] 的原文（本次回答共 {total} 条引用）" if total > 1 else "正在显示：本次回答所引条款的原文"
    if not parts:
        return (f'<div class="pqa-source"><div class="pqa-caption">{esc(caption)}</div>'
                f'<div class="pqa-source-empty">这一条的原文已不在索引中（文件可能已被删除）。</div></div>')
    r = parts[0]
    where = f"{r.section}、{r.section_title}" if r.section else ""
    text = "".join(p.text for p in parts)
    at = text.find(c.quote) if c.quote and c.quote != text else -1
    body = marked(text, [(at, at + len(c.quote))], "pqa-cited") if at >= 0 else esc(text)
    doc = f"《{r.doc_title}》" + (f"（{r.doc_number}）" if r.doc_number else "")
    return (f'<div class="pqa-source"><div class="pqa-caption">{esc(caption)}</div>'
            f'<h3>{esc(reference(c))}</h3><div class="pqa-doc">{esc(doc)}{" · " + esc(where) if where else ""}</div>'
            f'<div class="pqa-fulltext">{body}</div></div>')
