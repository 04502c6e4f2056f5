"""Magnitudes, the tiers a policy bounds them in, and the figure granted in each tier.

Pure functions over text. Chinese policies write a tiered grant in a few ways, all of them read here:
  实到外资1000万-2000万（不含）美元、2000万-5000万（不含）美元、5000万美元以上的，分别给予奖励200万元、
  300万元、500万元          an enumeration aligned by 分别 (conditions and figures in the same order)
  年营业收入首次突破1亿元的，奖励50万元；首次突破5亿元的，奖励100万元    one tier per clause
  对国家级、省级、市级…分别给予100万元、50万元、20万元               tiers named, not bounded
and bound a quantity with 以上/以下（含本数, as Chinese legal usage reads them), 超过/高于/大于,
不低于/不少于/达到/满, 不足/低于/少于/未满, 不超过/以内, ranges A-B, A至B, A～B with（含）/（不含）.
A number the asker states (我们实到外资3000万美元) is placed in the tier whose bound holds it, in the
same unit (万 and 亿 are scales of it; 美元 is not 元).
"""
from __future__ import annotations

import re
from dataclasses import dataclass, replace

from .items import CAP_WORDS, enumeration
from .load import fold
from .numerals import to_number

_CN = "零〇一二两三四五六七八九十百千"
_NUM = rf"\d+(?:\.\d+)?|[{_CN}]+(?:点[{_CN}]+)?"
_SCALES = {"万亿": 1e12, "亿": 1e8, "千万": 1e7, "百万": 1e6, "万": 1e4, "千": 1e3}
# The unit a magnitude is counted in, and the name it is compared under (元 and 人民币 are one unit).
_UNITS = {"元人民币": "元", "人民币": "元", "元": "元", "美元": "美元", "欧元": "欧元", "港元": "港元", "%": "%",
          "‰": "‰", "个百分点": "个百分点", "倍": "倍", "亩": "亩", "平方米": "平方米", "平米": "平方米", "人": "人",
          "名": "人", "岁": "岁", "家": "家", "个": "个", "项": "项", "台": "台", "套": "套", "吨": "吨", "千瓦时": "千瓦时",
          "千瓦": "千瓦", "兆瓦": "兆瓦", "度": "千瓦时", "户": "户", "个月": "个月", "年": "年", "天": "天", "次": "次",
          "个工作日": "天", "工作日": "天", "日": "天", "周": "周",
          "件": "件", "床": "床", "辆": "辆", "分": "分", "座": "座", "所": "所", "条": "条", "批": "批", "处": "处",
          "栋": "栋", "幢": "幢", "张": "张", "篇": "篇", "部": "部", "场": "场", "支": "支", "款": "款",
          "公顷": "公顷", "平米": "平方米", "公里": "公里", "千米": "公里", "间": "间",
          # measures regulations state (献二百毫升, 犬绳不超过两米, 满十八周岁, 三十分钟内到达)
          "毫升": "毫升", "米": "米", "千克": "千克", "公斤": "千克", "周岁": "岁", "小时": "小时", "分钟": "分钟",
          "只": "只"}
# Units a number written in Chinese numerals is read with: money, shares, lengths of time, ages and
# measures, which regulations write so (五十元, 十五日内, 两米, 二百毫升, 每户限养一只). A count of things
# in other words (一次性, 两个, 三家) is a word, not a figure: policies write counted things in digits.
_CN_UNITS = ("元", "%", "倍", "年", "个月", "天", "岁", "毫升", "米", "千克", "小时", "分钟", "只")
UNIT_NAMES = tuple(dict.fromkeys(_UNITS.values()))  # every unit a magnitude is compared under
_UNIT_RE = "|".join(sorted(map(re.escape, _UNITS), key=len, reverse=True))
# (A range's upper end may carry （不含）/（含） between its number and its unit: 2000万（不含）美元.)
# (3个亿 is how 3亿 is said.)
# (30来人, 三百余人, 一百多万: about that many; the number is read as written.)
MAGNITUDE = re.compile(rf"(?P<n>{_NUM})\s*(?:来|余|多)?(?:个(?=亿))?(?P<scale>万亿|亿|千万|百万|万|千(?!瓦))?\s*(?:\((?:不含|含)\)\s*(?={_UNIT_RE}))?(?P<unit>{_UNIT_RE})?")
_PERCENT_WORDS = re.compile(rf"百分之(?P<n>{_NUM})")

