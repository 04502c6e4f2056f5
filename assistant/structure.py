"""Structure parser: cleaned document text → measure records.

Pure functions. The numbering styles of Chinese policy documents are a table of levels (第X章,
一、, 第X条, （一）, 1., （1）); the numbered lines form a tree, each entry under the nearest
coarser one above it. The measures are the entries that carry the provisions (the text, the
responsibility notes, the amounts):
- 第X条, when the document has articles: the 条 is the unit of provision of an 办法 or 规定, also
  inside a 通知 that wraps one; （一）/1. inside an article are its items;
- otherwise each entry is read where it stands. A top level of 一、 heads sections when its bare
  titles hold more provisions than it has entries of text (一、指导思想 beside 三、主要任务 over
  （一）…); otherwise its entries are the measures. Under a heading, an entry is itself a heading
  when the entries numbered under it carry the provisions: it is a bare title, or introduces them
  ("…，实施如下重点项目："), and they carry the notes or open with titles of their own
  (1.坚持正确导向。…), or their level carries the provisions elsewhere in the document (三、（一）第一
  阶段 over 1.–4. where 1.–48. are the measures). Otherwise it is a measure, and what is numbered
  inside it is a list kept in its text (（六）存量项目… 1.机制电量 2.机制电价).
So one document may number its measures at different levels in different sections (二、（一）…（四）
as measures, 四、（一） as headings over 1.…4.). Headings are the measures' sections (their labels are
the record's `section_path`, part of a measure's identity, since numbering may restart in each
section or run on across groups). A sequence that restarts at 1 is still one level.
The preamble and sections without numbered measures are records of their own; an annex after
the provisions (附件：…) is text, except a task list (重点任务清单, 任务分工表 printed one cell a line,
its rows numbered 1. … or by a bare 1, 2, 3 on lines of their own), whose rows are measures with the
units of their columns. A measure longer than the token budget
is split into parts that keep its identity. Responsibility notes are read by the document's own
rule (units.py), or from its 任务分工表 when the file had one. Hands on `Record`s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .extract import DUTY_HEADER_WORDS
from .load import fold
from .numerals import CN_NUMERAL_CHARS, to_int
from .records import Document, Record
from .units import (Responsibility, _split_units, apply_names, canonical_names, find_notes, lead_rule, looks_like_unit,
                    parse_responsibility)

_CN = f"[{CN_NUMERAL_CHARS}]+"
_ANY_NUM = rf"(?:{_CN}|\d+)"


@dataclass(frozen=True)
class Level:
    name: str
    pattern: re.Pattern  # on the folded line; group 1 the number, group 2 the rest of the line
    role: str  # "section" (only ever a heading), "article" (the 条), "item" (a candidate measure level)


# From the coarsest to the finest.
LEVELS = (
    Level("chapter", re.compile(rf"^第({_ANY_NUM})[章编][ \t]*(.*)$"), "section"),
    Level("part", re.compile(rf"^第({_ANY_NUM})节[ \t]*(.*)$"), "section"),
    Level("section", re.compile(rf"^({_CN})[、.][ \t]*(.*)$"), "item"),
    Level("article", re.compile(rf"^第[ \t]*({_ANY_NUM})[ \t]*条[ \t]*(.*)$"), "article"),
    Level("paren", re.compile(rf"^\(({_CN})\)[ \t]*(.*)$"), "item"),
    # 1.5万元 is a number, 5.2017年12月… is item 5 (a year is never a fraction).
    Level("item", re.compile(r"^(\d{1,3})[.、](?!\d(?!\d{3}年))[ \t]*(.*)$"), "item"),
    Level("paren_item", re.compile(r"^\((\d{1,3})\)[ \t]*(.*)$"), "item"),
)
_SIGNATURE_DATE = re.compile(r"^(\d{4}|[〇○零一二三四五六七八九]{4})年[\d一二三四五六七八九十]{1,3}月[\d一二三四五六七八九十]{1,3}日$")
_SENTENCE_END = re.compile(r"[。！？!?；;]")


@dataclass(frozen=True)
class Line:
    text: str  # as printed
    folded: str
    start: int
    end: int


@dataclass(frozen=True)
class Marker:
    level: Level
    number: int
    label: str  # as printed, e.g. （三十）
    rest: str  # the text after the label on the same line, as printed


def _lines(text: str) -> list[Line]:
    out, pos = [], 0
    for raw in text.split("\n"):
        if raw.strip():
            lead = len(raw) - len(raw.lstrip())
            stripped = raw.strip()
            out.append(Line(stripped, fold(stripped), pos + lead, pos + lead + len(stripped)))
        pos += len(raw) + 1
    return out


def _marker(line: Line, level: Level) -> Marker | None:
    m = level.pattern.match(line.folded)
    if not m:
        return None
    n = to_int(m.group(1))
    if n is None or n == 0:
        return None
    label = line.text[: m.start(2)].strip() if m.group(2) else line.text.strip()
    return Marker(level, n, label, line.text[m.start(2):].strip())


def _sequence(lines: list[Line], level: Level) -> dict[int, Marker]:
    """Line index → marker for the lines that continue the numbering (1, 2, 3 … or a restart at 1).

    A numeral that breaks the sequence (a stray `3.` inside a sentence) stays body text; a number
    printed twice in a row (（五） / （五）) is two entries, as a reader reads the slip. A label the
    page lost (OCR reads （十一） as (+1), 一、 as 1) leaves a gap the numbering goes on across: a
    number one past the expected one is taken when the next label of the level is the one after
    it (（十） （十二） （十三）), and a numbering may open at 二 when 三 and 四 follow.
    """
    marks = [(i, mk) for i, line in enumerate(lines) if (mk := _marker(line, level))]
    found, expected = {}, 1

    def then(k: int, *numbers: int) -> bool:
        return [mk.number for _, mk in marks[k + 1:k + 1 + len(numbers)]] == list(numbers)

    for k, (i, mk) in enumerate(marks):
        n = mk.number
        if (n == expected or (n == 1 and found) or (found and n == expected - 1)
                or (found and n == expected + 1 and then(k, n + 1))
                or (not found and n == 2 and then(k, 3, 4))):
            found[i] = mk
            expected = n + 1
    return found


@dataclass(frozen=True)
class Layout:
    """The levels a document uses: headings above the measures, the measures, and nothing else."""

    headings: dict[int, Marker]  # line index → a section or group heading
    measures: dict[int, Marker]  # line index → a measure


# A title: a short phrase without a sentence of its own (三、主要任务, （二）基本原则。, 企业申报。).
_TITLE_MAX = 50
# An entry's own title before its text: 1.坚持正确导向。增强…, or 1.第一类 with the text below.
_ENTRY_TITLE_MAX = 25


def _bare_title(text: str) -> bool:
    t = text.strip().rstrip("。:：")
    return len(t) <= _TITLE_MAX and not _SENTENCE_END.search(t)


class _Tree:
    """The numbered lines of a document as a tree: each entry under the nearest coarser one above."""

    def __init__(self, lines: list[Line], present: list[tuple[Level, dict[int, Marker]]], rule: str):
        self.lines, self.present, self.rule = lines, present, rule
        self.owner: dict[int, int] = {}  # line index → position of its level in `present`
        for k, (_, seq) in enumerate(present):
            for i in seq:
                self.owner.setdefault(i, k)
        self.entries = sorted(self.owner)
        self.parent: dict[int, int | None] = {}
        self.kids: dict[int, list[int]] = {i: [] for i in self.entries}
        self.end: dict[int, int] = {}
        stack: list[int] = []
        for i in self.entries:
            while stack and self.owner[stack[-1]] >= self.owner[i]:
                self.end[stack.pop()] = i
            self.parent[i] = stack[-1] if stack else None
            if stack:
                self.kids[stack[-1]].append(i)
            stack.append(i)
        for i in stack:
            self.end[i] = len(lines)
        self._notes: dict[tuple[int, int], bool] = {}

    def marker(self, i: int) -> Marker:
        return self.present[self.owner[i]][1][i]

    def level(self, i: int) -> Level:
        return self.present[self.owner[i]][0]

    def own_text(self, i: int) -> str:
        """An entry's words before its first numbered child."""
        stop = self.kids[i][0] if self.kids[i] else self.end[i]
        return "".join([self.marker(i).rest] + [self.lines[j].text for j in range(i + 1, stop)])

    def has_note(self, a: int, b: int) -> bool:
        if (a, b) not in self._notes:
            self._notes[(a, b)] = a < b and bool(find_notes("\n".join(x.text for x in self.lines[a:b]), self.rule))
        return self._notes[(a, b)]

    def titled(self, i: int) -> bool:
        """The entry opens with a title of its own: 1.坚持正确导向。增强…, or 1.第一类 above its text."""
        rest = self.marker(i).rest.strip()
        m = re.match(r"([^。！？]*)[。！？](.*)$", rest)
        if m and len(m.group(1)) <= _ENTRY_TITLE_MAX and m.group(2).strip():
            return True
        more = self.end[i] > i + 1
        if not rest and more:
            rest = self.lines[i + 1].text.strip()
            more = self.end[i] > i + 2
        title = rest.rstrip("。")
        return more and len(title) <= _ENTRY_TITLE_MAX and not _SENTENCE_END.search(title)

    def groups(self, i: int, top: bool, measure_levels: set[int] | None) -> bool:
        """Whether an entry heads the provisions numbered under it (rather than holding a list).

        Its children are the provisions when they carry the notes (and it carries none), when
        it is a bare title or introduces them ("实施如下重点项目：") and they open with titles of
        their own, or when their level carries the provisions elsewhere in the document. At the
        top, a bare 一、 title over numbered entries is a section heading (一、主要任务).
        """
        kids = self.kids[i]
        if not kids:
            return False
        own = self.own_text(i)
        bare = _bare_title(own)
        if top and bare and self.level(i).name == "section":
            return True  # 一、主要任务: the 一、 level heads sections by nature
        if not (bare or own.rstrip().endswith((":", "："))):
            # A provision of its own with a list inside (（六）… 1.机制电量 2.机制电价), unless its
            # children's level carries the document's provisions elsewhere.
            return measure_levels is not None and self.owner[kids[0]] in measure_levels
        noted = [k for k in kids if self.has_note(k, self.end[k])]
        if len(noted) >= 2 and 2 * len(noted) >= len(kids) and not self.has_note(i, kids[0]):
            return True
        if 2 * sum(self.titled(k) for k in kids) >= len(kids):
            return True
        return measure_levels is not None and self.owner[kids[0]] in measure_levels

    def decide(self, measure_levels: set[int] | None) -> tuple[set[int], set[int]]:
        """(headings, measures) by the rules of `groups`; entries inside a measure are neither."""
        heads = {i for i in self.entries if self.level(i).role == "section"}
        measures: set[int] = set()
        tops = [i for i in self.entries if i not in heads and (self.parent[i] is None or self.parent[i] in heads)]
        # A level of top entries heads sections when the provisions its headings hold outnumber
        # its entries that are provisions themselves (一、指导思想, 二、发展目标 beside 三、… over
        # （一）…（三十一））; otherwise its entries are the measures (一、…十一、 of a reply).
        by_level: dict[int, list[int]] = {}
        for i in tops:
            by_level.setdefault(self.owner[i], []).append(i)
        queue: list[int] = []
        for items in by_level.values():
            head = [i for i in items if self.groups(i, True, None)]
            if head and sum(len(self.kids[i]) for i in head) >= len(items) - len(head):
                heads.update(items)  # an entry without children is a section of text
                queue += [c for i in items for c in self.kids[i]]
            else:
                measures.update(items)
        while queue:
            i = queue.pop(0)
            if self.groups(i, False, measure_levels):
                heads.add(i)
                queue += self.kids[i]
            else:
                measures.add(i)
        return heads, measures


