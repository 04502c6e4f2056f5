"""The amount composer: how much, what share, how many, how long — from the evidence's sentences.

A figure answers a question when its sentence is about the question's subject and states a figure
of the kind asked (money, a share, a count, a period):
- about the subject: the sentence (with its measure's title, and the sentence before it when it
  grants without naming whom: 对其给予…) holds the subject's rarest word the library knows, or,
  when the question's words are not the documents' (房租 for 租金), it is a close paraphrase of the
  question by meaning (its stored vector's cosine);
- within the sentence, the tier that applies: the one whose bound holds the number the asker states
  (实到外资3000万美元 in 2000万-5000万（不含）美元), else the one whose condition the question names
  (省级 of 省级智能工厂), else every tier (分别…);
- a cap stays with the amount it caps (按30%给予补助，最高不超过500万元): the grant's clause is
  quoted whole, and a cap in the next clause joins it.
When no on-topic sentence about the subject states a figure of that kind, the documents do not
give it (certainty "none"), and the answer says where the subject is mentioned.
"""
from __future__ import annotations

import os
import re
from dataclasses import dataclass, replace

from .query import TIERS, city_categories
from .reading import APPLY, QUANTITIES, SEVERAL, affirms, asking_sentences, other_kind, variant_tier, without_basis

from .compose import Draft, cite, ref
from .evidence import (PENALTY_ASKED, SUBJECT_SLACK, Evidence, Passage, completing, Sentence, best_subject_share, enforced_text, names_subject, names_word, subject_of,
                       subject_share)
from .load import fold
from .tiers import CAP_WORDS, UNIT_NAMES, Magnitude, Tier, asked_magnitudes, bounds, magnitudes, place, placeable, tiers
from .tiers import caps as caps_of
from .topic import Vocabulary, contains

# The units that answer each kind of figure a question asks for.
KIND_UNITS = {"money": ("元", "美元", "欧元", "港元"), "percent": ("%", "‰", "个百分点", "比"),
              "duration": ("年", "个月", "天", "周", "小时", "分钟"), "points": ("分",), "area": ("平方米", "公顷", "亩"),
              "age": ("岁",), "multiple": ("倍",),
              "count": ("个", "家", "项", "座", "所", "人", "台", "套", "件", "户", "次", "床", "辆", "条", "批", "处", "栋",
                        "幢", "张", "篇", "部", "场", "支", "款", "公顷", "亩", "平方米", "公里", "间", "吨", "只")}
# A grant of money may be stated as a share of a base (按投资额的30%给予补助): it answers 多少钱 too.
MONEY_LIKE = KIND_UNITS["money"] + ("%", "‰", "倍", "比")
# 有哪几项，各多少 asks the amounts of the items (money or a share), not how many there are.
ITEM_FIGURES = KIND_UNITS["money"] + KIND_UNITS["percent"] + ("倍",)
# 多少 with nothing saying what is counted asks whatever figure the text gives (达到总投资的多少: a share;
# 新增光伏装机的目标是多少: 6380千瓦), except a person's age and lengths of time, which 多久/几岁 ask.
ANY_FIGURE = tuple(u for u in UNIT_NAMES if u not in ("岁", "年", "个月", "天", "周", "小时", "分钟"))
# Cosine above which a sentence is read as saying what the question asks though it shares none of
# its rarer words. multilingual-e5's cosines are compressed: over the seed's questions, the sentence
# holding the answer has a median of 0.915, other sentences 0.857, and 99 in 100 of them stay under
# 0.90.
PARAPHRASE = 0.905
# (A question whose subject words the documents use is matched by those words: over the seed's
# questions, a sentence lacking them but above this cosine was another subject's as often as not.)
CAP_ASK = r"最多|最高|上限|封顶|限额|顶格|总额"
CLOSE = 0.35  # scores this near the best candidate's (of another record) leave the choice open
# What each recipient gets (每家能分到多少, 单个项目最多) is not said by a budget for the whole scheme
# (每年安排500万元资金，对排名前十的企业给予奖励; 设立规模10亿元的基金): a figure right after such
# words is the pool's. (总额 is not among them: 单个企业补贴资金总额不高于3000万元 caps one recipient.)
# (每个月, 每个季度 are rates of time, not recipients)
EACH = r"每(?:家|个(?!月|季|工作日|小时)|户|人|名|位|项|所)|单个|单家|各家|分到|分得"
POOL = re.compile(r"(?:安排|设立|统筹|总规模|规模为?|预算)[^，,。；;]{0,6}$")


@dataclass(frozen=True)
class Candidate:
    passage: Passage
    sentence: Sentence
    context: str  # the sentence with what names its subject: the one before it, when it names none
    tiers: tuple[Tier, ...]
    figures: tuple[Magnitude, ...]
    pinned: bool  # holds the subject's rarest known word
    score: float
    placed: bool = False  # its tier is the one of a scale that holds the asker's own number


