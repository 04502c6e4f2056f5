"""Retrieval: read the question, then take the route a policy reader expects.

- an explicit measure reference (第十三条, （十三）, 第13条, 十三条) goes straight to that measure;
- a unit name with a question about its responsibilities goes to the responsibility table,
  complete (every measure it leads, supports or shares), not top-k;
- 文号/发布机构/成文日期/有效性… go to the document metadata;
- everything else: hybrid dense (Chroma) + BM25 (jieba) with reciprocal rank fusion.
`retrieve()` is usable on its own so evaluation can score retrieval without answering.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .index import PolicyIndex
from .load import fold
from .numerals import CN_NUMERAL_CHARS, to_int
from .records import Hit
from .terms import expand
from .units import unit_surface_forms

# Question types, as (type, pattern) in priority order: data, not a ladder of ifs.
META_FIELDS = (
    ("doc_number", r"文号|发文字号|字号|编号是"),
    ("publisher", r"发布机构|发文机关|发文单位|(哪个|什么)(部门|单位|机关|机构)(发布|印发|发的|出台|制定)|谁(发布|印发|发的|制定)"),
    ("written_date", r"成文日期|成文时间|落款|签发日期|什么时候(成文|签发)"),
    ("published_date", r"发布日期|发布时间|公布日期|(什么时候|哪天|何时)(发布|公布|印发|出台)"),
    ("validity", r"有效性|是否(有效|失效|废止)|还有效|有效吗|失效|废止"),
    ("index_number", r"索引号"),
    ("title", r"标题|全称|文件名|(文件|文件的名字)叫什么"),
    ("addressee", r"主送|发给(谁|哪些)|下发给|印发给"),
)
INTENTS = (
    ("unit_measures", r"哪些|哪几|几条|多少条|几项|多少项|什么(措施|任务|工作)|列出|清单"),
    ("co_units", r"配合|协助|协同|支持单位|参与单位|配合单位|协办"),
    ("lead_unit", r"牵头|主责|谁负责|由谁|(哪个|什么|哪些)(单位|部门|机构)|责任单位|负责单位|负责部门|谁来负责|谁管|找谁"),
    # 几个 is left out on purpose: 哪几个领域 asks which, not how many.
    ("amount", r"多少|几座|几家|几所|几项|金额|奖励|奖金|补助|补贴|资助|额度|比例|比重|增速|百分|上限|最高"),
    ("locate", r"哪一条|哪条|在哪|哪个措施|哪项措施|哪一项|出自|哪部分|哪一部分"),
)
UNIT_ROLE = (("lead", r"牵头"), ("co", r"配合|协助|协同|支持"))
# Questions about the jointly owned measures as a class (哪些措施没有牵头单位？).
JOINT_LIST = (r"按照?职责分工|没有.{0,4}牵头|无牵头|共同负责", r"哪些|哪几|哪一条|哪条|还有")
_CN = f"[{CN_NUMERAL_CHARS}]+"
MEASURE_REFS = (
    re.compile(rf"第\s*\(?\s*({_CN}|\d+)\s*\)?\s*[条项]"),
    re.compile(rf"\(({_CN})\)"),
    re.compile(rf"(?<![哪几每这那某任第一二三四五六七八九十百])({_CN})条(?!件|例)"),
    re.compile(r"(?:措施|条款)\s*(\d+)"),
)


@dataclass(frozen=True)
class Query:
    text: str
    intent: str  # amount | lead_unit | co_units | unit_measures | metadata | locate | general
    measures: tuple[int, ...] = ()
    units: tuple[str, ...] = ()  # canonical names found in the question
    unit_role: str | None = None  # lead | co | joint (a question about jointly owned measures) | None (any)
    meta_fields: tuple[str, ...] = ()  # every metadata field asked for (还有效吗？是哪个机构发布的？ asks two)

    @property
    def meta_field(self) -> str | None:
        return self.meta_fields[0] if self.meta_fields else None


@dataclass(frozen=True)
class Retrieval:
    query: Query
    route: str  # measure_ref | unit | metadata | hybrid | none
    hits: list[Hit]
    doc_id: str | None = None


def measure_refs(question: str) -> tuple[int, ...]:
    """Numbers of the measures a question names explicitly."""
    q = fold(question)
    found: list[int] = []
    for pattern in MEASURE_REFS:
        for m in pattern.finditer(q):
            n = to_int(m.group(1))
            if n and n not in found:
                found.append(n)
        if found:
            break
    return tuple(found)


_FORMS: tuple = (None, {}, 0)  # the last unit set seen, its surface forms, the longest form


def _unit_forms(known_units: set[str]) -> tuple[dict[str, str], int]:
    """Surface form → canonical name, built once per unit set (an opened index keeps its set)."""
    global _FORMS
    units, forms, longest = _FORMS
    if units is not known_units:
        forms = {}
        for canon in known_units:
            for form in unit_surface_forms(canon) + (canon,):
                forms[form] = canon
        longest = max(map(len, forms), default=0)
        _FORMS = (known_units, forms, longest)
    return forms, longest


def find_units(question: str, known_units: set[str]) -> tuple[str, ...]:
    """Canonical names of the corpus's units mentioned in the question (longest match first)."""
    forms, longest = _unit_forms(known_units)
    q = fold(question)
    # The question's substrings that are unit forms (a question is short; a corpus has thousands of units).
    present = {q[i:j] for i in range(len(q)) for j in range(i + 1, min(len(q), i + longest) + 1) if q[i:j] in forms}
    found: list[str] = []
    for form in sorted(present, key=len, reverse=True):
        if form in q:
            if forms[form] not in found:
                found.append(forms[form])
            q = q.replace(form, "\u0000")
    return tuple(found)


