"""Retrieval: read the question (query.py), then take the route a policy reader expects.

- an explicit measure reference (第十三条, （十三）, 第13条, 第5项) goes to that measure in every
  document in scope that has one: a number several documents share is never silently resolved
  to one of them;
- a section reference (（二）那一部分) goes to the measures under that heading;
- a unit with a question about its responsibilities goes to the responsibility table, complete;
- 文号/发布机构/成文日期… go to the documents' own metadata;
- everything else: hybrid dense (Chroma) + BM25 (jieba) with reciprocal rank fusion.
The scope is the documents the question names (or the caller's `doc_id`); none named means the
whole library. `retrieve()` is usable on its own so evaluation can score retrieval alone.
"""
from __future__ import annotations

import math
import weakref
from dataclasses import dataclass, replace

from .index import PolicyIndex
from .load import fold
from .query import Query, doc_names, joint_names, parse_query
from .records import Hit, Record


@dataclass(frozen=True)
class Retrieval:
    query: Query
    route: str  # measure_ref | section | unit | metadata | hybrid
    hits: list[Hit]
    scope: tuple[str, ...] = ()  # doc_ids the question was confined to; () = the whole library
    left_out: int = 0  # documents a library-wide route matched beyond DOC_CAP (named by count only)

    @property
    def doc_id(self) -> str | None:
        return self.scope[0] if len(self.scope) == 1 else None


# The ways each document may be named, worked out once per opened index.
_NAMES: "weakref.WeakKeyDictionary[PolicyIndex, list]" = weakref.WeakKeyDictionary()


def understand(index: PolicyIndex, question: str) -> Query:
    """The question parsed against this library's documents and units."""
    if index not in _NAMES:
        others = max(1, index.n_records)

        def used_elsewhere(word: str, doc_id: str) -> float:
            return index.doc_freq_outside(word, doc_id) / max(1, others - len(index.records_of(doc_id)))

        _NAMES[index] = doc_names(list(index.documents.values()), used_elsewhere)
    query = parse_query(question, index.units, _NAMES[index])
    joined = joint_names(query.expanded, lambda w: index.doc_freq(w) > 0)
    return replace(query, expanded=joined) if joined != query.expanded else query


def scope_of(query: Query, doc_id: str | None = None) -> tuple[str, ...]:
    if doc_id:
        return (doc_id,)
    return query.doc_ids


def in_scope(r: Record, scope: tuple[str, ...]) -> bool:
    return not scope or r.doc_id in scope


def retrieve(index: PolicyIndex, question: str, doc_id: str | None = None, k: int | None = None,
             query: Query | None = None) -> Retrieval:
    """Ranked records for a question, by the route its wording calls for."""
    k = k or index.settings.top_k
    query = query or understand(index, question)
    scope = scope_of(query, doc_id)
    if query.measures:
        hits, left_out = capped(index, query, scope, measure_hits(index, query, scope))
        return Retrieval(query, "measure_ref", hits, scope, left_out)
    titled = titled_hits(index, query, scope)
    if titled:  # “加大财税支持”那一条: a measure named by its quoted title
        query = replace(query, measures=tuple(dict.fromkeys(h.record.measure for h in titled)))
        return Retrieval(query, "measure_ref", titled, scope)
    if query.section_ref and query.intent in ("list", "unit_measures", "general", "locate"):
        recs = [r for r in index.records if in_scope(r, scope) and r.kind == "measure" and r.part == 0
                and r.section == query.section_ref]
        if recs:
            return Retrieval(query, "section", [Hit(r, 1.0, "section") for r in recs], scope)
    if query.intent == "unit_measures" and query.unit_role == "joint":
        joint = [Hit(r, 1.0, "unit") for r in index.records
                 if in_scope(r, scope) and r.kind == "measure" and r.joint and r.part == r.parts - 1]
        return Retrieval(query, "unit", joint, scope)
    if query.intent == "unit_measures" and query.units:
        return Retrieval(query, "unit", unit_hits(index, query, scope), scope)
    if query.intent == "metadata":
        hits, left_out = capped(index, query, scope, metadata_hits(index, query, scope))
        return Retrieval(query, "metadata", hits, scope, left_out)
    if query.doc_ids and not query.exact and not doc_id:
        # A region, issuer or title word names documents without naming one exactly (柳河县…, two
        # policies of that county): they come first, the others stay in play.
        hits = hybrid(index, query.expanded, (), max(k, 10) * 2)
        named = [h for h in hits if h.record.doc_id in query.doc_ids]
        rest = [h for h in hits if h.record.doc_id not in query.doc_ids]
        return Retrieval(query, "hybrid", (named + rest)[:max(k, 10)], ())
    return Retrieval(query, "hybrid", hybrid(index, query.expanded, scope, max(k, 10))[:max(k, 10)], scope)