# Words that bound a quantity, and the side: ge ≥, gt >, le ≤, lt <. Before the number …
_BEFORE = (("不低于", "ge"), ("不少于", "ge"), ("不小于", "ge"), ("达到", "ge"), ("达", "ge"), ("满", "ge"), ("首次突破", "gt"),
           ("突破", "gt"), ("超过", "gt"), ("高于", "gt"), ("大于", "gt"), ("多于", "gt"), ("不超过", "le"),
           ("不高于", "le"), ("不大于", "le"), ("不足", "lt"), ("低于", "lt"), ("少于", "lt"), ("小于", "lt"),
           ("未满", "lt"), ("未达到", "lt"))
_BEFORE = tuple(sorted(_BEFORE, key=lambda x: -len(x[0])))  # 不超过 before 超过
# … and after it. 以上/以下 include the number itself (Chinese legal usage); （不含）/（含） override.
_AFTER = (("及以上", "ge"), ("以上", "ge"), ("（含）以上", "ge"), ("及以下", "le"), ("以下", "le"), ("以内", "le"),
          ("（不含）以上", "gt"), ("（不含）以下", "lt"))
_RANGE_SEP = r"\s*(?:\((?:含|不含)\))?\s*(?:-|—|–|－|~|～|至|到)\s*"  # 3000（含）—5000辆（不含）


@dataclass(frozen=True)
class Magnitude:
    """A number with its unit as a text writes it: 3000万美元 → 3e7 美元."""

    text: str
    value: float
    unit: str  # normalised (元, 美元, %, 人 …); "" when the text gives none
    start: int
    end: int


@dataclass(frozen=True)
class Bound:
    """The values a tier covers on one quantity: low/high with whether each end is included."""

    unit: str
    low: float | None = None
    low_in: bool = True
    high: float | None = None
    high_in: bool = True

    def holds(self, value: float) -> bool:
        if self.low is not None and (value < self.low or (value == self.low and not self.low_in)):
            return False
        if self.high is not None and (value > self.high or (value == self.high and not self.high_in)):
            return False
        return True


@dataclass(frozen=True)
class Tier:
    """One tier of a grant: its condition as printed, the bound it sets (if any), its figures."""

    condition: str
    grant: str
    bounds: tuple[Bound, ...] = ()
    figures: tuple[Magnitude, ...] = ()