def _pooled(sentence: str, figure: str, after: int = 0) -> bool:
    """The figure (first found at or after `after`) is a budget for the whole scheme: POOL words
    stand right before it."""
    t = fold(sentence)
    return bool(POOL.search(t[:max(t.find(fold(figure), after), 0)]))


def granted_each(sentence: str) -> set[str]:
    """The figures a sentence grants each recipient: its tiers' grants, less a budget for the whole
    scheme (每年安排500万元资金, 设立规模…的基金) — and the quantity a condition bounds (超过5亿元的) is no
    grant."""
    t = fold(sentence)
    return {f.text for tier in tiers(sentence) for f in tier.figures
            if not _pooled(sentence, f.text, t.find(fold(tier.grant)) if tier.grant else 0)}


def withheld_from_each(sentence: str) -> set[str]:
    """The figures of a sentence that say nothing of what each recipient gets: a budget for the whole
    scheme, and a threshold its condition sets (超过5亿元的). A figure the sentence states otherwise
    (标准为每户每月500元的生活补助, where no grant verb comes first) stays."""
    out = {m.text for m in magnitudes(sentence) if _pooled(sentence, m.text)}
    for tier in tiers(sentence):
        limits = bounds(tier.condition)
        out |= {m.text for m in magnitudes(tier.condition)
                if any(b.unit == m.unit and m.value in (b.low, b.high) for b in limits)}
    return out


def wanted_units(ev: Evidence) -> tuple[str, ...]:
    q = ev.query
    if re.search(SEVERAL, q.text):
        return ITEM_FIGURES
    if q.figure_unit and q.figure_unit not in ("元", "万元", "亿元"):
        # 多少座 asks a count: one written in 座, or in 个 (“100+”), the things counted decide; 多少公顷 an area.
        return KIND_UNITS["area"] if q.figure_unit in KIND_UNITS["area"] + ("平米",) else KIND_UNITS["count"]
    if q.figure_kind is None:
        return ANY_FIGURE
    if q.figure_kind == "duration":
        # 多少天 is answered in days, 几个月 in months, 几年 in years; 多久 by any length.
        asked = fold(q.text)
        if re.search(r"(?:多少|几)(?:个)?(?:工作日|天|日)|(?:天|日)数", asked):
            return ("天",)
        if re.search(r"(?:多少|几)个?月", asked):
            return ("个月",)
        if re.search(r"(?:多少|几)年", asked):
            return ("年",)
    return MONEY_LIKE if q.figure_kind == "money" else KIND_UNITS.get(q.figure_kind, MONEY_LIKE)


# A share answers "how much money" only where it is granted (按投资额的30%给予补助), not as a target.
_GRANTS = re.compile(r"给予|奖励|奖补|补助|补贴|资助|返还|贴息|扣除|减免|支持|配套|分担|承担")


def tiers_agree(asked: tuple[str, ...], text: str) -> bool:
    """A text naming another tier of the same kind (省级 where 国家级 is asked, 首次 where 复核 is)
    is about another subject. Kinds of tiers (query.TIERS): a level of government, a listing board,
    a star rating, a child's order, a first award or a renewal."""
    first = {"首次", "第一次", "新认定"}
    same = {"第一次": "首次"}
    for pattern in TIERS:
        ask = [same.get(t, t) for t in asked if re.fullmatch(pattern, t)]
        ask = ["非" + a[2:] if a.startswith("不是") and re.fullmatch(pattern, "非" + a[2:]) else a for a in ask]
        have = [same.get(m.group(0), m.group(0)) for m in re.finditer(pattern, fold(text))]
        if ask and "首次" in pattern and any(a.startswith(("非", "不是")) for a in ask):
            ask = [a for a in ask if not a.startswith(("非", "不是"))] or ["复核"]  # 不是第一次 = a renewal
            ask = [a for a in ask if a not in first] or ["复核"]
        if ask and have and not any(_alike(a, h) for a in ask for h in have):
            return False
    return True


def _alike(asked: str, have: str) -> bool:
    """One tier written inside the other is that tier (新认定 in 新认定的), unless it is its denial
    (独生子女 in 非独生子女)."""
    deny = ("非", "不是")
    return asked == have or ((asked in have or have in asked) and asked.startswith(deny) == have.startswith(deny))


def _figures(text: str, units: tuple[str, ...], money: bool) -> tuple[Magnitude, ...]:
    """The figures of the asked kind a sentence states; for money, a share only in a sentence that
    grants (按投资额的3%、最高600万元给予补助), not in a target (比例达45%左右)."""
    grants = bool(_GRANTS.search(fold(text)))
    return tuple(m for m in magnitudes(text) if m.unit in units
                 and not (money and m.unit in ("%", "‰", "倍", "比") and not grants))


