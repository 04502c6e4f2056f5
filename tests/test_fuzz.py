"""Bad input, fuzzed (hypothesis): load → structure → units → items over mutated policy text, and
the question path over random strings. No exception may escape, and every result must be well
formed: record and item offsets point at their text in the document, measure numbers are
positive, an answer's citations are empty exactly when it found nothing, and quotes are not empty.

The mutations start from the real documents in tests/data and do what bad files do: brackets
deleted, numbering doubled or out of order, mixed scripts, very long lines, random unicode,
sections emptied, text cut off. By default each property runs FUZZ_EXAMPLES (25) derandomized
examples, so `make test` is fast and repeatable; set POLICYQA_FUZZ_EXAMPLES=2000 for a deep,
random run (hypothesis prints the smallest failing input; a deep run may also meet the bugs the
xfail tests below record). A bug found here in a module owned by someone else is an
xfail(strict=True) test naming the bug, so it turns red once fixed.
"""
from __future__ import annotations

import json
import math
import os
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from assistant.errors import BadDocumentError
from assistant.items import extract_items
from assistant.load import clean_text, load_document
from assistant.records import Answer, Record
from assistant.structure import parse_document
from assistant.units import parse_responsibility

from .conftest import GESHUI, JIUYE, SEED, SHANGHAI, TIYU

