"""Answers without a language model: compose a short Chinese answer from the retrieved text.

Every figure, unit and measure in an answer is copied from the record it cites. Amounts come from
support items (items.py): the question's subject (the kind of enterprise, project or activity, with
its tier: 国家级/省级, 首次, 新认定) must be the item's condition, every matching item is given,
grouped by document, and an item for another subject is never offered. When the documents mention
the subject but give no figure, the answer says so and names where (found: false, `mentions`); when
the evidence is weak it is found: false with the closest documents, never the nearest measure
dressed up as an answer. A measure number several documents share is answered for each of them.
Hands on `Answer` records.
"""
from __future__ import annotations

import bisect
import itertools
import math
import re
import unicodedata
from dataclasses import asdict, dataclass, replace

from .config import Settings
from .errors import BadQuestionError
from .index import PolicyIndex
from .items import extract_items, is_support, parse_figures
from .load import fold
from .query import (ENERGY_FORMS, EVERYDAY_WORDS, META_LABELS, Query, city_categories, joint_names, spelled_out,
                    without_options)
from .reading import (
    APPLY,
    DEFINITION,
    DENIAL,
    NEGATED,
    PARTS_OF,
    QUANTITIES,
    SEVERAL,
    affirms,
    asking_clauses,
    asking_sentences,
    bounds_agree,
    compared,
    figure_clauses,
    names_status,
    other_kind,
    qualified_otherwise,
    spellings,
    split_question,
    stated_figures,
    target_year,
    uncrossed,
    variant_tier,
    with_years,
    without_basis,
)
from .records import Answer, Citation, Hit, Record, SupportItem
from .retrieve import Retrieval, hybrid, in_scope, retrieve, understand
from .units import read_text_duty

_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
# Words that say what kind of answer is wanted, not what it is about: they are not evidence.
QUESTION_WORDS = frozenset("""
方面 这块 一块 问题 事情 情况 东西 地方 相关 有关
牵头 负责 单位 部门 配合 协助 协同 参与 责任 主责 由谁 多少 多少钱 金额 额度 目标 指标 达到 比例 比重 哪条 哪一条 条款
规定 什么 哪些 是否 可以 能够 请问 具体 提出 要求 表述 安排 部署 说法 怎么说 文件 政策 措施 意见 办法 通知 内容 涉及 意思 含义
多长 多长时间 多久 时候 一般 上限 封顶 顶格 最高额 整体 总体 整个 全部 所有 角色 条目 钱 最长 最短
""".split())
# Words that name the benefit asked about, not who gets it: an amount question's subject is the rest.
BENEFIT_WORDS = frozenset("""
奖励 奖金 资金 支持 补助 补贴 资助 经费 扶持 奖补 获得 享受 拿到 得到 领取 申请 给予 一次性 多少 能拿 可以 最高 上限
标准 优惠 资金奖励 补贴资金 金额 钱 能 企业 公司 我们 我司 单位 一下 有没有 是不是 政策 支持政策 额度 万元
扣除 能扣 可扣 抵扣 减免 能领 能贷
""".split())
# The figure an amount question asks for, and the units that are such figures.
FIGURE_UNITS = {"money": ("元",), "percent": ("%", "‰", "个百分点"), "duration": ("年", "个月", "天", "日"),
                "count": ("个", "家", "项", "座", "所", "名", "人"), "points": ("分",)}
# A date (几月几号, 什么时候) is answered by a date; a period (保存多长时间, 几年) also by a length
# written in words (留存五年, 三个月).
ASPECT_EVIDENCE = {"time": r"\d{4}年|\d+年|年底|年内|\d+月|\d+日|期限|截至|截止",
                   "period": r"\d+个?(年|月|日|天)|期限|[一二三四五六七八九十两]+个?(年|月|日|天)(?!度)",
                   "place": r"地点|网点|窗口|网站|平台|网上|线上|大厅|服务机构|常住地|户籍地|所在地|参保地",
                   "procedure": r"申报|申请|材料|资料|证明|流程|程序|办理|手续|留存", "criteria": r"标准|条件|资格|门槛"}
ASPECT_NAMES = {"time": "具体时间或期限", "period": "具体期限", "procedure": "申报程序或材料", "criteria": "具体标准或条件", "place": "办理或购买的地点、渠道"}
# Words that name the aspect asked for (what to bring, which conditions, how long), not the
# subject: 养犬登记需要带什么材料 is about 养犬登记, whatever 新材料产业 says.
ASPECT_WORDS = frozenset("材料 流程 手续 程序 条件 前提 标准 门槛 资格 期限 时限 日期 时间 地点 网点 窗口 渠道".split())
# Kinds of beneficiary: a person or an organisation, by the first word naming one. The asker is a
# person when they speak of themselves alone (我, 自己, 个人; not 我们).
_PERSON = r"个人|本人|人员|劳动者|毕业生|职工|纳税人|居民|农民工|人才|青年|学生"
_ASKER_PERSON = r"(?<![一二三四五六七八九十两几\d])个人|本人|自己|我(?!们|司|厂|单位)"
_ORGANISATION = r"企业|公司|单位|机构|园区|厂|商户|个体工商户"
# Family members a clause may be about (纳税人的子女, 其配偶): another person than the asker.
_KIN = r"子女|配偶|父母|祖父母|外祖父母|兄弟姐妹|孙子女|外孙子女"
_OF_KIN = re.compile(f"(?:的|其)(?:{_KIN})")  # 纳税人的子女, 其配偶: the clause is about that person


def _beneficiary(text: str, person: str) -> str | None:
    m = re.search(f"(?P<p>{person})|(?P<o>{_ORGANISATION})", text)
    return None if m is None else ("person" if m.group("p") else "organisation")


# A question for the most that is granted, and the qualifiers that state such a cap.
_CAP_ASK = r"最多|最高|上限|封顶|限额|顶格"
_HOW_COUNTED = r"(怎么|怎样|如何)(扣|算|计算|补|给|核定)"
CAP_QUALIFIERS = ("最高不超过", "不能超过", "不得超过", "不超过", "最高", "最多", "上限为")
BODY_META = ("effective", "period", "approval")  # metadata a document states in its body, not its header
COUNT_UNITS = ("个", "家", "座", "项", "所", "条", "名", "批", "人")
PINNING_DF = 2  # a word in at most this many records points at them by itself
LIST_CAP = 10  # measures in a list answer
TOPICAL_SHARE = 0.1  # a word in at most this share of the records names a topic (氢能), not the library's theme
# Parts of speech that carry no topic: pronouns, numerals, measure words, adverbs, prepositions,
# conjunctions, particles, interjections, onomatopoeia, punctuation, locality and time words
# (jieba's tag set: 里面, 上面, 今年, 现在 say where or when the asker is, not what they ask about).
_FUNCTION_POS = set("rmqdpcuyeowft")


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


def contains(text: str, term: str) -> bool:
    """`term` occurs in folded `text` and not as a negated or longer number (非独生子女 is not 独生子女)."""
    for m in re.finditer(re.escape(term), text):
        before = text[max(0, m.start() - 1):m.start()]
        if before in ("非", "不", "未"):
            continue
        if term[0].isdigit() and (text[max(0, m.start() - 1):m.start()].isdigit() or text[m.end():m.end() + 1].isdigit()):
            continue
        return True
    return False


# Characters that leave a word what it was: a plural (夫妻俩, 企业们, 等) or the predicate of the
# standing phrases 融资难、融资贵 (the thing is still 融资).
WHOLE_WORD_SUFFIXES = frozenset("俩们等难贵")


class Evidence:
    """How much of a question's content a text covers, weighted by rarity in the corpus."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.n = max(1, len(index.records))
        self._df: dict[str, int] = {}
        self._joined: str | None = None
        self._starts: list[int] = []

    def df(self, term: str) -> int:
        """How many records hold `term`: from the BM25 lexicon (an inverted index) when it is one of
        its terms, otherwise by a containment scan of the records (a word no index term spells)."""
        if term not in self._df:
            token_df = self.index.doc_freq(term)  # the inverted index: records whose BM25 terms include it
            if token_df:
                self._df[term] = token_df
                return token_df
            self._join()
            # One find per record that holds the term: after a hit, go on from the next record.
            count, i = 0, self._joined.find(term)
            while i >= 0:
                count += 1
                nxt = self._starts[bisect.bisect_right(self._starts, i)] if i < self._starts[-1] else len(self._joined)
                i = self._joined.find(term, nxt)
            self._df[term] = count
        return self._df[term]

    def _join(self) -> None:
        """Every record's folded text in one string, with where each starts (built once)."""
        if self._joined is None:
            texts = [fold(r.text + (r.section_title or "")) for r in self.index.records]
            self._starts = list(itertools.accumulate((len(t) + 1 for t in texts), initial=0))
            self._joined = "\n".join(texts)

    def records_with(self, term: str) -> list[Record]:
        """The records that hold `term`: from the inverted index, or, for a word that is no index
        term, by the same containment scan as df."""
        if self.index.doc_freq(term):
            return self.index.records_with_term(term)
        return self.records_containing(term)

    def records_containing(self, term: str) -> list[Record]:
        """The records whose folded text holds `term` anywhere, as a run of characters (1000元 is
        no index term)."""
        self._join()
        out, i = [], self._joined.find(term)
        while i >= 0:
            k = bisect.bisect_right(self._starts, i) - 1
            out.append(self.index.records[k])
            i = self._joined.find(term, self._starts[k + 1]) if k + 1 < len(self._starts) else -1
        return out

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df(term) + 0.5))

    def coverage(self, terms: list[str], text: str) -> float:
        """The idf-weighted share of the terms the corpus knows that `text` contains (terms no
        document uses are judged apart, by Answerer.unknown_share)."""
        terms = [t for t in terms if self.df(t) > 0]
        total = sum(self.idf(t) for t in terms)
        if total <= 0:
            return 0.0
        t = fold(text)
        return sum(self.idf(x) for x in terms if contains(t, x)) / total

    def rarest(self, terms: list[str]) -> list[str]:
        """The question's rarest terms that the corpus knows (ties kept)."""
        known = [t for t in terms if self.df(t) > 0]
        if not known:
            return []
        top = max(self.idf(t) for t in known)
        return [t for t in known if self.idf(t) >= top - 1e-9]