def _context(p: Passage, i: int) -> str:
    """A sentence with what names its subject: the one before it when it grants without naming whom
    (对其/给予/按… first); for an item of a list (2.其他项目按…3%…; （二）…的城市，每月1100元；), the
    sentence that opens the list — the nearest one before it that is not an item of the same kind
    (（二）对现有制造业企业…增资扩产…项目 over its 1. 2.; …按照以下标准定额扣除：)."""
    s = p.sentences[i].text
    if i > 0 and re.match(r"^(对其|给予|其中|按照?|经认定|并|同时|另|每)", fold(s).lstrip()):
        return p.sentences[i - 1].text + s
    level = _item_level(s)
    if i > 0 and (level or p.sentences[i - 1].text.rstrip().endswith(("；", ";"))):
        for j in range(i - 1, -1, -1):
            prev = p.sentences[j].text
            pl = _item_level(prev)
            if (level and pl >= level) or (not level and prev.rstrip().endswith(("；", ";")) and not re.search(r"[：:]", prev)):
                continue  # a sibling, an item under a sibling, or the list's earlier items
            lead = re.split(r"[：:]", prev)[0] if re.search(r"[：:]", prev) and not pl else prev
            return lead.rstrip("。；;，, ") + "：" + s
    return s


def _item_level(sentence: str) -> int:
    """How deep the label a sentence opens with sits in the usual order of Chinese numbering
    (一、 over （一） over 1. over （1）); 0 when it opens with none."""
    t = fold(sentence).lstrip()
    for level, pattern in enumerate((r"^[一二三四五六七八九十]+、", r"^\([一二三四五六七八九十]+\)",
                                     r"^\d+[.、](?!\d)", r"^\(\d+\)"), 1):
        if re.match(pattern, t):
            return level
    return 0


