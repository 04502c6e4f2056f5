"""The library's vocabulary as a question meets it: content terms, rarity, coverage, unknown words.

A question is about the things it names. Its content terms are its words less function words (by
part of speech) and the words that only say what kind of answer is wanted (QUESTION_WORDS); each
is weighed by how rarely the library's records use it (idf). A text covers a question by the
idf-weighted share of those terms it holds; a question whose things no document names (地铁, 停运;
a place no document covers) is not on the library's topic, however many documents are loaded.
Built once per opened index; no I/O beyond the index's own lookups.
"""
from __future__ import annotations

import functools
import math
import re

from .index import PolicyIndex
from .load import fold
from .query import EVERYDAY_WORDS, META_LABELS, PLACE_NAMES, joint_names
from .reading import asking_clauses, asking_sentences, uncrossed
from .records import Record

# Words that say what kind of answer is wanted, not what it is about: they are not evidence.
QUESTION_WORDS = frozenset("""
方面 这块 一块 问题 事情 情况 东西 地方 相关 有关
牵头 负责 单位 部门 配合 协助 协同 参与 责任 主责 由谁 多少 多少钱 金额 额度 目标 指标 达到 比例 比重 哪条 哪一条 条款
规定 什么 哪些 是否 可以 能够 请问 具体 提出 要求 表述 安排 部署 说法 怎么说 文件 政策 措施 意见 办法 通知 内容 涉及 意思 含义
写明 写到 列明 载明 明确 提到 提及 说到 讲到 哪些地方 有啥 啥
多长 多长时间 多久 时候 一般 上限 封顶 顶格 最高额 整体 总体 整个 全部 所有 角色 条目 钱 最长 最短
""".split())
# Words that name the benefit asked about, not who gets it: an amount question's subject is the rest.
BENEFIT_WORDS = frozenset("""
奖励 奖金 资金 支持 补助 补贴 资助 经费 扶持 奖补 获得 享受 拿到 得到 领取 申请 给予 一次性 多少 能拿 可以 最高 上限
标准 优惠 资金奖励 补贴资金 金额 钱 能 企业 公司 我们 我司 单位 一下 有没有 是不是 政策 支持政策 额度 万元
扣除 能扣 可扣 抵扣 减免 能领 能贷
""".split())
# Words that name the aspect asked for (what to bring, which conditions, how long), not the
# subject: 养犬登记需要带什么材料 is about 养犬登记, whatever 新材料产业 says.
ASPECT_WORDS = frozenset("材料 流程 手续 程序 条件 前提 标准 门槛 资格 期限 时限 日期 时间 地点 网点 窗口 渠道".split())
# Parts of speech that carry no topic: pronouns, numerals, measure words, adverbs, prepositions,
# conjunctions, particles, interjections, onomatopoeia, punctuation, locality and time words
# (jieba's tag set: 里面, 上面, 今年, 现在 say where or when the asker is, not what they ask about).
_FUNCTION_POS = set("rmqdpcuyeowft")
LOCALITY_WORDS = frozenset("以上 以下 以内 以外 之间 之内 之外 之前 之后 其中 中间 里面 上面 下面 前后 左右 内外 之上 之下 当中 期间".split())
# Characters that leave a word what it was: a plural (夫妻俩, 企业们, 等) or the predicate of the
# standing phrases 融资难、融资贵 (the thing is still 融资).
WHOLE_WORD_SUFFIXES = frozenset("俩们等难贵")
TOPICAL_SHARE = 0.1  # a word in at most this share of the records names a topic (氢能), not the library's theme
SAME_KIND = 0.955  # cosine of two names of one kind of thing (topic.Vocabulary.same_kind_written)


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


_MINISTRY = re.compile(r"^(国务院|国家|中华人民共和国|[\u4e00-\u9fff]{2,10}部(办公厅)?$|[\u4e00-\u9fff]{2,10}总局)")