def parse_query(question: str, known_units: set[str]) -> Query:
    """Classify the question and pull out measure references and unit names."""
    q = fold(question)
    measures = measure_refs(q)
    units = find_units(q, known_units)
    meta_fields = tuple(f for f, p in META_FIELDS if re.search(p, q))
    intent = next((name for name, p in INTENTS if re.search(p, q)), "general")
    if intent == "unit_measures" and not units:
        # 哪些 without a unit asks about a measure's units or a topic, not a unit's list.
        intent = next((name for name, p in INTENTS[1:] if re.search(p, q)), "general")
    if meta_fields and not measures:
        intent = "metadata"
    roles = [r for r, p in UNIT_ROLE if re.search(p, q)] if intent == "unit_measures" else []
    role = roles[0] if len(roles) == 1 else None  # 牵头、配合…都算 asks for every role
    return Query(question, intent, measures, units, role, meta_fields if intent == "metadata" else ())


def retrieve(index: PolicyIndex, question: str, doc_id: str | None = None, k: int | None = None) -> Retrieval:
    """Ranked records for a question, by the route its wording calls for."""
    k = k or index.settings.top_k
    question = expand(question)  # 5G, VR … as the documents spell them
    query = parse_query(question, index.units)
    records = index.records_of(doc_id) if doc_id else index.records
    if query.measures:
        hits = _measure_route(index, query, doc_id)
        return Retrieval(query, "measure_ref", hits, doc_id)
    if query.intent == "unit_measures" and query.units:
        return Retrieval(query, "unit", _unit_route(index, query, doc_id), doc_id)
    if all(re.search(p, fold(question)) for p in JOINT_LIST):
        joint = [Hit(r, 1.0, "unit") for r in records if r.kind == "measure" and r.joint and r.part == r.parts - 1]
        return Retrieval(replace(query, intent="unit_measures", unit_role="joint"), "unit", joint, doc_id)
    fused = hybrid(index, question, doc_id, max(k, 10))
    if query.intent == "metadata":
        top_doc = fused[0].record.doc_id if fused else (records[0].doc_id if records else None)
        pre = [r for r in index.records_of(top_doc) if r.kind in ("preamble", "text") and r.part == 0][:1]
        return Retrieval(query, "metadata", [Hit(r, 1.0, "metadata") for r in pre], doc_id)
    return Retrieval(query, "hybrid", fused[:k], doc_id)


def _measure_route(index: PolicyIndex, query: Query, doc_id: str | None) -> list[Hit]:
    wanted = [r for n in query.measures for r in index.with_measure(n) if doc_id is None or r.doc_id == doc_id]
    docs = {r.doc_id for r in wanted}
    if len(docs) > 1:
        # The same number exists in several documents: keep the document the question is closest to.
        ranked = hybrid(index, query.text, doc_id, 20)
        best = next((h.record.doc_id for h in ranked if h.record.doc_id in docs), sorted(docs)[0])
        wanted = [r for r in wanted if r.doc_id == best]
    order = {n: i for i, n in enumerate(query.measures)}
    wanted.sort(key=lambda r: (order[r.measure], r.part))
    return [Hit(r, 1.0, "measure_ref") for r in wanted]


def _unit_route(index: PolicyIndex, query: Query, doc_id: str | None) -> list[Hit]:
    # with_unit gives the last part of each measure (units are stated once, at its end).
    found = {r.record_id: r for u in query.units for r in index.with_unit(u) if doc_id is None or r.doc_id == doc_id}
    hits = []
    for r in sorted(found.values(), key=lambda r: index.position[r.record_id]):
        roles = {"lead": r.lead_units, "co": r.co_units}
        for unit in query.units:
            pool = roles[query.unit_role] if query.unit_role else r.all_units
            if unit in pool:
                hits.append(Hit(r, 1.0, "unit"))
                break
    return hits


def hybrid(index: PolicyIndex, question: str, doc_id: str | None, k: int) -> list[Hit]:
    """Dense + BM25 with reciprocal rank fusion; each hit keeps both raw scores."""
    n = max(20, k)
    dense = index.dense(index.embedder.query(question), n, doc_id)
    lexical = index.lexical(question, n, doc_id)
    fused: dict[str, float] = {}
    d_score = {r.record_id: s for r, s in dense}
    l_score = {r.record_id: s for r, s in lexical}
    for ranking in (dense, lexical):
        for rank, (r, _) in enumerate(ranking):
            fused[r.record_id] = fused.get(r.record_id, 0.0) + 1.0 / (60 + rank)
    order = sorted(fused, key=lambda rid: -fused[rid])[:k]
    return [Hit(index.by_id[rid], fused[rid], "hybrid", d_score.get(rid), l_score.get(rid)) for rid in order]
