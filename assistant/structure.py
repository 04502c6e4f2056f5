"""Structure parser: cleaned document text → measure records.

Pure functions. The numbering styles of Chinese policy documents are a table of levels (第X章,
一、, 第X条, （一）, 1., （1）). The measure level is the level at which the document numbers its
provisions:
- 第X条, when the document has articles: the 条 is the unit of provision of an 办法 or 规定, also
  inside a 通知 that wraps one; （一）/1. inside an article are its items;
- otherwise the coarsest level that is not a level of group headings. A level groups when most of
  its entries are a bare title (no sentence of their own) with numbered entries of a finer level
  under them: 三、主要任务 over （一）…, or （一）强化企业主体地位 over 1.…21.
Group headings above the measure level are the measures' sections (their labels are the record's
`section_path`, part of a measure's identity, since numbering may restart in each section); finer
levels stay inside the measure's text. A sequence that restarts at 1 is still one level.
The preamble and sections without numbered measures are records of their own; a measure longer
than the token budget is split into parts that keep its identity. Responsibility notes are read
by the document's own rule (units.py), or from its 任务分工表 when the file had one. Hands on `Record`s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .load import fold
from .numerals import CN_NUMERAL_CHARS, to_int
from .records import Document, Record
from .units import Responsibility, apply_names, canonical_names, lead_rule, parse_responsibility

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
    Level("item", re.compile(r"^(\d{1,3})[.、](?!\d)[ \t]*(.*)$"), "item"),
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

    A numeral that breaks the sequence (a stray `3.` inside a sentence) stays body text.
    """
    found, expected = {}, 1
    for i, line in enumerate(lines):
        mk = _marker(line, level)
        if mk and (mk.number == expected or (mk.number == 1 and found)):
            found[i] = mk
            expected = mk.number + 1
    return found


@dataclass(frozen=True)
class Layout:
    """The levels a document uses: headings above the measures, the measures, and nothing else."""

    headings: dict[int, Marker]  # line index → a section or group heading
    measures: dict[int, Marker]  # line index → a measure


def _group_children(lines: list[Line], i: int, nxt: int, finer: set[int]) -> int:
    """How many finer numbered entries a bare title (no sentence of its own) heads; 0 for a provision."""
    children = [j for j in range(i + 1, nxt) if j in finer]
    if not children:
        return 0
    title = "".join([_marker_rest(lines[i])] + [lines[j].folded for j in range(i + 1, children[0])])
    return len(children) if len(title) <= 50 and not _SENTENCE_END.search(title) else 0


def _marker_rest(line: Line) -> str:
    for level in LEVELS:
        m = level.pattern.match(line.folded)
        if m:
            return m.group(2)
    return line.folded


def choose_layout(lines: list[Line]) -> Layout:
    """Which numbered lines are headings and which are measures (see the module docstring)."""
    present = [(lv, seq) for lv in LEVELS if len(seq := _sequence(lines, lv)) >= 2]
    if not present:
        return Layout({}, {})
    owner: dict[int, int] = {}  # line index → position of its level in `present`
    for k, (_, seq) in enumerate(present):
        for i in seq:
            owner.setdefault(i, k)

    def groups(k: int) -> bool:
        # A level of group headings: the provisions its bare titles head outnumber its entries that
        # are provisions themselves (一、指导思想 and 二、发展目标 beside 三、… over （一）…（三十一）).
        seq = present[k][1]
        finer = {i for i, o in owner.items() if o > k}
        bounds = sorted(i for i, o in owner.items() if o <= k)
        heads = provisions = children = 0
        for i in sorted(seq):
            nxt = next((j for j in bounds if j > i), len(lines))
            n = _group_children(lines, i, nxt, finer)
            heads += n > 0
            children += n
            provisions += n == 0
        return heads > 0 and children >= provisions

    articles = [k for k, (lv, _) in enumerate(present) if lv.role == "article"]
    if articles:
        m = articles[0]
    else:
        candidates = [k for k, (lv, _) in enumerate(present) if lv.role == "item"]
        m = next((k for k in candidates if not groups(k)), candidates[-1] if candidates else None)
    if m is None:  # only chapter headings: no measures
        return Layout({i: mk for _, seq in present for i, mk in seq.items()}, {})
    headings: dict[int, Marker] = {}
    for k in range(m):
        # A coarser level heads sections only where it groups measures; a 通知's own 一、二、
        # paragraphs before the 办法 it wraps are text, not sections of the 办法.
        if present[k][0].role == "section" or groups(k):
            headings.update({i: mk for i, mk in present[k][1].items() if owner[i] == k})
    measures = {i: mk for i, mk in present[m][1].items() if owner[i] == m}
    return Layout(headings, measures)


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