def magnitudes(text: str) -> list[Magnitude]:
    """Every number of the text that has a scale (万, 亿) or a unit, in order. A year (2025年) and a
    date are not magnitudes; nor is a numeral inside a word (一次性, 十四五)."""
    t = fold(text)
    out = []
    # A ratio of matching funds or shares (按1:1比例配套, 1:0.5): its value is the second part per one.
    for m in re.finditer(r"(?<![\d.:])(\d+(?:\.\d+)?)\s*[:：]\s*(\d+(?:\.\d+)?)(?![\d:])", t):
        if re.search(r"比例|配套|按|比", t[max(0, m.start() - 6):m.end() + 4]) and float(m.group(1)):
            out.append(Magnitude(text[m.start():m.end()], float(m.group(2)) / float(m.group(1)), "比", m.start(), m.end()))
    for m in re.finditer(r"(?<![\d.])(\d+)\+", t):  # “100+”示范企业: this many or more
        out.append(Magnitude(text[m.start():m.end()], float(m.group(1)), "个", m.start(), m.end()))
    for m in _PERCENT_WORDS.finditer(t):
        v = to_number(m.group("n"))
        if v is not None:
            out.append(Magnitude(text[m.start():m.end()], v, "%", m.start(), m.end()))
    for m in MAGNITUDE.finditer(t):
        if t[m.end():m.end() + 1] == "+":
            continue
        if not (m.group("scale") or m.group("unit")) and not re.match(_RANGE_SEP + r"\d", t[m.end():]):
            continue  # a bare number, unless it opens a range (3000（含）—5000辆): it takes the range's unit
        n = m.group("n")
        if not n[0].isdigit() and _UNITS.get(m.group("unit") or "") not in _CN_UNITS:
            continue  # 一次性, 两个, 三家: counted things are written in digits in policies
        if t[m.start() - 1:m.start()] == "百" or t[m.start() - 3:m.start()] == "百分之":
            continue
        unit = _UNITS.get(m.group("unit") or "", "")
        if unit == "年" and not m.group("scale") and len(n) == 4 and (n.isdigit() or re.fullmatch(r"[〇零○一二三四五六七八九]{4}", n)):
            continue  # 2025年 is a date
        nxt = t[m.end():m.end() + 1]
        if unit in ("年", "个月", "天") and nxt and nxt in "底末初":
            continue
        if unit == "个" and t[m.end():m.end() + 2] in ("月", "百分"):
            continue
        if nxt and nxt in "月日号" and not unit:
            continue
        if unit == "天" and t[max(0, m.start() - 1):m.start()] in ("月", "年"):
            continue  # 12月31日 is a date
        if t[max(0, m.start() - 1):m.start()] == "第":
            continue  # 第3条, 第2年: an ordinal
        v = to_number(n)
        if v is None:
            continue
        v *= _SCALES.get(m.group("scale") or "", 1)
        out.append(Magnitude(text[m.start():m.end()], v, unit, m.start(), m.end()))
    return sorted(out, key=lambda x: x.start)


def _with_units(ms: list[Magnitude], text: str) -> list[Magnitude]:
    """A magnitude written without its unit takes the unit of the next one in the same run of the
    text (1000万-2000万（不含）美元: both are 美元)."""
    out = list(ms)
    for i in range(len(out) - 1, -1, -1):
        if not out[i].unit:
            nxt = next((x for x in out[i + 1:] if x.unit), None)
            if nxt is not None and not re.search(r"[，,；;。的]", fold(text)[out[i].end:nxt.start]):
                out[i] = Magnitude(out[i].text, out[i].value, nxt.unit, out[i].start, out[i].end)
    return out


def bounds(condition: str) -> list[Bound]:
    """The bounds a condition sets on its quantities (超过100万元, 1000万-2000万（不含）美元, 50人以上)."""
    t = fold(condition)
    ms = _with_units(magnitudes(condition), condition)
    out: list[Bound] = []
    used: set[int] = set()
    for i, m in enumerate(ms):
        if i in used or not m.unit:
            continue
        # A range: this magnitude, a separator, the next one.
        if i + 1 < len(ms) and re.fullmatch(_RANGE_SEP, t[m.end:ms[i + 1].start]) and ms[i + 1].unit == m.unit:
            hi = ms[i + 1]
            high_in = "不含" not in t[hi.start:hi.end + 6].split("以")[0]
            low_in = "不含" not in t[m.end:ms[i + 1].start]
            out.append(Bound(m.unit, m.value, low_in, hi.value, high_in))
            used |= {i, i + 1}
            continue
        before, after = t[max(0, m.start - 8):m.start].rstrip(), t[m.end:m.end + 8].lstrip()
        side = next((s for w, s in _BEFORE if before.endswith(w) or before.endswith(w + "了")), None)
        if side is None:
            a = re.sub(r"^[元人名家个]", "", after)  # 100万元以上 when the scale stood before the unit word
            side = next((s for w, s in _AFTER if a.startswith(fold(w))), None)
            if side in ("ge", "le") and re.match(r"^\(不含\)", a):
                side = "gt" if side == "ge" else "lt"
        if side is None:
            continue
        used.add(i)
        # 超过A不超过B, A以上B以下: the next bound on the same unit closes this one.
        if side in ("ge", "gt") and out and out[-1].unit == m.unit and out[-1].low is None and out[-1].high is not None:
            prev = out.pop()
            out.append(Bound(m.unit, m.value, side == "ge", prev.high, prev.high_in))
        elif side in ("le", "lt") and out and out[-1].unit == m.unit and out[-1].high is None and out[-1].low is not None:
            prev = out.pop()
            out.append(Bound(m.unit, prev.low, prev.low_in, m.value, side == "le"))
        elif side in ("ge", "gt"):
            out.append(Bound(m.unit, low=m.value, low_in=side == "ge"))
        else:
            out.append(Bound(m.unit, high=m.value, high_in=side == "le"))
    return out


