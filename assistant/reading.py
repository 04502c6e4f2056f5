"""Pure reading of question and clause text, shared by the answer stage: the magnitudes a text
bounds and the tiers they fall in (超过100万, 七十来万, 16—24岁, 25%（超过100人的企业达到15%）), a
qualifier the question or a clause puts on a word (合伙创业 vs 自主创业, 非独生子女), the asker's story
and the sentence that asks, and a question that asks for several figures split into one per ask.
No index, no I/O: each function takes text and returns what it reads.
"""
from __future__ import annotations

import re

from .load import fold
from .query import EVERYDAY_WORDS
from .records import SupportItem

# Names of one quantity: a share of a whole, a growth rate, a coverage rate.
QUANTITIES = (("比重", "占比", "比例"), ("增速", "增长率", "增幅", "年均增长"), ("覆盖率", "普及率"))
STATUS_CHARS = 6  # a status name this long, ending the condition and written alike in the question, is that status


# A basis the figure is computed from (返还标准按6个月的当地月人均失业保险金…确定): what it names is
# the yardstick of the figure, not what the figure is granted for.
_BASIS = re.compile(r"按照?[^，,。；;：:]{2,40}?(?:确定|计算|核定|折算|的标准|为基数|为标准)")


# A sentence that lists what a term covers: "学历教育包括义务教育（小学、初中教育）、…" (第X条 may lead
# it). Only the members a term includes: a 是指 definition describes (…享受首套住房贷款利率的住房贷款),
# and what describes a term is not a kind of it.
DEFINITION = re.compile(r"^(?:第[一二三四五六七八九十百零〇]+条\s*)?(?:本(?:办法|意见|通知|规定|细则)所称)?"
                         r"(?P<term>[\u4e00-\u9fff]{2,12}?)[，,]?包括(?P<body>.+)")


# A number with the side of it a tier covers: 不超过100万 / 100万以下 (at most), 超过100万 / 一百多万
# / 100万以上 (more).
_CN_DIGITS = "零〇一二两三四五六七八九十百千"
_BOUND = re.compile(rf"(?P<before>不超过|不到|不足|少于|低于|未满|超过|多于|高于|大于)?\s*(?P<n>\d+(?:\.\d+)?|[{_CN_DIGITS}]+)"
                    rf"(?P<more>多|余)?来?(?P<unit>万|亿|岁|人|名)?(?:人|元|平方米|户|家)?(?P<after>以下|以内|以上)?")
_AT_MOST = {"不超过", "不到", "不足", "少于", "低于", "未满", "以下", "以内"}
# A range a tier covers: 16—24岁, 3—12个月.
_RANGE = re.compile(r"(\d+)\s*[—–\-~～至到]+\s*(\d+)\s*(岁|万|亿)")


def affirms(text: str, term: str) -> bool:
    """The text names `term` other than as its denial (独生子女, not 非独生子女)."""
    return any(not text[max(0, m.start() - 2):m.start()].endswith(("非", "不是", "不"))
               for m in re.finditer(re.escape(term), text))


def uncrossed(word: str, parts: list[str]) -> list[str]:
    """The words inside `word` less those that cross a cut between its words (养父 in 赡养|父母). The
    cuts are those of the fewest words that cover it whole; a word no such cover divides (中小学:
    中小|学 and 中|小学 each leave a character out) keeps all its words."""
    best: dict[int, list[str]] = {0: []}  # end position → fewest words covering word[:end]
    for end in range(1, len(word) + 1):
        ways = [best[end - len(t)] + [t] for t in parts if word.endswith(t, 0, end) and end - len(t) in best]
        if ways:
            best[end] = min(ways, key=len)
    if len(word) not in best:
        return parts
    cuts, at = set(), 0
    for t in best[len(word)][:-1]:
        at += len(t)
        cuts.add(at)
    return [t for t in parts if not any(word.find(t) < c < word.find(t) + len(t) for c in cuts)]


def _ranges(text: str) -> list[tuple[float, float, str]]:
    return [(float(a), float(b), u) for a, b, u in _RANGE.findall(fold(text))]


def _bounds(text: str) -> list[tuple[float, str, str | None]]:
    """Each number of the text with its unit (万, 亿, or none) and the side a tier bounds it on."""
    from .numerals import to_int

    out = []
    for m in _BOUND.finditer(fold(text)):
        side = m.group("before") or m.group("after") or ("多" if m.group("more") else None)
        n = m.group("n")
        value = float(n) if n[0].isdigit() else to_int(n)
        if value is not None:
            unit = "人" if m.group("unit") == "名" else m.group("unit") or ""  # 50名员工 counts people as 100人 does
            out.append((float(value), unit, None if side is None else "le" if side in _AT_MOST else "gt"))
    return out


