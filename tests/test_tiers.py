"""Magnitudes, tier bounds and the placement of the asker's number (assistant/tiers.py): pure text,
in wordings of policies other than the shipped ones."""
import pytest

from assistant.tiers import asked_magnitudes, bounds, caps, magnitudes, place, placeable, tiers


def test_magnitudes_with_scales_and_units():
    got = {(m.text, m.value, m.unit) for m in magnitudes("奖励80万元，最高1.5亿元；补贴30%；资助2万美元；“100+”项目")}
    assert ("80万元", 8e5, "元") in got and ("1.5亿元", 1.5e8, "元") in got
    assert ("30%", 30.0, "%") in got and ("2万美元", 2e4, "美元") in got and ("100+", 100.0, "个") in got
    assert {m.unit for m in magnitudes("按1:0.5比例配套")} == {"比"}
    assert magnitudes("3个亿")[0].value == 3e8  # how 3亿 is said
    assert magnitudes("在收到材料的15个工作日内")[0].unit == "天"


@pytest.mark.parametrize("text", ["2026年12月31日", "第5条", "一次性给予", "十四五期间"])
def test_dates_ordinals_and_words_are_no_magnitudes(text):
    assert [m.text for m in magnitudes(text) if m.unit] == []


def test_bounds_in_every_form():
    b = bounds("营业收入500万-2000万（不含）元")[0]
    assert (b.unit, b.low, b.high, b.high_in) == ("元", 5e6, 2e7, False)
    b = bounds("年出口额1000（含）—3000辆（不含）")[0]
    assert (b.low, b.low_in, b.high, b.high_in) == (1000, True, 3000, False)
    assert bounds("职工50人以上")[0].low == 50 and bounds("职工50人以上")[0].low_in
    assert bounds("超过100人")[0].low_in is False
    b = bounds("不足20万元")[0]
    assert b.high == 2e5 and not b.high_in
    b = bounds("超过100人不超过300人")[0]
    assert (b.low, b.low_in, b.high, b.high_in) == (100, False, 300, True)


def test_an_enumeration_aligned_by_fenbie():
    ts = tiers("对实际到位外资500万-1000万（不含）美元、1000万-3000万（不含）美元、3000万美元以上的项目，"
               "经认定分别给予奖励50万元、120万元、300万元。")
    assert [t.figures[0].text for t in ts] == ["50万元", "120万元", "300万元"]
    assert [t.condition for t in place(asked_magnitudes("我们到位外资1500万美元"), ts)] == ["1000万-3000万（不含）美元"]
    assert [t.figures[0].text for t in place(asked_magnitudes("到位4000万美元"), ts)] == ["300万元"]
    # 元 is not 美元: an asker's revenue in 元 is not placed in tiers of foreign capital.
    assert not placeable(asked_magnitudes("营收1500万元"), ts)


def test_a_threshold_said_once_for_a_list_and_the_tightest_tier():
    ts = tiers("年营业收入首次突破5000万元、1亿元、5亿元的，分别给予一次性奖励20万元、50万元、100万元。")
    assert [t.figures[0].text for t in place(asked_magnitudes("我们去年营收2.3亿"), ts)] == ["50万元"]  # 亿 alone is money
    assert place(asked_magnitudes("营收3000万"), ts) == [] and placeable(asked_magnitudes("营收3000万"), ts)


def test_tiers_named_not_bounded():
    ts = tiers("对新评为国家级、省级、市级专精特新企业的，分别给予60万元、30万元、10万元奖励。")
    # What the list says once belongs to each item: every condition is whole.
    assert [t.condition for t in ts] == ["新评为国家级专精特新企业", "新评为省级专精特新企业", "新评为市级专精特新企业"]


@pytest.mark.parametrize("question,grant", [("国家级专精特新企业奖励多少", "60万元"), ("刚评上省级专精特新企业能拿多少", "30万元"),
                                            ("市级专精特新企业奖励多少", "10万元")])
def test_the_tier_a_question_names_is_picked_though_the_list_names_the_head_once(question, grant):
    from assistant.amounts import chosen_tiers

    ts = tiers("对新评为国家级、省级、市级专精特新企业的，分别给予60万元、30万元、10万元奖励。")
    picked, how = chosen_tiers(question, tuple(ts), ("元",))
    assert how == "named" and [t.grant for t in picked] == [grant]


def test_caps_are_the_figures_after_a_cap_word():
    assert [m.text for m in caps("按设备投资额的15%给予补助，单个项目最高不超过200万元")] == ["200万元"]
    assert caps("给予一次性奖励20万元") == []


@pytest.mark.parametrize("text, value, unit", [
    # Regulations write measures in Chinese numerals: volumes, lengths, ages, periods, minutes, heads.
    ("每次可以选择献二百毫升", 200.0, "毫升"), ("牵引绳长度不得超过两米", 2.0, "米"), ("年满十八周岁", 18.0, "岁"),
    ("应当在十五日内办理", 15.0, "天"), ("三十分钟内到达现场", 30.0, "分钟"), ("每户限养一只", 1.0, "只"),
    ("处五十元罚款", 50.0, "元"),
])
def test_measures_written_in_chinese_numerals(text, value, unit):
    assert [(m.value, m.unit) for m in magnitudes(text)] == [(value, unit)]


