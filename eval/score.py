"""Scoring of answers against a question file: pure functions, no index, no I/O.

A question names what a correct answer must hold (see eval/README.md for the fields):
- `facts`: strings the answer states verbatim; scored only on questions that have facts (a
  question without facts is counted apart, by its citations, not as a correct fact);
- `lead` / `co` / `listed`: units in their roles, checked on the cited measures' structured roles,
  so a swapped lead and supporting unit fails;
- `cites_any` / `cites_all` / `sections_any`: "DOC#N" references (DOC may be left out, then the
  question's `doc`, or any document, is meant); an item printed under a numbered heading
  (四、（三）1、) cites that heading's measure (三) within its section, and a section printed with no
  items under it (六、申报和审核程序) is cited by its own number;
- `answerable: false`: the answer must be found=false; `near_miss: true` marks those whose
  subject the documents mention without giving what is asked.
Answers lead with one direct line and show the evidence below it (the measures retrieval found,
their key sentences). So:
- a fact is stated when it is anywhere in the answer, and stated on the first line when the direct
  line holds it (`first_line_accuracy`);
- a "wrong figure" is an amount or a percentage the direct line asserts, in the answer to a question
  about an amount (or a near miss, or an off-topic question), that is neither a gold fact nor in
  `figures_ok`, nor the asker's own figure repeated. When the answer says it is not sure
  (`certainty: "likely"`), its direct line names the measure that most likely answers and quotes its
  key sentence; when it says the documents do not give what is asked (`"none"`), it may quote the
  measure that comes closest: the quote (“…”) is evidence, not an assertion, and only figures outside
  it count. Figures in the evidence below the first line are quotes of the cited measures and are not
  counted;
- a false "not stated" is an answerable question answered found=false: the user is told the
  documents do not give what they give. Wrong figures and false "not stated" are the harmful
  answers (`harmful_answers`).
"""
from __future__ import annotations

import json
import re
import unicodedata
import warnings
from dataclasses import dataclass, field

from assistant.numerals import to_chinese, to_int

KNOWN_FIELDS = {"id", "question", "answerable", "near_miss", "measures_any", "measures_all", "sections_any", "cites_any",
                "cites_all", "cites_ok", "facts", "kind", "doc", "lead", "co", "listed", "figures_ok", "mentions_any", "note"}
AMOUNT_KINDS = {"amount", "amount_tier", "amount_list", "near_miss", "off_topic"}
# Labels an answer prints before a value; a fact must be found in the value, not in a label
# (the fact 有效 is not stated by the label 有效性).
LABELS = ("文号", "发布机构", "成文日期", "发布日期", "有效性", "索引号", "标题", "主送单位", "牵头单位", "配合单位", "责任单位")


class QuestionFileError(ValueError):
    """A question file line that cannot be used; the message names the line."""


@dataclass(frozen=True)
class Ref:
    doc: str | None  # doc_id, or None for any document
    number: int | None  # measure number; None for a section reference
    section: str | None = None  # section label (Chinese numeral) for a section reference

    def matches(self, c: dict) -> bool:
        if self.doc and c.get("doc_id") != self.doc:
            return False
        path = c.get("section_path") or []
        if self.number is not None:
            if c.get("measure") == self.number:
                return True
            # An item printed under a numbered measure heading (四、（三）1、) cites that measure (三);
            # a section printed with no items under it (六、申报和审核程序) is cited by its own number.
            under = re.fullmatch(r"\(([^()]+)\)", unicodedata.normalize("NFKC", path[-1])) if path else None
            if under and to_int(under.group(1)) == self.number:
                return True
            return c.get("measure") is None and len(path) <= 1 and c.get("section") == to_chinese(self.number)
        # A section is cited by its own text or by a measure printed under it: the gold
        # "section 一, measure (一)" of a document whose (一)… restart under each section — or under
        # a heading of its own (四、（三）1、 is printed under section 四).
        return c.get("section") == self.section or any(
            re.fullmatch(r"([^、.]+)[、.]", x) and x.rstrip("、.") == self.section for x in path[:1])