# Where the grant starts in a clause: the verb that gives (给予, 奖励, 补助 …) or 分别.
_GRANT_START = re.compile(r"分别|给予|一次性|奖励|奖补|补助|补贴|资助|支持|返还|贴息|扶持|可申请|享受|按照?其?")


def _split_top(text: str, sep: str) -> list[str]:
    """`text` split at `sep` characters outside brackets."""
    parts, depth, cur = [], 0, ""
    for ch in text:
        if ch in "（(":
            depth += 1
        elif ch in "）)":
            depth = max(0, depth - 1)
        if ch in sep and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += ch
    parts.append(cur)
    return parts


def granted(text: str) -> list[Magnitude]:
    """The figures a grant states: money, shares and the like, not the quantities its condition bounds."""
    return [m for m in magnitudes(text) if m.unit in ("元", "美元", "%", "‰", "个百分点", "倍", "比")]


def tiers(sentence: str) -> list[Tier]:
    """The tiers of one sentence: several when 分别 aligns listed conditions with listed figures,
    else one (its condition, its grant)."""
    s = sentence.strip()
    m = re.search(r"分别(?:给予|奖励|补助|补贴|资助|按|为|是)?", s)
    if m:
        head, tail = s[:m.start()], s[m.start():]
        tail_figs = granted(tail)
        # The conditions: the listed items of the clause before 分别 (after 对, before 的), or of the
        # nearest clause before it that lists as many (…10亿元以上的，经认定分别给予…).
        clauses = _split_top(head.rstrip("，,:： "), "，,")
        listed = [c for c in reversed(clauses) if len([x for x in _split_top(c, "、") if x.strip()]) >= 2]
        cond = next((c for c in listed if _grouped(tail, tail_figs, len([x for x in _split_top(c, "、") if x.strip()]))),
                    clauses[-1])
        cond = re.sub(r"^(对于|对|凡|经)", "", cond.strip())
        items = [x for x in _split_top(re.sub(r"的$", "", cond.strip()), "、") if x.strip()]
        figs = _grouped(tail, tail_figs, len(items))
        if len(items) >= 2 and len(figs) == len(items):
            shared = _shared_unit(items)
            read = [bounds(shared(x)) for x in items]
            # 首次突破1000万元、2000万元、1亿元的: the first item's bound word is said once for all.
            # (the word right before the first item's number: 达 in 交易额达2亿元, not in 发达地区…)
            first = magnitudes(items[0])
            before = fold(items[0])[:first[0].start].rstrip() if first else ""
            cue = next((w for w, _ in _BEFORE if before.endswith(w)), "")
            read = [b or (bounds(cue + shared(x)) if cue else []) for b, x in zip(read, items)]
            # 达2亿元、10亿元、30亿元以上的: the last item's bound word is said once for all.
            tail_word = next((w for w, _ in _AFTER if fold(items[-1]).rstrip().endswith(fold(w))), "")
            read = [b or (bounds(shared(x) + tail_word) if tail_word else []) for b, x in zip(read, items)]
            # What the list says once (新认定的国家级、省级、市级雏鹰企业) belongs to every item: each
            # tier's condition is whole, so a question naming one tier matches that one alone.
            spread = enumeration("、".join(items), len(items))
            whole = [f"{spread[0]}{x}{spread[2]}" for x in spread[1]] if spread else items
            return [Tier(whole[i], "".join(f.text for f in figs[i]), tuple(read[i]), tuple(figs[i]))
                    for i in range(len(items))]
    g = _GRANT_START.search(s)
    cond, grant = (s[:g.start()], s[g.start():]) if g and g.start() > 0 else ("", s)
    return [Tier(cond, grant, tuple(bounds(cond)), tuple(granted(grant)))]


