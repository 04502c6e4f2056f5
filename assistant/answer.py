"""Answers without a language model: compose a short Chinese answer from the retrieved text.

Every figure, unit and measure in an answer is copied from the record it cites: a figure is
quoted with its whole sentence, units are listed as the document prints them. When the
evidence is weak the answer is `found: false` with what the documents do cover, never the
nearest measure dressed up as an answer. Hands on `Answer` records.
"""
from __future__ import annotations

import math
import re
import unicodedata

from .config import Settings
from .errors import BadQuestionError
from .index import PolicyIndex
from .load import fold
from .records import Answer, Citation, Hit, Record
from .retrieve import Retrieval, retrieve
from .terms import expand
from .units import canonical_unit

_DIGITS = re.compile(r"\d+(?:\.\d+)?")
# The kind of figure a question asks for, and what such a figure looks like in the text.
FIGURE_KINDS = (
    ("money", r"钱|金额|奖励|奖金|补贴|补助|资助|资金|经费|万元|多少元", r"\d+(?:\.\d+)?\s*[万亿千]?元"),
    ("percent", r"比例|比重|增速|增长|百分|率|强度", r"\d+(?:\.\d+)?\s*%|百分点"),
    # A count is any number that is not money or a percentage (“100+”特色鲜明的…企业 has no 家).
    ("count", r"多少(座|家|个|项|所|条|人)|几(座|家|个|项|所)", r"\d+(?![\d.]*\s*(?:%|[万亿千]?元))"),
)
_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
# Words that say what kind of answer is wanted, not what it is about: they do not count as evidence.
QUESTION_WORDS = frozenset("""
牵头 负责 单位 部门 配合 协助 协同 参与 责任 主责 由谁 多少 多少钱 金额 奖励 资金 支持 补助 补贴 资助 额度 获得 能拿
目标 指标 达到 比例 比重 哪条 哪一条 条款 规定 什么 哪些 是否 可以 能够 企业 公司 我们 我司 刚刚 一下 请问 具体
提出 要求 表述 安排 部署 说法 怎么说
""".split())
META_LABELS = {
    "doc_number": "文号", "publisher": "发布机构", "written_date": "成文日期", "published_date": "发布日期",
    "validity": "有效性", "index_number": "索引号", "title": "标题", "addressee": "主送单位",
}
# What a question asks about beyond its topic, and what evidence of it looks like. A record on
# the right topic that lacks the aspect (宜宾试点“要持续几年”, 瞪羚企业“认定标准”) does not answer it.
ASPECTS = (
    ("time", r"哪一年|哪年|几年|多久|多长时间|什么时候|何时|截止|期限|时限", r"\d{4}年|\d+年|年底|年内|\d+月|\d+日|期限|截至|截止"),
    ("procedure", r"流程|手续|程序|申报|申请|材料|办理|怎么报|如何报", r"申报|申请|材料|流程|程序|办理|手续"),
    ("criteria", r"标准|条件|门槛|资格", r"标准|条件|资格|门槛"),
)


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


def sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.findall(text) if s.strip()]