def candidates(ev: Evidence, vocab: Vocabulary) -> tuple[list[Candidate], list[str]]:
    """Every on-topic sentence stating a figure of the asked kind, with whether it names the subject."""
    units = wanted_units(ev)
    money = units == MONEY_LIKE
    subject = subject_of(ev.query, list(ev.terms), vocab)
    rare = list(subject.rare)
    several = bool(re.search(SEVERAL, ev.query.text))
    # A figure sentence is about the subject when it holds about as much of it as any sentence of the
    # documents does: where the subject is named only in a sentence without a figure, the figures
    # of the other sentences are another subject's (专精特新 listed in one measure, amounts granted in
    # another to 示范企业).
    floor = best_subject_share(ev, subject, vocab) - SUBJECT_SLACK
    measured = measured_word(ev.query.text, vocab)
    goal = goal_words(ev.query.text, vocab)
    counted = counted_word(ev.query.text, vocab) if units == KIND_UNITS["count"] else ""
    # After a story (上个月公司裁员把我裁了。失业保险金…能拿多少), the sentence that asks names the subject:
    # a clause found through the story's words alone answers another question.
    asking = asking_sentences(ev.query.text)
    own = subject_of(replace(ev.query, text=asking), vocab.terms(asking), vocab) if asking != fold(ev.query.text) else None
    kin_asked = bool(re.search(KIN, fold(ev.query.text)))
    asked = asked_magnitudes(ev.query.text)
    years = set(HORIZON.findall(fold(ev.query.text)))  # a horizon the question names (到2035年)
    each = money and bool(re.search(EACH, fold(ev.query.text)))  # what one recipient gets, in money
    penalty_asked = bool(PENALTY_ASKED.search(ev.query.text))
    out = []
    for p in ev.on_topic:
        # A scale of tiers (罚款金额在15万元以下的…；15万元以上的，50万元以下的…) that places the
        # asker's own number (罚了10万元) in one of them is about what is asked, whatever other
        # words the asker's story uses: its sentences bound that quantity at least twice.
        # Where two tiers both hold it (50万元 in “15万元以上的，50万元以下的” and “50万元以上的”),
        # the tightest is the asker's (tiers.place).
        scale = asked and sum(b.unit in {m.unit for m in asked} for x in p.sentences for b in bounds(x.text)) >= 2
        in_tier = {t.condition for t in place(asked, [t for x in p.sentences for t in tiers(x.text)])} if scale else set()
        # A document's title (less its kind) scopes each of its clauses: 个人所得税专项附加扣除暂行办法's
        # articles are about 个人所得税 without saying so.
        title = (p.record.title or "") + vocab.title_topic(p.record.doc_id)
        title += "".join(h for h in p.record.heading_path if h not in title)  # the headings above it name its subject too
        if penalty_asked:  # a penalty is about the duty whose article it cites (evidence.enforced_text)
            title += enforced_text(vocab.index, p.record)
        # A short form the document defined (试验区) stands for its full name there.
        title += vocab.defined_full_forms(p.record.doc_id, p.record.text + title)
        # What the measure says around its figures: its sentences that state no figure (a definition,
        # the condition of the whole measure, 有下列情形之一的…) are about every figure of it.
        plain = "".join(x.text for x in p.sentences if not magnitudes(x.text))
        for i, s in enumerate(p.sentences):
            figs = _figures(s.text, units, money)
            if each and figs:
                withheld = withheld_from_each(s.text)
                figs = tuple(f for f in figs if f.text not in withheld)
            if not figs:
                continue
            context = _context(p, i)
            around = fold(context + title + (p.record.section_title or ""))
            # A basis the figure is computed from (按6个月的当地月人均失业保险金…确定) is its yardstick,
            # not what it is granted for: it does not name the subject.
            around = without_basis(around)
            pinned = names_subject(around, subject, vocab)
            # A subject the library has a word for is named by it; only a question none of whose
            # words the documents use for its subject is matched by meaning alone (or, asking which
            # supports there are and how much each, names none).
            if rare:
                whole = fold(plain) + around
                about = pinned or (subject_share(whole, subject, vocab) >= max(floor, 1e-9)
                                   and any(names_word(whole, t, vocab) for t in rare))
            else:
                about = s.dense >= PARAPHRASE or several or not subject.unknown
            placed_here = any(t.condition in in_tier for t in tiers(s.text))
            about = about or placed_here
            if not about or not tiers_agree(ev.query.tiers, context):
                continue
            if years and not any(horizon_of(p, s, f) in years | {None} for f in figs):
                continue  # 到2035年的目标 asked: a figure its paragraph sets for 2025 is another year's
            if any(affirms(fold(context), t) for t in subject.denied):
                continue  # a clause for what the asker says they are not (不属于智能制造那类)
            granted_to = [re.split(r"给予|奖励|补助|补贴|资助", c)[0] for c in _figure_clauses(s.text, figs)]
            if granted_to and all(other_kind(ev.query.text, c) for c in granted_to):
                continue  # a grant to 现代预制菜部件企业 is not for the 低碳低空经济终端企业 it lists beside it
            if measured and not any(contains(fold(c), measured) for c in _figure_clauses(s.text, figs)):
                continue  # 贴息比例: a share stated for something else (招用人数达到25%) is not the 贴息's
            if goal and not any(contains(fold(context + title), w) for w in goal):
                continue  # 多少分才能落户: a score that does not say it is for 落户
            if counted and not any(vocab.holds(fold(c), counted) for c in _figure_clauses(s.text, figs, before=False)):
                continue  # 多少个体育赛事城市: a count of 品牌 in the same sentence is not it
            if own and own.rare and not any(names_word(whole if rare else around, t, vocab) for t in own.rare):
                continue
            if about_kin(context) and not kin_asked:
                continue  # 纳税人的子女接受学历教育: the child's schooling, not the asker's own
            # A city is in the tier naming its category (北京 → 直辖市; query.CITY_CATEGORIES, national facts).
            category = any(cat in fold(s.text) for _, cat in city_categories(ev.query.text))
            exact = bool(ev.query.figure_unit) and any(f.unit == ev.query.figure_unit or
                                                        (ev.query.figure_unit == "名" and f.unit == "人") for f in figs)
            out.append(Candidate(p, s, context, tuple(tiers(s.text)), figs, pinned,
                                 s.score + (1.0 if pinned else 0.0) + 0.5 * p.coverage - 0.05 * p.rank + 0.5 * exact
                                 + 1.0 * (p.record.doc_id in ev.query.doc_ids)  # a document the question names
                                 + 1.0 * category + 1.0 * placed_here, placed_here))
    return sorted(out, key=lambda c: -c.score), rare


# The year a target is set for: 到2025年, 至2035年.
HORIZON = re.compile(r"(?:到|至)\s*(\d{4})\s*年")


def horizon_of(p: Passage, s: Sentence, figure: Magnitude) -> str | None:
    """The year a figure of sentence s is set for: the last 到/至 YYYY年 of its paragraph before the
    figure (至2035年，公园城市基本建成。…森林覆盖率达到23%左右: 2035; 到2025年达到20%，到2035年达到30%:
    2025 for 20%), or None when its paragraph names none."""
    text = p.record.text
    start = text.rfind("\n", 0, s.start) + 1
    found = HORIZON.findall(fold(text[start:s.start + figure.start]))
    return found[-1] if found else None