@dataclass(frozen=True)
class Question:
    id: str
    question: str
    answerable: bool
    cites_any: tuple[Ref, ...] = ()
    cites_all: tuple[Ref, ...] = ()
    sections_any: tuple[Ref, ...] = ()
    facts: tuple[str, ...] = ()
    kind: str = "unspecified"
    doc: str | None = None
    near_miss: bool = False
    lead: tuple[str, ...] = ()
    co: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()
    figures_ok: tuple[str, ...] = ()
    mentions_any: tuple[Ref, ...] = ()

    @property
    def asks_amount(self) -> bool:
        return self.kind in AMOUNT_KINDS or any(_FIGURE.search(norm(f)) for f in self.facts)

    @property
    def checks_facts(self) -> bool:
        return bool(self.facts or self.lead or self.co or self.listed)


def measure_number(spec) -> int:
    """三十, 30, 第30条, （三十） → 30."""
    s = re.sub(r"[第条项()（）\s]", "", str(spec))
    n = to_int(s)
    if n is None:
        raise ValueError(f"not a measure number: {spec!r}")
    return n


def section_label(spec) -> str:
    s = re.sub(r"[、.()（）\s第部分章]", "", str(spec))
    n = to_int(s)
    if n is None:
        raise ValueError(f"not a section label: {spec!r}")
    return to_chinese(n)


def ref(spec, doc: str | None, section: bool = False) -> Ref:
    """"DOC#十三" or "十三" (then the question's doc) → Ref."""
    spec = str(spec)
    d, _, n = spec.rpartition("#")
    d = d or doc
    return Ref(d, None, section_label(n)) if section else Ref(d, measure_number(n))


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
        doc = obj.get("doc") or None
        lst = lambda k: tuple(obj.get(k) or ())  # noqa: E731
        try:
            q = Question(
                id=str(obj.get("id") or f"line{n}"),
                question=obj["question"],
                answerable=bool(obj.get("answerable", True)),
                cites_any=tuple(ref(x, doc) for x in lst("cites_any") + lst("measures_any")),
                cites_all=tuple(ref(x, doc) for x in lst("cites_all") + lst("measures_all")),
                sections_any=tuple(ref(x, doc, section=True) for x in lst("sections_any")),
                facts=tuple(str(x) for x in lst("facts")),
                kind=str(obj.get("kind") or "unspecified"),
                doc=doc,
                near_miss=bool(obj.get("near_miss")) or obj.get("kind") == "near_miss",
                lead=tuple(map(str, lst("lead"))), co=tuple(map(str, lst("co"))), listed=tuple(map(str, lst("listed"))),
                figures_ok=tuple(map(str, lst("figures_ok"))),
                mentions_any=tuple(ref(x, doc) for x in lst("mentions_any")),
            )
        except (ValueError, TypeError) as e:
            raise QuestionFileError(f"{name} line {n}: {e}") from None
        out.append(q)
    if unknown:
        warnings.warn(f"{name}: ignoring unknown fields {sorted(unknown)}")
    return out