def is_national(doc: dict) -> bool:
    """A document of the State Council or of a ministry of the central government: its title opens
    with the issuer's name (国务院关于…, 人力资源社会保障部办公厅关于…) or its signature is such a body
    with no place in its name."""
    title = fold(doc.get("title") or "")
    if title.startswith(("国务院", "国家")) or re.match(r"^[\u4e00-\u9fff]{2,10}部(办公厅)?关于", title):
        return True
    publisher = fold(doc.get("publisher") or "")
    return bool(publisher) and bool(_MINISTRY.match(publisher)) and not any(publisher.startswith(p) for p in PLACE_NAMES)


# A term no index term spells is counted record by record up to this many records; beyond, its
# count is estimated from the share of records read (exact for every library under ~1,000 records).
DF_EXACT_UP_TO = 1000


def _place_stem(name: str) -> str:
    """A place's name less its administrative kind (新疆自治区 → 新疆, 广西壮族自治区 → 广西壮族):
    a place written short (新疆自治区 for 新疆维吾尔自治区) is the place its documents name in full.
    A character no document holds when no stem of two characters is left."""
    stem = re.sub(r"(?:特别行政区|自治区|自治州|自治县|自治旗|省|市|县|区|州|旗|盟|镇|乡)$", "", name)
    return stem if len(stem) >= 2 and stem != name else "\u0000"


# （以下简称X）: X is short for what the clause says before the bracket (a name, with the verb that
# introduces it at most: 本市建立预付卡服务系统（以下简称服务系统）).
_ABBREVIATION = re.compile(r"([^。；;，,：:\n（(]{2,60}?)\s*[（(]以下简称[：:]?\s*[“\"「]?([^）)”\"」，,]{1,15}?)[”\"」]?\s*[）)]")

# What opens the clause before it but is no part of the name: an article's or item's label, 本条例所称.
_LEADING_LABEL = re.compile(r"^(?:\s*(?:第[零〇一二两三四五六七八九十百\d]+条|[(（]?[零〇一二两三四五六七八九十\d]+[)）、.．]|本(?:条例|办法|规定|细则)?所称))+")