class Evidence:
    """How much of a question's content a text covers, weighted by rarity in the corpus."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.n = index.n_records
        self._df: dict[str, int] = {}

    def df(self, term: str) -> int:
        if term not in self._df:
            self._df[term] = self.index.doc_freq(term)  # from the BM25 lexicon: no scan of the records
        return self._df[term]

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df(term) + 0.5))

    def coverage(self, terms: list[str], text: str) -> float:
        total = sum(self.idf(t) for t in terms)
        if total <= 0:
            return 0.0
        t = fold(text)
        return sum(self.idf(x) for x in terms if x in t) / total

    def distinctive(self, term: str) -> bool:
        return 0 < self.df(term) <= max(2, self.n // 4)


class Answerer:
    """Answers questions from one opened index (models load once, for batches and the app)."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.settings: Settings = index.settings
        self.evidence = Evidence(index)

    # --- entry point ------------------------------------------------------------------------

    def ask(self, question: str, doc_id: str | None = None) -> Answer:
        try:
            q = clean_question(question, self.settings.max_question_chars)
        except BadQuestionError as e:
            return Answer(str(question or ""), str(e), False, [], kind="invalid")
        ret = retrieve(self.index, q, doc_id)
        if ret.route == "measure_ref":
            return self._measure_answer(q, ret)
        if ret.route == "unit":
            return self._unit_list_answer(q, ret)
        if ret.route == "metadata":
            return self._metadata_answer(q, ret)
        return self._topic_answer(q, ret)

    # --- helpers ------------------------------------------------------------------------------

    def terms(self, question: str) -> list[str]:
        """Content terms of a question: two characters or more, no question words, and no
        segmentation artefacts (a token neither in the dictionary nor in the corpus)."""
        out = []
        for t in self.index.terms.tokens(expand(question)):
            if len(t) < 2 or t in QUESTION_WORDS or _DIGITS.fullmatch(t) or t in out:
                continue
            if self.evidence.df(t) == 0 and not self.index.terms.is_word(t):
                continue
            out.append(t)
        return out

    def _numbers_present(self, question: str, text: str, skip_refs: bool = True) -> bool:
        """Every number the question states (2030年, 50万) occurs in the text."""
        q = fold(question)
        if skip_refs:
            q = re.sub(r"第\s*\(?\s*\d+\s*\)?\s*条|措施\s*\d+", "", q)
        t = fold(text)
        # 5G, 4K, B2B: digits inside a Latin token name a thing, not a figure.
        return all(n in t for n in re.findall(r"(?<![A-Za-z\d.])\d+(?:\.\d+)?(?![A-Za-z\d])", q))

    def _not_found(self, question: str, reason: str, kind: str) -> Answer:
        return Answer(question, f"{reason}\n{self.coverage_note()}", False, [], kind=kind)

    def coverage_note(self) -> str:
        """What the documents do cover: said with every not-found answer."""
        docs = self.index.documents.values()
        titles = "；".join(f"《{d['title']}》" + (f"（{d['doc_number']}）" if d.get("doc_number") else "") for d in docs)
        sections = []
        for r in self.index.records:
            if r.section_title and r.section_title not in sections:
                sections.append(r.section_title)
                if len(sections) == 12:
                    break
        about = "、".join(sections[:12])
        return f"已收录的文件：{titles}。内容涉及：{about}等。" if about else f"已收录的文件：{titles}。"

    @staticmethod
    def _ref(r: Record) -> str:
        head = f"{r.doc_number} " if r.doc_number else f"《{r.doc_title}》"
        title = f"「{r.title}」" if r.title and r.kind == "measure" else ""
        return f"{head}{r.reference}{title}"

    @staticmethod
    def _printed(r: Record, canon: tuple[str, ...]) -> list[str]:
        """Units as the document prints them in this record (经济信息化厅 stays as printed)."""
        out = []
        for c in canon:
            printed = next((p for p in r.units_printed if canonical_unit(p) == c), c)
            out.append(printed)
        return out

    def _units_sentence(self, r: Record) -> str:
        if r.joint:
            return f"由{'、'.join(self._printed(r, r.joint_units))}按照职责分工共同负责（无牵头单位）"
        if not r.lead_units:
            return "未列明责任单位"
        s = f"牵头单位：{'、'.join(self._printed(r, r.lead_units))}"
        co = self._printed(r, r.co_units)
        return s + (f"；配合单位：{'、'.join(co)}" if co else "；无配合单位")

    @staticmethod
    def _responsibility_quote(r: Record) -> str:
        m = re.search(r"[（(](责任单位|牵头单位|责任部门)[:：].*[）)]", r.text)
        return m.group(0) if m else r.text

    # --- routes --------------------------------------------------------------------------------

    def _measure_answer(self, q: str, ret: Retrieval) -> Answer:
        query = ret.query
        if not ret.hits:
            have = sorted({(r.measure, r.measure_label) for r in self.index.records if r.measure})
            span = f"{have[0][1]}至{have[-1][1]}" if have else "无编号措施"
            labels = "、".join(str(n) for n in query.measures)
            return self._not_found(q, f"文件中没有第{labels}条措施（已收录的措施编号为{span}）。", "measure_ref")
        records = [h.record for h in ret.hits]
        by_measure: dict[tuple, list[Record]] = {}
        for r in records:
            by_measure.setdefault((r.doc_id, r.measure), []).append(r)
        groups = list(by_measure.values())
        if query.intent in ("lead_unit", "co_units"):
            lines, cites = [], []
            for g in groups:
                r = g[-1]  # the last part of a split measure carries its units
                lines.append(f"{self._ref(g[0])}：{self._units_sentence(r)}。")
                cites.append(Citation.from_record(r, self._responsibility_quote(r)))
            return Answer(q, "\n".join(lines), True, cites, kind=query.intent)
        if query.intent == "amount":
            best = self._best_figure(q, records, require_distinctive=False)
            if best:
                r, sent = best
                return Answer(q, f"根据{self._ref(r)}：{sent}", True, [Citation.from_record(r, sent)], kind="amount")
            return self._not_found(q, f"{self._ref(groups[0][0])}中没有与问题对应的具体数额或指标。", "amount")
        lines, cites = [], []
        for g in groups:
            text = "".join(x.text for x in g)
            r = g[-1]  # the last part of a split measure carries its units
            lines.append(f"{self._ref(g[0])}：{text}")
            cites.append(Citation.from_record(g[0], text))
        return Answer(q, "\n".join(lines), True, cites, kind="measure_ref")

    def _unit_list_answer(self, q: str, ret: Retrieval) -> Answer:
        query = ret.query
        if query.unit_role == "joint":
            return self._joint_list_answer(q, ret)
        unit = query.units[0]
        role_word = {"lead": "牵头", "co": "配合"}.get(query.unit_role or "", "参与")
        if not ret.hits:
            return self._not_found(q, f"文件中没有{unit}{role_word}的措施。", "unit_measures")
        lines, cites = [], []
        for h in ret.hits:
            r = h.record
            units = set(query.units)
            role = "牵头" if units & set(r.lead_units) else "共同负责" if units & set(r.joint_units) else "配合"
            lines.append(f"- {r.reference}「{r.title}」（{role}）")
            cites.append(Citation.from_record(r, self._responsibility_quote(r)))
        doc = ret.hits[0].record
        named = "、".join(self._printed(doc, query.units))  # as printed in the first cited measure
        head = f"{named}{role_word}的措施共{len(lines)}条（{doc.doc_number or doc.doc_title}）："
        return Answer(q, head + "\n" + "\n".join(lines), True, cites, kind="unit_measures")

    def _joint_list_answer(self, q: str, ret: Retrieval) -> Answer:
        """The measures with no lead unit, whose units are 按照职责分工负责 together."""
        if not ret.hits:
            return self._not_found(q, "文件中没有由多个单位按照职责分工负责、不设牵头单位的措施。", "unit_measures")
        lines = [f"- {h.record.reference}「{h.record.title}」：{'、'.join(self._printed(h.record, h.record.joint_units))}"
                 for h in ret.hits]
        cites = [Citation.from_record(h.record, self._responsibility_quote(h.record)) for h in ret.hits]
        head = f"由多个单位按照职责分工负责、不设牵头单位的措施共{len(lines)}条："
        return Answer(q, head + "\n" + "\n".join(lines), True, cites, kind="unit_measures")

    def _metadata_answer(self, q: str, ret: Retrieval) -> Answer:
        """Each metadata field the question asks for, quoted from the page's metadata table or text."""
        if not ret.hits:
            return self._not_found(q, "没有找到文件信息。", "metadata")
        r = ret.hits[0].record
        doc = self.index.documents.get(r.doc_id, {})
        lines = doc.get("meta_lines") or {}
        title = doc.get("title") or r.doc_title
        answers, quotes, missing = [], [], []
        for field in ret.query.meta_fields or ("title",):
            value = doc.get(field) or lines.get(field)
            label = META_LABELS[field]
            if not value:
                missing.append(label)
                continue
            quote = lines.get(field) or next((s for s in sentences(r.text) if value in s.replace("\n", "")), r.text[:200])
            text = f"{label}：{value}"
            if field == "written_date" and lines.get("signature_date"):
                # The date as the signature prints it, e.g. 2021年12月31日.
                text += f"；文末落款日期：{lines['signature_date']}"
                quote += f"\n{lines['signature_date']}"
            answers.append(text)
            quotes.append(quote)
        if not answers:
            return self._not_found(q, f"《{title}》没有标注{'、'.join(missing)}。", "metadata")
        answer = "；".join(answers) + f"（《{title}》）" + (f"。文件没有标注{'、'.join(missing)}。" if missing else "")
        return Answer(q, answer, True, [Citation.from_record(r, "\n".join(dict.fromkeys(quotes)))], kind="metadata")

    def _topic_answer(self, q: str, ret: Retrieval) -> Answer:
        query = ret.query
        terms = self.terms(q)
        hits = ret.hits
        if not hits:
            return self._not_found(q, "未在已收录的文件中找到相关内容。", query.intent)
        if query.intent == "amount":
            best = self._best_figure(q, [h.record for h in hits], require_distinctive=True)
            if best:
                r, sent = best
                return Answer(q, f"根据{self._ref(r)}：{sent}", True, [Citation.from_record(r, sent)], kind="amount")
            mention = self._mentions(terms, hits)
            if mention:
                term, r = mention
                return self._not_found(q, f"文件在{r.reference}提到了“{term}”，但没有规定与问题对应的具体金额、数量或指标。", "amount")
            return self._not_found(q, "未在已收录的文件中找到与该问题对应的金额、数量或指标。", "amount")
        top = self._supported(q, terms, hits)
        if top is None:
            return self._not_found(q, "未在已收录的文件中找到与该问题直接相关的规定。", query.intent)
        missing = self._missing_aspect(q, top)
        if missing:
            return self._not_found(q, f"{top.reference}涉及这一内容，但文件没有规定{missing}。", query.intent)
        if query.intent in ("lead_unit", "co_units") and top.kind == "measure":
            r = self._last_part(top)
            return Answer(q, f"{self._ref(top)}：{self._units_sentence(r)}。", True,
                          [Citation.from_record(r, self._responsibility_quote(r))], kind=query.intent)
        quote = self._best_sentences(q, terms, top)
        return Answer(q, f"相关规定见{self._ref(top)}：{quote}", True, [Citation.from_record(top, quote)], kind=query.intent)

    # --- evidence -------------------------------------------------------------------------------

    def _supported(self, q: str, terms: list[str], hits: list[Hit]) -> Record | None:
        """The best hit that is on the question's topic, or None (refuse).

        On topic: enough of the question's idf-weighted terms in the record, or a strong BM25
        match (paraphrases share rare words even when coverage is low), or a close dense match
        sharing some terms. Off-topic questions (养老金, 天气) fail all three.
        """
        best, best_key = None, (-1, -1.0)
        for h in hits[:3]:
            r = h.record
            text = r.text + (r.section_title or "")
            cov = self.evidence.coverage(terms, text)
            lexical = h.bm25 is not None and h.bm25 >= self.settings.min_bm25
            close = h.dense is not None and h.dense >= self.settings.min_dense and cov >= self.settings.min_evidence / 2
            if (cov >= self.settings.min_evidence or lexical or close) and self._numbers_present(q, text):
                # Prefer the hit covering most of the question; BM25 breaks ties.
                key = (round(cov, 2), h.bm25 or 0.0)
                if key > best_key:
                    best, best_key = r, key
        return best

    def _missing_aspect(self, q: str, r: Record) -> str | None:
        """The aspect a question asks for (time, procedure, criteria) when the record lacks it."""
        names = {"time": "具体时间或期限", "procedure": "申报程序或材料", "criteria": "具体标准或条件"}
        fq, text = fold(q), fold(r.text)
        for name, ask, has in ASPECTS:
            if re.search(ask, fq) and not re.search(has, text):
                return names[name]
        return None

    def _best_figure(self, q: str, records: list[Record], require_distinctive: bool) -> tuple[Record, str] | None:
        """The sentence with a figure of the asked kind that is about what the question is about.

        With `require_distinctive`, the sentence (with its headings) must contain the question's
        rarest term that the corpus knows: 加计扣除 in a question about 加计扣除's ratio, not just 研发.
        """
        terms = self.terms(q)
        fq = fold(q)
        figure = next((pat for _, ask, pat in FIGURE_KINDS if re.search(ask, fq)), r"\d")
        known = [t for t in terms if self.evidence.df(t) > 0]
        top_idf = max((self.evidence.idf(t) for t in known), default=0.0)
        rarest = [t for t in known if self.evidence.idf(t) >= top_idf - 1e-9]
        best, best_score = None, 0.0
        for rank, r in enumerate(records[:5]):
            if not self._numbers_present(q, r.text + (r.section_title or "")):
                continue
            for s in sentences(r.text):
                fs = fold(s)
                if not re.search(figure, fs.replace(fold(r.measure_label or ""), "")):
                    continue
                context = fs + fold(f"{r.section_title or ''}{r.title or ''}")
                matched = [t for t in terms if t in context]
                if require_distinctive and not any(t in context for t in rarest):
                    continue
                # …and enough of the rest: 四川 alone does not make 养老金 a question about 瞪羚企业.
                if require_distinctive and self.evidence.coverage(terms, context) < self.settings.min_evidence * 0.6:
                    continue
                score = sum(self.evidence.idf(t) for t in matched) - 0.05 * rank
                if score > best_score:
                    best, best_score = (r, s), score
        return best

    def _mentions(self, terms: list[str], hits: list[Hit]) -> tuple[str, Record] | None:
        """A rare question term that a retrieved record mentions (for an honest not-found note)."""
        for t in sorted(terms, key=lambda x: (len(x), self.evidence.idf(x)), reverse=True):
            if self.evidence.distinctive(t):
                for h in hits:
                    if t in fold(h.record.text) and h.record.kind == "measure":
                        return t, h.record
        return None

    def _best_sentences(self, q: str, terms: list[str], r: Record) -> str:
        """The sentence that matches the question best (numbers in the question count too), with the
        next one when it continues the same provision after a semicolon."""
        ss = [s for s in sentences(r.text) if not re.match(r"^[（(](责任单位|牵头单位)", s)]
        if not ss:
            return r.text
        numbers = _DIGITS.findall(fold(q))
        score = [sum(self.evidence.idf(t) for t in terms if t in fold(s)) + 5 * sum(n in fold(s) for n in numbers) for s in ss]
        best = max(range(len(ss)), key=lambda i: (score[i], -i))
        keep = [best]
        if ss[best].endswith(("；", ";")) and best + 1 < len(ss):
            keep.append(best + 1)
        return "".join(ss[i] for i in keep)

    def _last_part(self, r: Record) -> Record:
        parts = self.index.parts_of(r) if r.kind == "measure" else []
        return parts[-1] if parts else r


_FOLLOWUP = re.compile(r"^(那|那么)?(它|这条|该条|这一条|上一条|这项|该项|这个措施|该措施|其)|^(那|那么).{0,6}(呢|吗)[？?]?$")


def resolve_followup(question: str, previous: Answer | None) -> str:
    """A follow-up (那它的配合单位呢？ 这条由谁牵头？) refers to the measure of the previous answer."""
    if previous is None or not previous.citations:
        return question
    c = previous.citations[0]
    if not c.measure_label or re.search(r"第.{1,5}[条项]|[（(][一二三四五六七八九十]+[）)]", question):
        return question
    if not _FOLLOWUP.search(question.strip()):
        return question
    label = c.measure_label if c.measure_label.startswith("第") else f"第{c.measure_label}条"
    return f"{label}{question}"