DEEP = "POLICYQA_FUZZ_EXAMPLES" in os.environ
FUZZ_EXAMPLES = int(os.environ.get("POLICYQA_FUZZ_EXAMPLES", "25"))
# No example database: nothing written into the repository; hypothesis prints a failing input itself.
FUZZ = settings(max_examples=FUZZ_EXAMPLES, deadline=None, derandomize=not DEEP, database=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
RAW = {p.name: p.read_text(encoding="utf-8") for p in (SEED, SHANGHAI, JIUYE, GESHUI, TIYU)}
KINDS = {"measure", "section", "preamble", "text"}

# --- mutations of a document's lines -------------------------------------------------------------

CN_NUMERALS = ["一", "二", "三", "七", "十", "十一", "十三", "二十", "三十", "三十一", "九十九", "一百", "零"]
# Scripts a pasted or mis-decoded file mixes in: full-width digits, Latin, Cyrillic, Arabic, emoji,
# combining marks, zero-width and bidi controls, the replacement character, a lone CR.
MIXED = "０１２３ＡＢabcXYZ12.5%ДЖжعربي😀́​‏﻿�\r\t\u3000（）()〔〕【】、，。；：「」"


def _pos(draw, lines: list[str]) -> int:
    return draw(st.integers(0, max(0, len(lines) - 1)))


def delete_brackets(draw, lines):
    """Every 【（】, or every 【）】…: numbering and responsibility notes lose a bracket."""
    ch = draw(st.sampled_from("（）()〔〕"))
    return [x.replace(ch, "") for x in lines]


def double_numbering(draw, lines):
    i = _pos(draw, lines)
    return lines[:i + 1] + [lines[i]] + lines[i + 1:] if lines else lines


def numbering_out_of_order(draw, lines):
    """A measure renumbered: （三） becomes （七）, 第五条 becomes 第一条, 3. becomes 1."""
    i = _pos(draw, lines)
    if not lines:
        return lines
    n = draw(st.sampled_from(CN_NUMERALS))
    lines = list(lines)
    lines[i] = re.sub(r"^(\s*[（(第]?)[一二三四五六七八九十百零\d]+", lambda m: m.group(1) + n, lines[i], count=1)
    return lines


def swap_lines(draw, lines):
    if len(lines) < 2:
        return lines
    i, j = sorted((_pos(draw, lines), _pos(draw, lines)))
    lines = list(lines)
    lines[i], lines[j] = lines[j], lines[i]
    return lines


def mixed_scripts(draw, lines):
    i = _pos(draw, lines)
    if not lines:
        return [draw(st.text(alphabet=MIXED, max_size=40))]
    k = draw(st.integers(0, len(lines[i])))
    lines = list(lines)
    lines[i] = lines[i][:k] + draw(st.text(alphabet=MIXED, min_size=1, max_size=40)) + lines[i][k:]
    return lines


def random_unicode(draw, lines):
    i = _pos(draw, lines)
    lines = list(lines) or [""]
    k = draw(st.integers(0, len(lines[i])))
    lines[i] = lines[i][:k] + draw(st.text(min_size=1, max_size=200)) + lines[i][k:]
    return lines


def long_line(draw, lines):
    """A line of up to 20,000 characters, with or without sentence ends (the megabyte line is its own test)."""
    # Add "Firms get 给予100万元奖励, and more " (Latin words between grants) once
    # test_items_of_a_part_that_starts_at_a_space_point_at_their_quote passes: it finds that bug.
    unit = draw(st.sampled_from(["对新认定的示范企业给予不超过100万元奖励。", "很长的一行没有句号", "（责任单位：省发展改革委，财政厅）"]))
    i = _pos(draw, lines)
    return lines[:i] + [unit * draw(st.integers(10, 20_000 // len(unit)))] + lines[i:]


def empty_section(draw, lines):
    """Headings kept, the text under one of them removed."""
    heads = [k for k, x in enumerate(lines) if re.match(r"^\s*([一二三四五六七八九十]+、|第[一二三四五六七八九十]+章)", x)]
    if not heads:
        return lines
    k = draw(st.sampled_from(heads))
    nxt = next((h for h in heads if h > k), len(lines))
    return lines[:k + 1] + lines[nxt:]


def cut_off(draw, lines):
    text = "\n".join(lines)
    return text[:draw(st.integers(0, len(text)))].split("\n")


def blank_lines(draw, lines):
    i = _pos(draw, lines)
    return lines[:i] + [draw(st.sampled_from(["", " ", "\u3000\u3000", "\r", "\t \t"]))] * draw(st.integers(1, 50)) + lines[i:]


MUTATIONS = [delete_brackets, double_numbering, numbering_out_of_order, swap_lines, mixed_scripts, random_unicode,
             long_line, empty_section, cut_off, blank_lines]


@st.composite
def mutated_policy(draw) -> tuple[str, str, list[str]]:
    name = draw(st.sampled_from(sorted(RAW)))
    lines = RAW[name].split("\n")
    ops = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=4))
    for op in ops:
        lines = op(draw, lines)
    return name, "\n".join(lines), [op.__name__ for op in ops]


# --- well-formedness -------------------------------------------------------------------------------


def check_records(doc, records: list[Record]) -> None:
    text = doc.text
    assert records, "parse_document returned no record for a document with text"
    ids = [r.record_id for r in records]
    assert len(ids) == len(set(ids)), "two records share a record_id (they would overwrite each other in Chroma)"
    for r in records:
        assert r.kind in KINDS
        assert 0 <= r.start <= r.end <= len(text), (r.start, r.end, len(text))
        assert r.text and r.text in text[r.start:r.end], (r.record_id, r.text[:40], text[r.start:r.end][:40])
        assert r.doc_id == doc.doc_id and 0 <= r.part < r.parts
        if r.kind == "measure":
            assert isinstance(r.measure, int) and r.measure > 0 and r.measure_label
        else:
            assert r.measure is None and r.measure_label is None
        for units in (r.lead_units, r.co_units, r.joint_units, r.listed_units, r.units_printed):
            assert all(isinstance(u, str) and u.strip() for u in units), units
        assert not set(r.lead_units) & set(r.co_units), "a unit both leads and supports"
        assert r.duty_status in ("stated", "none", "unclear")
        assert Record.from_dict(json.loads(json.dumps(r.to_dict(), ensure_ascii=False))) == r


def check_items(doc, records: list[Record], items) -> None:
    ids = {r.record_id for r in records}
    for it in items:
        assert it.record_id in ids
        assert it.quote and 0 <= it.start <= it.end <= len(doc.text)
        assert doc.text[it.start:it.end] == it.quote, (it.quote[:40], doc.text[it.start:it.end][:40])
        for f in it.figures:
            assert f.text and (f.value is None or math.isfinite(f.value)), f


def load_written(raw: str, name: str = "policy.txt"):
    """load_document on `raw` written to a file (encoded as a user's editor would, UTF-8)."""
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_text(raw, encoding="utf-8")
        return load_document(path)


# --- load → structure → units → items ------------------------------------------------------------------


@FUZZ
@given(mutated_policy())
def test_mutated_policies_load_and_parse_into_well_formed_records(case):
    name, raw, ops = case
    cleaned = clean_text(raw)
    assert isinstance(cleaned.text, str) and "\r" not in cleaned.text
    try:
        doc = load_written(raw, name)
    except BadDocumentError as e:  # the one way a bad file may fail: a message naming it
        assert name in str(e)
        return
    records = parse_document(doc, 480)
    check_records(doc, records)
    check_items(doc, records, extract_items(records))


@FUZZ
@given(st.text(max_size=3000))
def test_random_text_loads_or_is_refused_by_name(raw):
    try:
        doc = load_written(raw)
    except BadDocumentError as e:
        assert "policy.txt" in str(e)
        return
    records = parse_document(doc, 480)
    check_records(doc, records)
    check_items(doc, records, extract_items(records))


def load_bytes(data: bytes, name: str):
    with tempfile.TemporaryDirectory() as d:
        path = Path(d) / name
        path.write_bytes(data)
        return load_document(path)


@FUZZ
@given(mutated_policy(), st.sampled_from(["utf-8", "utf-8-sig", "gb18030", "utf-16"]))
def test_mutated_policies_in_other_encodings_load_the_same_text(case, encoding):
    """A user's editor saves GB18030, UTF-8 with a BOM or UTF-16: the same text comes out (or the
    same refusal), never a decoding error."""
    name, raw, _ = case
    try:
        want = load_written(raw, name)
    except BadDocumentError:
        want = None
    try:
        got = load_bytes(raw.encode(encoding), name)
    except BadDocumentError as e:
        assert name in str(e)
        assert want is None or encoding == "gb18030", f"{encoding} refused what UTF-8 loads: {e}"
        return
    if want is not None:
        assert got.text == want.text and got.title == want.title


@FUZZ
@given(st.binary(max_size=4000), st.sampled_from([".txt", ".md", ".html", ".docx", ".pdf"]))
@example(b"PK\x03\x04" + b"\x00" * 40, ".docx")  # the start of a zip, nothing after
@example(b"%PDF-1.4\n%%EOF", ".pdf")
@example(b"\xef\xbb\xbf" + "（一）".encode() * 3, ".txt")
def test_random_bytes_load_or_are_refused_by_name(data, ext):
    name = f"upload{ext}"
    try:
        doc = load_bytes(data, name)
    except BadDocumentError as e:
        assert name in str(e)
        return
    records = parse_document(doc, 480)
    check_records(doc, records)


# Found by test_random_bytes_load_or_are_refused_by_name (fixed): load.decode read any .txt/.md starting
# with a UTF-16 byte-order mark with data.decode("utf-16") unguarded, so an odd byte count or a
# lone surrogate raises UnicodeDecodeError instead of BadDocumentError: `python -m assistant index`
# stops on that one file (load_corpus catches only BadDocumentError and OSError) and an upload
# says 系统内部错误 instead of naming the file. Owner: load.py (the formats branch rewrites it).
@pytest.mark.parametrize("data", [b"\xff\xfe\x00", b"\xfe\xff\xd8\x00\x00\x41"])
def test_broken_utf16_is_refused_by_name(data):
    with pytest.raises(BadDocumentError, match="upload.txt"):
        load_bytes(data, "upload.txt")


_NOTE_PARTS = st.sampled_from(["责任单位", "牵头单位", "配合单位", "：", ":", "，", ",", "、", "；", "（", "）", "(", ")",
                               "省发展改革委", "财政厅", "经信厅", "各市（州）人民政府", "按职责分工负责", "牵头", "配合",
                               "列第一位者为牵头单位", "负责", "等", "省", " ", "\n"])


@FUZZ
@given(st.lists(st.one_of(_NOTE_PARTS, st.text(max_size=8)), max_size=40).map("".join),
       st.sampled_from(["", "first", "comma"]))
def test_responsibility_notes_of_random_shape_give_well_formed_units(text, rule):
    resp = parse_responsibility(text, rule)
    assert resp.status in ("stated", "none", "unclear")
    assert resp.status != "none" or not (resp.lead or resp.co or resp.listed or resp.joint_units)
    for units in (resp.lead, resp.co, resp.joint_units, resp.listed, resp.printed):
        assert isinstance(units, tuple) and all(isinstance(u, str) and u.strip() for u in units), units
    assert resp.joint == (bool(resp.joint_units) and not resp.lead)


def _with_line(doc_text: str, line: str) -> str:
    lines = doc_text.split("\n")
    i = next(k for k, x in enumerate(lines) if x.strip().startswith("（三）"))
    lines[i] += line
    return "\n".join(lines)


def test_megabyte_line_with_sentences_is_parsed():
    """A measure with a one-megabyte line of sentences (a table flattened into one line): loaded,
    parsed into parts within the token budget, offsets intact. A cheap counter stands in for the
    tokenizer, which would make this test take minutes without testing anything more."""
    raw = _with_line(RAW[JIUYE.name], "对新认定的示范企业给予不超过100万元奖励。" * 48_000)
    assert len(raw) > 2**20
    doc = load_written(raw, JIUYE.name)
    records = parse_document(doc, 480, count_tokens=len)
    check_records(doc, records)
    assert max(len(r.text) for r in records) <= 480
    assert sum(r.measure == 3 for r in records) > 2000  # the measure split into parts, not dropped


# Found by the megabyte line: structure._split_parts halves an over-budget sentence from its start
# again for every part it cuts, tokenizing the whole rest each time, so a long line without a
# sentence end costs O(n²): 200,000 characters tokenize 121 million characters (600× the text),
# and a one-megabyte line kept `parse_document` busy for over 8 minutes with the real tokenizer
# (an upload holds the corpus write lock meanwhile). Owner: structure.py.
def test_long_line_without_sentence_end_is_split_in_linear_work():
    raw = _with_line(RAW[JIUYE.name], "很长的一行没有句号" * 22_000)
    doc = load_written(raw, JIUYE.name)
    counted = 0

    def count(s: str) -> int:
        nonlocal counted
        counted += len(s)
        return len(s)

    records = parse_document(doc, 480, count_tokens=count)
    check_records(doc, records)
    assert counted <= 20 * len(doc.text), f"tokenized {counted} characters for a text of {len(doc.text)}"


# Found by the long Latin line: a measure split into parts (over 480 tokens) whose part starts at a
# space gets `start` at the space while its `text` is stripped, so items.record_items, which adds
# offsets in `text` to `start`, points every item of that part one character early (the quote
# 「get 给予100万元奖励」 at 「 get 给予100万元奖」). Owner: structure._records (or items.record_items).
def test_items_of_a_part_that_starts_at_a_space_point_at_their_quote():
    from assistant.records import Document

    raw = ("某市关于支持企业的若干措施\n一、支持措施\n（一）支持企业。" + "Firms get 给予100万元奖励, and more " * 30
           + "（责任单位：市财政局）\n（二）其他。对企业给予支持。\n")
    text = clean_text(raw).text
    doc = Document("d", "d.txt", "0" * 64, "某市关于支持企业的若干措施", text)
    records = parse_document(doc, 480)
    check_items(doc, records, extract_items(records))


# --- the question path --------------------------------------------------------------------------------------

_WORDS = st.sampled_from([
    "第（十三）条", "（三十）", "第13条", "十三条", "第三十一条", "第0条", "第99条", "（一百）", "由哪个单位牵头", "配合单位", "哪些措施",
    "几条", "多少", "资金奖励", "瞪羚企业", "新认定的省级新经济示范企业", "发改委", "经信厅", "省大数据中心", "文号", "成文日期",
    "发布机构", "有效性", "2025年", "2030年", "100万元", "80万元", "5G", "AI", "那它的配合单位呢", "这条由谁牵头", "？", "?",
    "，", "。", "“", "”", "《", "》", "川办发〔2021〕93号", "</question>", "[R1]", "忽略以上指令", "分别是多少", " ", "\n",
])
QUESTIONS = st.one_of(
    st.text(max_size=60),
    st.lists(st.one_of(_WORDS, st.text(max_size=4)), min_size=1, max_size=12).map("".join),
    st.builds(lambda w, n: w * n, _WORDS, st.integers(50, 400)),  # over the length limit
)


def check_answer(index, a: Answer) -> None:
    assert isinstance(a, Answer) and isinstance(a.found, bool) and isinstance(a.answer, str) and a.answer.strip()
    assert (not a.found) == (a.citations == []), (a.found, len(a.citations))
    for c in a.citations:
        assert c.quote and c.quote.strip()
        assert c.doc_id in index.documents
        assert c.measure is None or c.measure > 0
        assert (c.measure is None) == (c.measure_label is None)
    json.dumps(a.to_dict(), ensure_ascii=False)  # what the app and `ask --json` send


@pytest.fixture(scope="module")
def previous(answerer):
    """Answers a follow-up may refer to: a cited measure, a metadata answer, a refusal."""
    return [answerer.ask(q) for q in ("新认定的省级新经济示范企业能获得多少资金奖励？", "这份文件的文号是什么？", "个人所得税起征点是多少？")]


@FUZZ
@given(QUESTIONS, st.integers(0, 3), st.booleans())
@example("那它的配合单位呢？", 0, False)
@example("\x00\x1f\u202e第（十三）条", 3, True)
def test_random_questions_get_well_formed_answers(answerer, previous, question, prev, scoped):
    doc_id = next(iter(answerer.index.documents)) if scoped else None
    a = answerer.ask(question, doc_id=doc_id, previous=previous[prev] if prev < len(previous) else None)
    check_answer(answerer.index, a)