class Vocabulary:
    """The library's words as a question meets them: which of its words the documents use and how
    rarely (idf), how much of a question a text covers, and the question's content terms."""

    def __init__(self, index: PolicyIndex) -> None:
        self.index = index
        self.n = max(1, len(index.records))
        self._df: dict[str, int] = {}
        self._used: set[str] = set()  # terms some record holds, found without counting them (used)
        self._tagger = None
        self._tags: dict[str, tuple[tuple[str, str], ...]] = {}  # text → its part-of-speech tags (_pos)
        self._contractions: dict[str, list[str]] | None = None  # built on first use (contracted)
        self._national: tuple[str, ...] | None = None  # the library's State Council documents
        self._parts: dict[str, list[str]] = {}
        self._short: dict[str, tuple[tuple[str, str], ...]] = {}  # doc id → its abbreviations (defined_full_forms)
        self._near: dict[str, list[str]] | None = None  # the library's words by each one-character blank (misspelled)

    def df(self, term: str) -> int:
        """How many records hold `term`: from the BM25 lexicon (an inverted index) when it is one of
        its terms, otherwise by a containment scan of the records (a word no index term spells)."""
        if term not in self._df:
            token_df = self.index.doc_freq(term)  # the inverted index: records whose BM25 terms include it
            if token_df:
                self._df[term] = token_df
                return token_df
            count = self.index.text_scan().count(term, DF_EXACT_UP_TO)  # a number as a whole number (4岁 is not inside 24岁)
            self._df[term] = count
        return self._df[term]

    def used(self, term: str) -> bool:
        """Whether any record holds `term` (df > 0), without counting them: the containment scan
        stops at the first record that holds it (a common run of characters in 10,000 documents
        is found in a few microseconds instead of counted over 100,000 records)."""
        if term in self._df:
            return self._df[term] > 0
        if term in self._used:
            return True
        if self.index.doc_freq(term):
            return True
        if not self.index.text_scan().holds_any(term):
            self._df[term] = 0
            return False
        self._used.add(term)
        return True

    def records_with(self, term: str) -> list[Record]:
        """The records that hold `term`: from the inverted index, or, for a word that is no index
        term, by the same containment scan as df."""
        if self.index.doc_freq(term):
            return self.index.records_with_term(term)
        return self.records_containing(term)

    def records_containing(self, term: str) -> list[Record]:
        """The records whose folded text holds `term` anywhere, as a run of characters (1000元 is
        no index term)."""
        return [self.index.records[i] for i in self.index.text_scan().containing(term)]

    def idf(self, term: str) -> float:
        return math.log((self.n + 1) / (self.df(term) + 0.5))

    def coverage(self, terms: list[str], text: str) -> float:
        """The idf-weighted share of the terms the corpus knows that `text` contains (terms no
        document uses are judged apart, by Answerer.unknown_share)."""
        terms = [t for t in terms if self.used(t)]
        total = sum(self.idf(t) for t in terms)
        if total <= 0:
            return 0.0
        t = fold(text)
        return sum(self.idf(x) for x in terms if self.holds(t, x)) / total

    def holds(self, folded: str, term: str) -> bool:
        """The folded text holds the term, or every part of a compound term (学历继续教育: the text's
        学历（学位）继续教育; 资格证书: 职业资格…证书)."""
        if contains(folded, term):
            return True
        if len(term) < 4:
            return False
        if term not in self._parts:
            parts = self.word_parts(term) or self.sub_words(term)
            # Search segmentation gives overlapping pieces (资格证书 → 资格, 证书, 资格证): the text
            # holds the compound when it holds pieces that spell it end to end (资格 + 证书; 失业 +
            # 保险金, so 失业保险费 does not hold 失业保险金).
            self._parts[term] = _tiling(term, parts) or parts
        parts = self._parts[term]
        return len(parts) >= 2 and all(contains(folded, p) for p in parts)

    def rarest(self, terms: list[str]) -> list[str]:
        """The question's rarest terms that the corpus knows (ties kept)."""
        known = [t for t in terms if self.used(t)]
        if not known:
            return []
        top = max(self.idf(t) for t in known)
        return [t for t in known if self.idf(t) >= top - 1e-9]


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
            if not self.used(gloss) and any(not self.used(w) for w in words):
                out.append(gloss)
                question = question.replace(gloss, " ")
        question = joint_names(expand(question), lambda w: self.index.doc_freq(w) > 0)  # a word of theirs, not a run of characters
        for word, flag in self._compounds(self._pos(fold(question).lower())):
            # (a word the tagger calls a locality that the documents use rarely is a thing of theirs:
            # 初中 in 上初中, which jieba tags as 初+中)
            thing = flag[:1] == "f" and word not in LOCALITY_WORDS and 0 < self.df(word) <= max(2, TOPICAL_SHARE * self.n)
            if len(word) < 2 or (flag[:1] in _FUNCTION_POS and not thing) or word in QUESTION_WORDS or re.fullmatch(r"[\d.]+", word):
                continue
            if re.fullmatch(r"[能可会要][\u4e00-\u9fff]", word) and not self.used(word):
                continue  # 能扣, 能领, 可报: can + a verb, which the tagger guesses is a name; no thing asked
            if word in EVERYDAY_WORDS:
                # Its written form follows it in brackets (孩子（子女）): that one is the term, even where
                # some document writes the everyday word too (临港's 海外人才 is read as 境外人才).
                continue
            parts = [word]
            if not self.used(word):
                from .query import find_units

                # A unit's short name (经信厅) is the unit the library knows (经济和信息化厅).
                units = [u for u in find_units(word, self.index.units) if self.used(u)]
                known = units or uncrossed(word, [t for t in self.index.terms.tokens(word)
                                                   if len(t) >= 2 and t != word and self.used(t)])
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

    def misspelled(self, question: str) -> tuple[str, str] | None:
        """A word of the question that is a typing slip for a word of the library: (as asked, meant).

        Chinese is typed by pinyin, so the common slip is a homophone picked from the input
        method's list (瞪龄 for 瞪羚, 专精特心 for 专精特新). A run of the question's characters is
        taken for one when it differs from exactly one word of the library's own vocabulary in
        exactly one character, the two characters share a reading, and the run is neither written
        anywhere in the documents nor a word of the general dictionary (公式 is no slip for 公示),
        nor words run together (各是 is 各 + 是, no slip for 各市).
        Checked in tests/test_typos.py on slips in words of documents the rule was not written for.
        """
        q = fold(question)
        if self._near is None:
            self._near = {}
            for t in self.index.lexicon.vocab:
                if 2 <= len(t) <= 6 and re.fullmatch(r"[\u4e00-\u9fff]+", t):
                    for i in range(len(t)):
                        self._near.setdefault(t[:i] + "?" + t[i + 1:], []).append(t)
        import jieba

        # A slip is a word typed wrong, so it starts and ends where the question's words do (事有 in
        # 赛事有 is no word), and a two-character one is one word on its own (了家 is 了 + 家).
        spans = [(a, b) for _, a, b in jieba.tokenize(q)]
        starts, ends, words = {a for a, _ in spans}, {b for _, b in spans}, set(spans)
        for n in (6, 5, 4, 3, 2):  # the longest slip first: 专精特心 before 特心
            for start in range(len(q) - n + 1):
                run = q[start:start + n]
                if not re.fullmatch(r"[\u4e00-\u9fff]+", run) or start not in starts or start + n not in ends \
                        or (n == 2 and (start, start + n) not in words):
                    continue
                meant = {t for i in range(n) for t in self._near.get(run[:i] + "?" + run[i + 1:], ())
                         if t != run and _homophone(run, t)}
                if len(meant) != 1:
                    continue
                word = meant.pop()
                if word not in q and self.used(word) and not self.used(run) and not _general_word(run) \
                        and not _common_char(run[0]) and not _common_char(run[-1]):
                    return run, word
        return None

    def contracted(self, word: str) -> list[str]:
        """The library's word that the question's word contracts by leaving out one character inside
        it (市区 for 市辖区), when exactly one such word exists: a common way of shortening a name."""
        if len(word) < 2 or not re.fullmatch(r"[\u4e00-\u9fff]+", word) or self.used(word):
            return []
        if self._contractions is None:
            self._contractions = {}
            for t in self.index.lexicon.vocab:
                if len(t) >= 3 and re.fullmatch(r"[\u4e00-\u9fff]+", t):
                    for i in range(1, len(t) - 1):
                        self._contractions.setdefault(t[:i] + t[i + 1:], []).append(t)
        found = [t for t in self._contractions.get(word, []) if self.used(t)]
        return found if len(found) == 1 else []

    def _compounds(self, tagged: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """Neighbouring words joined where the documents write them as one (小+微+企业 → 小微企业,
        绿色+低碳 → 绿色低碳)."""
        out, i = [], 0
        while i < len(tagged):
            best = 1
            for j in range(i + 2, min(i + 4, len(tagged)) + 1):
                if any(f[:1] in _FUNCTION_POS and f[:1] != "d" for _, f in tagged[i:j]):
                    break  # 对+新经济 is not one word: function words are not parts of names (an
                    # adverb may be: 特别+贡献奖 is the 特别贡献奖 the documents write)
                joined = "".join(w for w, _ in tagged[i:j])
                # (two single characters too: 小+微 → 小微, a word the question tagger split)
                # (a run the documents write, as a word of theirs or inside their text: 特别+贡献奖 is the
                # 特别贡献奖 a title names, not any 贡献奖)
                if (3 <= len(joined) <= 8 or len(joined) == j - i) and re.fullmatch(r"[\u4e00-\u9fff]+", joined) and self.used(joined):
                    best = j - i
            if best > 1:
                out.append(("".join(w for w, _ in tagged[i:i + best]), "n"))
            else:
                out.append(tagged[i])
            i += best
        return out

    def unknown_kinds(self, question: str, subject: list[str]) -> list[tuple[str, str]]:
        """Kinds of the subject no document writes: a common noun of the general dictionary (tag n, not
        a name or an adjective-like nz such as 普通) that the library never uses, right before a noun of
        the subject that it does use
        (低空+经济, 合伙+创业). The question asks about that kind, which the documents do not name —
        unless they name it by another word of the same meaning (外籍专家 for their 外国专家: see
        same_kind_written). A noun counted or done before it (开个小店创业) is what the asker does,
        not a kind."""
        import jieba.posseg

        from .query import expand

        tags = jieba.posseg.dt.word_tag_tab
        tagged = [(w, f) for w, f in self._pos(fold(expand(question))) if w.strip()]
        words = [w for w, _ in tagged]
        done = {i for i in range(1, len(tagged)) if tagged[i - 1][1][:1] in "vmq"}
        return [(a, b) for i, (a, b) in enumerate(zip(words, words[1:]))
                if len(a) >= 2 and tags.get(a, "") == "n" and tags.get(b, "")[:1] == "n" and b in subject
                and a not in QUESTION_WORDS and a not in EVERYDAY_WORDS and i not in done
                and not self.used(a) and self.used(b) and not self.same_kind_written(a, b)]

    def same_kind_written(self, modifier: str, head: str) -> bool:
        """The documents write this kind of `head` by another modifier of the same meaning: a kind
        they write (外国专家, the word before 专家 in their text) whose embedding is as close to the
        asked one (外籍专家) as synonyms are. multilingual-e5 puts synonymous names of one kind at
        0.96 and above (外籍/外国专家 0.969, 外籍/海外人才 0.963) and kinds of a thing below 0.955
        (合伙/自主创业 0.924, 特别/经营贡献奖 0.946, 市级/省级示范企业 0.949)."""
        import jieba.posseg

        tags = jieba.posseg.dt.word_tag_tab
        written, alike = set(), set()
        for r in self.records_containing(head)[:40]:
            text = fold(r.text)
            written.update(m.group(1) for m in re.finditer(r"([\u4e00-\u9fff]{2})" + re.escape(head), text))
            # or a noun of the same form the documents write elsewhere about it (员工 asked, 职工
            # written in the title, not before 月工资): one sharing a character with the modifier.
            alike.update(m.group(0) for c in set(modifier) for m in re.finditer(rf"[\u4e00-\u9fff]{re.escape(c)}|{re.escape(c)}[\u4e00-\u9fff]", text)
                         if tags.get(m.group(0), "") == "n")
        for d in {r.doc_id for r in self.records_containing(head)[:40]}:
            title = fold(str(self.index.documents.get(d, {}).get("title") or ""))
            alike.update(m.group(0) for c in set(modifier) for m in re.finditer(rf"[\u4e00-\u9fff]{re.escape(c)}|{re.escape(c)}[\u4e00-\u9fff]", title)
                         if tags.get(m.group(0), "") == "n")
        written.discard(modifier)
        alike -= written | {modifier}
        if not written and not alike:
            return False
        import numpy as np

        embed = self.index.query_vector
        asked = embed(modifier + head)
        return any(float(np.dot(asked, embed(x + head))) >= SAME_KIND for x in sorted(written)[:12] + sorted(alike)[:12])

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
        # The same few words are tagged again and again (each term of each question, 企业给予 in
        # most): the tags of a text depend only on it and the index's dictionary, so they are kept.
        tags = self._tags.get(text)
        if tags is None:
            # Words of the corpus's own vocabulary come back untagged ("x"): they are names, so content.
            tags = tuple((w.word.strip(), "n" if w.flag == "x" and re.search(r"[\u4e00-\u9fff]", w.word) else w.flag)
                         for w in self._tagger.cut(text))
            if len(self._tags) >= 50_000:
                self._tags.clear()
            self._tags[text] = tags
        return list(tags)

    def unknown_places(self, question: str) -> list[str]:
        """Places the question names that no document mentions (重庆市 asked of a Sichuan library):
        a policy speaks for its own region, so these ask about somewhere else, which only the State
        Council's documents (if the library holds any) speak for too: see national_only."""
        from .query import expand

        q = fold(expand(question))
        # A place name as a reader sees one: 重庆市, 浙江省, 深圳 followed by 市/的政策 …, or a province or
        # major city by its bare name (深圳, 河南: query.PLACE_NAMES, national facts). The tagger's
        # guess alone is not enough: it marks ordinary words (沾边) as places too. A list of places the
        # documents name jointly (成都、德阳、绵阳 → 成德绵) is that joint name.
        q = joint_names(q, lambda w: self.used(w))
        return [w for w, flag in self._pos(q) if flag == "ns" and len(w) >= 2 and not self.used(w)
                and (re.search(r"(省|市|县|区|州|镇|乡)$", w) or re.search(re.escape(w) + r"(省|市|县|区|州)", q)
                     or w in PLACE_NAMES) and not self.used(_place_stem(w))]

    def national_only(self, question: str) -> tuple[str, ...]:
        """The State Council's documents, when the question names a place no document covers (在苏州办
        失业登记): they speak for every place, a province's document does not."""
        if self._national is None:
            # The title names the issuer (国务院关于…, 国务院办公厅关于…), else the signature does: the State
            # Council, or a ministry of the central government (人力资源社会保障部办公厅, 国家医疗保障局),
            # whose name carries no place.
            self._national = tuple(d for d, doc in self.index.documents.items() if is_national(doc))
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
        (哪个部门, 什么时候, 什么角色) is left out. Only which (哪): a which-question presumes such a
        thing exists; a what-question (什么程度, 什么后果, 什么流程) asks what the text says."""
        tagged = self._pos(fold(question))
        out: list[str] = []
        for i, (word, _) in enumerate(tagged):
            if not word.startswith("哪") or word in ("哪里", "哪儿"):
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
            return not self.used(thing.lower()) and all(not self.used(w) for w in words)
        return bool(things) and all(unknown(t) for t in things)

    def unknown_share(self, terms: list[str]) -> float:
        """The share of the question's content terms that no document uses (地铁, 停运 …).

        A question is about the things it names: when it names some, only those are counted, so a
        verb telling the asker's own story (刚评上, 想申请) does not make a known subject unknown.
        """
        terms = [t for t in terms if t not in ASPECT_WORDS] or terms
        names = [t for t in terms if self._nominal(t)] or terms
        return sum(not self.used(t) for t in names) / len(names) if names else 1.0

    def is_place(self, term: str) -> bool:
        """A place name: tagged so, or a place with its administrative level after it (沙县+区,
        东营+市), which the tagger reads as a common noun."""
        if [f for _, f in self._pos(term)][-1:] == ["ns"]:
            return True
        m = re.fullmatch(r"([\u4e00-\u9fff]{2,8}?)(省|市|县|区|州|镇|乡|新区)", term)
        return bool(m) and [f for _, f in self._pos(m.group(1))] == ["ns"]

    def word_parts(self, term: str) -> list[str]:
        """The words inside a compound that the documents use (北斗导航 → 北斗, 导航)."""
        return [p for p in self.index.terms.tokens(term) if p != term and len(p) >= 2 and self.used(p)]

    def sub_words(self, word: str) -> list[str]:
        """The two-character words a compound the dictionary knows whole is made of (资格证书 → 资格,
        证书), by jieba's search segmentation, when the library uses them all."""
        import jieba

        parts = list(dict.fromkeys(w for w in jieba.lcut_for_search(word) if len(w) == 2 and w != word))
        return parts if parts and all(self.used(w) for w in parts) else []

    def title_topic(self, doc_id: str) -> str:
        """A document's title less the words that say what kind of document it is (实施意见, 关于):
        what every clause of it is about."""
        from .query import _GENERIC_TITLE_WORDS

        title = fold((self.index.documents.get(doc_id) or {}).get("title") or "")
        for w in sorted(_GENERIC_TITLE_WORDS, key=len, reverse=True):
            title = title.replace(w, " ")
        return title

    def defined_full_forms(self, doc_id: str, text: str) -> str:
        """The full forms of the abbreviations a document defines (国家新一代人工智能创新发展试验区
        （以下简称试验区）) that `text` uses in their short form: the short form stands for the full
        one in that document, so a question in the full words is about the clauses saying 试验区."""
        if doc_id not in self._short:
            body = "\n".join(r.text for r in self.index.records_of(doc_id))
            pairs = ((short, _LEADING_LABEL.sub("", full).strip()) for full, short in _ABBREVIATION.findall(fold(body)))
            self._short[doc_id] = tuple(dict.fromkeys((short, full) for short, full in pairs if len(full) > len(short)))
        t = fold(text)
        return "".join(full for short, full in self._short[doc_id] if short in t and full not in t)

    def nominal(self, term: str) -> bool:
        return self._nominal(term)

    def _nominal(self, term: str) -> bool:
        """A noun, a name, or a word of the documents' own vocabulary (tagged as a name); not a place
        the documents cover, which says where the asker is (成都), not what the question is about."""
        if self.used(term) and len(self.index.terms.tokens(term)) > 1:
            return True  # a run of words the documents write as one (新经济统计): a name of theirs
        tags = [f for _, f in self._pos(term)]
        if tags[-1:] == ["ns"]:
            return not self.used(term)  # a place no document covers is somewhere else: it counts
        return bool(tags) and (tags[-1][:1] in "njx" or tags[-1] == "eng")


def _tiling(term: str, parts: list[str]) -> list[str]:
    """The fewest of the parts that spell the term end to end, in order; [] when none do."""
    best: dict[int, list[str]] = {0: []}
    for i in range(len(term)):
        if i not in best:
            continue
        for p in parts:
            j = i + len(p)
            if term.startswith(p, i) and (j not in best or len(best[i]) + 1 < len(best[j])):
                best[j] = best[i] + [p]
    return best.get(len(term), []) if len(best.get(len(term), [])) >= 2 else []



def _homophone(a: str, b: str) -> bool:
    """Two words of one length whose differing characters share a reading (any of their readings,
    toneless): the slip a pinyin input method makes."""
    return all(x == y or _readings(x) & _readings(y) for x, y in zip(a, b))


@functools.lru_cache(maxsize=20_000)
def _readings(c: str) -> frozenset[str]:
    """A character's readings, toneless (pypinyin; the same few thousand characters recur)."""
    from pypinyin import Style, pinyin

    return frozenset(pinyin(c, style=Style.NORMAL, heteronym=True)[0])


COMMON_CHAR_FREQ = 50_000  # jieba's count of the commonest one-character words (了 是 在 和 有 的 … 能 给 新)


def _common_char(c: str) -> bool:
    """One of the commonest one-character words of Chinese: a run that begins or ends with one (各是,
    国家给, 标准和, 价能) is words run together by the segmenter, not a mistyped word."""
    import jieba

    jieba.dt.check_initialized()
    return jieba.dt.FREQ.get(c, 0) >= COMMON_CHAR_FREQ


def _general_word(run: str) -> bool:
    """A word of jieba's general dictionary (a real word the library does not use is no slip)."""
    import jieba

    jieba.dt.check_initialized()
    return jieba.dt.FREQ.get(run, 0) > 0
