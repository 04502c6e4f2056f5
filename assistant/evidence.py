"""Evidence: the records retrieval ranked, read down to the sentences that hold the answer.

Between retrieval and composition. Each of the best records becomes a `Passage`: how much of the
question it covers (idf-weighted content terms, topic.Vocabulary), whether it is on the
question's topic, and its sentences, each scored against the question by meaning (the cosine of
its stored vector, clauses.py, to the question's) and by words (the share of the question's terms
it holds with its measure's title). Composers read the passages; the answer shows them. Nothing
here decides what the answer says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

import numpy as np

from .clauses import sentence_spans
from .config import Settings
from .index import PolicyIndex
from .load import fold
from .numerals import to_int
from .query import Query, without_options
from .reading import NEGATED
from .records import Hit, Record
from .retrieve import Retrieval, in_scope
from .tiers import CAP_WORDS, asked_magnitudes, bounds, magnitudes, placeable, tiers
from .topic import ASPECT_WORDS, BENEFIT_WORDS, Vocabulary, contains

PASSAGES = 5  # records read into sentences: retrieval's best few hold the answer nine times in ten
SHOWN = 3  # passages an answer shows as its evidence
PINNING_DF = 2  # a word in at most this many records points at them by itself
# How a sentence's meaning and words are weighed together: the cosine separates related from
# unrelated text over a narrow band (multilingual-e5's cosines sit between about 0.75 and 0.95),
# the word share over the whole 0–1 range.
DENSE_WEIGHT = 4.0
LEX_WEIGHT = 1.0


@dataclass(frozen=True)
class Sentence:
    text: str  # as printed
    start: int  # offset in the record's text
    dense: float  # cosine to the question (0.0 when the record has no stored vectors)
    coverage: float  # share of the question's terms it holds, with its measure's title
    score: float

    @property
    def folded(self) -> str:
        return fold(self.text)


@dataclass(frozen=True)
class Passage:
    record: Record
    rank: int  # retrieval's rank (0 best)
    coverage: float  # share of the question's terms the whole record holds (with its titles)
    dense: float | None  # retrieval's cosine for the record
    on_topic: bool
    sentences: tuple[Sentence, ...] = ()  # in text order

    def best(self, k: int = 1) -> list[Sentence]:
        """Its k best sentences, best first."""
        return sorted(self.sentences, key=lambda s: -s.score)[:k]


@dataclass(frozen=True)
class Evidence:
    question: str
    query: Query
    route: str
    scope: tuple[str, ...]
    terms: tuple[str, ...]  # the question's content terms
    passages: tuple[Passage, ...]  # on-topic ones first, then by retrieval's rank
    hits: tuple[Hit, ...] = ()
    notes: dict = field(default_factory=dict)  # why evidence is missing, for the refusal's wording

    @property
    def on_topic(self) -> tuple[Passage, ...]:
        return tuple(p for p in self.passages if p.on_topic)

    @property
    def shown(self) -> tuple[Passage, ...]:
        """The passages an answer shows: the on-topic ones, best first, at most SHOWN."""
        return self.on_topic[:SHOWN]


@dataclass(frozen=True)
class Subject:
    """What a question is about: its content terms less those that name the benefit (奖励, 补贴), the
    aspect asked (条件, 材料), a tier (新认定, 省级), the document it names (四川, 临港) or the options
    of a choice it offers (是按投入比例补，还是有个封顶？). `rare` are the rarest of them the library
    knows; `known` all those it knows."""

    known: tuple[str, ...]
    rare: tuple[str, ...]
    unknown: tuple[str, ...]  # subject words no document uses (the asker's own wording)
    denied: tuple[str, ...] = ()  # what the asker says it is not (不属于智能制造那类, 不是省会)
    question: str = ""  # the question, folded
    glossed: tuple[str, ...] = ()  # an official name the asker gives in brackets that no document writes


# The label an item of a list opens with: （一）, 1., 一、 (not a 第X条, which opens an article).
ITEM_LABEL = re.compile(r"^\s*(?:[（(][一二三四五六七八九十\d]+[)）]|\d+[.、．](?!\d)|[一二三四五六七八九十]+、)")
# Words that limit how far a figure before them may go: its ceiling, or how long a period may be
# extended (可适当延长，但…最长不得超过90日; 延长期限一般不得超过三个月).
LIMIT = re.compile("|".join(CAP_WORDS + ("最长", "延长")))


# Lengths of time: a deadline is stated with how far it may be extended. (A money ceiling in a
# sentence of its own is another grant's as often as not: 个人…最高不超过15万元；小微企业…最高不超过
# 300万元. A grant's cap in its own clause is kept by items.record_items.)
PERIOD_UNITS = ("天", "个月", "年", "周")  # (tiers.magnitudes reads 日 and 工作日 as 天)
# A sentence that grants something (给予…, 按设备款的10%补助，最高30万元) states a provision of its own,
# with its own limit: it limits no other.
GRANTS = re.compile(r"给予|奖励|补助|补贴|资助|奖补|贴息|扶持")


def completing(p: Passage, i: int) -> list[int]:
    """The sentences of a passage that complete sentence i, so a period is never quoted without its
    limit nor a limit without the period it limits: the sentence before or after it in the same
    paragraph, not an item of a list (items stand alone), that limits a period of the same unit
    (应当…30日内支付款项；合同另有约定的，…最长不得超过60日; …30日内形成处理结果。情况复杂的，
    …最长不得超过90日), and the sentence of the paragraph saying what follows when the period is
    missed (逾期…的，视为…). Indices in text order, i among them."""
    ss, text = p.sentences, p.record.text

    def same_paragraph(a: Sentence, b: Sentence) -> bool:
        return "\n" not in text[a.start + len(a.text):b.start]
    def units(k: int) -> set[str]:
        return {m.unit for m in magnitudes(ss[k].text) if m.unit in PERIOD_UNITS}

    def limits(k: int, of: int) -> bool:
        """Sentence k, in of's paragraph and no item of a list, limits a figure of sentence `of`."""
        a, b = sorted((k, of))
        return (same_paragraph(ss[a], ss[b]) and not ITEM_LABEL.match(ss[k].text) and bool(LIMIT.search(fold(ss[k].text)))
                and not GRANTS.search(fold(ss[k].text)) and bool(units(k) & units(of)))
    keep = [i]
    if i > 0 and limits(i, i - 1):
        keep.insert(0, i - 1)
    if i + 1 < len(ss) and limits(i + 1, i):
        keep.append(i + 1)
    # and what follows when the period is missed (逾期未领取的，视为主动放弃), later in its paragraph
    if units(i):
        late = next((k for k in range(i + 1, len(ss)) if not same_paragraph(ss[i], ss[k]) or "逾期" in ss[k].text), None)
        if late is not None and same_paragraph(ss[i], ss[late]) and not ITEM_LABEL.match(ss[late].text) and late not in keep:
            keep.append(late)
    return keep


