"""Structure parser: cleaned document text → measure records.

Pure functions. The numbering styles of Chinese policy documents are a table of patterns;
the parser picks the measure level that the document actually uses (the first of 第X条,
（一）, 1. , （1） that occurs in sequence), treats the levels above it as sections and the
levels below as items inside a measure's body. The preamble and sections without numbered
measures become records of their own; a measure longer than the token budget is split into
parts that keep its identity. Hands on `Record`s.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Callable

from .load import fold
from .numerals import CN_NUMERAL_CHARS, to_int
from .records import Document, Record
from .units import parse_responsibility

_CN = f"[{CN_NUMERAL_CHARS}]+"
_ANY_NUM = rf"(?:{_CN}|\d+)"


@dataclass(frozen=True)
class Level:
    name: str
    pattern: re.Pattern  # on the folded line; group 1 the number, group 2 the rest of the line
    role: str  # "section" (may hold measures) or "measure" (a candidate measure level)


# Order matters: sections first, then measure candidates from the coarsest to the finest.
LEVELS = (
    Level("chapter", re.compile(rf"^第({_ANY_NUM})章[ \t]*(.*)$"), "section"),
    Level("section", re.compile(rf"^({_CN})[、.][ \t]*(.*)$"), "section"),
    Level("article", re.compile(rf"^第[ \t]*({_ANY_NUM})[ \t]*条[ \t]*(.*)$"), "measure"),
    Level("paren", re.compile(rf"^\(({_CN})\)[ \t]*(.*)$"), "measure"),
    Level("item", re.compile(r"^(\d{1,3})[.、](?!\d)[ \t]*(.*)$"), "measure"),
    Level("paren_item", re.compile(r"^\((\d{1,3})\)[ \t]*(.*)$"), "measure"),
)
_SIGNATURE_DATE = re.compile(r"^\d{4}年\d{1,2}月\d{1,2}日$")


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


def choose_levels(lines: list[Line]) -> tuple[dict[int, Marker], dict[int, Marker]]:
    """The section markers and the measure markers this document uses."""
    sections: dict[int, Marker] = {}
    for level in LEVELS:
        if level.role == "section":
            seq = _sequence(lines, level)
            if len(seq) >= 2:
                sections = seq
                break
    for level in LEVELS:
        if level.role != "measure":
            continue
        seq = _sequence(lines, level)
        if len(seq) >= 2:
            return sections, seq
    return sections, {}


def _first_sentence(text: str, limit: int = 40) -> str:
    """A measure's title: its first sentence (加大财税支持), or its first clause when long."""
    s = re.split(r"[。;；!！?？]", text, maxsplit=1)[0].strip()
    if len(s) > limit:
        s = re.split(r"[,，:：]", s, maxsplit=1)[0][:limit]
    return s


def _split_parts(text: str, max_tokens: int, count: Callable[[str], int]) -> list[tuple[int, int]]:
    """Offsets of consecutive parts of `text`, each within `max_tokens`, cut after a sentence."""
    if count(text) <= max_tokens:
        return [(0, len(text))]
    sentences = [m.span() for m in re.finditer(r"[^。;；\n]*(?:[。;；\n]|$)", text) if m.group(0)]
    parts, start, end = [], 0, 0
    for s, e in sentences:
        if end > start and count(text[start:e]) > max_tokens:
            parts.append((start, end))
            start = s
        end = e
        # A single sentence over budget is cut hard so no part exceeds it.
        while count(text[start:end]) > max_tokens and end - start > 1:
            cut = start + max(1, (end - start) // 2)
            while count(text[start:cut]) > max_tokens and cut - start > 1:
                cut = start + (cut - start) // 2
            parts.append((start, cut))
            start = cut
    if end > start:
        parts.append((start, end))
    return parts


def _token_counter() -> Callable[[str], int]:
    from llama_index.core.utils import get_tokenizer  # ships cl100k_base: no download

    tok = get_tokenizer()
    return lambda s: len(tok(s))


def parse_document(doc: Document, max_tokens: int = 480, count_tokens: Callable[[str], int] | None = None) -> list[Record]:
    """Records of a cleaned document: preamble, sections without measures, and measures."""
    count = count_tokens or _token_counter()
    text = doc.text
    lines = _lines(text)
    # The signature block (issuing body and date) closes the document; it belongs to no measure.
    end_line = len(lines)
    if lines and _SIGNATURE_DATE.match(lines[-1].folded):
        end_line = len(lines) - 1
        if end_line > 0 and len(lines[end_line - 1].text) <= 30 and not re.search(r"[。,;]", lines[end_line - 1].folded):
            end_line -= 1
    lines = lines[:end_line]
    sections, measures = choose_levels(lines)
    boundaries = sorted(set(sections) | set(measures))

    records: list[Record] = []
    section: Marker | None = None

    def add(kind: str, first: int, last: int, marker: Marker | None) -> None:
        if first > last:
            return
        start, end = lines[first].start, lines[last].end
        body = text[start:end]
        sec_label = str(section.label).rstrip("、.") if section else None
        sec_title = _first_sentence(section.rest) if section else None
        if kind == "measure" and marker:
            title = _first_sentence(marker.rest) if marker.rest else (
                _first_sentence(lines[first + 1].text) if first + 1 <= last else "")
            resp = parse_responsibility(body)
            path = tuple(x for x in (section and f"{section.label}{sec_title}", marker.label + title) if x)
        else:
            title = sec_title if kind == "section" else doc.title
            resp = parse_responsibility("")
            path = (f"{section.label}{sec_title}",) if kind == "section" and section else ()
        spans = _split_parts(body, max_tokens, count)
        for i, (s, e) in enumerate(spans):
            records.append(Record(
                doc_id=doc.doc_id, doc_title=doc.title, doc_number=doc.doc_number, kind=kind,
                section=_section_key(sec_label), section_title=sec_title,
                measure=marker.number if (kind == "measure" and marker) else None,
                measure_label=marker.label if (kind == "measure" and marker) else None,
                title=title or None, text=body[s:e].strip(), start=start + s, end=start + e,
                heading_path=path, lead_units=resp.lead, co_units=resp.co, joint_units=resp.joint_units,
                joint=resp.joint, units_printed=resp.printed, part=i, parts=len(spans),
            ))

    if not boundaries:
        add("text", 0, len(lines) - 1, None)
        return records
    add("preamble", 0, boundaries[0] - 1, None)
    for b, nxt in zip(boundaries, boundaries[1:] + [len(lines)]):
        if b in sections:
            section = sections[b]
            # Text directly under a section heading (二、发展目标 holds the 2025 targets) is its own
            # record; a bare heading followed by measures is only context for them.
            if nxt - 1 > b or nxt not in measures:
                add("section", b, nxt - 1, None)
        else:
            add("measure", b, nxt - 1, measures[b])
    return records


def _section_key(label: str | None) -> str | None:
    """一、 → 一; 第二章 → 二 (the form used in questions and in eval files)."""
    if not label:
        return None
    m = re.match(rf"^第?({_ANY_NUM})章?", fold(label))
    return m.group(1) if m else label


def has_numbering(records: list[Record]) -> bool:
    return any(r.kind in ("measure", "section") for r in records)