# A threshold with, in brackets, another for a group: 达到在职职工人数25%（超过100人的企业达到15%）.
_VARIANT = re.compile(r"(\d+(?:\.\d+)?%)\s*[（(]([^（）()]{2,30}?)(?:达到|为|不低于|不少于)\s*(\d+(?:\.\d+)?%)[)）]")


def variant_tier(question: str, condition: str) -> str:
    """The condition as it applies to the asker when it states a threshold and, in brackets, another
    for a group: the group's (…职工人数……（超过100人的企业达到15%）) when the question's magnitude (员工
    超过100人) falls in the group's bound, the others' (…职工人数25%…) when it falls outside, the whole
    when the question states no magnitude of that kind."""
    m = _VARIANT.search(condition)
    if not m:
        return condition
    group = [(v, u) for v, u, side in _bounds(m.group(2)) if side and u]
    if not any(u == gu for _, u, _ in _bounds(question) for _, gu in group):
        return condition
    if bounds_agree(question, m.group(2)):
        return condition[:m.start()] + "……" + condition[m.end(1):]
    return condition[:m.end(1)] + condition[m.end():]


def qualified_otherwise(text: str, qualifier: str, word: str) -> bool:
    """The text writes `word` only with another word right before it (自主创业 where the question says
    合伙创业): a clause for another kind of it. A longer form of the qualifier (市辖区 for 市区, its
    characters in order) is the same kind."""
    def other(at: int) -> bool:
        before = text[max(0, at - 4):at]
        chars = iter(before)
        if all(c in chars for c in qualifier):
            return False
        return bool(re.search(r"[\u4e00-\u9fff]{2}$", before)) and before[-1] not in "的之和与及"
    spots = [m.start() for m in re.finditer(re.escape(word), text)]
    return bool(spots) and qualifier not in text and all(other(at) for at in spots)


def bounds_agree(question: str, condition: str) -> bool:
    """A condition bounding the same number on the other side is another tier (市辖区户籍人口超过100万
    的城市 for a question about 不到100万), and so is one a figure the question states falls outside
    (60万 is not 超过100万)."""
    have = [(v, u, side) for v, u, side in _bounds(condition) if side]
    ranges = _ranges(condition)
    for v, u, side in _bounds(question):
        if side is None and u and any(ru == u and not lo <= v <= hi for lo, hi, ru in ranges):
            return False  # 30岁 is outside 16—24岁
        for hv, hu, hside in have:
            if u != hu or not u:
                continue  # only magnitudes written alike (100万, 60万) are compared, not bare numbers
            if side and hv == v and side != hside:
                return False
            if side is None and ((hside == "le" and v > hv) or (hside == "gt" and v <= hv)):
                return False
    return True


def spellings(term: str) -> tuple[str, ...]:
    """A word and the other formal words an everyday word is read as with it (老婆 → 配偶、夫妻: a
    clause naming either is about the asker's spouse)."""
    for formal in EVERYDAY_WORDS.values():
        words = tuple(formal.split("、"))
        if len(words) > 1 and term in words:
            return words
    return (term,)


def target_year(it: SupportItem, passage: str = "") -> str:
    """The year a target is set for (到2025年), when its clause does not say it: stated at the start of
    its sentence, or else at the start of its passage (二、发展目标\n到2025年,…: every target of the
    section is for that year)."""
    if it.kind != "指标" or re.search(r"\d{4}\s*年", it.quote):
        return ""
    opening = re.sub(r"^[^\n]*\n", "", passage, count=1) if "\n" in passage else passage  # after the heading line
    for text in (it.context, opening):
        year = re.match(r"^\s*((?:到|至)\s*\d{4}\s*年(?:底|末)?)", text)
        if year:
            return year.group(1)
    return ""


def names_status(question: str, condition: str) -> bool:
    """The question writes the status a condition ends with, as the condition writes it, head noun
    and all (省级新经济示范企业 in 新认定的省级新经济示范企业): a shorter shared run that stops before the
    head (省级新经济示范 of 示范园区) names another subject."""
    cond = condition.strip(" ，,。；;")
    return any(cond[-k:] in question for k in range(len(cond), STATUS_CHARS - 1, -1))


DENIAL = ("非", "不是")
# Which aspects a part of the document sets out: 从哪几个方面, 分哪些部分.
PARTS_OF = r"(哪几个|哪些|几个)[^，,。？?]{0,8}(方面|部分|板块|维度)"
# Which supports there are and how much each: 有哪几项…各多少, 分别是多少.
SEVERAL = r"(哪几项|哪些|哪几|几项).{0,12}(各|分别|都)(是|有)?多少|(各|分别)(是|有)?多少"
APPLY = r"申请|申领|享受|领取|获得|拿到|得到|办理|领|拿"
NEGATED = re.compile(r"(?:不是|并非|不属于)([^，,。；;？?也但而的和或]{1,10})")