# What a figure measures, named before the measure word: 贴息比例, 投资基金规模, 缴费比例, 贷款总额的
# 几个百分点. The figure is that thing's only when its clause names it.
_MEASURED = re.compile(r"([\u4e00-\u9fff]{2,8}?)的?(?:(?:比例|比重|比率|利率|费率|税率|规模|总额|幅度|增速)"
                       r"[^，,。？?；;！!]{0,5}?(?:多少|几|多大|多高)|的多少|的几个百分点|的百分之几|的几成)")


def measured_word(question: str, vocab: Vocabulary) -> str:
    """The word a ratio, rate or size asked is of, when the library knows it and it names a thing
    (not a benefit word such as 补助, which every grant is): 贴息 of 贴息比例."""
    from .topic import BENEFIT_WORDS, QUESTION_WORDS

    from .query import asked_part, without_options

    m = None
    for m in _MEASURED.finditer(fold(without_options(asked_part(question)))):
        pass
    if m is None:
        return ""
    words = [w for w in vocab.index.terms.tokens(m.group(1)) if len(w) >= 2]
    word = words[-1] if words else ""
    if not word or word in BENEFIT_WORDS or word in QUESTION_WORDS or not vocab.used(word):
        return ""
    return word


def goal_words(question: str, vocab: Vocabulary) -> tuple[str, ...]:
    """What a threshold is asked for (要达到多少分才能落户, 满多少分可以落户): the words after 才能/
    可以/就能 that name a thing the library knows; applying or receiving names nothing of its own."""
    # (不能, 不可以 forbid: 多少年内不能迁走 asks how long a bar lasts, not what a threshold enables)
    m = re.search(r"(?:多少|几)[^，,。？?；;！!]{0,12}?(?:才|就)?(?<!不)(?:能够|能|可以|可)((?:(?!多少|几)[^，,。？?；;！!]){1,12})",
                  fold(question))
    if not m:
        return ()
    return tuple(w for w in vocab.terms(m.group(1)) if vocab.used(w) and not re.fullmatch(APPLY, w))


def _figure_clauses(sentence: str, figs, before: bool = True) -> list[str]:
    """The comma-separated clauses of a sentence that state one of the figures, each with the clause
    before it (the condition it is granted on) unless `before` is false."""
    clauses = re.split(r"(?<=[，,；;：:])", sentence)
    out = []
    for i, c in enumerate(clauses):
        if any(f.text in c for f in figs):
            out.append((clauses[i - 1] if i and before else "") + c)
    return out or [sentence]


# A clause about a family member's situation (纳税人的子女…, 其配偶…) is about that person.
KIN = r"子女|配偶|父母|祖父母|外祖父母|兄弟姐妹|孙子女|外孙子女|孩子|儿子|女儿|闺女|老婆|老公|爱人|妻子|丈夫|爸|妈|爷爷|奶奶|姐|哥|弟|妹"
OF_KIN = re.compile(r"(?:的|其)(?:子女|配偶|父母|祖父母|外祖父母|兄弟姐妹|孙子女|外孙子女)")


def about_kin(sentence: str) -> bool:
    """The sentence is about a family member's situation: it opens with one (纳税人的子女接受…), not
    one named beside the asker (纳税人本人或者其配偶…)."""
    head = re.sub(r"^\s*(第[一二三四五六七八九十百零〇\d]+条|[（(][一二三四五六七八九十\d]+[)）]|\d+[.、])\s*", "", fold(sentence))[:12]
    m = OF_KIN.search(head)
    return bool(m) and not re.search(r"本人或者?$|本人或$", head[:m.start()])


def counted_word(question: str, vocab: Vocabulary) -> str:
    """What a 多少个/几家 question counts: the last noun the library knows after the measure word
    (多少个有影响力的体育赛事城市 → 城市 or its longer form the documents write)."""
    m = re.search(r"(?:多少|几)(?:个(?!月)|家|座|项|所|条|名|批|套|辆|台|户)([^，,。？?；;！!]{1,30})", fold(question))
    if not m:
        return ""
    nouns = [t for t in vocab.terms(m.group(1)) if vocab.used(t) and vocab.nominal(t)]
    return nouns[-1] if nouns else ""


def outside_every_bound(question: str, p: Passage) -> bool:
    """The asker's magnitudes (孩子才两岁) fall outside every bound the measure sets in their unit
    (年满3岁至小学入学前…), where it sets any."""
    asked = asked_magnitudes(question)
    if not asked:
        return False
    # (not a bound in brackets: 25%（超过100人的企业达到15%） states a variant for a group, and the
    # asker outside that group is in the main tier, which names no bound of its own)
    plain = [re.sub(r"[（(](?!不?含[）)])[^（）()]*[）)]", "", s.text) for s in p.sentences]
    # (only the bounds of conditions: 不超过100万元 in a grant caps what is given, it bounds nobody)
    found = [b for text in plain for t in tiers(text) for b in t.bounds]
    units = {m.unit for m in asked}
    relevant = [b for b in found if b.unit in units]
    return bool(relevant) and not any(b.holds(m.value) for b in relevant for m in asked if m.unit == b.unit)