class Answerer:
    """Answers questions from one opened index (models load once, for batches and the app)."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.settings: Settings = index.settings
        self.evidence = Evidence(index)
        self._tagger = None
        self._contractions: dict[str, list[str]] | None = None  # built on first use (contracted)
        stored = getattr(index, "items", None)
        if stored is None:  # an index from before items were stored: derive them once
            stored = [it for d in index.documents for it in extract_items([r for r in index.records if r.doc_id == d])]
        self.items: list[SupportItem] = list(stored)
        self._items_of: dict[str, list[SupportItem]] = {}
        self._definitions: dict[str, dict[str, str]] = {}
        self._span_cache: dict[str, list[tuple[int, int, str]]] = {}
        self._title_topics: dict[str, str] = {}
        self._titles_joined: str | None = None
        self._national: tuple[str, ...] | None = None  # the library's State Council documents
        for it in self.items:
            self._items_of.setdefault(it.record_id, []).append(it)

    # --- entry point ------------------------------------------------------------------------

    def ask(self, question: str, doc_id: str | None = None, previous: Answer | None = None) -> Answer:
        try:
            q = clean_question(question, self.settings.max_question_chars)
        except BadQuestionError as e:
            return Answer(str(question or ""), str(e), False, [], kind="invalid")
        query = understand(self.index, q)
        if query.followup and previous is not None and previous.citations:
            # 那它的配合单位呢？ refers to the measure (and the document) of the previous answer.
            c = previous.citations[0]
            if c.measure is not None and not query.measures:
                query = _replace(query, measures=(c.measure,), doc_ids=(c.doc_id,),
                                 intent=query.intent)
            doc_id = doc_id or c.doc_id
        parts = split_question(q) if query.intent == "amount" and not query.measures else []
        if len(parts) > 1:
            answers = [self.answer(p, retrieve(self.index, p, doc_id)) for p in parts]
            return self._combined(q, self._without_told(parts, answers, doc_id))
        return self.answer(q, retrieve(self.index, q, doc_id, query=query))

    def _without_told(self, parts: list[str], answers: list[Answer], doc_id: str | None) -> list[Answer]:
        """Asks for several figures after one story (刚评上省级新经济示范企业，又扩招了一批人，奖励和贷款
        额度分别多少): a part not found is asked again without the story's clauses that another part's
        clause answered (省级新经济示范企业 is the 奖励's condition, not the 贷款's)."""
        told = fold("".join(it["condition"] for a in answers if a.found for it in a.extra.get("items", [])))
        if not told:
            return answers
        out = []
        for p, a in zip(parts, answers):
            clauses = re.split(r"(?<=[，,])", p)
            kept = [c for c in clauses[:-1] if not self._told_in(c, told)] + clauses[-1:]
            if not a.found and len(kept) < len(clauses):
                again = self.answer("".join(kept), retrieve(self.index, "".join(kept), doc_id))
                a = again if again.found else a
            out.append(a)
        return out

    def _told_in(self, clause: str, text: str) -> bool:
        """Every word of the clause the documents know is in the text."""
        words = [t for t in self.terms(clause) if self.evidence.df(t) > 0 and t not in BENEFIT_WORDS]
        return bool(words) and all(contains(text, t) for t in words)

    def _combined(self, q: str, answers: list[Answer]) -> Answer:
        """One answer to a question that asks for several figures (…分别是多少？ …多少座，…多少家？)."""
        found = [a for a in answers if a.found]
        if not found:
            return self._not_found(q, "\n".join(a.answer.split("\n")[0] for a in answers), "amount")
        lines = [a.answer if a.found else a.answer.split("\n")[0] for a in answers]
        cites: list[Citation] = []
        for a in found:
            cites += [c for c in a.citations if (c.doc_id, c.record_id, c.quote) not in {(x.doc_id, x.record_id, x.quote) for x in cites}]
        items = [it for a in found for it in a.extra.get("items", [])]
        return Answer(q, "\n".join(lines), True, cites, kind="amount", extra={"items": items} if items else {})

    def answer(self, q: str, ret: Retrieval) -> Answer:
        """Compose the answer for a retrieval (the LLM path falls back to this too)."""
        route = {"measure_ref": self._measure_answer, "section": self._section_answer, "unit": self._unit_list_answer,
                 "metadata": self._metadata_answer}.get(ret.route)
        if route:
            return route(q, ret)
        if ret.query.intent == "amount":
            return self._amount_answer(q, ret)
        if ret.query.intent == "list":
            return self._list_answer(q, ret)
        if ret.query.intent == "mention":
            return self._mention_answer(q, ret)
        return self._topic_answer(q, ret)

    # --- helpers ------------------------------------------------------------------------------

    def terms(self, question: str) -> list[str]:
        """Content terms of a question, as the question writes them (precise segmentation).

        Function words are left out by their part of speech (pronouns, numerals and measure words,
        adverbs, prepositions, conjunctions, particles), and so are the words that say what kind
        of answer is wanted (QUESTION_WORDS). A term the corpus never uses is replaced by its
        parts that it does use (锂电池 → 锂电、电池), when they spell all of it.
        """
        from .query import expand

        out: list[str] = []
        # A document named by its 文号 is a scope, not a topic (川办发〔2021〕93号对人才有什么规定).
        question = re.sub(r"[\u4e00-\u9fff]{1,10}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号", " ", fold(question))
        # So is the kind of document it names (指导意见, 暂行办法): not 指导 as a topic.
        question = re.sub(r"(指导|实施|若干|暂行|管理)(意见|办法|细则|规定)", " ", question)
        # A name the asker glosses in brackets (起征点（基本减除费用）) that the documents never write,
        # with a word they never use (减除), is one term: they do not cover it because they use some
        # of its pieces (基本, 费用).
        for gloss in re.findall(r"[（(]([\u4e00-\u9fff]{4,12})[）)]", question):
            words = [w for w in self.index.terms.tokens(gloss) if len(w) >= 2]
            if self.evidence.df(gloss) == 0 and any(self.evidence.df(w) == 0 for w in words):
                out.append(gloss)
                question = question.replace(gloss, " ")
        question = joint_names(expand(question), lambda w: self.index.doc_freq(w) > 0)  # a word of theirs, not a run of characters
        for word, flag in self._compounds(self._pos(fold(question).lower())):
            if len(word) < 2 or flag[:1] in _FUNCTION_POS or word in QUESTION_WORDS or re.fullmatch(r"[\d.]+", word):
                continue
            if re.fullmatch(r"[能可会要][\u4e00-\u9fff]", word) and self.evidence.df(word) == 0:
                continue  # 能扣, 能领, 可报: can + a verb, which the tagger guesses is a name; no thing asked
            if word in EVERYDAY_WORDS:
                # Its written form follows it in brackets (孩子（子女）): that one is the term, even where
                # some document writes the everyday word too (临港's 海外人才 is read as 境外人才).
                continue
            parts = [word]
            if self.evidence.df(word) == 0:
                from .query import find_units

                # A unit's short name (经信厅) is the unit the library knows (经济和信息化厅).
                units = [u for u in find_units(word, self.index.units) if self.evidence.df(u) > 0]
                known = units or uncrossed(word, [t for t in self.index.terms.tokens(word)
                                                   if len(t) >= 2 and t != word and self.evidence.df(t) > 0])
                # Its parts stand for it only when they spell all of it (夫妻俩 is 夫妻; 融资难 is 融资
                # that is hard to get): a character they leave out makes another thing, one the
                # documents never name (宅基地 is no 基地, 养老金 no 养老, 女职工 no plain 职工).
                spelled = set()
                for t in known:
                    spelled.update(range(word.find(t), word.find(t) + len(t)))
                if not units and any(i not in spelled and c not in WHOLE_WORD_SUFFIXES for i, c in enumerate(word)):
                    known = []
                parts = known or self.contracted(word) or [word]
            out += [t for t in parts if t not in out and t not in QUESTION_WORDS]
        return out

    def contracted(self, word: str) -> list[str]:
        """The library's word that the question's word contracts by leaving out one character inside
        it (市区 for 市辖区), when exactly one such word exists: a common way of shortening a name."""
        if len(word) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", word) or self.evidence.df(word) > 0:
            return []
        if self._contractions is None:
            self._contractions = {}
            for t in self.index.lexicon.vocab:
                if len(t) >= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", t):
                    for i in range(1, len(t) - 1):
                        self._contractions.setdefault(t[:i] + t[i + 1:], []).append(t)
        found = [t for t in self._contractions.get(word, []) if self.evidence.df(t) > 0]
        return found if len(found) == 1 else []

    def _compounds(self, tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Neighbouring words joined where the documents use them as one (小+微+企业 → 小微企业)."""
        out, i = [], 0
        while i < len(tagged):
            best = 1
            for j in range(i + 2, min(i + 4, len(tagged)) + 1):
                if any(f[:1] in _FUNCTION_POS for _, f in tagged[i:j]):
                    break  # 对+新经济 is not one word: function words are not parts of names
                joined = "".join(w for w, _ in tagged[i:j])
                # (two single characters too: 小+微 → 小微, a word the question tagger split)
                if (3 <= len(joined) <= 8 or len(joined) == j - i) and re.fullmatch(r"[\u4e00-\u9fff]+", joined) and self.index.doc_freq(joined) > 0:
                    best = j - i
            if best > 1:
                out.append(("".join(w for w, _ in tagged[i:i + best]), "n"))
            else:
                out.append(tagged[i])
            i += best
        return out

    def _pos(self, text: str) -> list[tuple[str, str]]:
        if self._tagger is None:
            import jieba.posseg

            tok = self.index.terms._jieba
            if tok.dictionary == jieba.posseg.dt.tokenizer.dictionary:
                # The same dictionary as jieba's own tagger: share its word-tag table (350,000 entries,
                # read from dict.txt in about half a second) instead of reading it again.
                self._tagger = jieba.posseg.POSTokenizer.__new__(jieba.posseg.POSTokenizer)
                self._tagger.tokenizer, self._tagger.word_tag_tab = tok, jieba.posseg.dt.word_tag_tab
            else:
                self._tagger = jieba.posseg.POSTokenizer(tok)
        # Words of the corpus's own vocabulary come back untagged ("x"): they are names, so content.
        return [(w.word.strip(), "n" if w.flag == "x" and re.search(r"[\u4e00-\u9fff]", w.word) else w.flag)
                for w in self._tagger.cut(text)]

    def unknown_places(self, question: str) -> list[str]:
        """Places the question names that no document mentions (重庆市 asked of a Sichuan library):
        a policy speaks for its own region, so these ask about somewhere else, which only the State
        Council's documents (if the library holds any) speak for too: see national_only."""
        from .query import expand

        q = fold(expand(question))
        # A place name as a reader sees one: 重庆市, 浙江省, 深圳 followed by 市/的政策 … (jieba's place tag
        # alone also marks ordinary words it does not know, so the name must read as a place).
        return [w for w, flag in self._pos(q) if flag == "ns" and len(w) >= 2 and self.evidence.df(w) == 0
                and (re.search(r"(省|市|县|区|州|镇|乡)$", w) or re.search(re.escape(w) + r"(省|市|县|区|州)", q))]

    def national_only(self, question: str) -> tuple[str, ...]:
        """The State Council's documents, when the question names a place no document covers (在苏州办
        失业登记): they speak for every place, a province's document does not."""
        if self._national is None:
            # The title names the issuer (国务院关于…, 国务院办公厅关于…); a signature read as the publisher
            # can be another document's.
            self._national = tuple(d for d, doc in self.index.documents.items()
                                   if fold(doc.get("title") or doc.get("publisher") or "").startswith("国务院"))
        places = self.unknown_places(question) if self._national else []
        q = fold(question)
        # 杭州市有哪些人才政策 asks for that place's own policies, which the library does not hold.
        if not places or any(re.search(re.escape(p) + r"[市省县区]?[^，,。？?]{0,6}(政策|规定|文件|措施|意见|办法)", q) for p in places):
            return ()
        return self._national

    def asked_unknown_share(self, question: str, terms: list[str]) -> float:
        """The unknown share of the question, or of its asking sentence when it tells a story first
        (去年我自己住院，医保报完以后自费部分挺多的。大病医疗…超过多少开始算？): the story's words
        are the asker's, the asking sentence says what the question is about, whether the story
        is unknown to the documents or told in their words (我们是省级新经济示范企业。宅基地能抵押吗？)."""
        share = self.unknown_share(terms)
        asking = asking_sentences(question)
        if asking != fold(question):
            own = [t for t in self.terms(asking) if t not in BENEFIT_WORDS]
            if own and any(self._nominal(t) for t in own):
                share = self.unknown_share(own)
        return share

    def asked_for(self, question: str) -> list[str]:
        """The things a which-word asks for, as the question writes them (在哪个手机App上填报 → 手机App;
        哪种类型的企业 → 类型的企业): the answer must name one, and a kind every policy answers
        (哪个部门, 什么时候, 什么角色) is left out."""
        tagged = self._pos(fold(question))
        out: list[str] = []
        for i, (word, _) in enumerate(tagged):
            if not (word.startswith("哪") or word in ("什么", "何种")) or word in ("哪里", "哪儿"):
                continue
            j = i + 1
            while j < len(tagged) and tagged[j][1][:1] in "mq":  # 哪几张, 哪一个
                j += 1
            run, placed = [], False
            while j < len(tagged) and (tagged[j][1][:1] in "ns" or tagged[j][1] == "eng" or tagged[j][0] == "的"
                                       or (run and tagged[j][1][:1] == "q")):  # 公众+号
                if run and tagged[j][0] in ("上", "里", "中", "内"):  # App上申报: where, then what is done
                    placed = True
                    break
                run.append(tagged[j][0])
                j += 1
            while run and run[-1] == "的":
                run.pop()
            # A verb closing the question is the phrase's head noun (有什么兜底帮扶？: 帮扶 is what is asked).
            if run and not placed and j < len(tagged) and tagged[j][1][:1] == "v" \
                    and (j + 1 == len(tagged) or not re.search(r"\w", tagged[j + 1][0])):
                run.append(tagged[j][0])
            # 哪个文号 asks for a field of the document itself: the metadata answer's, not this rule's.
            if run and not any(w in QUESTION_WORDS or (len(w) > 1 and any(w in label for label in META_LABELS.values())) for w in run):
                out.append("".join(run))
        return out

    def names_none_of(self, things: list[str]) -> bool:
        """No document names any of these things, nor any word of theirs (公众号: 公众 is no word of theirs)."""
        def unknown(thing: str) -> bool:
            words = [w for w in self.index.terms.tokens(thing.lower()) if len(w) >= 2] or [thing.lower()]
            return self.evidence.df(thing.lower()) == 0 and all(self.evidence.df(w) == 0 for w in words)
        return bool(things) and all(unknown(t) for t in things)

    def unknown_share(self, terms: list[str]) -> float:
        """The share of the question's content terms that no document uses (地铁, 停运 …).

        A question is about the things it names: when it names some, only those are counted, so a
        verb telling the asker's own story (刚评上, 想申请) does not make a known subject unknown.
        """
        terms = [t for t in terms if t not in ASPECT_WORDS] or terms
        names = [t for t in terms if self._nominal(t)] or terms
        return sum(self.evidence.df(t) == 0 for t in names) / len(names) if names else 1.0

    def _place(self, term: str) -> bool:
        return [f for _, f in self._pos(term)][-1:] == ["ns"]

    def _nominal(self, term: str) -> bool:
        """A noun, a name, or a word of the documents' own vocabulary (tagged as a name); not a place
        the documents cover, which says where the asker is (成都), not what the question is about."""
        tags = [f for _, f in self._pos(term)]
        if tags[-1:] == ["ns"]:
            return self.evidence.df(term) == 0  # a place no document covers is somewhere else: it counts
        return bool(tags) and (tags[-1][:1] in "njx" or tags[-1] == "eng")

    def _numbers_present(self, query: Query, text: str) -> bool:
        """Every number the question states (2030年, 50万) occurs in the text as a whole number."""
        t = fold(text)
        return all(contains(t, n) for n in query.numbers)

    def _not_found(self, question: str, reason: str, kind: str, near: list[Record] = (),
                   mentions: list[Citation] = ()) -> Answer:
        extra = {"mentions": [asdict(c) for c in mentions]} if mentions else {}
        return Answer(question, f"{reason}\n{self.coverage_note(near)}", False, [], kind=kind, extra=extra)

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

    @staticmethod
    def _doc_name(r: Record) -> str:
        return r.doc_number or f"《{r.doc_title}》"

    def _ref(self, r: Record, title: bool = True) -> str:
        """川办发〔2021〕93号 第(三十)条「加大财税支持」."""
        t = f"「{r.title}」" if title and r.title and r.kind == "measure" else ""
        where = "".join(r.section_path[-1:]) if r.measure_label and r.measure_label[0].isdigit() else ""
        return f"{self._doc_name(r)} {where}{r.reference}{t}"

    def _parts(self, r: Record) -> list[Record]:
        return self.index.parts_of(r)

    def _units_sentence(self, r: Record, intent: str = "lead_unit") -> str:
        """Who is responsible for a measure, by its document's rule; says so when a note is unclear."""
        p = r.printed
        if r.duty_status == "none":
            return "文件未列明责任单位"
        if r.duty_status == "unclear" and not r.all_units:
            return f"文件列有责任分工说明，但未能识别其中的单位：{'；'.join(r.duty_notes)}"
        if r.joint:
            return f"由{'、'.join(p(r.joint_units))}按照职责分工共同负责（无牵头单位）"
        if not r.lead_units and r.listed_units:
            return f"负责单位：{'、'.join(p(r.listed_units))}（文件未说明谁牵头）"
        if intent == "co_units":
            co = p(r.co_units)
            return f"配合单位：{'、'.join(co)}" if co else f"该条只列了牵头单位{'、'.join(p(r.lead_units))}，没有列配合单位"
        s = f"牵头单位：{'、'.join(p(r.lead_units))}"
        if r.co_units:
            s += f"；配合单位：{'、'.join(p(r.co_units))}"
        if r.listed_units:
            s += f"；另有负责单位：{'、'.join(p(r.listed_units))}"
        return s

    @staticmethod
    def _duty_quote(r: Record) -> str:
        return "".join(r.duty_notes) or r.text

    @staticmethod
    def _body(r: Record) -> str:
        """A measure's text without its own label, so the label and title are not said twice."""
        text = r.text
        if r.part == 0 and r.measure_label and text.startswith(r.measure_label):
            text = text[len(r.measure_label):].lstrip()
        return text

    def _group(self, hits: list[Hit]) -> list[list[Record]]:
        groups: dict[tuple, list[Record]] = {}
        for h in hits:
            groups.setdefault(h.record.measure_key, []).append(h.record)
        return list(groups.values())

    # --- explicit measures ----------------------------------------------------------------------

    def _measure_answer(self, q: str, ret: Retrieval) -> Answer:
        query = ret.query
        labels = "、".join(f"第{n}条" for n in query.measures)
        if not ret.hits:
            scope = [self.index.documents.get(d, {}).get("title", d) for d in ret.scope]
            where = f"《{scope[0]}》中" if len(scope) == 1 else "已收录的文件中"
            return self._not_found(q, f"{where}没有编号为{labels}的措施或条款。", "measure_ref")
        groups = self._group(ret.hits)
        docs = list(dict.fromkeys(g[0].doc_id for g in groups))
        head = (f"{len(docs)}份文件都有{labels}，分别如下：\n" if len(docs) > 1 else "")
        lines, cites = [], []
        if query.intent in ("lead_unit", "co_units") or (query.intent == "unit_measures" and not query.units):
            for g in groups:
                r = g[-1]  # the last part of a split measure carries its units
                lines.append(f"{self._ref(g[0])}：{self._units_sentence(r, query.intent)}。")
                cites.append(Citation.from_record(r, self._duty_quote(r)))
            return Answer(q, head + "\n".join(lines), True, cites, kind=query.intent)
        if query.intent == "amount":
            records = [r for g in groups for r in g]
            return self._amount_answer(q, ret, records)
        for g in groups:
            text = "".join(self._body(x) for x in g)
            lines.append(f"{self._ref(g[0])}：{text}")
            cites.append(Citation.from_record(g[0], "".join(x.text for x in g)))
        return Answer(q, head + "\n".join(lines), True, cites, kind="measure_ref")

    def _section_answer(self, q: str, ret: Retrieval) -> Answer:
        recs = [h.record for h in ret.hits]
        by_doc: dict[str, list[Record]] = {}
        for r in recs:
            by_doc.setdefault(r.doc_id, []).append(r)
        lines = []
        for rs in by_doc.values():
            r0 = rs[0]
            lines.append(f"{self._doc_name(r0)} {r0.section_path[-1] if r0.section_path else ''}{r0.section_title or ''}共{len(rs)}条：")
            lines += [f"- {r.reference}「{r.title}」" for r in rs]
        cites = [Citation.from_record(r, r.title or r.text[:60]) for r in recs]
        return Answer(q, "\n".join(lines), True, cites, kind="section")

    # --- responsibilities -------------------------------------------------------------------------

    def _unit_list_answer(self, q: str, ret: Retrieval) -> Answer:
        query = ret.query
        if query.unit_role == "joint":
            return self._joint_list_answer(q, ret)
        units = set(query.units)
        if not ret.hits:
            role_word = {"lead": "牵头", "co": "配合"}.get(query.unit_role or "", "参与")
            return self._not_found(q, f"已收录的文件中没有{'、'.join(query.units)}{role_word}的措施。", "unit_measures")

        def role(r: Record) -> str:
            if units & set(r.lead_units):
                return "牵头"
            if units & set(r.joint_units):
                return "共同负责"
            if units & set(r.listed_units):
                return "负责"
            return "配合"

        records = [h.record for h in ret.hits]
        # A unit that leads also shares the jointly owned measures: say so beside its own count.
        shared = []
        if query.unit_role == "lead":
            shared = [r for r in self.index.records if r.kind == "measure" and r.part == r.parts - 1 and r.joint
                      and units & set(r.joint_units) and in_scope(r, ret.scope)]
        by_doc: dict[str, list[Record]] = {}
        for r in records + shared:
            by_doc.setdefault(r.doc_id, []).append(r)
        first = records[0]
        name = "、".join(first.printed(tuple(u for u in query.units if u in first.all_units)) or query.units)
        role_word = {"lead": "牵头", "co": "配合"}.get(query.unit_role or "", "参与")
        head = f"{name}{role_word}的措施共{len(records)}条"
        if shared:
            head += f"，另与其他单位按职责分工共同负责{len(shared)}条"
        lines = [head + "：" if len(by_doc) == 1 else head + f"，分布在{len(by_doc)}份文件中："]
        for d, rs in by_doc.items():
            if len(by_doc) > 1:
                lines.append(f"{self._doc_name(rs[0])}（{len(rs)}条）：")
            lines += [f"- {r.reference}「{r.title}」（{role(r)}）" for r in rs]
        if len(by_doc) == 1:
            lines[0] = lines[0].rstrip("：") + f"（{self._doc_name(first)}）："
        cites = [Citation.from_record(r, self._duty_quote(r)) for r in records + shared]
        return Answer(q, "\n".join(lines), True, cites, kind="unit_measures")

    def _joint_list_answer(self, q: str, ret: Retrieval) -> Answer:
        """The measures with no lead unit, whose units are 按照职责分工负责 together."""
        if not ret.hits:
            return self._not_found(q, "已收录的文件中没有由多个单位按照职责分工负责、不设牵头单位的措施。", "unit_measures")
        lines = [f"由多个单位按照职责分工负责、不设牵头单位的措施共{len(ret.hits)}条："]
        lines += [f"- {self._doc_name(h.record)} {h.record.reference}「{h.record.title}」："
                  f"{'、'.join(h.record.printed(h.record.joint_units))}" for h in ret.hits]
        cites = [Citation.from_record(h.record, self._duty_quote(h.record)) for h in ret.hits]
        return Answer(q, "\n".join(lines), True, cites, kind="unit_measures")

    # --- metadata --------------------------------------------------------------------------------

    def _metadata_answer(self, q: str, ret: Retrieval) -> Answer:
        """Each metadata field asked for, from each document's own header, page table or signature."""
        if not ret.hits:
            return self._not_found(q, "没有找到文件信息。", "metadata")
        if cited := self._cited_elsewhere(q):
            # The fields asked are of a document the library only cites, not of the citing one.
            title, r = cited
            labels = "、".join(META_LABELS[f] for f in ret.query.meta_fields) or "文件信息"
            return self._not_found(q, f"已收录的文件中没有《{title}》，{self._ref(r)}只引用了它，没有写明它的{labels}。",
                                   "metadata", near=[r], mentions=[Citation.from_record(r, f"《{title}》")])
        hits = ret.hits
        if len(hits) > 8:
            names = "；".join(f"《{self.index.documents[h.record.doc_id]['title']}》" for h in hits[:5])
            return self._not_found(q, f"已收录{len(hits)}份文件，请说明问的是哪一份（例如写出标题中的词或文号），如：{names}等。", "metadata")
        lines, cites, missing_all = [], [], []
        for h in hits:
            r = h.record
            doc = self.index.documents.get(r.doc_id, {})
            meta_lines = doc.get("meta_lines") or {}
            title = doc.get("title") or r.doc_title
            answers, quotes, missing, body_cites = [], [], [], []
            fields = list(ret.query.meta_fields or ("title",))
            if "published_date" in fields and not doc.get("published_date") and doc.get("written_date"):
                # No page gives a 发布日期: the signature's date is when the document was issued.
                fields = [f for f in fields if f != "published_date"] + (["written_date"] if "written_date" not in fields else [])
            for fld in fields:
                value = doc.get(fld) or meta_lines.get(fld)
                label = META_LABELS[fld]
                if not value:
                    missing.append(label)
                    continue
                quote = meta_lines.get(fld) or next((s for s in sentences(r.text) if value in s.replace("\n", "")), value)
                text = f"{label}：{value}"
                if fld in BODY_META:
                    # Stated in the body (第三十二条 本办法自…起施行): cite the provision that says it.
                    where = next((x for x in self.index.records_of(r.doc_id) if fold(value) in fold(x.text)), None)
                    if where is not None and where.record_id != r.record_id:
                        answers.append(f"{label}：{value}（{self._ref(where, title=False)}）")
                        body_cites.append(Citation.from_record(where, value))
                        continue
                if fld == "written_date" and meta_lines.get("signature_date"):
                    text += f"；文末落款日期：{meta_lines['signature_date']}"  # as the signature prints it
                    quote += f"\n{meta_lines['signature_date']}"
                answers.append(text)
                quotes.append(quote)
            if answers:
                lines.append(f"《{title}》：" + "；".join(answers) + (f"；文件没有标注{'、'.join(missing)}" if missing else ""))
                cites += body_cites
                if quotes:
                    cites.append(Citation.from_record(r, "\n".join(dict.fromkeys(quotes))))
            else:
                missing_all.append(f"《{title}》没有标注{'、'.join(missing)}")
        if not cites:
            return self._not_found(q, "；".join(missing_all) + "。", "metadata")
        if missing_all:
            lines.append("；".join(missing_all) + "。")
        return Answer(q, "\n".join(lines), True, cites, kind="metadata")

    def _cited_elsewhere(self, q: str) -> tuple[str, Record] | None:
        """A title the question quotes (《…规划纲要》) that is no library document's but that a library
        document cites, with the record citing it."""
        titles = [fold(d.get("title") or "") for d in self.index.documents.values()]
        for title in re.findall(r"《([^《》]{4,80})》", fold(q)):
            if any(title in t or t in title for t in titles if t):
                continue
            for r in self.evidence.records_with(title):
                if f"《{title}》" in fold(r.text):
                    return title, r
        return None

    # --- amounts ---------------------------------------------------------------------------------

    def _subject(self, q: str) -> list[str]:
        return [t for t in self.terms(without_options(q)) if t not in BENEFIT_WORDS]

    @staticmethod
    def _without_doc_words(subject: list[str], query: Query) -> list[str]:
        """The subject less the words by which the question names its document, when others are
        left: 四川新经济政策对示范企业的资金支持 asks about 示范企业, in the document it names."""
        rest = [t for t in subject if not any(t in w for w in query.doc_words)]
        return rest or subject

    def _items_for(self, records: list[Record], scope: tuple[str, ...], query: Query, hits: list[Hit] = (),
                   subject: list[str] = ()) -> list[SupportItem]:
        """Support items of the records (or of the library), and for a figure that is not money or a
        share (几年, 多少分, 多少座), every figure clause of the retrieved records as well."""
        ids = [r.record_id for r in records]
        if not ids:
            # The library's candidates: the retrieved records and every record holding one of the
            # subject's rarest words (looked up, not scanned: a library may hold 100,000 items).
            ids = [h.record.record_id for h in hits]
            for t in self.evidence.rarest(self._official(query) or subject):
                ids += [r.record_id for r in self.evidence.records_with(t)]
            order = self.index.position
            ids = sorted(set(ids), key=lambda rid: order.get(rid, 0))
        items = [it for rid in dict.fromkeys(ids) for it in self._items_of.get(rid, []) if not scope or it.doc_id in scope]
        if query.figure_kind not in (None, "money", "percent") or query.figure_unit in ("座", "家", "个", "项", "所"):
            from .items import record_items

            seen = {(it.record_id, it.start) for it in items}
            for r in records or [h.record for h in hits[:5]]:
                items += [it for it in record_items(r, every_figure=True) if (it.record_id, it.start) not in seen]
        return items

    def _match_items(self, query: Query, subject: list[str], items: list[SupportItem],
                     incidental: frozenset[str] = frozenset()) -> list[SupportItem]:
        """Items whose condition is the question's subject, with the tier the question names.

        "返还多少" is answered by a share (返还50%) when the matching clause states no sum of money.
        """
        wanted = FIGURE_UNITS.get(query.figure_kind or "", ())
        # Only a benefit's share (返还50%) answers "how much money"; a target's share does not.
        tries = [(items, wanted)] + ([([it for it in items if is_support(it)], ("元", "%", "个百分点"))]
                                     if query.figure_kind == "money" else [])
        asked = self._asked(query, subject, incidental)  # read once, matched up to four times
        # What the text says comes first; a term's listed members (学历教育包括…小学…) only when the
        # text names none of the subject.
        for defined in (False, True):
            for pool, units in tries:
                matched = self._match(query, asked, pool, units, defined)
                if matched:
                    return matched
        return []

    def _asked(self, query: Query, subject: list[str], incidental: frozenset[str]) -> "_Asked":
        """What an amount question asks, as _match compares it with each clause."""
        subject = self._official(query) or subject  # the asker's official name is the subject
        # What the asker says they are not (不是省会也不是计划单列市) is no part of the subject, and a
        # clause for it is another tier.
        negated = self._negated(query.text)
        subject = [t for t in subject if t not in negated] or subject
        # The rarest of the things the subject names, not of its tier words (认定 of 新认定 in 新认定的
        # 高新技术企业 says which round, 高新技术企业 who): tiers are matched by _tiers_agree.
        named = [t for t in subject if not any(t in x for x in query.tiers) and t not in incidental] or subject
        # Nor of the words that name where to look (个税 of 个人所得税…办法, a document's title) or what is
        # asked (有没有期限).
        titles = self._all_title_topics()
        named = [t for t in named if t not in titles] or named
        named = [t for t in named if t not in ASPECT_WORDS] or named
        # A story told before the clause that asks (我被裁员了，打算开个面馆。…个人自主创业最多能贷多少？)
        # is the asker's: the asking clause's rarest words name the subject too, beside the story's;
        # and when there is a story, a clause found through it alone answers another question (失业保险金
        # 每个月能领多少 after 刚被裁员了 is not the 稳岗返还 of 不裁员的企业, whose 失业保险金 is only a
        # yardstick): the asking clause's own rarest word must be about the clause too.
        asking = set(self.terms(asking_clauses(query.text)))
        own = [t for t in named if t in asking]
        rare = list(dict.fromkeys(self.evidence.rarest(named) + self.evidence.rarest(own or named)))
        story = asking_sentences(query.text) != fold(query.text)
        asking_rare = self.evidence.rarest(own) if story else []
        # 要达到多少分才能落户, 满多少分可以落户: the figure is a threshold for what follows 能/可以, which
        # its clause must name.
        goal = re.search(r"(?:多少|几)[^，,。？?；;！!]{0,12}?(?:才|就)?(?:能够|能|可以|可)((?:(?!多少|几|最多|最高|上限)[^，,。？?；;！!]){1,12})",
                         fold(query.text))
        goal_words = ()
        if goal:
            # Applying for or receiving (才能申请, 就能领) names no thing of its own: the threshold is the
            # subject's own condition.
            words = [t for t in self.terms(goal.group(1)) if t not in BENEFIT_WORDS and not re.fullmatch(APPLY, t)]
            rest = re.sub(APPLY + r"|[吗呢啊了]", "", goal.group(1))
            goal_words = tuple(words or ([rest] if rest else []))
        return _Asked(subject, negated, rare, fold(query.expanded), [fold(x) for x in self._quoted(query)],
                      self._counted(query.text), self._rates(query.text) - {"比率", "效率", "频率"},
                      self._unknown_kinds(query.text, subject), goal_words, tuple(asking_rare))

    def _match(self, query: Query, asked: "_Asked", items: list[SupportItem], wanted: tuple[str, ...],
               defined: bool = False) -> list[SupportItem]:
        if query.figure_unit and query.figure_unit not in ("元", "万元", "亿元"):
            # 多少座 asks for 座, not for the 家 of another clause; 多少人 for people (人, 名), not 项.
            wanted = ("人", "名") if query.figure_unit in ("人", "名") else (query.figure_unit,)
        subject, negated, rare, wording, quoted, counted = (asked.subject, asked.negated, asked.rare, asked.wording,
                                                            asked.quoted, asked.counted)
        matched: list[tuple[SupportItem, bool, float]] = []
        for it in items:
            if (own := variant_tier(query.text, it.condition)) != it.condition:
                it = replace(it, condition=own)  # the asker's tier of a threshold (25%（超过100人的…15%）)
            if counted and any(f.unit in COUNT_UNITS for f in it.figures) \
                    and not any(contains(fold(figure_clauses(it)), a) for a in counted):
                continue  # 多少个城市 is answered by a count of 城市, not by 100个…品牌
            # A threshold in the condition answers too (达到在职职工人数25%的), when the condition
            # itself names the subject: it is a figure of the condition, not of the grant.
            by_condition = bool(wanted and it.figures and not any(f.unit in wanted for f in it.figures))
            if by_condition and not any(f.unit in wanted for f in parse_figures(it.condition)):
                continue
            r = self.index.by_id.get(it.record_id)
            cond = without_basis(fold(it.condition))
            listed = self._defined(it.doc_id, cond) if defined else ""
            cond += listed
            if by_condition and not any(contains(cond, t) for t in rare):
                continue
            # The document's title scopes every clause of it (个人所得税专项附加扣除暂行办法: each
            # article is about 个人所得税 without saying so).
            doc_title = self._title_topic(it.doc_id)
            near = without_basis(fold(it.quote + it.context + (r.title or "" if r else "") + (r.section_title or "" if r else "") + doc_title))
            if defined:
                listed += self._defined(it.doc_id, near)
                near += listed
            if asked.goal and not any(contains(cond + near, w) for w in asked.goal):
                continue  # 积2分 says nothing of the score 落户 needs
            if asked.asking_rare and not any(contains(cond + near, a) for t in asked.asking_rare for a in spellings(t)):
                continue  # found through the story alone
            if query.numbers and r is not None and not self._numbers_present(query, r.text + (r.section_title or "")) \
                    and not compared(query.text, r.text):
                continue
            if query.tiers and not self._tiers_agree(query.tiers, cond + fold(it.quote)):
                continue
            if any(affirms(cond, t) for t in negated):
                continue  # a clause for what the asker says they are not (a 非独生子女 clause is not one)
            if any(qualified_otherwise(cond, a, b) for a, b in asked.kinds):
                continue  # 自主创业 is not the 合伙创业 asked about
            if not bounds_agree(query.text, cond):
                continue  # 不到100万 asks the other tier than 超过100万的城市
            if is_support(it) and other_kind(query.text, it.condition):
                continue  # a grant to 低碳机器人装备企业 is not for the 低碳低空经济终端企业 asked about
            if _OF_KIN.search(fold(it.condition)) and not re.search(_KIN, wording):
                continue  # 纳税人的子女接受学历教育 is the child's schooling, not the asker's own (我在职读博士)
            if quoted and any(x not in fold(it.quote) and x != fold(r.title or "" if r else "") for x in quoted):
                continue  # the question quotes words (“不低于”) the clause must use
            if not subject:
                matched.append((it, True, 1.0))
                continue
            # The clause must name the subject's rarest word, or the question must name its condition
            # as written: an enterprise telling what it makes (做工业无人机) asks about the status it
            # names (省级新经济示范企业), word for word the condition's.
            # (a member a term's definition lists is matched as written: 大学 of 大学本科 is one)
            # A condition whose head is an organisation of its own kind (新认定的柔性工业设计部件企业) is
            # about that kind: the subject named only in another clause of its sentence (支持…循环康养服务
            # 基地…等企业落地，对…) is another subject; its own clause and the titles still name it.
            around = near
            if re.search(f"({_ORGANISATION})$", it.condition.strip(" ，,。；;")):
                around = without_basis(fold(it.quote + (r.title or "" if r else "") + (r.section_title or "" if r else "")
                                            + doc_title)) + listed
            named = bool(rare) and any(self._word_in(cond, a, wording) or self._word_in(around, a, wording)
                                       or contains(listed, a) for t in rare for a in spellings(t))
            by_status = not named and names_status(fold(query.text), cond)
            if not named and not by_status:
                continue
            cov = self.evidence.coverage(subject, cond + near)
            if cov >= self.settings.min_evidence:
                # The clause that states the figure names its subject as its condition does
                # (…放宽至参保1年以上: 参保 is what the 1年 is about).
                own = without_basis(fold(figure_clauses(it)))
                matched.append((it, by_status or any(contains(cond, t) or contains(own, t) for t in rare), cov))
        # A rate the question names (利率, 数控化率) is a figure only a clause naming that rate (or its
        # other name: 增长率, 增速) gives: 扣除标准的100% is no 利率.
        for rate in asked.rates:
            names = next((g for g in QUANTITIES if rate in g), (rate,))
            matched = [m for m in matched if any(w in fold(m[0].quote + m[0].context) for w in names)]
        # The quantity the question names (占…比重, not 年均增速): a clause that states another
        # quantity is another figure of the same subject, when some clause is left.
        asked = [g for g in QUANTITIES if any(w in query.text for w in g)]
        if asked and len(matched) > 1:
            other = [g for g in QUANTITIES if g not in asked]
            kept = [m for m in matched if not any(w in fold(m[0].quote) for g in other for w in g)]
            matched = kept or matched
        # An individual is not an enterprise: when the question says which it asks for (我想自己创业,
        # 个人最多能贷 vs 我们公司), a clause granting the other kind of beneficiary is another subject.
        asker = _beneficiary(query.text, _ASKER_PERSON)
        if asker and len(matched) > 1:
            same = [m for m in matched if _beneficiary(m[0].condition, _PERSON) in (asker, None)]
            matched = same or matched
        # A city the question names is in the tier naming its category (北京 → 直辖市、省会…城市).
        cities = city_categories(query.text)
        if cities and len(matched) > 1:
            matched = [m for m in matched if any(c in fold(m[0].condition) for _, c in cities)] or matched
        # A question for the cap (最多, 上限, 封顶) is answered by the clauses that state one, when any does.
        # (怎么扣？最多扣多少？ asks how it is counted too: every figure of the subject.)
        if re.search(_CAP_ASK, query.text) and not re.search(_HOW_COUNTED, query.text) and len(matched) > 1:
            def caps(m) -> bool:
                return any(f.qualifier in CAP_QUALIFIERS for f in m[0].figures)
            if len(query.tiers) > 1:
                # Several tiers asked (独生子女和非独生子女…最多): each tier's cap, or its figure when it has none.
                matched = [m for m in matched if caps(m) or not any(caps(o) for o in matched if o[0].condition == m[0].condition)]
            else:
                matched = [m for m in matched if caps(m)] or matched
        # The subject named in a condition beats a subject only mentioned around the clause, and
        # among conditions, those naming the subject most completely are the answer; the others
        # name another subject (生产性服务业年均增长 is not 新经济增加值年均增速).
        if any(in_cond for _, in_cond, _ in matched):
            every, matched = matched, [m for m in matched if m[1]]
            terms_in = {id(it): frozenset(t for t in subject if contains(fold(it.condition + it.quote), t)) for it, _, _ in matched}
            cov = {id(it): self.evidence.coverage(subject, it.condition + it.quote) for it, _, _ in matched}
            best = max(cov.values(), default=0.0)
            # The distinct term sets are few (subsets of the subject's words): compare those, not every pair.
            sets = set(terms_in.values())
            maximal = {x for x in sets if not any(x < o for o in sets)}
            kept = [m for m in matched if cov[id(m[0])] >= best - 0.2 and terms_in[id(m[0])] in maximal]
            if re.search(_HOW_COUNTED, query.text):
                # How it is counted: the kept clauses' sentences state it whole (…超过15000元的部分，由
                # 纳税人…在80000元限额内据实扣除).
                said = {m[0].context for m in kept}
                kept = [m for m in every if m in kept or m[0].context in said]
            matched = kept
        return [it for it, _, _ in matched]

    def _all_title_topics(self) -> str:
        """Every document's title topic, one per line (one substring search instead of one per document)."""
        if self._titles_joined is None:
            self._titles_joined = "\n".join(self._title_topic(d) for d in self.index.documents)
        return self._titles_joined

    def _title_topic(self, doc_id: str) -> str:
        """A document's title less the words that say what kind of document it is (实施意见, 暂行办法,
        关于, 加快): what every clause of it is about."""
        if doc_id not in self._title_topics:
            from .query import _GENERIC_TITLE_WORDS

            title = fold((self.index.documents.get(doc_id) or {}).get("title") or "")
            for w in sorted(_GENERIC_TITLE_WORDS, key=len, reverse=True):
                title = title.replace(w, " ")
            self._title_topics[doc_id] = title
        return self._title_topics[doc_id]

    def _word_in(self, text: str, term: str, question: str) -> bool:
        """`term` is in `text` as the word the question means: not only inside a longer word of the
        text that adds a word of its own the question does not use (商业 of 商业银行 for a question
        about 商业健康保险; 保险 of 保险费 adds no word, 费, and still means it)."""
        if not contains(text, term):
            return False
        spans = self._spans(text)
        for m in re.finditer(re.escape(term), text):
            word = next((w for a, b, w in spans if a <= m.start() and m.end() <= b), term)
            rest = word.replace(term, "", 1)
            if len(rest) < 2 or word in question or rest in question:
                return True
        return False

    def _spans(self, text: str) -> list[tuple[int, int, str]]:
        """The words of a text (the index's segmentation) with their offsets, cached by text."""
        cached = self._span_cache.get(text)
        if cached is None:
            cached, pos = [], 0
            for w in self.index.terms._jieba.lcut(text):
                cached.append((pos, pos + len(w), w))
                pos += len(w)
            if len(self._span_cache) > 20000:
                self._span_cache.clear()
            self._span_cache[text] = cached
        return cached

    def _counted(self, question: str) -> tuple[str, ...]:
        """What a 多少个/几家… question counts: the last noun after the measure word (多少个有影响力的
        体育赛事城市 → 城市; 多少家企业获得奖励 → 企业), with its parts the documents use."""
        m = re.search(r"(?:多少|几)(?:个(?!月)|家|座|项|所|条|名|批)([^，,。？?；;！!]{1,30})", fold(question))
        if not m:
            return ()
        nouns = [t for t in self.terms(m.group(1)) if t not in BENEFIT_WORDS and self._nominal(t)]
        if not nouns:
            return ()
        head = nouns[-1]
        return (head, *self._word_parts(head)[-1:])

    def _rates(self, question: str) -> set[str]:
        """The rates a question names, as words (利率, 数控化率, 普及率)."""
        toks = self.index.terms._jieba.lcut(fold(question))
        return {t if len(t) > 1 else toks[i - 1] + t for i, t in enumerate(toks)
                if t.endswith("率") and (len(t) > 1 or (i > 0 and re.fullmatch(r"[\u4e00-\u9fff]+", toks[i - 1])))}

    def _negated(self, question: str) -> list[str]:
        """Terms the question denies (不是省会, 并非…, 不属于…), up to the next 也/但/的/comma."""
        return [t for m in NEGATED.finditer(fold(question)) for t in self.terms(m.group(1))]

    def _official(self, query: Query) -> list[str]:
        """The words of an official name the asker gives in brackets (读在职研究生（学历继续教育）):
        the name the documents would use, so the subject an item must name."""
        words: list[str] = []
        for gloss in re.findall(r"[（(]([\u4e00-\u9fff]{2,12})[）)]", fold(query.text)):
            parts = self.terms(gloss)
            if parts and all(self.evidence.df(w) > 0 for w in parts):
                words += [w for w in parts if w not in words]
        return words

    def _defined(self, doc_id: str, text: str) -> str:
        """The definitions a document gives of the terms a text uses (学历教育包括义务教育（小学、初中教育）…;
        本办法所称主要工作城市是指…): a term covers what its definition lists."""
        if doc_id not in self._definitions:
            found: dict[str, str] = {}
            for r in self.index.records_of(doc_id):
                for sentence in sentences(fold(r.text)):
                    m = DEFINITION.match(sentence.strip())
                    if m:
                        found.setdefault(m.group("term"), m.group("body"))
            self._definitions[doc_id] = found
        return "".join(body for term, body in self._definitions[doc_id].items() if term in text)

    def _quoted(self, query: Query) -> list[str]:
        """Quoted words the source must hold, less those that name a document (临港“双特”政策)."""
        titles = fold("".join(d.get("title") or "" for d in self.index.documents.values()))
        return [x for x in query.quoted if fold(x) not in titles]

    @staticmethod
    def _tiers_agree(asked: tuple[str, ...], text: str) -> bool:
        """A condition naming a tier of the same kind (省级 vs 国家级, 首次 vs 复核) is another subject."""
        from .query import TIERS

        first = {"首次", "第一次", "新认定"}
        same = {"第一次": "首次"}  # two ways to write one tier
        for pattern in TIERS:
            ask = [same.get(t, t) for t in asked if re.fullmatch(pattern, t)]
            # 不是X is written 非X where the tier has that form (不是独生子女 → 非独生子女).
            ask = ["非" + a[2:] if a.startswith("不是") and re.fullmatch(pattern, "非" + a[2:]) else a for a in ask]
            have = [same.get(m.group(0), m.group(0)) for m in re.finditer(pattern, text)]
            if ask and "首次" in pattern and any(a.startswith(("非", "不是")) for a in ask):
                ask = [a for a in ask if not a.startswith(("非", "不是"))] or ["复核"]  # 不是第一次 = a renewal
                ask = [a for a in ask if a not in first] or ["复核"]
            if ask and have and not any(_alike(a, h) for a in ask for h in have):
                return False
        return True

    def _elsewhere(self, q: str, kind: str) -> Answer | None:
        """A not-found answer when the question is about a place no document covers."""
        places = self.unknown_places(q)
        if places and not self.national_only(q):
            return self._not_found(q, f"已收录的文件没有关于{'、'.join(places)}的规定。", kind)
        return None

    def _amount_answer(self, q: str, ret: Retrieval, records: list[Record] | None = None) -> Answer:
        query = ret.query
        subject = self._subject(q)
        hits = ret.hits
        if records is None and (elsewhere := self._elsewhere(q, "amount")):
            return elsewhere
        if records is None and (docs := self._every_support_of(q, subject, ret)):
            every = [it for d in docs for r in self.index.records_of(d) for it in self._items_of.get(r.record_id, [])
                     if is_support(it) and it.figures]
            if every:
                return self._items_answer(q, every)
            names = "、".join(self._doc_name(self.index.records_of(d)[0]) for d in docs if self.index.records_of(d))
            return self._not_found(q, f"{names}没有写明具体金额的支持项目。", "amount")
        # A question quoting the documents' own words (用“不低于”表述的指标) is about them, whatever
        # words it uses for the wording itself (硬性表述).
        quotes_text = any(self.evidence.df(fold(x)) > 0 for x in self._quoted(query))
        if records is None and subject and not quotes_text and self.asked_unknown_share(q, subject) >= 0.5:
            return self._not_found(q, "未在已收录的文件中找到与该问题对应的金额、比例或指标。", "amount",
                                   near=[h.record for h in hits[:3]])
        pool = records if records is not None else []
        subject = self._without_doc_words(subject, query)
        # A verb of the asker's story that the best passages do not use (开始算, 报完) is incidental:
        # it does not decide the subject, though it is rare. Names always do (高新技术企业).
        seen = fold("".join(h.record.text + (h.record.title or "") for h in hits[:3]))
        incidental = frozenset(t for t in subject if not self._nominal(t) and not contains(seen, t))
        scope = ret.scope or self.national_only(q)  # 苏州: only the State Council's documents speak for it
        items = self._match_items(query, subject, self._items_for(pool, scope, query, hits, subject), incidental)
        with_figures = [it for it in items if it.figures]
        if with_figures:
            # Say so when the tier was chosen by a city's category, which the text does not state.
            placed = [f"{city}属{cat}" for city, cat in city_categories(query.text)
                      if all(cat in fold(it.condition) for it in with_figures)]
            return self._items_answer(q, with_figures, "，".join(placed))
        kinds = self._unknown_kinds(q, subject)
        near = hits if records is None else [Hit(r, 1.0, "measure_ref") for r in pool]
        mention = self._mention([b for _, b in kinds] or subject, [], near) if kinds else None
        if mention:
            # The asked kind (合伙创业) is the reason, not the word the documents use (创业).
            term, r = mention
            a = next(a for a, b in kinds if b == term)
            cite = Citation.from_record(r, next((s for s in sentences(r.text) if term in fold(s)), r.text))
            return self._not_found(q, f"文件在{self._ref(r)}提到了“{term}”，但没有关于“{a}{term}”的规定。", "amount",
                                   near=[r], mentions=[cite])
        mention = self._mention(subject, items, near)
        if mention:
            term, r = mention
            cite = Citation.from_record(r, next((s for s in sentences(r.text) if term in fold(s)), r.text))
            what = "具体金额" if query.figure_kind in (None, "money") else "具体数值"
            return self._not_found(q, f"文件在{self._ref(r)}提到了“{term}”，但没有规定与问题对应的{what}。", "amount",
                                   near=[r], mentions=[cite])
        return self._not_found(q, "未在已收录的文件中找到与该问题对应的金额、比例或指标。", "amount",
                               near=[h.record for h in hits[:3]])

    def _unknown_kinds(self, question: str, subject: list[str]) -> tuple[tuple[str, str], ...]:
        """Kinds of the subject no document writes: a noun of the language's dictionary that the
        library never uses, right before a noun of the subject that it does use (合伙+创业)."""
        import jieba.posseg

        from .query import expand

        # Tagged by the general dictionary: not a run of the documents' vocabulary (员工超过).
        tags = jieba.posseg.dt.word_tag_tab
        tagged = [(w, f) for w, f in self._pos(fold(expand(question))) if w.strip()]
        words = [w for w, _ in tagged]
        # A noun counted or done before it (开个小店创业, 开一家网店创业) is what the asker does, not a kind.
        done = {i for i in range(1, len(tagged)) if tagged[i - 1][1][:1] in "vmq"}
        return tuple((a, b) for i, (a, b) in enumerate(zip(words, words[1:]))
                     if len(a) >= 2 and tags.get(a, "")[:1] == "n" and tags.get(b, "")[:1] == "n" and b in subject
                     and a not in QUESTION_WORDS and a not in EVERYDAY_WORDS and i not in done
                     and self.evidence.df(a) == 0 and self.evidence.df(b) > 0)

    def _every_support_of(self, q: str, subject: list[str], ret: Retrieval) -> tuple[str, ...]:
        """The documents whose every support item with a figure answers the question: one that names
        no subject but asks which supports there are and how much each (写明了金额的资金支持有哪几项？
        各多少), as the 惠企政策 table lists them; the document is the one named or chosen, or the
        library's only one."""
        named = [t for t in subject if not any(t in w for w in ret.query.doc_words)]  # 临港 of 临港政策 is scope
        if any(self.evidence.df(t) > 0 for t in named) or not re.search(SEVERAL, q):
            return ()
        return ret.scope or (tuple(self.index.documents) if len(self.index.documents) == 1 else ())

    def _mention(self, subject: list[str], items: list[SupportItem], hits: list[Hit]) -> tuple[str, Record] | None:
        """Where the documents mention the question's subject without a figure for it."""
        for it in items:  # a benefit granted without an amount (给予职业培训补贴，标准…确定)
            r = self.index.by_id.get(it.record_id)
            if r:
                term = next((t for t in self.evidence.rarest(subject) if t in fold(it.context + r.text)), "")
                return term or it.condition, r
        for t in sorted(self.evidence.rarest(subject), key=len, reverse=True):
            for h in hits:
                if contains(fold(h.record.text), t) and h.record.kind == "measure":
                    return t, h.record
        return None

    def _items_answer(self, q: str, items: list[SupportItem], note: str = "") -> Answer:
        """Every matching item, grouped by document and measure, each citing its measure; a note on
        how the tier was chosen comes first."""
        by_record: dict[str, list[SupportItem]] = {}
        # A clause quoted inside another matched item's quote (a grant and, with it, its cap) is shown once.
        items = [it for it in items if not any(o is not it and o.record_id == it.record_id and it.quote in o.quote
                                               and len(o.quote) > len(it.quote) for o in items)]
        for it in items:
            by_record.setdefault(it.record_id, []).append(it)
        docs = list(dict.fromkeys(it.doc_id for it in items))
        lines, cites = [], []
        single = len(by_record) == 1 and len(items) == 1
        for rid, its in by_record.items():
            r = self.index.by_id[rid]
            stated = [self._item_text(it, r.text) for it in its]
            if single:
                lines.append(f"根据{self._ref(r)}：{stated[0]}")
            else:
                lines.append(f"{self._ref(r)}：")
                lines += [f"- {s}" for s in stated]
            quotes = ((f"{y}……" if (y := target_year(it, r.text)) else "") + it.quote for it in its)
            cites.append(Citation.from_record(r, "……".join(dict.fromkeys(quotes))))
        if not single:
            head = f"共{len(items)}项" + (f"，分布在{len(docs)}份文件中" if len(docs) > 1 else "") + "："
            lines.insert(0, head)
        if note:
            lines.insert(0, f"（{note}。）")
        return Answer(q, "\n".join(lines), True, cites, kind="amount", extra={"items": [it.to_dict() for it in items]})

    @staticmethod
    def _item_text(it: SupportItem, passage: str = "") -> str:
        """The item as the document says it: the clause itself when it states only this item's
        figures, else its condition and its own figure (an aligned pair of a 分别 list); a target
        with the year its sentence or passage sets it for."""
        own = {f.text for f in it.figures}
        # A figure the condition itself states (分摊每月2000元的…, capped at 1000元) is no other item's.
        others = [m.group(0) for m in re.finditer(r"\d+(?:\.\d+)?\s*(?:万亿元|亿元|万元|元|%|个百分点)", it.quote)
                  if m.group(0) not in own and m.group(0) not in it.condition]
        when = f"{year}，" if (year := target_year(it, passage)) else ""
        if not others:
            return when + it.quote + ("" if it.quote.endswith(("。", "；")) else "。")
        figs = "、".join(f"{f.qualifier}{f.text}" for f in it.figures)
        return f"{when}{it.condition}：{figs}（{it.kind}）。"

    # --- lists and topics ------------------------------------------------------------------------

    def _list_answer(self, q: str, ret: Retrieval) -> Answer:
        """A ranked list of the measures about the question's topic, across documents."""
        query = ret.query
        if re.search(PARTS_OF, q) and (outline := self._outline_answer(q, ret)):
            return outline
        # The words naming the document (临港“双特”意见) are its scope, not the topic listed.
        topic = self._without_doc_words([t for t in self.terms(q) if t not in BENEFIT_WORDS], query)
        if elsewhere := self._elsewhere(q, "list"):
            return elsewhere
        # Which items state a figure or date the question writes: those stating it are the answer, whatever
        # else the question says (…只在2019年1月1日到12月31日这一年执行); not which cities a clause with
        # that figure names (按每月1500元扣的…哪些城市).
        if (stated := stated_figures(q)) and re.search(r"哪(?:几|些|一)?(?:项|条|款|处|政策|措施|规定|内容)", q):
            if figures := self._figure_list_answer(q, stated, topic, ret):
                return figures
        if topic and self.unknown_share(topic) > 0.5:
            return self._not_found(q, "未在已收录的文件中找到与该问题相关的措施。", "list", near=[h.record for h in ret.hits[:3]])
        candidates = hybrid(self.index, query.expanded, ret.scope or self.national_only(q), 40)
        known = [t for t in topic if self.evidence.df(t) > 0]
        scored = []
        for h in candidates:
            r = h.record
            if r.kind != "measure" or not self._numbers_present(query, r.text):
                continue
            cov = self.evidence.coverage(known, spelled_out(r.text) + (r.section_title or "") + (r.title or "")) if known else 0.0
            scored.append((cov, h.score, r))
        # Relevant: names one of the question's topical words (a word few records use: 融资, 氢能 —
        # a list question's words are alternatives, 融资、贷款方面), or, when the question has none,
        # holds a good share of its words.
        topical = [t for t in known if self.evidence.df(t) <= max(2, TOPICAL_SHARE * self.evidence.n)]
        # A place the documents cover says where (北京冬奥会), not what: a topic only when alone.
        topical = [t for t in topical if not self._place(t)] or topical
        if topical:
            limit = max(2, TOPICAL_SHARE * self.evidence.n)
            scored = [x for x in scored if any(self._names_topic(fold(spelled_out(x[2].text + (x[2].title or ""))), t, limit) for t in topical)]
        else:
            top = max((c for c, _, _ in scored), default=0.0)
            scored = [x for x in scored if x[0] >= max(1 / 3, top - 0.34)]
        seen, rows = set(), []
        for cov, score, r in sorted(scored, key=lambda x: (-x[0], -x[1])):
            if r.measure_key in seen:
                continue
            seen.add(r.measure_key)
            rows.append(r)
        rows = rows[:LIST_CAP]
        if not rows:
            return self._topic_answer(q, ret)
        named = [t for t in sorted(known, key=self.evidence.idf, reverse=True) if any(contains(fold(r.text), t) for r in rows)]
        about = "、".join(named[:2]) or "该问题"
        docs = list(dict.fromkeys(r.doc_id for r in rows))
        lines = [f"关于“{about}”，找到{len(rows)}条相关措施" + (f"（{len(docs)}份文件）" if len(docs) > 1 else "") + "："]
        cites = []
        # A measure found by a compound's parts shows the sentence holding them (北斗 for 北斗导航).
        key_terms = topic + [p for t in topical for p in [*self._word_parts(t), *ENERGY_FORMS.get(t, ())] if p not in topic]
        for r in rows:
            key = self._key_sentence(key_terms, r)
            lines.append(f"- {self._ref(r)}：{key}")
            cites.append(Citation.from_record(r, key))
        return Answer(q, "\n".join(lines), True, cites, kind="list")

    def _figure_list_answer(self, q: str, stated: list[str], topic: list[str], ret: Retrieval) -> Answer | None:
        """Which measures state a figure or date the question writes (标准是每月1000元的有哪几项,
        哪些政策执行到2020年12月31日): every measure in scope that states all of them, among the
        documents the question's topic words are about when they name some; None when none states them."""
        scope = ret.scope or self.national_only(q)
        # Candidates by one search of the folded texts for the rarest piece (a date's 月日 part, which a
        # range writes even when it leaves the year to its start), then each read whole.
        pieces = [re.sub(r"^\d{4}年", "", w) for w in stated]
        candidates = self.evidence.records_containing(min(pieces, key=self.evidence.df))
        rows = [r for r in candidates if r.kind == "measure" and in_scope(r, scope)
                and all(w in with_years(fold(r.text)) for w in stated)]
        known = [t for t in topic if self.evidence.df(t) > 0]
        if known and len({r.doc_id for r in rows}) > 1:
            cov = {r.doc_id: self.evidence.coverage(known, r.text + (r.title or "") + self._title_topic(r.doc_id)) for r in rows}
            best = max(cov.values())
            rows = [r for r in rows if cov[r.doc_id] >= best - 1e-9]
        if not rows:
            return None  # no measure states it: the question is read for its topic
        seen, out = set(), []
        for r in rows:
            if r.measure_key not in seen:
                seen.add(r.measure_key)
                out.append(r)
        # 涉及, not 写明: a range may state the date without its year (2019年1月1日至12月31日).
        lines = [f"涉及“{'、'.join(stated)}”的有{len(out)}处："]
        cites = []
        for r in out:
            key = next((x for x in sentences(self._body(r)) if all(w in with_years(fold(x)) for w in stated)), r.text[:80])
            lines.append(f"- {self._ref(r)}：{key}")
            cites.append(Citation.from_record(r, key))
        return Answer(q, "\n".join(lines), True, cites, kind="list")

    def _outline_answer(self, q: str, ret: Retrieval) -> Answer | None:
        """Which aspects a section sets out (发展目标从哪几个方面展开): the lead clause of each of its
        paragraphs (新技术加速突破, 新制造加速培育 …), those holding a word the question quotes (“新”)
        when some do. Only for a section the question is about (its best hit) with several paragraphs."""
        top = ret.hits[0].record if ret.hits else None
        if top is None or top.kind != "section":
            return None
        paragraphs = [p.strip() for p in top.text.split("\n")[1:] if p.strip()]
        leads = [re.split(r"[，,。；;]", p, maxsplit=1)[0] for p in paragraphs]
        leads = [x for x in leads if not re.fullmatch(r"(到|至)?\s*\d{4}\s*年(底|末)?", x.strip())]  # a date names no aspect
        quoted = [fold(x) for x in ret.query.quoted]
        leads = [x for x in leads if any(w in fold(x) for w in quoted)] or leads if quoted else leads
        if len(leads) < 2:
            return None
        lines = [f"{self._ref(top)}分{len(leads)}个方面："] + [f"- {x}" for x in leads]
        return Answer(q, "\n".join(lines), True, [Citation.from_record(top, "……".join(leads))], kind="list")

    def _word_parts(self, term: str) -> list[str]:
        """The words inside a compound that the documents use (北斗导航 → 北斗, 导航)."""
        return [p for p in self.index.terms.tokens(term) if p != term and len(p) >= 2 and self.evidence.df(p) > 0]

    def _names_topic(self, text: str, term: str, limit: float) -> bool:
        """The text is about the topic word: it uses it, or all of its parts in one sentence
        (新能源与智能汽车 for 新能源汽车), or its leading part when that is a topic word itself: a
        compound's first part says which kind (北斗 of 北斗导航), its last what it is (导航)."""
        if contains(text, term) or any(contains(text, f) for f in ENERGY_FORMS.get(term, ())):
            return True
        parts = self._word_parts(term)
        if not parts:
            return False
        if any(all(contains(s, p) for p in parts) for s in sentences(text)):
            return True
        lead = max((p for p in parts if term.startswith(p)), key=len, default="")
        return bool(lead) and self.evidence.df(lead) <= limit and contains(text, lead)

    def _mention_answer(self, q: str, ret: Retrieval) -> Answer:
        """文件里有没有提到X？ Where the documents mention the question's subject, or that they do not.

        The subject's rarest term the corpus knows must be in the measure; words the corpus never
        uses (小厂, 沾边) are the asker's phrasing and do not count against it.
        """
        if elsewhere := self._elsewhere(q, "mention"):
            return elsewhere
        subject = [t for t in self.terms(q) if t not in BENEFIT_WORDS]
        known = [t for t in subject if self.evidence.df(t) > 0]
        scored = []
        national = self.national_only(q)
        for h in ret.hits:
            r = h.record
            if r.kind not in ("measure", "section") or (national and r.doc_id not in national):
                continue
            cov = self.evidence.coverage(known, r.text + (r.title or "") + (r.section_title or ""))
            scored.append((cov, h.score, r))
        best = max((c for c, _, _ in scored), default=0.0)
        found: list[Record] = []
        # Where the asker's subject is named: the measures that hold most of its known words.
        for cov, _, r in sorted(scored, key=lambda x: (-x[0], -x[1])):
            if cov >= max(self.settings.min_evidence / 2, best - 0.2) and r.measure_key not in {x.measure_key for x in found}:
                found.append(r)
        rare = [t for t in self.evidence.rarest(known)] or known
        if not found:
            return self._not_found(q, "已收录的文件没有提到与此相关的内容。", "mention", near=[h.record for h in ret.hits[:3]])
        found = found[:3]
        shown = [t for t in known if any(contains(fold(r.text), t) for r in found)]
        about = "、".join(sorted(shown, key=self.evidence.idf, reverse=True)[:2])
        lines = [f"文件在{len(found)}处提到了“{about}”：" if len(found) > 1 else f"文件提到了“{about}”："]
        cites = []
        for r in found:
            key = self._key_sentence(rare, r)
            lines.append(f"- {self._ref(r)}：{key}")
            cites.append(Citation.from_record(r, key))
        return Answer(q, "\n".join(lines), True, cites, kind="mention")

    def _key_sentence(self, terms: list[str], r: Record) -> str:
        """The sentence of a measure that says most about the terms, or its support item."""
        items = [it for it in self._items_of.get(r.record_id, []) if it.figures and is_support(it)]
        ss = [s for s in sentences(self._body(r)) if not re.match(r"^[（(](责任单位|牵头单位)", fold(s))]
        if items and any(contains(fold(items[0].context), t) for t in terms):
            return self._item_text(items[0])
        if not ss:
            return r.title or r.text[:80]
        score = [sum(self.evidence.idf(t) for t in terms if contains(fold(spelled_out(s)), t)) for s in ss]
        return ss[max(range(len(ss)), key=lambda i: (score[i], -i))]

    def _topic_answer(self, q: str, ret: Retrieval) -> Answer:
        query = ret.query
        terms = self.terms(q)
        hits = ret.hits
        if not hits:
            return self._not_found(q, "未在已收录的文件中找到相关内容。", query.intent)
        top = self._supported(query, terms, hits, ret.scope)
        if top is None:
            return self._not_found(q, "未在已收录的文件中找到与该问题直接相关的规定。", query.intent,
                                   near=[h.record for h in hits[:3]])
        # 在哪个App上填报？ asks which of a kind of thing: documents that never name such a thing do not say.
        asked = self.asked_for(q)
        if self.names_none_of(asked):
            cite = Citation.from_record(top, top.title or top.text[:80])
            return self._not_found(q, f"{self._ref(top)}涉及这一内容，但文件没有提到{'、'.join(asked)}。",
                                   query.intent, near=[top], mentions=[cite])
        missing = next((a for a in query.aspects if not re.search(ASPECT_EVIDENCE[a], fold(top.text))), None)
        # 怎么报名 asks how to do that very thing: a text about 办赛程序 does not say how to 报名.
        how = re.search(r"(?:怎么|如何|怎样|咋)(报名|申请|申报|办理|领取|登记|参加|购买|预约|缴纳)", fold(q))
        if not missing and how and how.group(1) not in fold(top.text):
            missing = "procedure"
        if missing == "criteria" and re.search(r"补助|补贴|奖励|奖金|资金|贷款|贴息|扣除|返还|那笔|这笔", fold(q)):
            # The condition for receiving a benefit is the grant's own condition (对首次获得备案的四川省
            # 瞪羚企业，给予…): the clause granting it says who qualifies. (认定标准 of a title is not.)
            asked = [t for t in terms if t not in BENEFIT_WORDS and t not in ASPECT_WORDS]
            rare = self.evidence.rarest([t for t in asked if not any(t in x for x in query.tiers)] or asked)
            granted = [it for it in self._items_of.get(top.record_id, [])
                       if is_support(it) and any(contains(fold(it.condition), t) for t in rare)]
            if granted:
                it = granted[0]
                return Answer(q, f"根据{self._ref(top)}：{self._item_text(it)}适用条件：{it.condition}。", True,
                              [Citation.from_record(top, it.quote)], kind=query.intent)
        if missing:
            cite = Citation.from_record(top, top.title or top.text[:80])
            return self._not_found(q, f"{self._ref(top)}涉及这一内容，但文件没有规定{ASPECT_NAMES[missing]}。",
                                   query.intent, near=[top], mentions=[cite])
        if query.intent in ("lead_unit", "co_units") and top.kind == "measure":
            r = self._parts(top)[-1]
            if r.duty_status == "none":
                # No responsibility note, but the text may say who acts (…财政支付责任由临港地区管委会承担).
                quote = self._best_sentences(query, terms, top)
                cite = Citation.from_record(top, quote)
                said = ""
                if roles := read_text_duty(quote):
                    # Read as a note would be read (由A会同B制定: A leads, B supports), and cited so.
                    cite = replace(cite, lead_units=roles["lead"], co_units=roles["co"], listed_units=roles["listed"])
                    said = "（按条文：" + ("；".join(
                        f"{'、'.join(roles[k])}{verb}" for k, verb in (("lead", "牵头"), ("co", "配合"), ("listed", "负责"))
                        if roles[k])) + "）"
                return Answer(q, f"{self._ref(top)}：文件未列明责任单位；条文写明：{quote}{said}", True,
                              [cite], kind=query.intent)
            return Answer(q, f"{self._ref(top)}：{self._units_sentence(r, query.intent)}。", True,
                          [Citation.from_record(r, self._duty_quote(r))], kind=query.intent)
        quote = self._best_sentences(query, terms, top)
        return Answer(q, f"相关规定见{self._ref(top)}：{quote}", True, [Citation.from_record(top, quote)], kind=query.intent)

    def _supported(self, query: Query, terms: list[str], hits: list[Hit], scope: tuple[str, ...] = ()) -> Record | None:
        """The best hit that is on the question's topic, or None (refuse).

        On topic: most of the question's content is words the documents use (not 地铁, 停运), and the
        record holds enough of them, weighted by rarity (a share of the question, which does not
        drift as documents are added); or it is a close dense match holding half that share.
        """
        national = self.national_only(query.text)
        if self.asked_unknown_share(query.text, terms) > 0.5 or (not national and self.unknown_places(query.text)):
            return None
        if national:
            hits = [h for h in hits if h.record.doc_id in national]
            scope = scope or national
        best = self._best_supported(query, terms, hits[:3])
        asking = asking_sentences(query.text)
        if best is None and asking != fold(query.text):
            # A story told first (我户口在河南…厂里把我裁了。) is the asker's: the asking sentences'
            # words (在苏州办失业登记？去哪儿办？) must be covered, not the story's too.
            own = [t for t in self.terms(asking) if t in terms]
            if own and self.unknown_share(own) <= 0.5:
                best = self._best_supported(query, own, hits[:3])
        if best is None:
            # None of the top hits is on topic: the records holding the question's rarest word, when
            # few do, are, wherever rank fusion put them (一址多照 in one record of the library).
            seen = {h.record.record_id for h in hits[:3]}
            pinned = [Hit(r, 0.0, "term") for t in self.evidence.rarest(terms) if self.evidence.df(t) <= PINNING_DF
                      for r in self.evidence.records_with(t) if in_scope(r, scope) and r.record_id not in seen]
            best = self._best_supported(query, terms, pinned)
        return best

    def _best_supported(self, query: Query, terms: list[str], hits: list[Hit]) -> Record | None:
        on_topic = []
        for h in hits:
            r = h.record
            text = r.text + (r.section_title or "") + (r.title or "")
            cov = self.evidence.coverage(terms, text)
            close = h.dense is not None and h.dense >= self.settings.min_dense and cov >= self.settings.min_evidence / 2
            if (cov >= self.settings.min_evidence or close) and (self._numbers_present(query, text) or compared(query.text, text)):
                on_topic.append((round(cov, 2), h.score, r))
        if not on_topic:
            return None
        # Among records about as much on the topic as the best, one stating what is asked (最长扣多久:
        # a period) comes first; a record less on the topic is not chosen for a date word it holds.
        top = max(c for c, _, _ in on_topic)
        near = [x for x in on_topic if x[0] >= top - 0.2]
        return max(near, key=lambda x: (all(re.search(ASPECT_EVIDENCE[a], fold(x[2].text)) for a in query.aspects),
                                        x[0], x[1]))[2]

    def _best_sentences(self, query: Query, terms: list[str], r: Record) -> str:
        """The sentence that matches the question best (numbers in the question count too), with the
        next one when it continues the same provision after a semicolon."""
        ss = [s for s in sentences(self._body(r)) if not re.match(r"^[（(](责任单位|牵头单位)", fold(s))]
        # A heading (二、发展目标) or the measure's own title sentence names the passage; it says
        # nothing the question asks, and the answer names the measure by its title anyway.
        title = fold(r.title or "").strip(" 。")
        ss = [s for s in ss if not re.fullmatch(r"[一二三四五六七八九十]+、\s*\S{1,20}", s.strip(" 。\n"))
              and not (title and fold(s).strip(" 。\n") == title)] or ss
        if not ss:
            return r.text
        score = [sum(self.evidence.idf(t) for t in terms if contains(fold(s), t)) + 5 * sum(contains(fold(s), n) for n in query.numbers)
                 + 5 * (bool(query.numbers) and compared(query.text, s))  # the range the asker's 19岁 is placed in
                 + 3 * sum(bool(re.search(ASPECT_EVIDENCE[a], fold(s))) for a in query.aspects) for s in ss]
        best = max(range(len(ss)), key=lambda i: (score[i], -i))
        keep = [best]
        if ss[best].endswith(("；", ";")) and best + 1 < len(ss):
            keep.append(best + 1)
        elif query.numbers and best > 0 and ss[best - 1].endswith(("；", ";")) and compared(query.text, ss[best - 1]):
            keep.append(best - 1)  # the range the asker's 20岁 is placed in, earlier in the same provision
        # Each aspect asked (交给谁？…保存多长时间？) is shown: the best sentence stating it joins the answer.
        for a in query.aspects:
            stating = [i for i in range(len(ss)) if re.search(ASPECT_EVIDENCE[a], fold(ss[i]))]
            if stating and not any(i in stating for i in keep):
                keep.append(max(stating, key=lambda i: (score[i], -i)))
        return "".join(ss[i] for i in sorted(keep))


@dataclass(frozen=True)
class _Asked:
    """An amount question as its clauses are matched: the subject, what it denies, its rarest words,
    its wording, quoted words, the thing it counts and the rates it names."""

    subject: list[str]
    negated: list[str]
    rare: list[str]
    wording: str
    quoted: list[str]
    counted: tuple[str, ...]
    rates: set[str]
    kinds: tuple[tuple[str, str], ...] = ()  # (合伙, 创业): a kind of the subject no document writes
    goal: tuple[str, ...] = ()  # 才能落户: what the asked threshold is for
    asking_rare: tuple[str, ...] = ()  # the asking sentence's rarest words, after a story told first


def _alike(asked: str, have: str) -> bool:
    """One tier written inside the other is that tier (新认定 in 新认定的), unless it is its denial
    (独生子女 in 非独生子女)."""
    return asked == have or ((asked in have or have in asked) and asked.startswith(DENIAL) == have.startswith(DENIAL))


def _replace(query: Query, **changes) -> Query:
    from dataclasses import replace

    return replace(query, **changes)


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