@pytest.mark.parametrize("text", ["一次性补助", "两个以上", "三家企业", "提升三级", "二〇二一年十月十五日"])
def test_counted_words_and_dates_in_chinese_numerals_are_no_magnitudes(text):
    assert magnitudes(text) == []


def test_a_figure_is_set_for_the_last_horizon_before_it():
    """Rule: a target figure is for the year its paragraph names last before it (到2025年达到20%，
    到2035年达到30%: 20% is 2025's), a year named in an earlier sentence of the paragraph included."""
    from assistant.amounts import horizon_of
    from assistant.evidence import Passage, Sentence
    from assistant.records import Record

    text = "到2025年，覆盖率达到20%，到2035年达到30%。\n至2035年，基本建成。森林覆盖率达到23%左右。"
    r = Record(doc_id="d", doc_title="t", doc_number=None, kind="measure", section=None, section_title=None,
               measure=1, measure_label="（一）", title="目标", text=text, start=0, end=len(text))
    spans = [(0, text.index("\n")), (text.index("\n") + 1, text.index("森")), (text.index("森"), len(text))]
    ss = tuple(Sentence(text[a:b], a, 0.0, 0.0, 0.0) for a, b in spans)
    p = Passage(r, 0, 1.0, None, True, ss)
    first = {m.text: horizon_of(p, ss[0], m) for m in magnitudes(ss[0].text)}
    assert first == {"20%": "2025", "30%": "2035"}
    assert [horizon_of(p, ss[2], m) for m in magnitudes(ss[2].text)] == ["2035"]


def test_a_bound_word_said_once_for_a_list_of_thresholds():
    """Rule: 达A、B、C以上的，分别给予X、Y、Z — 达 and 以上 are said once for every threshold; the
    asker's number falls in the highest threshold it passes."""
    s = "对注册运营的交易平台，年度交易额达2亿元、10亿元、30亿元以上的，分别一次性给予50万元、250万元、500万元的奖励。"
    ts = tiers(s)
    assert [b.low for t in ts for b in t.bounds] == [2e8, 1e9, 3e9]
    assert [t.grant for t in place(asked_magnitudes("交易额大概12亿元，奖励多少？"), ts)] == ["250万元"]
    s = "营业收入1亿元、5亿元、10亿元以上的，分别给予20万元、50万元、100万元奖励。"
    assert [t.grant for t in place(asked_magnitudes("营收6亿元能拿多少？"), tiers(s))] == ["50万元"]


def test_the_askers_own_bound_word_places_their_number_past_it():
    """Rule: 超过5亿元 asked lies just above 5亿元 — inside a tier the text bounds by 超过5亿元 — and
    不足50人 just below 50人."""
    over, under = asked_magnitudes("我们进出口额超过5亿元"), asked_magnitudes("员工不足50人")
    assert bounds("进出口额超过5亿元的")[0].holds(over[0].value)
    assert not bounds("5亿元以下的")[0].holds(over[0].value)
    assert bounds("50人以下的")[0].holds(under[0].value) and not bounds("50人以上的")[0].holds(under[0].value)
    assert asked_magnitudes("营收5亿元")[0].value == 5e8


def test_a_budget_for_the_whole_scheme_is_not_what_each_recipient_gets():
    from assistant.amounts import granted_each

    assert granted_each("对年度进出口额超过5亿元的企业，每年安排500万元资金，对排名前十的企业给予奖励。") == set()
    assert granted_each("设立规模10亿元的产业基金，对入选项目给予支持。") == set()
    # a total capped for one recipient is what that recipient may get
    assert granted_each("区财政配套予以每吨一次性补贴15万元，单个企业补贴资金总额不高于3000万元。") == {"15万元", "3000万元"}
    assert granted_each("对年度进出口额超过5亿元的企业，给予50万元奖励。") == {"50万元"}


def test_what_a_threshold_enables_is_not_what_a_bar_forbids():
    """Rule: 多少分才能落户 asks a threshold for 落户; 多少年内不能迁走 asks how long a bar lasts, and
    what it forbids (迁走) is no goal the figure's sentence must name."""
    from assistant.amounts import goal_words

    class Words:  # the library's words: 落户 and 公司 are written in it
        def terms(self, text):
            return [w for w in ("落户", "公司", "迁走") if w in text]

        def used(self, w):
            return w in ("落户", "公司")

    assert goal_words("积分要达到多少分才能落户？", Words()) == ("落户",)
    assert goal_words("拿了扶持资金以后，多少年内不能把公司迁走？", Words()) == ()


def test_what_each_recipient_gets_keeps_a_figure_stated_without_a_grant_verb():
    """Only a scheme's budget and a condition's threshold are withheld from 每家/每户…多少: a figure
    the sentence states as a standard (标准为每户每月500元) still answers."""
    import re

    from assistant.amounts import EACH, withheld_from_each

    assert withheld_from_each("困难家庭生活补助标准为每户每月500元。") == set()
    assert withheld_from_each("对进出口额超过5亿元的企业，每年安排500万元资金，对前十名给予奖励。") == {"5亿元", "500万元"}
    assert not re.search(EACH, "住房租金每个月能扣多少") and re.search(EACH, "每家企业能分到多少")


def test_a_bound_word_is_spread_only_from_right_before_the_first_number():
    # (达 inside 发达 is no bound on 1000万元)
    assert [b for t in tiers("发达地区企业营收1000万元、2000万元的，分别给予10万元、20万元。") for b in t.bounds] == []