def parse_document(doc: Document, max_tokens: int = 480, count_tokens: Callable[[str], int] | None = None) -> list[Record]:
    """Records of a cleaned document: preamble, sections without measures, and measures."""
    count = count_tokens or _token_counter()
    text = doc.text
    lines = _lines(text)
    lines = lines[:_body_end(lines)]
    layout = choose_layout(lines)
    rule = lead_rule(text)
    boundaries = sorted(set(layout.headings) | set(layout.measures))

    drafts: list[tuple] = []  # (kind, first line, last line, marker, open headings)
    open_heads: list[Marker] = []
    if not boundaries:
        drafts.append(("text", 0, len(lines) - 1, None, ()))
    else:
        drafts.append(("preamble", 0, boundaries[0] - 1, None, ()))
        rank = {lv.name: k for k, lv in enumerate(LEVELS)}
        for b, nxt in zip(boundaries, boundaries[1:] + [len(lines)]):
            if b in layout.headings:
                head = layout.headings[b]
                open_heads = [h for h in open_heads if rank[h.level.name] < rank[head.level.name]] + [head]
                # Text directly under a heading (二、发展目标 holds the 2025 targets) is a record of
                # its own; a bare heading followed by measures is only context for them.
                if nxt - 1 > b or (nxt < len(lines) and nxt not in layout.measures and nxt in layout.headings
                                   and rank[layout.headings[nxt].level.name] <= rank[head.level.name]):
                    drafts.append(("section", b, nxt - 1, None, tuple(open_heads)))
            else:
                drafts.append(("measure", b, nxt - 1, layout.measures[b], tuple(open_heads)))

    # Responsibilities, read by the document's rule; unit names as this document prints them most.
    resp = {i: parse_responsibility(text[lines[f].start:lines[last].end], rule)
            for i, (kind, f, last, _, _) in enumerate(drafts) if kind == "measure" and f <= last}
    resp = _apply_duty_table(doc, drafts, resp)
    names = canonical_names([u for r in resp.values() for u in r.printed])
    records: list[Record] = []
    for i, (kind, first, last, marker, heads) in enumerate(drafts):
        if first > last:
            continue
        records += _records(doc, text, lines, kind, first, last, marker, heads,
                            apply_names(resp[i], names) if i in resp else Responsibility(), rule, max_tokens, count)
    return records


def _records(doc: Document, text: str, lines: list[Line], kind: str, first: int, last: int, marker: Marker | None,
             heads: tuple[Marker, ...], resp: Responsibility, rule: str, max_tokens: int, count) -> list[Record]:
    start, end = lines[first].start, lines[last].end
    body = text[start:end]
    section = heads[-1] if heads else None
    sec_title = _first_sentence(section.rest) if section else None
    path = tuple(f"{h.label}{_first_sentence(h.rest)}" for h in heads)
    if kind == "measure" and marker:
        title = _first_sentence(marker.rest) if marker.rest else (
            _first_sentence(lines[first + 1].text) if first + 1 <= last else "")
        path += (marker.label + title,)
    else:
        title = sec_title if kind == "section" else doc.title
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