def _grouped(tail: str, figs: list[Magnitude], n: int) -> list[list[Magnitude]]:
    """The figures after 分别, one group per listed condition: one figure each, or, when the figures
    come in equal runs separated by 、/和 (200万元和50万元、100万元和20万元), a run each."""
    if len(figs) == n:
        return [[f] for f in figs]
    if n and len(figs) % n == 0:
        k = len(figs) // n
        return [figs[i * k:(i + 1) * k] for i in range(n)]
    # Caps after the aligned list (…、500万元，单个企业最高不超过1000万元): the first n are the tiers'.
    lead = [f for f in figs if not any(fold(tail)[:f.start].endswith(w) for w in CAP_WORDS)]
    return [[f] for f in lead[:n]] if len(lead) >= n else []


def _shared_unit(items: list[str]):
    """An item of a list that leaves out the unit the last one states (1000万-2000万（不含）、…5000万美元
    以上): read with it."""
    last = _with_units(magnitudes(items[-1]), items[-1])
    unit_word = next((u for u in _UNITS if last and last[-1].unit == _UNITS[u] and u in items[-1]), "")

    def read(item: str) -> str:
        ms = magnitudes(item)
        if unit_word and ms and not any(m.unit for m in ms):
            return item + unit_word
        return item
    return read


def caps(text: str) -> list[Magnitude]:
    """The figures of a text that cap what is granted (最高不超过500万元, 每家最多100万元)."""
    t = fold(text)
    out = []
    for m in granted(text):
        before = t[max(0, m.start - 10):m.start]
        if any(re.search(re.escape(w) + r"[^，,；;。]{0,6}$", before) for w in CAP_WORDS):
            out.append(m)
    return out


def asked_magnitudes(question: str) -> list[Magnitude]:
    """The asker's own magnitudes (我们实到外资3000万美元, 去年营收1.2亿): those with a unit. Everyday
    speech leaves 元 unsaid after 万 or 亿 (营收1.2亿, 投资500万): such a magnitude is money."""
    out = []
    for m in _with_units(magnitudes(question), question):
        if not m.unit and re.search(r"[万亿千]$", fold(m.text)):
            m = Magnitude(m.text, m.value, "元", m.start, m.end)
        if m.unit:
            # 超过5亿元, 不足50人: the asker's quantity lies just past the number they name, so a tier
            # the text bounds by the same words (超过5亿元的) holds it.
            side = next((b for b in bounds(question[max(0, m.start - 8):m.end + 8]) if b.unit == m.unit), None)
            if side and side.low == m.value and side.high is None:
                m = replace(m, value=m.value * (1 + 1e-9))
            elif side and side.high == m.value and side.low is None:
                m = replace(m, value=m.value * (1 - 1e-9))
            out.append(m)
    return out


def place(asked: list[Magnitude], tiers_: list[Tier]) -> list[Tier]:
    """The tiers whose bound holds one of the asker's magnitudes in its unit. [] when none of the
    tiers bounds a quantity in the asker's units (nothing to place), or when the magnitude falls
    outside every tier (the asker qualifies for none)."""
    units = {m.unit for m in asked}
    bounded = [t for t in tiers_ if any(b.unit in units for b in t.bounds)]
    holding = [t for t in bounded if any(b.unit == m.unit and b.holds(m.value) for b in t.bounds for m in asked)]
    if len(holding) <= 1:
        return holding
    # Thresholds that all hold (突破1000万、2000万… for 3000万): the asker's tier is the tightest one,
    # the highest floor they pass or the lowest ceiling they stay under.
    def tightness(t: Tier) -> tuple[float, float]:
        b = next(b for b in t.bounds if b.unit in units)
        return (b.low if b.low is not None else float("-inf"), -(b.high if b.high is not None else float("inf")))
    best = max(tightness(t) for t in holding)
    return [t for t in holding if tightness(t) == best]


def placeable(asked: list[Magnitude], tiers_: list[Tier]) -> bool:
    """Some tier bounds a quantity in one of the asker's units: the asker's number decides among them."""
    units = {m.unit for m in asked}
    return any(b.unit in units for t in tiers_ for b in t.bounds)