def compared(question: str, text: str) -> bool:
    """The question's magnitudes (60万) are the asker's own, to be placed in the tiers the text bounds
    in the same unit (超过100万 / 不超过100万), not figures the text must state."""
    unit_bounds = {u for _, u, side in _bounds(text) if side and u} | {u for _, _, u in _ranges(text)}
    asked = [(v, u) for v, u, side in _bounds(question) if u]
    return bool(asked) and all(u in unit_bounds for _, u in asked)


# 除一次性落户奖以外的其他支持政策: what 除…以外 (之外) names is what the clause is not about.
_EXCEPT = re.compile(r"(?<![扣免消清排剔解删废拆])除(?:了)?[^，,。；;：:]{1,30}?(?:以外|之外|外)")


def without_basis(text: str) -> str:
    """The text less the basis a figure is computed from and what it excepts (除X以外): neither names
    what the figure is for."""
    return _EXCEPT.sub("", _BASIS.sub("", text))


def figure_clauses(it: SupportItem) -> str:
    """The clauses of an item's quote that state one of its figures."""
    return "，".join(c for c in re.split(r"[，,；;]", it.quote) if any(f.text in fold(c) for f in it.figures))


_ASK = re.compile(r"多少|(?<!哪)几[座家个项所年月天名人分]?|多久|多长|什么时候|哪天|哪一年")
# Words that ask for one figure per conjunct: A和B分别/各自/各…多少.
_EACH = re.compile(r"分别|各自|各(?=[能是有可扣拿给得为])")


def asking_sentences(question: str) -> str:
    """The sentences that ask, when the question tells a story in sentences of its own first; else
    the whole question (folded)."""
    parts = [p for p in re.split(r"(?<=[。！!？?])", fold(question)) if p.strip()]
    asking = [p for p in parts if _ASK.search(p) or re.search(r"[吗呢？?]\s*$", p)]
    return "".join(asking) if len(parts) > 1 and asking and len(asking) < len(parts) else fold(question)


def asking_clauses(question: str) -> str:
    """The clauses that ask a figure (住房租金每个月能扣多少), without the story told in the same
    sentence before them (我自己名下没房，老公在这边也没房，…); the asking sentences when none does."""
    asking = asking_sentences(question)
    clauses = [c for c in re.split(r"[，,；;]", asking) if _ASK.search(c)]
    return "，".join(clauses) if clauses else asking


_STATED = re.compile(r"\d{4}\s*年\s*\d{1,2}\s*月\s*\d{1,2}\s*日|\d+(?:\.\d+)?\s*(?:万元|亿元|元|%|个百分点|个月|岁)")


def with_years(text: str) -> str:
    """The text with the year written into the end of a date range that leaves it to the start
    (2019年1月1日至12月31日 → …至2019年12月31日)."""
    return re.sub(r"(\d{4})年(\d{1,2})月(\d{1,2})日(至|到|—|-)(\d{1,2})月(\d{1,2})日", r"\1年\2月\3日\4\1年\5月\6日", text)


def stated_figures(question: str) -> list[str]:
    """The figures and full dates a question writes with their unit (每月1000元 → 1000元,
    2020年12月31日), as a text states them: a list question naming one asks where it is stated."""
    return [re.sub(r"\s+", "", m.group(0)) for m in _STATED.finditer(with_years(fold(question)))]