def subject_of(query: Query, terms: list[str], vocab: Vocabulary) -> Subject:
    if without_options(query.text) != query.text:
        terms = vocab.terms(without_options(query.text))
    denied = [t for m in NEGATED.finditer(fold(query.text)) for t in vocab.terms(m.group(1)) if vocab.used(t)]
    words = [t for t in terms if t not in BENEFIT_WORDS and t not in ASPECT_WORDS and t not in denied
             and not any(t in x for x in query.tiers) and not any(t in w for w in query.doc_words)]
    words = words or [t for t in terms if t not in BENEFIT_WORDS]
    known = [t for t in words if vocab.used(t)]
    # The rarest words that name a thing: not a place the documents cover (北京 says where the asker
    # is), nor can + a verb (能算, 可报), which say what the asker may do.
    naming = [t for t in known if not re.fullmatch(r"[能可会要][\u4e00-\u9fff]", t) and not vocab.is_place(t)] or known
    # and a name rather than a verb when the question has one (作为独生子女: 独生子女, not 作为)
    naming = [t for t in naming if vocab.nominal(t)] or naming
    glossed = tuple(g for g in re.findall(r"[（(]([\u4e00-\u9fff]{4,12})[）)]", fold(query.text)) if not vocab.used(g)
                    and any(not vocab.used(w) for w in vocab.index.terms.tokens(g) if len(w) >= 2))
    return Subject(tuple(known), tuple(vocab.rarest(naming)), tuple(t for t in words if t not in known), tuple(denied),
                   fold(query.text), glossed)


def names_word(text: str, word: str, vocab: Vocabulary) -> bool:
    """The folded text holds the word, or every part of it the library uses (资格证书: 职业资格…证书)."""
    return vocab.holds(text, word)


def names_subject(text: str, subject: Subject, vocab: Vocabulary, share: float = 0.5) -> bool:
    """The text names the subject: it holds one of its rarest words and at least `share` of all its
    words the library knows, weighted by rarity (全省 alone does not name 全省…导向目录)."""
    t = fold(text)
    return bool(subject.rare) and any(names_word(t, w, vocab) for w in subject.rare) and vocab.coverage(list(subject.known), t) >= share