def choose_layout(lines: list[Line], rule: str = "") -> Layout:
    """Which numbered lines are headings and which are measures (see the module docstring)."""
    present = [(lv, seq) for lv in LEVELS if len(seq := _sequence(lines, lv)) >= 2]
    if not present:
        return Layout({}, {})
    tree = _Tree(lines, present, rule)
    articles = [k for k, (lv, _) in enumerate(present) if lv.role == "article"]
    if articles:
        # 第X条 is the unit of provision of an 办法 or 规定; what is numbered inside an article is
        # its items, and a coarser level heads it only where a bare title holds articles (一、总则
        # over 第一条…; a 通知's own 一、二、 paragraphs before the 办法 it wraps are text).
        m = articles[0]
        measures = {i: mk for i, mk in present[m][1].items() if tree.owner[i] == m}
        headings = {}
        for k in range(m):
            for i, mk in present[k][1].items():
                if tree.owner[i] == k and (present[k][0].role == "section" or (
                        _bare_title(tree.own_text(i)) and any(tree.owner[c] == m for c in tree.kids[i]))):
                    headings[i] = mk
        return Layout(headings, measures)
    # Otherwise each entry is read where it stands: a measure is an entry carrying provisions, a
    # heading one whose numbered children do (see _Tree.groups). First without, then with the
    # levels that carry the provisions elsewhere (三、（一）第一阶段 over 1.–4. where 1.–48. are the
    # document's measures; a list 1.–3. inside （二） where no other 1. is a measure).
    heads, measures = tree.decide(None)
    levels = {tree.owner[i] for i in measures if tree.parent[i] is not None and tree.parent[i] in heads}
    heads, measures = tree.decide(levels)
    return Layout({i: tree.marker(i) for i in heads}, {i: tree.marker(i) for i in measures})