def _lcs(a: str, b: str) -> int:
    """Length of the longest run of characters two texts share."""
    best, prev = 0, [0] * (len(b) + 1)
    for ca in a:
        cur = [0] * (len(b) + 1)
        for j, cb in enumerate(b, 1):
            if ca == cb:
                cur[j] = prev[j - 1] + 1
                best = max(best, cur[j])
        prev = cur
    return best


def chosen_tiers(question: str, ts: tuple[Tier, ...], units: tuple[str, ...]) -> tuple[list[Tier], str]:
    """The tiers that apply to the asker, and how they were chosen: "placed" (by the asker's number),
    "outside" (the number falls in no tier), "named" (the question names one tier's condition), "all"."""
    ts = tuple(t for t in ts if any(f.unit in units for f in t.figures)) or ts
    if len(ts) <= 1:
        return list(ts), "all"
    asked = asked_magnitudes(question)
    if asked and placeable(asked, list(ts)):
        placed = place(asked, list(ts))
        return (placed, "placed") if placed else (list(ts), "outside")
    # A city is in the tier that names its administrative category (北京 → 直辖市): China's
    # categories of cities are national facts (query.CITY_CATEGORIES).
    q = fold(question) + "".join(cat for _, cat in city_categories(question))
    # What tells the tiers apart is what their conditions do not share (黄埔区的… 番禺区的… 南沙区的…
    # of one 分别 list): the question naming that part names the tier; else the whole condition.
    # (a part as short as one character, 乙 of 甲街道、乙街道, is named with the character after it: 乙街)
    parts = _distinct([fold(t.condition) for t in ts], keep_tail=1)
    named = [i for i, d in enumerate(parts) if len(d) >= 2 and d in q]
    if len(named) == 1:
        return [ts[named[0]]], "named"
    overlap = [_lcs(fold(t.condition), q) for t in ts]
    top = max(overlap)
    if top >= 2 and overlap.count(top) == 1:
        return [ts[overlap.index(top)]], "named"
    return list(ts), "all"


def _distinct(texts: list[str], keep_tail: int = 0) -> list[str]:
    """Each text less the beginning and the end that all of them share (less `keep_tail` characters
    of that end)."""
    head = len(os.path.commonprefix(texts))
    tail = max(0, len(os.path.commonprefix([t[head:][::-1] for t in texts])) - keep_tail)
    return [t[head:len(t) - tail] for t in texts]


def _grant_text(c: Candidate, picked: list[Tier], how: str, subject, vocab: Vocabulary) -> str:
    """What the direct line quotes: the picked tier as condition + grant; or, when the sentence states
    several figures and the question names what one of them is for (关键工序数控化率 of a list of
    targets), that clause, with the year the sentence opens with; else the sentence with the one
    naming its subject; a cap in the clause after a grant stays with it."""
    s = c.sentence.text.strip()
    if how in ("placed", "named") and len(picked) == 1 and len(c.tiers) > 1:
        t = picked[0]
        if how == "named" and "分别" in s and t in c.tiers:
            # A 分别 list pairs names and figures by order (黄埔区、番禺区、南沙区…分别为2413元、2512元、
            # 2121元): the name asked and its figure; the evidence quotes the sentence whole.
            conditions = [fold(x.condition) for x in c.tiers]
            own = _distinct(conditions)[c.tiers.index(t)]
            rest = fold(t.condition)[fold(t.condition).find(own) + len(own):] if own else ""
            name = (own + rest.split("的")[0]).strip("，,、的 ") if "的" in rest else own.strip("，,、的 ")  # 乙 + 街道
            if name:
                return f"按所列顺序，{name}对应{t.grant.strip('，,。；; ')}。"
        caps = [x for x in re.split(r"[，,；;]", s) if any(w in x for w in CAP_WORDS) and x not in t.grant and x not in t.condition]
        line = f"{t.condition.strip('，,。；; ')}的，{t.grant.strip('，,。；; ')}"
        if caps:
            line += "，" + "，".join(x.strip() for x in caps)
        return line + "。"
    # (a 分别 list is one statement: its clauses pair by order, none stands for itself)
    # (nor is an enumeration of figures, 二百毫升、三百毫升或者四百毫升: its 、 joins options of one grant)
    parts = [x for x in re.split(r"(?<=[，,；;])|(?<=、)(?![\d零〇一二两三四五六七八九十百千])", s) if x.strip()] if "分别" not in s else [s]
    # A figure in the condition (研发费用超过500万元的) is the threshold, not what is granted.
    conditions = [fold(t.condition) for t in c.tiers if t.condition.strip()]
    with_figure = [i for i, x in enumerate(parts) if any(f.text in x for f in c.figures)
                   and not any(fold(x).strip("，,；;、 ") in cond for cond in conditions)]
    if len(with_figure) >= 2 and subject.known:
        shares = [subject_share(parts[i], subject, vocab) for i in with_figure]
        # The quantity the question names (比重, not 年均增速) breaks a tie between clauses of one subject.
        asked_q = [w for g in QUANTITIES for w in g if w in subject.question]
        shares = [x + (0.01 if any(w in parts[i] for w in asked_q) else 0) for x, i in zip(shares, with_figure)]
        top = max(shares)
        if top > 0 and shares.count(top) == 1:
            i = with_figure[shares.index(top)]
            caps = [x for x in parts[i + 1:i + 2] if any(w in x for w in CAP_WORDS)]
            year = re.match(r"^\s*((?:到|至)\s*\d{4}\s*年(?:底|末)?)", s)
            return ((year.group(1) + "，") if year and year.group(1) not in parts[i] else "") + \
                "".join([parts[i]] + caps).strip("，,；;、。 ") + "。"
    return c.context.strip() if len(c.context) <= 220 else s


