"""Scoring of answers against a question file: pure functions, no index, no I/O."""
from __future__ import annotations

import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field

from assistant.numerals import to_int

KNOWN_FIELDS = {"id", "question", "answerable", "measures_any", "measures_all", "sections_any", "facts", "kind", "doc"}


class QuestionFileError(ValueError):
    """A question file line that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    measures_any: tuple[int, ...] = ()
    measures_all: tuple[int, ...] = ()
    sections_any: tuple[str, ...] = ()
    facts: tuple[str, ...] = ()
    kind: str = "unspecified"
    doc: str | None = None


def measure_number(spec) -> int:
    """三十, 30, 第30条, （三十） → 30."""
    s = re.sub(r"[第条()（）\s]", "", str(spec))
    n = to_int(s)
    if n is None:
        raise ValueError(f"not a measure number: {spec!r}")
    return n


def section_label(spec) -> str:
    s = re.sub(r"[、.()（）\s第部分章]", "", str(spec))
    n = to_int(s)
    if n is None:
        raise ValueError(f"not a section label: {spec!r}")
    from assistant.numerals import to_chinese
    return to_chinese(n)


def parse_questions(text: str, name: str = "questions") -> list[Question]:
    """Questions of a JSON Lines file; unknown fields warn, a bad line raises naming the line."""
    out, unknown = [], set()
    for n, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except ValueError as e:
            raise QuestionFileError(f"{name} line {n}: not valid JSON ({e.msg})") from None
        if not isinstance(obj, dict) or not isinstance(obj.get("question"), str) or not obj["question"].strip():
            raise QuestionFileError(f"{name} line {n}: needs a non-empty string field `question`")
        unknown |= set(obj) - KNOWN_FIELDS
        try:
            q = Question(
                id=str(obj.get("id") or f"line{n}"),
                question=obj["question"],
                answerable=bool(obj.get("answerable", True)),
                measures_any=tuple(measure_number(x) for x in obj.get("measures_any") or ()),
                measures_all=tuple(measure_number(x) for x in obj.get("measures_all") or ()),
                sections_any=tuple(section_label(x) for x in obj.get("sections_any") or ()),
                facts=tuple(str(x) for x in obj.get("facts") or ()),
                kind=str(obj.get("kind") or "unspecified"),
                doc=obj.get("doc") or None,
            )
        except (ValueError, TypeError) as e:
            raise QuestionFileError(f"{name} line {n}: {e}") from None
        out.append(q)
    if unknown:
        warnings.warn(f"{name}: ignoring unknown fields {sorted(unknown)}")
    return out


def norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


def _cite_matches(q: Question, c: dict) -> bool:
    """One citation is what the question expects (a wanted measure or section, in the right document)."""
    if q.doc and q.doc not in (c.get("doc_title") or ""):
        return False
    wanted = set(q.measures_any) | set(q.measures_all)
    if c.get("measure") is not None and c["measure"] in wanted:
        return True
    if c.get("measure") is None and c.get("section") and c["section"] in q.sections_any:
        return True
    return not wanted and not q.sections_any  # nothing specific expected: any citation of the document


@dataclass
class Score:
    fact_ok: bool = False
    citation_ok: bool = False
    rank: int | None = None  # 1-based rank of the first matching citation
    refused: bool = False
    correct_refusal: bool = False
    ranked: bool = False  # the question names measures or sections, so hit@k applies
    notes: list[str] = field(default_factory=list)


def score_answer(q: Question, answer: dict) -> Score:
    cites = answer.get("citations") or []
    s = Score(refused=not answer.get("found"))
    if not q.answerable:
        s.correct_refusal = s.refused
        return s
    text = norm(answer.get("answer") or "")
    missing = [f for f in q.facts if norm(f) not in text]
    s.fact_ok = not s.refused and not missing
    if missing:
        s.notes.append("missing facts: " + "、".join(missing))
    cited_measures = {c.get("measure") for c in cites}
    cited_sections = {c.get("section") for c in cites if c.get("measure") is None}
    ok = bool(cites) and all(_doc_ok(q, c) for c in cites[:1])
    if q.measures_any:
        ok = ok and bool(set(q.measures_any) & cited_measures)
    if q.measures_all:
        ok = ok and set(q.measures_all) <= cited_measures
    if q.sections_any:
        ok = ok and bool(set(q.sections_any) & cited_sections)
    s.citation_ok = ok
    s.ranked = bool(q.measures_any or q.measures_all or q.sections_any)
    s.rank = next((i for i, c in enumerate(cites, 1) if _cite_matches(q, c)), None)
    return s


def _doc_ok(q: Question, c: dict) -> bool:
    return not q.doc or q.doc in (c.get("doc_title") or "")


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def metrics(questions: list[Question], scores: list[Score], latencies_ms: list[float]) -> dict:
    ans = [(q, s) for q, s in zip(questions, scores) if q.answerable]
    una = [s for q, s in zip(questions, scores) if not q.answerable]
    ranked = [s for _, s in ans if s.ranked]
    rate = lambda xs: round(sum(xs) / len(xs), 4) if xs else None  # noqa: E731
    return {
        "n": len(questions),
        "answerable": len(ans),
        "unanswerable": len(una),
        "fact_accuracy": rate([s.fact_ok for _, s in ans]),
        "citation_accuracy": rate([s.citation_ok for _, s in ans]),
        "hit_at_1": rate([s.rank == 1 for s in ranked]),
        "hit_at_3": rate([s.rank is not None and s.rank <= 3 for s in ranked]),
        "mrr": rate([1 / s.rank if s.rank else 0.0 for s in ranked]),
        "refusal_accuracy": rate([s.correct_refusal for s in una]),
        "false_refusals": sum(s.refused for _, s in ans),
        "false_refusal_rate": rate([s.refused for _, s in ans]),
        "latency_ms_p50": round(percentile(latencies_ms, 50), 1),
        "latency_ms_p95": round(percentile(latencies_ms, 95), 1),
    }