def _first_sentence(text: str, limit: int = 40) -> str:
    """A measure's title: its first sentence (加大财税支持), or its first clause when long."""
    s = re.split(r"[。;；!！?？]", text, maxsplit=1)[0].strip()
    if len(s) > limit:
        s = re.split(r"[,，:：]", s, maxsplit=1)[0][:limit]
    return s


def _split_parts(text: str, max_tokens: int, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """Offsets of consecutive parts of `text`, each within `max_tokens`, cut after a sentence.

    Each sentence is counted once and parts are filled by adding the counts, so the work is linear
    in the text (a megabyte line without a full stop must not be re-counted at every cut).
    """
    if count(text) <= max_tokens:
        return [(0, len(text))]
    pieces: list[tuple[int, int, int]] = []  # (start, end, tokens)
    for m in re.finditer(r"[^。;；\n]*(?:[。;；\n]|$)", text):
        s, e = m.span()
        if s == e:
            continue
        n = count(text[s:e])
        if n <= max_tokens:
            pieces.append((s, e, n))
            continue
        # A sentence over budget is cut hard, at a length its own characters per token suggest.
        step = max(1, (e - s) * max_tokens * 9 // (10 * n))
        a = s
        while a < e:
            b = min(e, a + step)
            while (k := count(text[a:b])) > max_tokens and b - a > 1:
                b = a + (b - a) // 2
            pieces.append((a, b, k))
            a = b
    parts: list[tuple[int, int]] = []
    start, end, total = pieces[0][0], pieces[0][0], 0
    for s, e, n in pieces:
        if total and total + n > max_tokens:
            parts.append((start, end))
            start, total = s, 0
        end, total = e, total + n
    parts.append((start, end))
    return parts


def _lead_space(s: str) -> int:
    return len(s) - len(s.lstrip())


def _trail_space(s: str) -> int:
    return len(s) - len(s.rstrip())


def _token_counter() -> Callable[[str], int]:
    from llama_index.core.utils import get_tokenizer  # ships cl100k_base: no download

    tok = get_tokenizer()
    return lambda s: len(tok(s))


def _section_key(label: str | None) -> str | None:
    """一、 → 一; 第二章 → 二; （二） → 二 (the form used in questions and in eval files)."""
    if not label:
        return None
    m = re.match(rf"^第?\(?({_ANY_NUM})", fold(label))
    return m.group(1) if m else label


def _body_end(lines: list[Line]) -> int:
    """Lines after this index are the signature block (issuing body and date): no measure's text."""
    end = len(lines)
    if lines and _SIGNATURE_DATE.match(lines[-1].folded.replace(" ", "")):
        end -= 1
        if end > 0 and len(lines[end - 1].text) <= 30 and not re.search(r"[。,;]", lines[end - 1].folded):
            end -= 1
    return end


# An annex begins at a line 附件 / 附件1 / 附件：1.… after the body's numbered provisions; its
# forms, tables and lists are not the document's measures. A 通知 whose policy is its annex (…印发
# 给你们。附件：XX办法 then the 办法) numbers little before the 附件 line (two paragraphs, fewer than
# after it) or its articles only after it, and is read whole; a task list in an annex (below) is the
# annex's own.
_ANNEX = re.compile(r"^附\s*件\s*[\d一二三四五六七八九十]*\s*(?:[:：]|$|[.．、]|\d|\s|下载)")
_ARTICLE_LINE = next(lv for lv in LEVELS if lv.role == "article").pattern


def _annex_start(lines: list[Line], layout: Layout) -> tuple[int, tuple[int, list[str]] | None] | None:
    """(the annex's first line, its task list as `text_duty_table` gives it or None), or None."""
    numbered = sorted(set(layout.headings) | set(layout.measures))
    for i, ln in enumerate(lines):
        if _ANNEX.match(ln.folded):
            before = sum(j < i for j in numbered)
            if before < 2:
                continue
            articles_after = any(_ARTICLE_LINE.match(x.folded) for x in lines[i:])
            articles_before = any(_ARTICLE_LINE.match(x.folded) for x in lines[:i])
            table = text_duty_table(lines, i)
            if table or ((before >= 3 or before >= len(numbered) - before)
                         and (articles_before or not articles_after)):
                return i, table
            return None
    return None


def _shifted(layout: Layout, offset: int) -> Layout:
    """A layout chosen over lines[offset:], numbered as lines of the whole document."""
    return Layout({i + offset: m for i, m in layout.headings.items()}, {i + offset: m for i, m in layout.measures.items()})


def _noted_annex(lines: list[Line], text: str, annex: int, rule: str) -> tuple[list[tuple], dict] | None:
    """The drafts of an annex whose numbered items mostly carry responsibility notes (at least three
    items, half of them noted), with each item's notes by its first line; None for any other annex."""
    sub = _shifted(choose_layout(lines[annex + 1:], rule), annex + 1)
    drafts = [d for d in _drafts(lines, sub, annex + 1, len(lines)) if d[0] != "preamble"]
    notes = {d[1]: parse_responsibility(text[lines[d[1]].start:lines[d[2]].end], rule)
             for d in drafts if d[0] == "measure" and d[1] <= d[2]}
    if len(notes) < 3 or sum(r.status == "stated" for r in notes.values()) * 2 < len(notes):
        return None
    return drafts, notes


def _drafts(lines: list[Line], layout: Layout, first: int, last: int) -> list[tuple]:
    """(kind, first line, last line, marker, open headings) of lines[first:last] by the layout."""
    boundaries = sorted(i for i in set(layout.headings) | set(layout.measures) if first <= i < last)
    if not boundaries:
        return [("text", first, last - 1, None, ())]
    drafts: list[tuple] = [("preamble", first, boundaries[0] - 1, None, ())]
    open_heads: list[Marker] = []
    rank = {lv.name: k for k, lv in enumerate(LEVELS)}
    for b, nxt in zip(boundaries, boundaries[1:] + [last]):
        if b in layout.headings:
            head = layout.headings[b]
            open_heads = [h for h in open_heads if rank[h.level.name] < rank[head.level.name]] + [head]
            # Text directly under a heading (二、发展目标 holds the 2025 targets) is a record of
            # its own; a bare heading followed by measures is only context for them.
            if nxt - 1 > b or (nxt < last and nxt not in layout.measures and nxt in layout.headings
                               and rank[layout.headings[nxt].level.name] <= rank[head.level.name]):
                drafts.append(("section", b, nxt - 1, None, tuple(open_heads)))
        else:
            mk = layout.measures[b]
            # A measure closes the headings of its own level or finer (（二） after the group （一）).
            open_heads = [h for h in open_heads if rank[h.level.name] < rank[mk.level.name]]
            drafts.append(("measure", b, nxt - 1, mk, tuple(open_heads)))
    return drafts


def parse_document(doc: Document, max_tokens: int = 480, count_tokens: Callable[[str], int] | None = None) -> list[Record]:
    """Records of a cleaned document: preamble, sections without measures, measures, annexes."""
    count = count_tokens or _token_counter()
    text = doc.text
    lines = _lines(text)
    lines = lines[:_body_end(lines)]
    rule = lead_rule(text)
    layout = choose_layout(lines, rule)
    annex, table = _annex_start(lines, layout) or (None, None)
    body_end = len(lines) if annex is None else annex
    if annex is not None:
        layout = choose_layout(lines[:annex], rule)
    drafts = _drafts(lines, layout, 0, body_end)

    # Responsibilities, read by the document's rule; unit names as this document prints them most.
    resp = {i: parse_responsibility(text[lines[f].start:lines[last].end], rule)
            for i, (kind, f, last, _, _) in enumerate(drafts) if kind == "measure" and f <= last}
    resp = _apply_duty_table(doc, drafts, resp)
    if annex is not None:
        # A task list printed in an annex (重点任务清单, 任务分工表) lists measures of its own with
        # their units in its columns; any other annex is text.
        if table:
            header_end, roles = table
            sub = _shifted(choose_layout(lines[header_end:], rule), header_end)
            if not sub.measures:
                sub = _numbered_rows(lines, header_end)
            drafts.append(("annex", annex, header_end - 1, None, ()))
            for d in _drafts(lines, sub, header_end, len(lines)):
                if d[0] == "measure":
                    resp[len(drafts)] = _table_row_units(lines, d[1], d[2], roles)
                drafts.append(d)
        elif listed := _noted_annex(lines, text, annex, rule):
            # An annex numbering its items with responsibility notes of their own (考评指标:
            # 59．新增5G基站1000座。（持续推进，牵头考核单位：市工信局）) is a task list too.
            sub_drafts, notes = listed
            drafts.append(("annex", annex, sub_drafts[0][1] - 1, None, ()))
            for d in sub_drafts:
                if d[0] == "measure":
                    resp[len(drafts)] = notes[d[1]]
                drafts.append(d)
        else:
            drafts.append(("annex", annex, len(lines) - 1, None, ()))
    names = canonical_names([u for r in resp.values() for u in r.printed])
    records: list[Record] = []
    for i, (kind, first, last, marker, heads) in enumerate(drafts):
        if first > last:
            continue
        records += _records(doc, text, lines, kind, first, last, marker, heads,
                            apply_names(resp[i], names) if i in resp else Responsibility(), rule, max_tokens, count)
    return records


# A task list printed one cell a line: a header of column names (类别 / 项目 / 主要任务 / 牵头单位 /
# 配合单位), then rows: the item, its task, and the cells of its unit columns in their order (a
# row may hold several tasks, each followed by its unit cells).
_COLUMN_ROLES = tuple((role, re.compile(rf"^({DUTY_HEADER_WORDS[role]})(单位|部门)$")) for role in ("lead", "co", "listed"))


def text_duty_table(lines: list[Line], start: int) -> tuple[int, list[str]] | None:
    """(first line after the header, roles of the unit columns in order) of a task list printed
    one cell a line after `start`, or None when there is none."""
    i = start
    while i < len(lines):
        run = i
        while (run < len(lines) and len(lines[run].folded) <= 8 and not re.search(r"[。,;:]", lines[run].folded)
               and not any(lv.pattern.match(lines[run].folded) for lv in LEVELS)
               and not (run > i and lines[run].folded.strip() == "1")):  # the first row's own number
            run += 1
        cells = [ln.folded.strip() for ln in lines[i:run]]
        roles = [next((r for r, p in _COLUMN_ROLES if p.match(c)), "") for c in cells]
        if run - i >= 3 and any(roles) and any(re.search(DUTY_HEADER_WORDS["task"], c) for c in cells):
            return run, [r for r in roles if r]
        i = run + 1
    return None


def _numbered_rows(lines: list[Line], first: int) -> Layout:
    """The rows of a task list printed one cell a line whose 序号 column stands alone on its line
    (1 / 加强组织领导 / 召开… / 区政府办公室 / …, then 2 …): each line holding just the next number
    in turn opens a row."""
    item = next(lv for lv in LEVELS if lv.name == "item")
    rows, expected = {}, 1
    for j in range(first, len(lines)):
        if lines[j].folded.strip() == str(expected):
            rows[j] = Marker(item, expected, str(expected), "")
            expected += 1
    return Layout({}, rows if len(rows) >= 2 else {})


def _table_row_units(lines: list[Line], first: int, last: int, roles: list[str]) -> Responsibility:
    """The units a row's cells give, by their column (a cell wrapped over lines ends with 、)."""
    got: dict[str, list[str]] = {"lead": [], "co": [], "listed": []}
    column, cell, task_seen = 0, "", False
    for ln in lines[first + 1:last + 1]:
        cell += ln.text.strip()
        if cell.endswith(("、", "，", ",")):
            continue
        units = _split_units(fold(cell))
        # (a unit with its other name in brackets, 区委组织部（区公务员局）, is judged by its own name)
        if units and all(looks_like_unit(re.sub(r"\(.*?\)", "", u)) for u in units) and len(cell) <= 60:
            if task_seen:  # before the task, a short line is the item's own cell wrapped
                got[roles[column % len(roles)]] += [u.replace("(", "（").replace(")", "）") for u in units]
                column += 1
        else:
            task_seen, column = True, 0
        cell = ""
    printed = tuple(dict.fromkeys(u for v in got.values() for u in v))
    if not printed:
        return Responsibility()
    return Responsibility(lead=tuple(dict.fromkeys(got["lead"])), co=tuple(dict.fromkeys(got["co"])),
                          listed=tuple(dict.fromkeys(got["listed"])), printed=printed,
                          notes=("任务清单",), status="stated")


def _records(doc: Document, text: str, lines: list[Line], kind: str, first: int, last: int, marker: Marker | None,
             heads: tuple[Marker, ...], resp: Responsibility, rule: str, max_tokens: int, count) -> list[Record]:
    start, end = lines[first].start, lines[last].end
    body = text[start:end]
    annex = kind == "annex"
    if annex:  # an annex is text of the document, titled by its first line
        kind, marker, heads = "text", None, ()
    section = heads[-1] if heads else None
    sec_title = _first_sentence(section.rest) if section else None
    path = tuple(f"{h.label}{_first_sentence(h.rest)}" for h in heads)
    if kind == "measure" and marker:
        title = _first_sentence(marker.rest) if marker.rest else (
            _first_sentence(lines[first + 1].text) if first + 1 <= last else "")
        path += (marker.label + title,)
    else:
        title = sec_title if kind == "section" else _first_sentence(lines[first].text) if annex else doc.title
    out = []
    spans = _split_parts(body, max_tokens, count)
    for n, (s, e) in enumerate(spans):
        out.append(Record(
            doc_id=doc.doc_id, doc_title=doc.title, doc_number=doc.doc_number, kind=kind,
            section=_section_key(section.label if section else None), section_title=sec_title,
            measure=marker.number if (kind == "measure" and marker) else None,
            measure_label=marker.label if (kind == "measure" and marker) else None,
            # start and end bound the stripped text, so offsets into `text` are offsets into the document.
            title=title or None, text=body[s:e].strip(), start=start + s + _lead_space(body[s:e]),
            end=start + e - _trail_space(body[s:e]),
            heading_path=path, lead_units=resp.lead, co_units=resp.co, joint_units=resp.joint_units,
            joint=resp.joint, units_printed=resp.printed, part=n, parts=len(spans),
            listed_units=resp.listed, duty_notes=resp.notes, duty_status=resp.status,
            section_path=tuple(h.label for h in heads),
        ))
    return out


def _apply_duty_table(doc: Document, drafts: list[tuple], resp: dict[int, Responsibility]) -> dict[int, Responsibility]:
    """Responsibilities from the document's 任务分工表, for the measures whose text states none.

    A row belongs to the measure with its number whose title matches the row's task, or, when the
    row gives no number, to the one measure whose title is contained in the task or contains it.
    """
    if not doc.duty_table:
        return resp
    resp = dict(resp)
    measures = {i: d for i, d in enumerate(drafts) if d[0] == "measure"}

    def title(d) -> str:
        return fold(_first_sentence(d[3].rest)) if d[3] and d[3].rest else ""

    for row in doc.duty_table:
        task = re.sub(r"^\(?[一二三四五六七八九十\d]+[)、.]?", "", fold(row.task)).strip()
        match = [i for i, d in measures.items() if title(d) and (title(d) in task or task[:12] in title(d))]
        numbered = [i for i, d in measures.items() if row.number and d[3].number == row.number]
        pick = [i for i in numbered if i in match] or (numbered if len(numbered) == 1 and not task else match)
        if len(pick) != 1 or resp.get(pick[0], Responsibility()).status == "stated":
            continue
        units = row.lead + row.co + row.listed
        resp[pick[0]] = Responsibility(lead=row.lead, co=tuple(u for u in row.co if u not in row.lead), listed=row.listed,
                                       printed=units, notes=(f"任务分工表：{row.task}",), status="stated")
    return resp


def has_numbering(records: list[Record]) -> bool:
    return any(r.kind in ("measure", "section") for r in records)