# A sentence this close to the best share of the subject any sentence holds is about the subject
# as much as the documents say anything about it (a fifth of the subject's weight: one lesser word).
SUBJECT_SLACK = 0.2


def subject_share(text: str, subject: Subject, vocab: Vocabulary) -> float:
    """The share of the subject's known words, weighted by rarity, that the text holds."""
    return vocab.coverage(list(subject.known), text) if subject.known else 0.0


def best_subject_share(ev: "Evidence", subject: Subject, vocab: Vocabulary) -> float:
    """The most of the subject any sentence of an on-topic passage holds (with its measure's titles)."""
    best = 0.0
    for p in ev.on_topic:
        head = (p.record.title or "") + (p.record.section_title or "") + vocab.title_topic(p.record.doc_id)
        for s in p.sentences:
            best = max(best, subject_share(s.text + head, subject, vocab))
    return best


def record_text(r: Record) -> str:
    """What a record says with its headings: the measure's title, its section and every heading above
    it name its subject (8．获得奖励之日起15年内不迁离深圳的承诺书 under 二、一次性奖励和搬迁费用补贴 /
    （三）申报所需提交材料： is about the 一次性奖励)."""
    return r.text + "".join(dict.fromkeys(h for h in (*r.heading_path, r.section_title or "", r.title or "") if h))


# The numbers of a question a source must hold: a year (2030年的目标) and a figure the question quotes
# from the text (出现了好几个10%). Other numbers are the asker's own (30来人, 20岁, 投1500万: placed
# in the tiers the text bounds, or not) or name a document (国发39号文).
_MUST_HOLD = re.compile(r"(?<![\d.])((?:19|20)\d{2})(?=\s*年)|(?<![\d.])(\d+(?:\.\d+)?)(?=\s*(?:%|％|个百分点))")


# A penalty names the duty it enforces by that duty's article (违反本条例第十一条规定发行预付卡的，处…
# 罚款): what the cited article says is what the penalty is about, in the words of a question asking
# about it. Read so only when the question asks about a penalty: elsewhere the duty's own article answers.
_CITED_ARTICLES = re.compile(r"本(?:条例|办法|规定|细则|规则|决定)((?:第[零〇一二两三四五六七八九十百\d]+条(?:第[零〇一二两三四五六七八九十\d]+款)?[、，,和及或者]*)+)")
PENALTY = re.compile(r"罚款|处罚|罚金|没收|吊销|责令停")
PENALTY_ASKED = re.compile(r"罚|处罚|后果|法律责任|追究")


def enforced_text(index: PolicyIndex, r: Record) -> str:
    """The text of the articles of `r`'s own document that its penalty cites ("" when it cites none)."""
    if not PENALTY.search(r.text):
        return ""
    numbers = {to_int(n) for run in _CITED_ARTICLES.findall(r.text) for n in re.findall(r"第([零〇一二两三四五六七八九十百\d]+)条", run)}
    return "".join(x.text for n in sorted(x for x in numbers if x) for x in index.with_measure(n)
                   if x.doc_id == r.doc_id and x.record_id != r.record_id and (x.measure_label or "").startswith("第"))


def numbers_hold(query: Query, text: str) -> bool:
    """Every year and quoted figure the question states is in the text (see _MUST_HOLD)."""
    t = fold(text)
    wanted = [a or b for a, b in _MUST_HOLD.findall(fold(query.text))]
    if all(contains(t, n) for n in wanted):
        return True
    asked = asked_magnitudes(query.text)
    if not asked:
        return False
    found = [tr for s in re.split(r"[。；;\n]", text) for tr in tiers(s)]
    if placeable(asked, found):
        return True
    # A bound the text states in the asker's unit that holds their number (超过规定时速百分之五十以上
    # for 超速60%, in a list of conditions whose consequence the article's opening states) places it too.
    return any(b.unit == m.unit and b.holds(m.value)
               for s in re.split(r"[。；;\n]", text) for b in bounds(s) for m in asked)


