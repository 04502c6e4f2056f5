"""Support items: the clauses of a measure that grant money, a ratio, a cap, a refund, land or a
quota, and the clauses that set a numeric target.

Pure functions over records (no index, no files). Policy texts grant support clause by clause:
  对A，给予X；对B，给予Y            each clause's condition is the 对… phrase before it
  A的，可申请最高不超过X             a 的-phrase is the condition of the clause after it
  主板上市的奖励300万元，新三板挂牌的奖励100万元   the condition stands in the clause itself
  对国家级、省级示范园区分别给予100万元、50万元    分别 aligns the listed conditions with the figures
Each item names its condition (who or what qualifies), the kind of support, its figures with
qualifiers (不超过, 最高, 按…%, 每家/每年), the period when stated, and the exact quote with its
offsets. The index stores the items of each document beside its records; amount answers are
composed from them, never from the nearest sentence with a number in it.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .load import fold
from .numerals import to_number
from .records import Figure, Record, SupportItem

_CN_NUM = "零〇一二两三四五六七八九十百千"
_NUM = rf"(?:\d+(?:\.\d+)?|[{_CN_NUM}]+(?:点[{_CN_NUM}]+)?)"
# A figure and its unit. Money first so 万元 is not read as 万 of something else.
FIGURE = re.compile(
    rf"(?P<pct>百分之(?P<pctn>{_NUM}))"
    r"|(?P<plus>\d+)\+"  # “100+”示范企业: a count written as "this many or more"
    rf"|(?P<n>{_NUM})\s*(?P<unit>万亿元|亿元|千万元|百万元|万元|千元|元|%|‰|个百分点|倍|亩|万平方米|平方米|个月|年|天|日|名|人|家|个|项|座|所|条|批|次|套|间|分(?![之别钟类期配散工管支]))"
)
_MONEY_SCALE = {"元": 1, "千元": 1e3, "万元": 1e4, "百万元": 1e6, "千万元": 1e7, "亿元": 1e8, "万亿元": 1e12}
QUALIFIERS = ("最高不超过", "不能超过", "不得超过", "不超过", "最高", "最多", "上限为", "不低于", "不少于", "最低", "超过", "达到", "按照", "按")
# Words that cap what is granted (tiers and amount answers read them too).
CAP_WORDS = ("最高不超过", "最高不得超过", "累计不超过", "最高可达", "最高", "最多", "不超过", "不得超过", "不能超过",
             "上限为", "上限", "封顶", "限额")
# The qualifiers among them: a figure they precede is a ceiling.
CAP_QUALIFIERS = tuple(q for q in QUALIFIERS if q in CAP_WORDS)
PER = re.compile(r"每(家|年|人|户|个|月|项|次|家企业|个项目|名)")
# Kinds of support, by the words that grant them; the first that a clause (or its sentence) uses.
KINDS = (
    ("一次性奖励", r"一次性.{0,12}奖励|一次性奖补"),
    ("后补助", r"后补助"),
    ("贴息", r"贴息"),
    ("返还", r"返还"),
    ("配套", r"配套"),
    ("担保贷款", r"担保贷款|贷款"),
    ("减免", r"减免|免征|减征|免收|减按"),
    ("扣除", r"扣除"),
    ("奖励", r"奖励|奖补|奖金"),
    ("补贴", r"补贴"),
    ("补助", r"补助"),
    ("资助", r"资助|资金支持|经费支持|扶持资金|专项资金|支持资金"),
    ("用地", r"用地|土地|亩"),
    ("指标", r"达到|不低于|提高到|增长|增速|比重|占比|比例达|普及率|覆盖率|强度|率达|建成|培育|打造|推出|形成|新增|突破"),
)
SUPPORT_KINDS = tuple(k for k, _ in KINDS if k != "指标")
# A grant without a figure (给予职业培训补贴，补贴标准根据…确定): a benefit whose amount is not stated.
_GRANT_NO_FIGURE = re.compile(r"(给予|可申请|申请|享受|发放|提供|安排)[^，,。；;]{0,20}(补贴|补助|奖励|奖补|资助|贴息|担保贷款|减免|扶持资金|专项资金)")
# Where a condition starts: 对…, 凡…, 符合…, 获得…, 被认定…, 新认定…, 首次…, 经…认定…
_CONDITION_START = re.compile(r"^(对于|对|凡|符合|获得|被认定|被评为|新认定|首次|经.{1,12}认定|在)")
_GRANT = re.compile(r"(给予|奖励|补助|补贴|资助|支持|返还|贴息|可申请|申请|扣除|减免|按照|按)")
_CAP_CLAUSE = re.compile(r"(额度|标准|金额|限额)[^，,。；;]{0,6}(不能超过|不得超过|不超过|最高|最多|上限)")
_SENTENCE = re.compile(r"[^。；;！？!?\n]+[。；;！？!?]?")
_CLAUSE = re.compile(r"[^，,：:]+[，,：:]?")
_PERIOD = re.compile(r"(\d{4}年(?:\d{1,2}月(?:\d{1,2}日)?)?\s*(?:至|到|—|-|－|~)\s*(?:\d{4}年)?(?:\d{1,2}月(?:\d{1,2}日)?)?|\d{4}年(?:\d{1,2}月\d{1,2}日)?(?:前|起|以来)|连续\d+年|\d{4}—\d{4}年)")


def parse_figures(clause: str) -> list[Figure]:
    """The figures of a clause with their units, qualifiers and per-what, in order."""
    f = fold(clause)
    out = []
    for m in FIGURE.finditer(f):
        if m.group("pct"):
            value, unit = to_number(m.group("pctn")), "%"
        elif m.group("plus"):
            value, unit = float(m.group("plus")), "个"
        else:
            n = to_number(m.group("n"))
            unit = m.group("unit")
            value = n * _MONEY_SCALE[unit] if n is not None and unit in _MONEY_SCALE else n
            if unit in _MONEY_SCALE:
                unit = "元"
            elif unit in ("万平方米",):
                value, unit = (n or 0) * 1e4, "平方米"
        if value is None:
            continue
        # Counts are written in digits in policies; 一次性, 一个 are words, not figures.
        if unit in ("名", "人", "家", "个", "项", "座", "所", "条", "批", "次", "套", "间") and not m.group("plus") and \
                (not m.group("n")[0].isdigit() or f[m.end():m.end() + 1] == "性"):
            continue
        # A year (2025年) is a date, not a figure of support; 3年 as a period is kept.
        if unit == "年" and value >= 1900:
            continue
        before = f[max(0, m.start() - 8):m.start()]
        qual = next((q for q in QUALIFIERS if before.endswith(q) or before.endswith(q + "的")), "")
        if not qual:
            qual = next((q for q in QUALIFIERS if q in before), "")
        if not qual and re.match(r"的?(限额|以内|封顶|为限)", f[m.end():m.end() + 4]):
            qual = "不超过"  # 在80000元限额内, 5万元以内: a cap written after the figure
        per = PER.search(f[max(0, m.start() - 12):m.start()])
        out.append(Figure(clause[m.start():m.end()], value, unit, qual, per.group(0) if per else ""))
    return out


def _kind(text: str) -> str:
    f = fold(text)
    return next((k for k, p in KINDS if re.search(p, f)), "其他")


def _spans(pattern: re.Pattern, text: str, offset: int = 0) -> list[tuple[int, int]]:
    return [(offset + m.start(), offset + m.end()) for m in pattern.finditer(text) if m.group(0).strip()]


def _is_condition(clause: str) -> bool:
    """A clause that says who qualifies (对…, 凡…, 符合…的, …的企业) rather than what they get."""
    c = fold(clause).strip(" ，,：:")
    return bool(_CONDITION_START.match(c)) or c.endswith("的") or bool(re.search(r"的(企业|单位|人员|项目|机构|个人)$", c))


LABEL_PREFIX = re.compile(r"^\s*(第[^条]{1,6}条|[（(][一二三四五六七八九十\d]+[）)]|\d+[.、]|[一二三四五六七八九十]+、)\s*")
_TARGET_VERB = re.compile(r"(达到|不低于|不少于|提高到|提升到|增长|高|超过|占比|为|达)")
# Figures that are amounts of something given or a target (not a date, a headcount or a count of rules).
_BENEFIT_UNITS = ("元", "%", "‰", "个百分点", "倍", "亩", "平方米")
_COUNT_UNITS = ("座", "家", "个", "项", "所", "名", "人", "条", "批", "次", "套", "间")
# A target that counts what is to be built or fostered: 建成加氢站60座, 培育国内领先企业25家.
_COUNT_TARGET = re.compile(r"(建成|建设|培育|打造|推出|形成|新增|突破|引进|认定|布局|创建|发展|培养|达到|超过|力争)")


def _trim(cond: str) -> str:
    cond = LABEL_PREFIX.sub("", cond.strip(" ，,：:。；;"))
    cond = re.sub(r"^(对于|对|凡)", "", cond)
    cond = re.sub(r"[，,]?(分别|可以|可|将|均)?$", "", cond)
    return re.sub(r"^(到|至)\d{4}年(底|末)?[，,]?", "", cond).strip(" ，,")


def _figures_of(piece: str) -> list[Figure]:
    f = fold(piece)
    return [x for x in parse_figures(piece) if x.unit in _BENEFIT_UNITS
            or (x.unit in ("年", "个月") and re.search(r"(期限|年限|连续|最长)", f))
            or (x.unit in _COUNT_UNITS and _COUNT_TARGET.search(f) and not _is_condition(piece))]


def _pieces(text: str, s: int, e: int) -> list[tuple[int, int]]:
    """A clause, or its 、-separated parts when each states one figure of its own
    (普及率达到90%左右、关键工序数控化率达到60%左右)."""
    clause = text[s:e]
    if "分别" in clause or "、" not in clause:
        return [(s, e)]
    parts, pos = [], s
    for piece in clause.split("、"):
        parts.append((pos, pos + len(piece)))
        pos += len(piece) + 1
    if len(parts) > 1 and all(len(_figures_of(text[a:b])) == 1 for a, b in parts):
        return parts
    return [(s, e)]


def _condition(text: str, clauses: list[tuple[int, int]], i: int, ps: int, pe: int, kind: str) -> tuple[str, int]:
    """The condition a figure piece applies to, and where the item's quote starts.

    对…给予 in the piece itself; for a target, the piece's words before its figure; else the nearest
    condition clause before it in the sentence; else the sentence's words before the grant.
    """
    own = fold(text[ps:pe])
    m = re.match(r"^(?:对于|对|凡)(.+?)[，,]?(?:可)?(?:给予|奖励|补助|补贴|资助|一次性|按|返还)", own)
    if m:
        return _trim(text[ps + m.start(1):ps + m.end(1)]), ps
    if kind == "指标":
        fig = FIGURE.search(own)
        head = text[ps:ps + (fig.start() if fig else 0)]
        head = re.sub(r"(达到|不低于|不少于|提高到|提升到|超过|达)$", "", head)
        if _trim(head):
            return _trim(head), ps
    first = clauses[0][0]
    for j in range(i - 1, -1, -1):
        cs, ce = clauses[j]
        if _figures_of(text[cs:ce]) and not _is_condition(text[cs:ce]):
            first = ce  # an earlier clause with a figure of its own has its own condition
            break
        if _is_condition(text[cs:ce]):
            g = _GRANT.search(own)
            end = ps + g.start() if g and g.start() > 0 else ps
            return _trim(text[cs:end]), cs
    g = _GRANT.search(own)
    end = ps + g.start() if g and g.start() >= 2 else ps
    start = min(first, end)
    return _trim(text[start:end] if end > start else text[ps:pe]), start


def enumeration(condition: str, n: int) -> tuple[str, list[str], str] | None:
    """"新认定的国家级、省级示范园区" with n=2 → ("新认定的", ["国家级", "省级"], "示范园区").

    The first element carries the modifier before it (…的, …为); the last carries the shared head
    noun after the tier word, which ends like the others (级, 星级, 板).
    """
    for m in re.finditer(r"([\u4e00-\u9fff\w“”\"]{1,16}(?:、[\u4e00-\u9fff\w“”\"]{1,16})+)", condition):
        parts = m.group(1).split("、")
        if len(parts) != n:
            continue
        first = re.split(r"[的为对在]", parts[0])[-1] or parts[0]
        prefix = condition[:m.start()] + parts[0][:len(parts[0]) - len(first)]
        tiers = [first] + parts[1:-1]
        last = parts[-1]
        ending = next((tiers[0][-k:] for k in (2, 1) if len(tiers[0]) > k and tiers[0][-k:] in last), "")
        cut = last.index(ending) + len(ending) if ending else len(last)
        return prefix, tiers + [last[:cut]], last[cut:] + condition[m.end():]
    return None


def _period(sentence: str) -> str:
    m = _PERIOD.search(fold(sentence))
    return sentence[m.start():m.end()] if m else ""


def record_items(r: Record, every_figure: bool = False) -> list[SupportItem]:
    """The support and target clauses of one record.

    With `every_figure`, every clause stating any figure (a duration, a count, points, a threshold
    inside a condition) is an item too: what a question about 几年/多少分 is answered from.
    """
    text = r.text
    items: list[SupportItem] = []
    for ss, se in _spans(_SENTENCE, text):
        sentence = text[ss:se]
        if re.match(r"^[（(](责任单位|牵头单位)", fold(sentence)):
            continue
        clauses = _spans(_CLAUSE, sentence, ss)
        for i, (cs, ce) in enumerate(clauses):
            for ps, pe in _pieces(text, cs, ce):
                piece = text[ps:pe]
                figs = parse_figures(piece) if every_figure else _figures_of(piece)
                if not figs and (every_figure or not _GRANT_NO_FIGURE.search(fold(piece))):
                    continue
                kind = _kind(piece)
                # A cap on the sentence's benefit in a clause of its own (…分摊每月2000元的扣除额度，每人分摊
                # 的额度不能超过每月1000元) is part of the grant.
                granted = bool(_GRANT.search(fold(piece))) or kind != "其他" or bool(_CAP_CLAUSE.search(fold(piece)))
                if not every_figure:
                    if _is_condition(piece) and not re.search(r"给予|奖励|补助|补贴|可申请|返还|扣除", fold(piece)):
                        continue  # a threshold inside a condition (达到职工人数25%…的), not a benefit
                    if kind == "其他":
                        kind = _kind(sentence)
                    if kind == "其他" or not granted:
                        # A ceiling in a clause of its own after the grant (…按费用的20%给予补贴，最高不超过40万元；
                        # 给予奖励，单个企业最高50万元) belongs to the grant it caps, figure and quote.
                        if figs and all(f.qualifier in CAP_QUALIFIERS for f in figs):
                            _add_cap(items, r, sentence, figs, pe)
                        continue
                cond, qs = _condition(text, clauses, i, ps, pe, kind)
                capped = items[-1] if items and items[-1].context == sentence.strip() else None
                if capped and not _GRANT.search(fold(piece)) and _CAP_CLAUSE.search(fold(piece)):
                    # The cap's condition is the grant's it caps (纳税人为非独生子女的), quoted with it.
                    cond, qs = capped.condition, capped.start - r.start
                quote = LABEL_PREFIX.sub("", text[qs:pe]).strip(" ，,、。；;")
                qs = text.index(quote, qs) if quote else ps
                enum = enumeration(cond, len(figs)) if "分别" in fold(piece) and len(figs) > 1 else None
                pairs = [(f"{enum[0]}{p}{enum[2]}", (f,)) for p, f in zip(enum[1], figs)] if enum else [(cond, tuple(figs))]
                for c, fs in pairs:
                    items.append(SupportItem(
                        doc_id=r.doc_id, record_id=r.record_id, measure_label=r.measure_label, condition=c,
                        kind=kind, figures=fs, quote=quote, start=r.start + qs, end=r.start + qs + len(quote),
                        period=_period(sentence), context=sentence.strip()))
    return items


def _add_cap(items: list[SupportItem], r: Record, sentence: str, caps: list[Figure], end: int) -> None:
    """Add the ceiling `caps` (ending at `end` in r.text) to the items the same grant clause made
    before it: each tier of a 分别 enumeration shares the ceiling written after it."""
    if not items or items[-1].context != sentence.strip():
        return
    last = items[-1]
    for k in range(len(items) - 1, -1, -1):
        it = items[k]
        if it.context != last.context or it.quote != last.quote:
            break
        quote = r.text[it.start - r.start:end].rstrip(" ，,、。；;")
        items[k] = replace(it, figures=it.figures + tuple(caps), quote=quote, end=it.start + len(quote))


def extract_items(records: list[Record]) -> list[SupportItem]:
    """Every support and target clause of the records of one document, in text order."""
    return [it for r in records if r.kind in ("measure", "section", "preamble", "text") for it in record_items(r)]


def is_support(item: SupportItem) -> bool:
    return item.kind != "指标"
