"""Answers without a language model: evidence first, a direct line when the text settles it.

The answer path is a short pipeline of small parts:
  understand (query.py) → retrieve (retrieve.py) → select evidence (evidence.py)
  → compose a draft by the kind of question (compose.py, amounts.py) → decide and render (here).
One place decides what the user is told:
- a question on no topic of the library (地铁, 停运; a place no document covers) is refused, with
  the closest documents;
- otherwise the answer shows its evidence — the best one to three measures retrieval found, with
  their key sentences — under a direct line: the answer when the composer is sure, else the measure
  that most likely answers and its key sentence, quoted;
- it says a document does not give something (found: false) only when the composer found nothing
  of the kind asked about the subject in any on-topic passage; the passages are still shown.
Every figure, unit and measure in an answer is copied from the record it cites. Hands on `Answer`s.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, replace

import jieba

from .amounts import amount_draft
from .clauses import sentences  # noqa: F401  (the LLM path quotes sentences the same way)
from .compose import (Draft, best_sentences, doc_name, figure_list_draft, list_draft, measure_draft, mention_draft,
                      metadata_draft, ref, section_draft, topic_draft, unit_list_draft)
from .config import Settings
from .errors import BadQuestionError
from .evidence import PINNING_DF, Evidence, Passage, Selector, subject_of
from .followup import restate
from .index import PolicyIndex
from .load import fold
from .query import META_LABELS, Query  # noqa: F401  (META_LABELS: the LLM path names fields alike)
from .reading import SEVERAL, asking_sentences, split_question, stated_figures
from .records import Answer, Citation, Record
from .retrieve import Retrieval, retrieve, understand
from .topic import ASPECT_WORDS, Vocabulary


def clean_question(question: str, max_chars: int) -> str:
    """Strip control characters and surrounding space; refuse empty or overlong questions."""
    q = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in str(question or ""))
    q = re.sub(r"\s+", " ", q).strip()
    if not q:
        raise BadQuestionError("问题为空：请输入一个关于政策文件的问题，例如“新认定的省级新经济示范企业能获得多少资金奖励？”")
    if len(q) > max_chars:
        raise BadQuestionError(f"问题过长（{len(q)}字）：请精简到{max_chars}字以内，一次问一件事。")
    if not re.search(r"[\u4e00-\u9fff]", q):
        raise BadQuestionError("请用中文提问：文件是中文的，检索按中文词语进行，例如“第（十三）条由谁牵头？”")
    return q


def _left_out(draft: Draft, ret: Retrieval) -> Draft:
    """The draft with a line saying how many more documents matched than are answered for (DOC_CAP)."""
    if not ret.left_out:
        return draft
    return replace(draft, lines=draft.lines + (
        f"另有{ret.left_out}份文件也与此相符，未逐一列出：请在问题中写明文件的名称或文号，或在“提问范围”中选定文件。",))


class Answerer:
    """Answers questions from one opened index (models load once, for batches and the app)."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.settings: Settings = index.settings
        self.vocab = Vocabulary(index)

    # --- entry point ------------------------------------------------------------------------

    def ask(self, question: str, doc_id: str | None = None, previous: Answer | None = None) -> Answer:
        try:
            q = clean_question(question, self.settings.max_question_chars)
        except BadQuestionError as e:
            return Answer(str(question or ""), str(e), False, [], kind="invalid")
        if slip := self.vocab.misspelled(q):
            # A word typed wrong (瞪龄 for 瞪羚) is asked back with the answer for the word meant,
            # never answered for whatever else the other words of the question match.
            asked, meant = slip
            a = self.ask(q.replace(asked, meant), doc_id, previous)
            note = f"您问的是“{meant}”吗？文件中没有“{asked}”，以下按“{meant}”回答："
            return replace(a, question=q, answer=f"{note}\n{a.answer}",
                           extra={**a.extra, "clarification": {"asked": asked, "meant": meant}})
        if previous is not None and (again := self._restated(q, previous, doc_id)):
            asked, scope, note = again
            a = self.ask(asked, scope)
            return replace(a, question=q, answer=f"{note}\n{a.answer}", extra={**a.extra, "restated": asked})
        query = understand(self.index, q)
        if query.followup and previous is not None and previous.citations:
            # 那它的配合单位呢？ refers to the measure (and the document) of the previous answer.
            c = previous.citations[0]
            if c.measure is not None and not query.measures:
                query = replace(query, measures=(c.measure,), doc_ids=(c.doc_id,))
            doc_id = doc_id or c.doc_id
        parts = split_question(q) if query.intent == "amount" and not query.measures else []
        if len(parts) > 1:
            return self._combined(q, [self.answer(p, retrieve(self.index, p, doc_id)) for p in parts])
        return self.answer(q, retrieve(self.index, q, doc_id, query=query))

    def answer(self, q: str, ret: Retrieval) -> Answer:
        """Compose the answer for a retrieval (the LLM path falls back to this too)."""
        query = ret.query
        selector = Selector(self.index, self.vocab, self.settings)
        if ret.route in ("measure_ref", "section", "unit", "metadata"):
            ev = selector.select(query, ret, self.vocab.terms(q) if query.intent == "amount" else [], self._qvec(query))
            if ret.route == "measure_ref" and query.intent == "amount" and ev.passages:
                return self.render(q, _left_out(amount_draft(ev, self.vocab), ret), ev)
            if ret.route == "metadata" and not ret.scope and len(ev.passages) > 1:
                ev = replace(ev, passages=self._named_by_words(q, ev.passages))
            draft = {"measure_ref": lambda: measure_draft(ev, self.index), "section": lambda: section_draft(ev),
                     "unit": lambda: unit_list_draft(ev, self.index),
                     "metadata": lambda: metadata_draft(ev, self.index, self.vocab)}[ret.route]()
            draft = _left_out(draft, ret)
            if ret.route == "metadata" and draft.certainty == "none" and set(query.meta_fields) & {"effective", "period"}:
                # A date the header does not carry may be stated in the body (自2011年10月1日起执行):
                # the question is read for its topic, asking a time.
                asked = replace(query, intent="general", meta_fields=(), aspects=tuple(dict.fromkeys(query.aspects + ("time",))))
                return self.answer(q, retrieve(self.index, q, ret.doc_id, query=asked))
            return self.render(q, draft, ev)
        # A figure the question quotes (出现了好几个10%, 每月1000元的有哪几项) is part of what it is about;
        # in a question asking an amount, the figures are the asker's own (我女儿今年4岁).
        terms = self.vocab.terms(q) + ([f for f in stated_figures(q) if self.vocab.used(f)] if query.intent != "amount" else [])
        if reason := self._off_topic(q, terms, query.intent):
            return self._not_found(q, reason, query.intent, near=[h.record for h in ret.hits[:3]])
        national = self.vocab.national_only(q)
        if national and not ret.scope:
            # A place no document covers (在苏州办…): only the State Council's documents speak for it.
            ret = replace(ret, hits=[h for h in ret.hits if h.record.doc_id in national], scope=national)
        ev = selector.select(query, ret, terms, self._qvec(query))
        if not ev.on_topic and ret.scope and query.intent == "amount" and re.search(SEVERAL, q):
            # Which supports a named document has and how much each (…里有金额的扶持有哪几项，各是多少):
            # every measure of it is the evidence, as the 惠企政策 table lists them.
            records = [r for d in ret.scope for r in self.index.records_of(d) if r.kind in ("measure", "section")]
            ev = replace(ev, passages=tuple(Passage(r, i, 1.0, None, True, selector.sentences(r, terms, self._qvec(query)))
                                           for i, r in enumerate(records)))
        if not ev.on_topic and not (query.intent == "list" and stated_figures(q)):
            return self._not_found(q, "未在已收录的文件中找到与该问题直接相关的规定。", query.intent,
                                   near=[h.record for h in ret.hits[:3]])
        subject = subject_of(query, terms, self.vocab)
        figures = figure_list_draft(ev, stated_figures(q), list(subject.known), self.vocab) \
            if query.intent == "list" and stated_figures(q) and re.search(r"哪(?:几|些|一)?(?:项|条|款|处|政策|措施|规定|内容)", q) else None
        if not figures and not ev.on_topic:
            return self._not_found(q, "未在已收录的文件中找到与该问题直接相关的规定。", query.intent,
                                   near=[h.record for h in ret.hits[:3]])
        if figures:
            draft = figures  # which items state a figure or date the question writes: wherever they are
        elif kinds := self.vocab.unknown_kinds(q, list(subject.known)):
            # 低空经济 asked where the documents know 经济 but never write 低空: another kind of it.
            a, b = kinds[0]
            top = ev.on_topic[0]
            draft = Draft(query.intent, f"文件在{ref(top.record)}提到了“{b}”，但没有关于“{a}{b}”的规定。", "none",
                          extra={"mentions": [Citation.from_record(top.record, evidence_quote(top, ev))]})
        elif query.intent == "amount":
            draft = amount_draft(ev, self.vocab)
        elif query.intent == "list":
            draft = list_draft(ev, q, self.vocab, self.index) or topic_draft(ev, q, self.vocab, self.index)
        elif query.intent == "mention":
            draft = mention_draft(ev, self.vocab)
        else:
            draft = topic_draft(ev, q, self.vocab, self.index)
        return self.render(q, draft, ev)

    # --- pieces -----------------------------------------------------------------------------

    def _restated(self, q: str, previous: Answer, doc_id: str | None) -> tuple[str, str | None, str] | None:
        """A follow-up naming only what changes (那省级的呢？) as the whole question it asks, the
        document it is asked in, and the line saying so (assistant/followup.py)."""
        # A follow-up of a follow-up (那省级的呢？ then 那市级的呢？) restates the question the previous one was read as.
        r = restate(q, previous.extra.get("restated") or previous.question, self.index.units, self.vocab.is_place, jieba.lcut,
                    lambda text: next(iter(self.vocab.rarest(self.vocab.terms(text))), None))
        if r is None:
            return None
        docs = {c.doc_id for c in previous.citations}
        scope = doc_id or (next(iter(docs)) if r.confine and previous.found and len(docs) == 1 else None)
        where = f"按上一问的文件《{previous.citations[0].doc_title}》" if scope and not doc_id else "按上一问"
        return r.question, scope, f"（{where}，理解为：{r.question}）"


    def _named_by_words(self, q: str, passages) -> tuple:
        """The documents a metadata question most names by words of their title, issuer or opening
        (人社部…吉林…复函的文号), when some name more than the others; else all of them."""
        terms = [t for t in self.vocab.terms(q) if self.vocab.used(t) or len(t) >= 2]
        if not terms:
            return passages

        def named(p: Passage) -> float:
            doc = self.index.documents.get(p.record.doc_id, {})
            head = " ".join(str(doc.get(k) or "") for k in ("title", "publisher", "doc_number")) + p.record.text[:300]
            return self.vocab.coverage(terms, head)
        scores = [named(p) for p in passages]
        best = max(scores)
        if best <= 0:
            return passages
        return tuple(p for p, s in zip(passages, scores) if s >= best - 0.1)

    def _qvec(self, query: Query):
        """The question's vector (the one retrieval used, cached by the index)."""
        try:
            return self.index.query_vector(query.expanded)
        except Exception:  # no embedder reachable: sentences are then ranked by their words alone
            return None

    def _off_topic(self, q: str, terms: list[str], intent: str) -> str:
        """Why the question is on no topic of the library, or ""."""
        places = self.vocab.unknown_places(q)
        national = self.vocab.national_only(q)
        if places and not national:
            return f"已收录的文件没有关于{'、'.join(places)}的规定。"
        # (Whether something is mentioned at all is judged by where its known words are.)
        if self.vocab.asked_unknown_share(q, terms) > 0.5 and intent != "mention" and not self._pinned(q, terms):
            return "未在已收录的文件中找到与该问题相关的内容。"
        return ""

    def _pinned(self, q: str, terms: list[str]) -> bool:
        """The question names a thing only a few records of the library write (流浪乞讨: at most
        PINNING_DF records, or 2 in 100 of a larger library): it is about them, however many of its
        other words (伙食费, 大人, 小孩) are the asker's own. After a story, the asking sentence must
        name it (我们是省级新经济示范企业。宅基地能抵押吗？ asks about 宅基地)."""
        asking = asking_sentences(q)
        if asking != fold(q):
            terms = self.vocab.terms(asking)
        few = max(PINNING_DF, 0.02 * len(self.index.records))
        # (a benefit's name, 生活补贴, says what is given, not to whom or for what, and what is asked,
        # 材料, names nothing: they pin nothing; nor does a word of two characters, as often met by
        # chance inside another (材料 in 新材料) as meant)
        return any(len(t) >= 3 and self.vocab.used(t) and self.vocab.nominal(t) and not self.vocab.is_place(t)
                   and t not in ASPECT_WORDS and not re.search(r"(补贴|补助|奖励|奖金|资助|经费|资金|津贴|贴息|奖补|补偿)$", t)
                   and 0 < self.vocab.df(t) <= few for t in terms)

    def render(self, q: str, draft: Draft, ev: Evidence | None) -> Answer:
        """The answer: the draft's line and rows, then the evidence; citations the draft's first."""
        lines = [draft.line, *draft.lines]
        shown = list(ev.shown) if ev is not None and draft.show_evidence else []
        if shown:
            lines.append("依据（检索到的条款）：")
            lines += [f"{i}. {ref(p.record)}：{evidence_quote(p, ev)}" for i, p in enumerate(shown, 1)]
        found = draft.certainty != "none"
        extra = {"certainty": draft.certainty, **draft.extra}
        if shown:
            extra["evidence"] = [{"record_id": p.record.record_id, "reference": ref(p.record),
                                  "sentences": evidence_quote(p, ev)} for p in shown]
        if not found:
            mentions = list(extra.pop("mentions", [])) + [Citation.from_record(p.record, evidence_quote(p, ev)) for p in shown]
            seen, kept = set(), []
            for m in mentions:
                if m.record_id not in seen:
                    seen.add(m.record_id)
                    kept.append(m)
            if kept:
                extra["mentions"] = [asdict(m) for m in kept]
            return Answer(q, "\n".join(lines), False, [], kind=draft.kind, extra=extra)
        cites = list(draft.cites)
        have = {c.record_id: i for i, c in enumerate(cites)}
        for p in shown:
            quote = evidence_quote(p, ev)
            if p.record.record_id in have:
                # The evidence shown of a cited measure is quoted by its citation too.
                i = have[p.record.record_id]
                if quote not in cites[i].quote:
                    cites[i] = replace(cites[i], quote=cites[i].quote + "……" + quote)
            else:
                have[p.record.record_id] = len(cites)
                cites.append(Citation.from_record(p.record, quote))
        if draft.kind == "amount" and (items := self._items_of(draft.cites)):
            extra["items"] = items  # the chat shows them as the 惠企政策 tab lists them
        return Answer(q, "\n".join(lines), True, cites, kind=draft.kind, extra=extra)

    def _items_of(self, cites) -> list[dict]:
        """The support items (assistant/items.py) whose clause the answer's own citations quote."""
        quoted = {c.record_id: fold(c.quote) for c in cites}
        return [it.to_dict() for d in dict.fromkeys(c.doc_id for c in cites) for it in self.index.items_of(d)
                if it.record_id in quoted and (fold(it.quote) in quoted[it.record_id] or quoted[it.record_id] in fold(it.context or it.quote))]

    def _combined(self, q: str, answers: list[Answer]) -> Answer:
        """One answer to a question that asks for several figures (…分别是多少？ …多少座，…多少家？)."""
        found = [a for a in answers if a.found]
        heads = [a.answer.split("\n")[0] for a in answers]
        if not found:
            return Answer(q, "\n".join(heads), False, [], kind="amount",
                          extra={"certainty": "none", "mentions": [m for a in answers for m in a.extra.get("mentions", [])]})
        cites: list[Citation] = []
        for a in found:
            cites += [c for c in a.citations if c.record_id not in {x.record_id for x in cites}]
        certainty = "direct" if all(a.extra.get("certainty") == "direct" for a in found) else "likely"
        rest = [line for a in found for line in a.answer.split("\n")[1:] if line.strip()]
        return Answer(q, "；".join(heads) + "\n" + "\n".join(dict.fromkeys(rest)), True, cites, kind="amount",
                      extra={"certainty": certainty})

    def _not_found(self, q: str, reason: str, kind: str, near: list[Record] = ()) -> Answer:
        return Answer(q, f"{reason}\n{self.coverage_note(near)}", False, [], kind=kind, extra={"certainty": "none"})

    def coverage_note(self, near: list[Record] = ()) -> str:
        """What the documents cover: the closest documents and their topics, or the library in brief."""
        docs = self.index.documents
        chosen = list(dict.fromkeys(r.doc_id for r in near))[:3] or list(docs)[:3]
        parts = []
        for d in chosen:
            meta = docs.get(d, {})
            topics = list(dict.fromkeys(r.section_title or r.title for r in near if r.doc_id == d and (r.section_title or r.title)))[:4]
            name = f"《{meta.get('title', d)}》" + (f"（{meta['doc_number']}）" if meta.get("doc_number") else "")
            parts.append(name + (f"，涉及{'、'.join(topics)}" if topics else ""))
        head = "相关度最高的文件：" if near else f"已收录的文件（共{len(docs)}份）包括："
        more = "等" if not near and len(docs) > len(chosen) else ""
        return f"{head}{'；'.join(parts)}{more}。"


def evidence_quote(p: Passage, ev: Evidence) -> str:
    """What the evidence shows of a passage: its best sentences in reading order (one that answers
    the aspect asked joins), or its title when it has none."""
    if not p.sentences:
        return p.record.title or p.record.text[:120]
    return best_sentences(ev, p)


def resolve_followup(question: str, previous: Answer | None) -> str:
    """A follow-up (那它的配合单位呢？ 这条由谁牵头？) spelled out with the previous answer's measure
    and document, for paths that take a standalone question (the LLM's condense fallback)."""
    if previous is None or not previous.citations:
        return question
    from .query import parse_query

    c = previous.citations[0]
    if not c.measure_label or not parse_query(question).followup or parse_query(question).measures:
        return question
    label = c.measure_label if c.measure_label.startswith("第") else f"第{c.measure_label}条"
    doc = c.doc_number or f"《{c.doc_title}》"
    return f"{doc}{label}{question}"


__all__ = ["Answerer", "clean_question", "resolve_followup", "sentences", "META_LABELS", "doc_name"]