def norm(s: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", s))


# An amount or a share as answers state them: 100万元, 1.5亿元, 50%, 2个百分点, 百分之十, 五十万元.
_CN = "零〇一二两三四五六七八九十百千"
_FIGURE = re.compile(rf"(?<![\d.])\d+(?:\.\d+)?(?:万亿元|亿元|万元|千元|元|%|‰|个百分点)|百分之[{_CN}]+|[{_CN}]+(?:万亿元|亿元|万元|元)")


def figures(text: str) -> list[str]:
    return [m.group(0) for m in _FIGURE.finditer(norm(text))]


def first_line(text: str) -> str:
    """The answer's direct line: its first non-empty line."""
    return next((x for x in (text or "").splitlines() if x.strip()), "")


def asserted(answer: dict) -> str:
    """The part of the direct line the answer asserts: all of it, or, when the answer says it is
    not sure or that the documents do not give what is asked, what stands outside the quotation
    marks of the sentence it quotes (the document's words, shown as evidence)."""
    line = first_line(answer.get("answer") or "")
    if answer.get("certainty") in ("likely", "none"):
        line = re.sub(r"“[^”]*”", "", line)
    return line


def _unit_key(name: str) -> str:
    from assistant.units import unit_key

    return unit_key(name)


@dataclass
class Score:
    fact_ok: bool = False
    first_line_ok: bool = False  # every fact on the direct line
    citation_ok: bool = False
    role_ok: bool = True
    rank: int | None = None  # 1-based rank of the first matching citation
    refused: bool = False
    correct_refusal: bool = False
    ranked: bool = False  # the question names measures or sections, so hit@k applies
    list_recall: float | None = None  # share of cites_all cited
    wrong_figures: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    answerable: bool = True

    @property
    def correct(self) -> bool:
        return (self.fact_ok and self.citation_ok and self.role_ok) if self.answerable else self.correct_refusal


def score_answer(q: Question, answer: dict) -> Score:
    cites = answer.get("citations") or []
    text = norm(answer.get("answer") or "")
    s = Score(refused=not answer.get("found"), answerable=q.answerable)
    if q.asks_amount:
        allowed = {norm(f) for f in q.facts + q.figures_ok}
        # (the asker's own figures repeated, 您所说的200万元, assert nothing of the documents)
        own = set(figures(q.question))
        s.wrong_figures = [f for f in figures(asserted(answer)) if f not in allowed and not any(f in a for a in allowed)
                           and f not in own]
        if s.wrong_figures:
            s.notes.append("wrong figures shown: " + "、".join(s.wrong_figures))
    if not q.answerable:
        s.correct_refusal = s.refused and not s.wrong_figures
        return s
    valued = text
    for label in LABELS:
        valued = valued.replace(label, "|")
    missing = [f for f in q.facts if norm(f) not in valued]
    # A question without facts has nothing to state wrongly: it is judged by its citations.
    s.fact_ok = not s.refused and not missing
    line = norm(first_line(answer.get("answer") or ""))
    for label in LABELS:
        line = line.replace(label, "|")
    s.first_line_ok = s.fact_ok and all(norm(f) in line for f in q.facts)
    if missing:
        s.notes.append("missing facts: " + "、".join(missing))
    s.role_ok = _roles_ok(q, cites, s.notes)
    ok = bool(cites) and (not q.doc or cites[0].get("doc_id") == q.doc)
    if q.cites_any:
        # (a measure named by the heading it is printed under must be in the gold section too:
        # 三、（四）2、 does not cite 二、（四）)
        ok = ok and any(r.matches(c) and (c.get("measure") == r.number or not q.sections_any
                                          or any(x.matches(c) for x in q.sections_any))
                        for r in q.cites_any for c in cites)
    if q.cites_all:
        hit = [r for r in q.cites_all if any(r.matches(c) for c in cites)]
        s.list_recall = len(hit) / len(q.cites_all)
        ok = ok and len(hit) == len(q.cites_all)
        if len(hit) < len(q.cites_all):
            s.notes.append(f"cited {len(hit)} of {len(q.cites_all)} expected measures")
    if q.sections_any:
        ok = ok and any(r.matches(c) for r in q.sections_any for c in cites)
    s.citation_ok = ok
    wanted = q.cites_any + q.cites_all + q.sections_any
    s.ranked = bool(wanted)
    s.rank = next((i for i, c in enumerate(cites, 1) if any(r.matches(c) for r in wanted)), None)
    return s


def _roles_ok(q: Question, cites: list[dict], notes: list[str]) -> bool:
    """Gold lead / supporting / listed units appear in those roles in the cited measures."""
    if not (q.lead or q.co or q.listed):
        return True
    wanted = q.cites_any + q.cites_all
    relevant = [c for c in cites if not wanted or any(r.matches(c) for r in wanted)] or cites
    have = {role: {_unit_key(u) for c in relevant for u in c.get(f, []) or []}
            for role, f in (("lead", "lead_units"), ("co", "co_units"), ("listed", "listed_units"))}
    have["listed"] |= {_unit_key(u) for c in relevant for u in c.get("joint_units", []) or []}
    # A unit a measure makes solely responsible (第四条 X负责…; 责任单位：X) has no one to lead or to be
    # listed beside: writers of gold call it either, and either role meets the other.
    for c in relevant:
        lead, co, listed = (c.get(f, []) or [] for f in ("lead_units", "co_units", "listed_units"))
        if len(lead) + len(listed) == 1 and not co:
            have["lead"] |= {_unit_key(u) for u in lead + listed}
            have["listed"] |= {_unit_key(u) for u in lead + listed}
    ok = True
    for role, gold in (("lead", q.lead), ("co", q.co), ("listed", q.listed)):
        lost = [u for u in gold if _unit_key(u) not in have[role]]
        if lost:
            notes.append(f"not reported as {role}: " + "、".join(lost))
            ok = False
    return ok


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    v = sorted(values)
    k = (len(v) - 1) * p / 100
    lo, hi = int(k), min(int(k) + 1, len(v) - 1)
    return v[lo] + (v[hi] - v[lo]) * (k - lo)


def metrics(questions: list[Question], scores: list[Score], latencies_ms: list[float]) -> dict:
    ans = [(q, s) for q, s in zip(questions, scores) if q.answerable]
    una = [(q, s) for q, s in zip(questions, scores) if not q.answerable]
    with_facts = [s for q, s in ans if q.checks_facts]
    without = [s for q, s in ans if not q.checks_facts]
    ranked = [s for _, s in ans if s.ranked]
    lists = [s for q, s in ans if q.kind == "list" and s.list_recall is not None]
    rate = lambda xs: round(sum(xs) / len(xs), 4) if xs else None  # noqa: E731
    return {
        "n": len(questions),
        "answerable": len(ans),
        "unanswerable": len(una),
        "fact_accuracy": rate([s.fact_ok and s.role_ok for s in with_facts]),
        "first_line_accuracy": rate([s.first_line_ok and s.role_ok for s in with_facts]),
        "questions_with_facts": len(with_facts),
        # Questions without gold facts: answered (not refused) with a correct citation.
        "answered_without_facts": rate([not s.refused and s.citation_ok for s in without]),
        "questions_without_facts": len(without),
        "citation_accuracy": rate([s.citation_ok for _, s in ans]),
        "hit_at_1": rate([s.rank == 1 for s in ranked]),
        "hit_at_3": rate([s.rank is not None and s.rank <= 3 for s in ranked]),
        "mrr": rate([1 / s.rank if s.rank else 0.0 for s in ranked]),
        "refusal_accuracy": rate([s.correct_refusal for _, s in una]),
        "near_miss_accuracy": rate([s.correct_refusal for q, s in una if q.near_miss]),
        "near_misses": sum(q.near_miss for q, _ in una),
        "list_complete": rate([s.list_recall == 1.0 for s in lists]),
        "list_questions": len(lists),
        "wrong_figures_shown": sum(bool(s.wrong_figures) for s in scores),
        # Answerable, answered found=false: told the documents do not say what they say.
        "false_refusals": sum(s.refused for _, s in ans),
        "harmful_answers": sum(bool(s.wrong_figures) for s in scores) + sum(s.refused for _, s in ans),
        "false_refusal_rate": rate([s.refused for _, s in ans]),
        "latency_ms_p50": round(percentile(latencies_ms, 50), 1),
        "latency_ms_p95": round(percentile(latencies_ms, 95), 1),
    }
