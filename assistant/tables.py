"""The app's tables and its unit chart as HTML that reads on a laptop and on a phone.

views.py builds the rows; this module renders them. A cell is one of three kinds:
  label   a short value read as one piece (（三十）, 300万元, 2018-12-11, 国发〔2018〕39号, a unit):
          never wrapped, so it is never broken inside a word or a number;
  number  a label aligned to the right;
  text    a title, a condition, a quote: wraps, but never narrower than about ten characters,
          and the figures, dates and 文号 inside it are kept whole (`long`: a wider column);
  list    names joined by 、 (units): wraps between names, never inside one.
A table wider than the screen scrolls sideways inside its frame instead of squeezing its columns
to one character each (what a phone did to Gradio's data frame). Every header is a button:
SORT_JS sorts the rows in the browser, by a cell's `data-sort` value when it has one (an amount
in 元 behind 300万元), numbers as numbers, words in Chinese order.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass

# Figures, dates and 文号 inside running text: one piece each (present.py marks the same in answers).
_WHOLE = re.compile(
    r"[\u4e00-\u9fff]{1,5}[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号"
    r"|\d{4}\s*年\s*\d{1,2}\s*月(?:\s*\d{1,2}\s*日)?|\d{4}-\d{1,2}-\d{1,2}"
    r"|\d+(?:\.\d+)?\s*(?:万亿元|亿元|万元|元|%|％|个百分点|倍|个月|年|天|亩|平方米|人|家|个|项)?"
    r"|[（(][一二三四五六七八九十百\d]+[）)]"
)


def esc(text) -> str:
    return html.escape("" if text is None else str(text), quote=True)


def whole_pieces(text: str) -> str:
    """Escaped text whose figures, dates, 文号 and item numbers cannot be broken across lines."""
    out, pos = [], 0
    for m in _WHOLE.finditer(text or ""):
        if m.end() - m.start() < 2:
            continue  # a single digit cannot break
        out.append(esc(text[pos:m.start()]))
        out.append(f'<span class="pqa-nobr">{esc(m.group(0))}</span>')
        pos = m.end()
    out.append(esc((text or "")[pos:]))
    return "".join(out)


@dataclass(frozen=True)
class Column:
    """A column: the row key it shows, its header, its kind, and the row key it sorts by (if another)."""

    key: str
    kind: str = "label"  # label | number | text | long | list
    header: str = ""
    sort_key: str = ""

    @property
    def title(self) -> str:
        return self.header or self.key


def table_html(rows: list[dict], columns: list[Column], caption: str, limit: int | None = None,
               empty: str = "没有符合条件的记录。", sorted_by: str = "") -> str:
    """The rows as a sortable, sideways-scrolling table under a caption; at most `limit` rows, and
    the caption says so. `sorted_by`: the column the rows come sorted by, largest first (its header
    shows ▼, and a first click sorts it the other way)."""
    if limit and len(rows) > limit:
        caption += f"（共 {len(rows)} 行，这里显示前 {limit} 行；全部见下载的文件）"
    top = f'<div class="pqa-table-caption">{esc(caption)}</div>'
    if not rows:
        return f'{top}<div class="pqa-table-empty">{esc(empty)}</div>'
    head = "".join(
        f'<th class="pqa-{c.kind}" aria-sort="{"descending" if c.key == sorted_by else "none"}"><button type="button" class="pqa-sort" data-col="{i}" '
        f'data-kind="{"number" if c.kind == "number" or c.sort_key else "text"}" title="点击按此列排序，再点一次反向">'
        f'{esc(c.title)}</button></th>'
        for i, c in enumerate(columns))
    body = []
    for r in rows[:limit] if limit else rows:
        cells = []
        for c in columns:
            value = r.get(c.key)
            shown = "" if value is None else str(value)
            sort = r.get(c.sort_key) if c.sort_key else None
            attr = f' data-sort="{esc(_sort_value(sort))}"' if c.sort_key else ""
            if c.kind == "list":
                inner = "、".join(f'<span class="pqa-nobr">{esc(name)}</span>' for name in shown.split("、")) if shown else ""
            else:
                inner = whole_pieces(shown) if c.kind in ("text", "long") else esc(shown)
            cells.append(f'<td class="pqa-{c.kind}"{attr}>{inner}</td>')
        body.append(f"<tr>{''.join(cells)}</tr>")
    return (f'{top}<div class="pqa-table-wrap" tabindex="0">'
            f'<table class="pqa-table"><thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table></div>')


# The app's three tables: the short values first on a phone's first screen, the long texts last.
DUTY_TABLE = [Column("文件", "text"), Column("措施", "label"), Column("标题", "text"), Column("牵头单位", "list"),
              Column("配合单位", "list"), Column("共同负责", "list"), Column("负责单位（未定牵头）", "list")]
ITEM_TABLE = [Column("适用对象", "text"), Column("金额或比例", "label", sort_key="金额（元）"), Column("限定", "label"),
              Column("支持类型", "label"), Column("期限", "label"), Column("受益方", "label"), Column("文件", "text"),
              Column("条款", "label"), Column("原文", "long")]
DOC_TABLE = [Column("标题", "text"), Column("文号", "label"), Column("发布机构", "list"), Column("成文日期", "label"),
             Column("措施数", "number"), Column("文件名", "label")]


def _sort_value(v) -> str:
    if v is None or v == "":
        return ""
    return repr(float(v)) if isinstance(v, (int, float)) else str(v)


# Sorting in the browser (gr.HTML's js_on_load): one listener on the component, so it keeps working
# when the table inside is replaced by a new filter's rows. Empty values always go last.
SORT_JS = """
element.addEventListener('click', (event) => {
  const button = event.target.closest('button.pqa-sort');
  if (!button) return;
  const th = button.closest('th'), table = button.closest('table'), col = +button.dataset.col;
  const numeric = button.dataset.kind === 'number', now = th.getAttribute('aria-sort');
  // A first click sorts amounts largest first and words in order; a second click reverses.
  const dir = now === 'none' ? (numeric ? 'descending' : 'ascending') : (now === 'ascending' ? 'descending' : 'ascending');
  table.querySelectorAll('thead th').forEach((h) => h.setAttribute('aria-sort', 'none'));
  th.setAttribute('aria-sort', dir);
  const key = (tr) => { const td = tr.children[col]; return td.dataset.sort ?? td.textContent.trim(); };
  const sign = dir === 'ascending' ? 1 : -1;
  const rows = [...table.tBodies[0].rows];
  rows.sort((a, b) => {
    const x = key(a), y = key(b);
    if (x === '' || y === '') return (x === '') - (y === '');
    const nx = parseFloat(x), ny = parseFloat(y);
    if (numeric && !isNaN(nx) && !isNaN(ny)) return sign * (nx - ny);
    return sign * x.localeCompare(y, 'zh-Hans-CN', {numeric: true});
  });
  table.tBodies[0].append(...rows);
});
"""

ROLE_COLORS = {"牵头": "#c2410c", "配合": "#3b82f6", "共同负责": "#16a34a", "负责（未定牵头）": "#9333ea"}


def bars_html(counts: list[dict], title: str) -> str:
    """Measures per unit as horizontal bars, one row per unit (its name written out in full, most
    measures first), each bar split by role; reads at any width, unlike rotated axis labels."""
    totals: dict[str, dict[str, int]] = {}
    for row in counts:
        totals.setdefault(row["单位"], {})[row["角色"]] = row["措施数"]
    legend = "".join(f'<span class="pqa-key"><i style="background:{c}"></i>{esc(r)}</span>' for r, c in ROLE_COLORS.items())
    head = f'<div class="pqa-chart-title">{esc(title)}</div><div class="pqa-legend">{legend}</div>'
    if not totals:
        return f'<div class="pqa-chart">{head}<div class="pqa-table-empty">没有列明责任单位的措施。</div></div>'
    order = sorted(totals.items(), key=lambda kv: (-sum(kv[1].values()), kv[0]))
    top = max(sum(roles.values()) for _, roles in order)
    rows = []
    for unit, roles in order:
        total = sum(roles.values())
        segs = "".join(
            f'<span class="pqa-seg" style="width:{100 * roles[r] / total:.2f}%;background:{c}" title="{esc(r)} {roles[r]} 条">'
            f'{roles[r]}</span>'
            for r, c in ROLE_COLORS.items() if roles.get(r))
        detail = "，".join(f"{r} {roles[r]}" for r in ROLE_COLORS if roles.get(r))
        rows.append(f'<tr title="{esc(unit)}：{esc(detail)}"><th scope="row" class="pqa-label">{esc(unit)}</th>'
                    f'<td class="pqa-bar-cell"><div class="pqa-bar" style="width:{100 * total / top:.2f}%">{segs}</div></td>'
                    f'<td class="pqa-number">{total}</td></tr>')
    return (f'<div class="pqa-chart">{head}<div class="pqa-table-wrap pqa-bars-wrap"><table class="pqa-bars">'
            f'<tbody>{"".join(rows)}</tbody></table></div></div>')