class Selector:
    """Reads retrieval's hits into passages and sentences for one opened index."""

    def __init__(self, index: PolicyIndex, vocab: Vocabulary, settings: Settings) -> None:
        self.index = index
        self.vocab = vocab
        self.settings = settings

    def supported(self, query: Query, terms: list[str], r: Record, dense: float | None) -> tuple[bool, float]:
        """Whether a record is on the question's topic, and how much of the question it covers: it holds
        enough of the question's terms, weighted by rarity, or is a close paraphrase (dense) holding
        half that; and it holds the numbers the question states."""
        # A document's title (less its kind) scopes each of its records: 个人所得税专项附加扣除暂行办法's
        # articles are about 个人所得税 without saying so.
        text = record_text(r) + self.vocab.title_topic(r.doc_id)
        text += self.vocab.defined_full_forms(r.doc_id, text)  # 试验区 where the document defined it as short for its full name
        if PENALTY_ASKED.search(query.text):
            text += enforced_text(self.index, r)
        # Words that name the document (四川新经济文件) say where to look; the record need not repeat them.
        own = [t for t in terms if not any(t in w for w in query.doc_words)] or terms
        cov = self.vocab.coverage(own, text)
        close = dense is not None and dense >= self.settings.min_dense and cov >= self.settings.min_evidence / 2
        ok = (cov >= self.settings.min_evidence or close) and numbers_hold(query, text)
        return ok, cov

    def sentences(self, r: Record, terms: list[str], qvec: np.ndarray | None) -> tuple[Sentence, ...]:
        spans = sentence_spans(r.text)
        vectors = self.index.sentence_vectors(r) if qvec is not None else None
        dense = (np.asarray(vectors, dtype=np.float32) @ qvec) if vectors is not None and len(vectors) == len(spans) else None
        title = (r.title or "")
        out = []
        for i, (s, e) in enumerate(spans):
            text = r.text[s:e]
            cov = self.vocab.coverage(terms, text + title) if terms else 0.0
            d = float(dense[i]) if dense is not None else 0.0
            out.append(Sentence(text, s, d, cov, DENSE_WEIGHT * d + LEX_WEIGHT * cov))
        return tuple(out)

    def select(self, query: Query, ret: Retrieval, terms: list[str], qvec: np.ndarray | None) -> Evidence:
        """The passages of a retrieval: the best records read into sentences, on-topic ones first."""
        hits = list(ret.hits)
        if ret.route != "hybrid":
            # A route that names its records (a measure, a unit's list, the documents' headers): each
            # is the answer's evidence as it stands.
            passages = tuple(Passage(h.record, i, 1.0, h.dense, True, self.sentences(h.record, terms, qvec))
                             for i, h in enumerate(hits))
            return Evidence(query.text, query, ret.route, ret.scope, tuple(terms), passages, tuple(hits))
        passages = []
        for i, h in enumerate(hits[:PASSAGES]):
            ok, cov = self.supported(query, terms, h.record, h.dense)
            passages.append(Passage(h.record, i, cov, h.dense, ok, self.sentences(h.record, terms, qvec) if ok or i < SHOWN else ()))
        if query.intent == "mention" and passages:
            # 文件里有没有提到X？ asks where X is mentioned at all: a record holding half the share an
            # answer needs, and about as much as the best, mentions it.
            best = max(p.coverage for p in passages)
            floor = max(self.settings.min_evidence / 2, best - 0.2)
            passages = [replace(p, on_topic=p.on_topic or (p.coverage >= floor and numbers_hold(query, record_text(p.record))),
                                sentences=p.sentences or self.sentences(p.record, terms, qvec)) if p.coverage >= floor else p
                        for p in passages]
        # The records holding the question's rarest word, when few do, are read too, wherever rank
        # fusion put them (一址多照, 推出 in one record of the library): a word that rare points at them.
        seen = {p.record.record_id for p in passages}
        # (A place the documents cover says where the asker is, not what they ask about: it points at nothing.)
        naming = [t for t in terms if t not in BENEFIT_WORDS and not self.vocab.is_place(t)]
        for t in self.vocab.rarest(naming or terms):
            if self.vocab.df(t) > PINNING_DF:
                continue
            for r in self.vocab.records_with(t):
                if in_scope(r, ret.scope) and r.record_id not in seen:
                    seen.add(r.record_id)
                    ok, cov = self.supported(query, terms, r, None)
                    if ok:
                        passages.append(Passage(r, len(passages), cov, None, True, self.sentences(r, terms, qvec)))
        # On-topic first; among them the records most on the topic (coverage to a tenth), then retrieval's order.
        # A place, issuer or title word naming documents (奉贤区… where 杨浦区 has a policy of the same
        # words) puts theirs first among the on-topic ones: another district's policy does not apply
        # to the asker, and stays in play only after them.
        named = set(query.doc_ids)
        passages.sort(key=lambda p: (not p.on_topic, bool(named) and p.record.doc_id not in named,
                                     -round(p.coverage, 1) if p.on_topic else 0, p.rank))
        return Evidence(query.text, query, ret.route, ret.scope, tuple(terms), tuple(passages), tuple(hits))