# Documents a question that names no document is answered for, at most, by a route that takes every
# document's measure of a number or every document's header (第（十三）条由谁牵头？ 文号是什么？):
# in a library of thousands, the ones the question's words rank first; the rest are counted.
DOC_CAP = 10


def capped(index: PolicyIndex, query: Query, scope: tuple[str, ...], hits: list[Hit]) -> tuple[list[Hit], int]:
    """`hits` of at most DOC_CAP documents (those hybrid retrieval ranks first for the question,
    then library order) and how many documents were left out. A question that names documents is
    confined to them already (its scope)."""
    docs = list(dict.fromkeys(h.record.doc_id for h in hits))
    if scope or len(docs) <= DOC_CAP:
        return hits, 0
    ranked = [h.record.doc_id for h in hybrid(index, query.expanded, (), 50)]
    wanted = set(docs)
    keep = set(list(dict.fromkeys([d for d in ranked if d in wanted] + docs))[:DOC_CAP])
    return [h for h in hits if h.record.doc_id in keep], len(docs) - DOC_CAP


def measure_hits(index: PolicyIndex, query: Query, scope: tuple[str, ...]) -> list[Hit]:
    """Every part of each named measure, document by document (library order), in reading order."""
    wanted = [r for n in dict.fromkeys(query.measures) for r in index.with_measure(n) if in_scope(r, scope)
              and (query.section_ref is None or r.section == query.section_ref)]
    order = {n: i for i, n in enumerate(query.measures)}
    docs = {d: i for i, d in enumerate(index.documents)}
    wanted.sort(key=lambda r: (docs.get(r.doc_id, 0), order[r.measure], r.start, r.part))
    return [Hit(r, 1.0, "measure_ref") for r in wanted]


def titled_hits(index: PolicyIndex, query: Query, scope: tuple[str, ...]) -> list[Hit]:
    """Every part of the measures whose title the question quotes."""
    quoted = {fold(x) for x in query.quoted}
    if not quoted:
        return []
    keys = {r.measure_key for r in index.records if r.kind == "measure" and r.title and fold(r.title) in quoted and in_scope(r, scope)}
    return [Hit(r, 1.0, "measure_ref") for r in index.records if r.kind == "measure" and r.measure_key in keys]


def unit_hits(index: PolicyIndex, query: Query, scope: tuple[str, ...]) -> list[Hit]:
    hits = []
    # with_unit gives the last part of each measure naming the unit (units are stated once, at its end).
    found = {r.record_id: r for u in query.units for r in index.with_unit(u)}
    for r in sorted(found.values(), key=lambda r: index.position[r.record_id]):
        if not in_scope(r, scope):
            continue
        roles = {"lead": r.lead_units, "co": r.co_units}
        pool = roles[query.unit_role] if query.unit_role in roles else r.all_units
        if any(u in pool for u in query.units):
            hits.append(Hit(r, 1.0, "unit"))
    return hits


def metadata_hits(index: PolicyIndex, query: Query, scope: tuple[str, ...]) -> list[Hit]:
    """The first record of each document in scope (its header, where the metadata is quoted from)."""
    docs = [d for d in index.documents if not scope or d in scope]
    return [Hit(r, 1.0, "metadata") for d in docs if (r := index.first_record(d)) is not None]


def cosine(similarity: float) -> float:
    """llama-index's Chroma store reports exp(-distance); with cosine space, distance = 1 - cos."""
    return 1.0 + math.log(max(similarity, 1e-12))


def hybrid(index: PolicyIndex, question: str, scope: tuple[str, ...] = (), k: int = 10) -> list[Hit]:
    """Dense + BM25 with reciprocal rank fusion; each hit keeps its cosine and its BM25 score."""
    n = max(20, k) * (3 if len(scope) > 1 else 1)
    single = scope[0] if len(scope) == 1 else None
    dense = [(r, cosine(s)) for r, s in index.dense(index.query_vector(question), n, single) if in_scope(r, scope)]
    lexical = [(r, s) for r, s in index.lexical(question, n, single) if in_scope(r, scope)]
    fused: dict[str, float] = {}
    d_score = {r.record_id: s for r, s in dense}
    l_score = {r.record_id: s for r, s in lexical}
    for ranking in (dense, lexical):
        for rank, (r, _) in enumerate(ranking):
            fused[r.record_id] = fused.get(r.record_id, 0.0) + 1.0 / (60 + rank)
    order = sorted(fused, key=lambda rid: -fused[rid])[:k]
    return [Hit(index.by_id[rid], fused[rid], "hybrid", d_score.get(rid), l_score.get(rid)) for rid in order]


def with_query(ret: Retrieval, **changes) -> Retrieval:
    return replace(ret, query=replace(ret.query, **changes))