def split_question(q: str) -> list[str]:
    """The questions inside one that asks for several figures.

    "A，B？" or "A、B？" where each clause asks for a figure (多少座加氢站、多少家企业) gives one
    question per clause; "X和Y…分别（各自）多少" and "既X，又Y，…多少" give one question per
    conjunct, each with the rest of the sentence.
    """
    clauses = [c for c in re.split(r"[，,？?；;、]", q) if c.strip()]
    asking = [c for c in clauses if _ASK.search(c) and not c.strip().endswith("的话")]  # a case supposed asks nothing
    if len(asking) > 1:
        # Later clauses often leave out the subject (…每个月能扣多少，最长扣多久？): they keep the first's.
        head = "".join(c + "，" for c in clauses[:clauses.index(asking[0])])  # its clauses kept apart
        context = _ASK.sub("", asking[0])
        return [head + (context if i else "") + c for i, c in enumerate(asking)]
    both = re.search(r"既(.{2,40}?)[，,]?又(.{2,40}?)[，,]([^，,]*(?:多少|几)[^，,]*)$", q)
    if both:
        ask = re.sub(r"(这|那)?(两|几)(项|个|类|种)|分别|各自|各", "", both.group(3))
        return [both.group(1) + "，" + ask, both.group(2) + "，" + ask]
    each = _EACH.search(q)
    if each and _ASK.search(q[each.end():]):
        before, ask = q[:each.start()], q[each.end():]
        # The conjuncts: the last 和/与/及 before 分别 joins them; the first starts after the
        # preposition or comma that opens it (对示范企业和瞪羚企业…), which is kept as the head.
        conj = [m for m in re.finditer(r"[，,]?(?:以及|和|与|及)|[、，,]又", before)] \
            or list(re.finditer(r"、", before))  # 推出…赛事、打造…品牌，各是多少: two clauses in a list
        if conj:
            c = conj[-1]
            story, head, a = _opened(before[:c.start()])
            b = before[c.end():].strip("，,")
            b, _, shared = b.partition("，")  # …租房，个税的住房租金扣除标准分别…: said of both
            tail = ("，" + shared if shared else "") + ask
            if len(a) >= 2 and len(b) >= 2:
                # A conjunct that only names a quantity (比重, 占GDP的比重) is of the first's subject
                # (新经济增加值增速和比重 → 新经济增加值比重), or, when both only name one, of the
                # sentence before (四川发展新经济…目标？增速和比重各是多少？).
                if _bare(a) and _bare(b):
                    head = story + head
                elif _bare(b):
                    b = _QUANTITY.split(a, maxsplit=1)[0] + b
                return [head + a + tail, head + b + tail]
    return [q]


_QUANTITY = re.compile("|".join(w for g in QUANTITIES for w in g) + r"|增长|目标")


def _bare(conjunct: str) -> bool:
    """The conjunct names only a quantity (增速, 占GDP的比重), no subject of its own."""
    return not re.search(r"[\u4e00-\u9fff]{2}", re.sub(_QUANTITY.pattern + r"|占|的|GDP|地区生产总值", "", conjunct))


def _opened(text: str) -> tuple[str, str, str]:
    """`text` split before its last conjunct: after the last comma, or the last preposition standing
    as a word (对示范企业 → 对 | 示范企业; not the 在 of 在职), which opens the conjuncts and is kept
    with the head; 在A和在B repeat it, so it stays with A. A sentence before the conjuncts (…是什么？
    A和B分别…) is another question: it is returned apart, first."""
    import jieba

    pos, cut, sentence = 0, 0, 0
    for tok in jieba.lcut(text):
        pos += len(tok)
        if tok in ("对", "对于", "为", "在", "给", "向", "，", ","):
            cut = pos
        elif tok in ("？", "?", "。", "！", "!"):
            cut = sentence = pos
    return text[:sentence], text[sentence:cut], text[cut:]


# The kind of organisation a phrase names: the words before 企业/公司/园区 back to a particle or a
# separator (新认定的省级新经济示范企业 → 省级新经济示范企业; 一家小微企业 → 小微企业); a pronoun (我们公司)
# names no kind.
_KIND = re.compile(r"([\u4e00-\u9fff]{2,24}?)(企业|公司|园区)")
_KIND_START = re.compile(r".*(?:[的为是对给在把被、和与及或等家个类种]|评上|获评|入选|成为|认定|备案)")
_PRONOUN = re.compile(r"^(我们|咱们|你们|他们|我|你|他|本|这|那|该)")


def kinds_named(text: str) -> list[str]:
    """The kinds of organisation a text names (省级新经济示范企业, 低碳机器人装备企业), not a bare 企业."""
    out = []
    for m in _KIND.finditer(fold(text)):
        head = _KIND_START.sub("", m.group(1))
        if len(head) >= 2 and not _PRONOUN.match(head):
            out.append(head + ("企业" if m.group(2) == "公司" else m.group(2)))  # a company is an enterprise
    return out


def _same_kind(asked: str, granted: str) -> bool:
    """The asked kind is the granted one or a broader class of it: same organisation word, and one
    name holds the other (瞪羚 in 四川省瞪羚企业; 新经济 in 省级新经济示范企业). Sharing only an end
    (经济终端 of 低碳低空经济终端 and 绿色海洋经济终端) is two kinds."""
    if asked[-2:] != granted[-2:]:
        return False  # 示范园区 is no 示范企业
    a, g = asked[:-2], granted[:-2]
    return a in g or g in a


def other_kind(question: str, condition: str) -> bool:
    """The condition grants to a kind of organisation (新认定的低碳机器人装备企业) that is none of the
    kinds the question names (低碳低空经济终端企业): another subject, whatever words they share."""
    cond = condition.strip(" ，,。；;")
    if not re.search(r"(企业|公司|园区)$", cond):
        return False
    own = kinds_named(cond)[-1:]
    asked = kinds_named(question)
    return bool(own and asked) and not any(_same_kind(a, own[0]) for a in asked)