def amount_draft(ev: Evidence, vocab: Vocabulary) -> Draft:
    query = ev.query
    units = wanted_units(ev)
    subject = subject_of(query, list(ev.terms), vocab)
    found, rare = candidates(ev, vocab) if not subject.glossed else ([], [])
    if not found:
        # Said where the subject is named most: the passage holding the most of it.
        top = max(ev.on_topic, key=lambda p: max((subject_share(s.text + (p.record.title or ""), subject, vocab)
                                                  for s in p.sentences), default=0.0))
        what = "具体金额" if query.figure_kind == "money" else "具体数值"
        shown = [t for t in rare if contains(fold(top.record.text + (top.record.title or "")), t)]
        about = f"“{shown[0]}”" if shown else "这一内容"
        mention = top.best(1)[0].text if top.sentences else (top.record.title or top.record.text[:80])
        return Draft("amount", f"文件在{ref(top.record)}提到了{about}，但没有写明与问题对应的{what}。", "none",
                     extra={"mentions": [cite(top.record, mention)]})
    if re.search(SEVERAL, query.text) or (not rare and len(found) > 1):
        return every_amount_draft(found, units)
    best = found[0]
    money_asked = (query.figure_kind or "money") == "money"
    if re.search(CAP_ASK, query.text) and money_asked and not any(
            caps_of(c.sentence.text) or any(f.unit in KIND_UNITS["money"] for f in c.figures)
            or any(w in fold(c.context) for w in CAP_WORDS) for c in found[:3]):
        # 最多补多少钱 asked where the text grants a share (按所缴契税的50%) and states no cap: the
        # documents give no maximum amount. The share is quoted as what they do say. (A cap written
        # otherwise than as a figure, 利率上限不超过LPR+50BP, is stated: never said to be missing.)
        return Draft("amount", f"{ref(best.passage.record)}写明：“{best.context.strip()}”，没有写明上限（封顶）金额。", "none",
                     extra={"mentions": [cite(best.passage.record, best.sentence.text)]})
    picked, how = chosen_tiers(query.text, best.tiers, units)
    if best.placed and how == "all":
        how = "placed"  # the asker's number picked this item of the scale: the other items are not theirs
    if how == "all" and outside_every_bound(query.text, best.passage):
        how = "outside"  # 孩子才两岁 where the measure covers 年满3岁至小学入学前
    text = _grant_text(best, picked, how, subject, vocab)
    # A threshold with, in brackets, another for a group (25%（超过100人的企业达到15%）): the asker's.
    text = variant_tier(query.text, text)
    # A figure is stated with its limit, a limit with the figure it limits (evidence.completing):
    # 30日内支付款项 with 最长不得超过60日, unless the asker's tier was picked out of a list.
    if how not in ("placed", "named"):
        i = best.passage.sentences.index(best.sentence)
        around = completing(best.passage, i)
        before = "".join(best.passage.sentences[k].text for k in around if k < i and best.passage.sentences[k].text not in text)
        after = "".join(best.passage.sentences[k].text for k in around if k > i and best.passage.sentences[k].text not in text)
        if before or after:
            text = before + (text.rstrip("。；;") + "；" + after if after else text)
    # A target carries the year its passage sets (二、发展目标\n到2025年，…: every target of it is for then).
    year = re.search(HORIZON.pattern + r"(?:底|末)?", best.passage.record.text[:80])
    opening = ""
    if year and not re.search(r"\d{4}\s*年", text) and re.search(r"达到|不低于|增长|增速|比重|率|建成|培育|打造", text):
        text = f"{year.group(0)}，{text}"
        opening = year.group(0) + "……"  # quoted with the sentence, so the year is in what the answer cites
    # A cap asked (最高多少, 有没有封顶) that the chosen sentence does not state: the measure's sentence
    # that caps a grant joins it.
    if re.search(CAP_ASK, query.text) and not any(w in text for w in CAP_WORDS):
        capping = [s.text for s in best.passage.sentences if s.start != best.sentence.start
                   and any(w in s.text for w in CAP_WORDS) and magnitudes(s.text)]
        if capping:
            text = text.rstrip("。；;") + "；" + capping[0]
    # Sure: the sentence names the subject, no sentence of another measure is about as good with
    # other figures, and a tier was placed, named, or there is only one.
    rivals = [c for c in found[1:] if c.passage.record.measure_key != best.passage.record.measure_key
              and best.score - c.score < CLOSE and {f.value for f in c.figures} != {f.value for f in best.figures}]
    sure = best.pinned and not rivals and how != "outside"
    if how == "outside":
        # The asker's number falls in none of the tiers or ranges the measure states: the documents
        # give no figure for them. Said so, with the measure that bounds it.
        asked = "、".join(m.text for m in asked_magnitudes(query.text))
        return Draft("amount", f"{ref(best.passage.record)}：“{text}”——您所说的{asked}不在所列的条件或档次内，文件没有写明这种情况的{'金额' if (query.figure_kind or 'money') == 'money' else '数值'}。",
                     "none", extra={"mentions": [cite(best.passage.record, best.sentence.text)]})
    placed = [f"{city}属{cat}" for city, cat in city_categories(query.text) if cat in fold(best.sentence.text)]
    if placed:
        text = f"（{'，'.join(placed)}。）{text}"
    cites = [cite(best.passage.record, opening + best.sentence.text)]
    rows = []
    # Other sentences of the same measure as much about the subject, with other figures (the two
    # grants of “加大财税支持”那一条): the question does not pick one, so each is given.
    # (items of one list, （一）…（二）…, that the question does not tell apart are given together)
    def sibling(c: Candidate) -> bool:
        return c.context != c.sentence.text and c.context.split("：")[0] == best.context.split("：")[0]
    peers = [c for c in found[1:] if c.passage.record.measure_key == best.passage.record.measure_key
             and {f.value for f in c.figures} != {f.value for f in best.figures}
             and ((c.pinned == best.pinned and best.score - c.score < CLOSE) or (sibling(c) and not placed
                  and subject_share(c.sentence.text, subject, vocab) >= subject_share(best.sentence.text, subject, vocab)))] \
        if how == "all" else []
    for c in peers[:4]:
        rows.append(f"{ref(c.passage.record)}：{c.context.strip()}")
        cites.append(cite(c.passage.record, c.sentence.text))
    # The same subject granted in other documents too: each is shown on a line of its own.
    other_docs = [c for c in found[1:] if c.pinned and c.passage.record.doc_id != best.passage.record.doc_id
                  and best.score - c.score < 1.0]
    for c in list({c.passage.record.doc_id: c for c in reversed(other_docs)}.values())[:2]:
        rows.append(f"{ref(c.passage.record)}：{c.context.strip()}")
        cites.append(cite(c.passage.record, c.sentence.text))
    if sure:
        line = f"{ref(best.passage.record)}：{text}"
        return Draft("amount", line, "direct", tuple(cites), tuple(rows))
    line = f"最相关的是{ref(best.passage.record)}：“{text}”"
    return Draft("amount", line, "likely", tuple(cites), tuple(rows))


def every_amount_draft(found: list[Candidate], units: tuple[str, ...]) -> Draft:
    """Which supports there are and how much each (有哪几项…各多少): every sentence stating one, in
    document order, grouped by measure."""
    seen, rows, cites = set(), [], []
    for c in sorted(found, key=lambda c: (c.passage.rank, c.passage.record.start, c.sentence.start)):
        if (c.passage.record.record_id, c.sentence.start) in seen:
            continue
        seen.add((c.passage.record.record_id, c.sentence.start))
        rows.append(f"- {ref(c.passage.record)}：{c.context.strip()}")
        cites.append(cite(c.passage.record, c.sentence.text))
    rows = rows[:12]
    head = f"写明了金额或比例的共{len(rows)}处："
    unique = list({c.record_id: c for c in reversed(cites)}.values())[::-1]
    return Draft("amount", head, "direct", tuple(unique), tuple(rows))
