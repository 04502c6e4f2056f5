"""Responsibility parser: lead/co/joint, the rule note, aliases."""
import pytest

from assistant.units import canonical_unit, parse_responsibility


def test_lead_before_comma_and_rule_note_stripped():
    r = parse_responsibility("（一）加速突破。（责任单位：科技厅，省发展改革委、经济和信息化厅。逗号前为牵头单位，下同）")
    assert r.lead == ("科技厅",) and r.co == ("省发展改革委", "经济和信息化厅") and not r.joint
    assert "逗号前为牵头单位" not in "".join(r.printed)


def test_half_width_and_several_leads():
    r = parse_responsibility("(六)新能源。(责任单位:经济和信息化厅、省能源局、省发展改革委,科技厅)")
    assert r.lead == ("经济和信息化厅", "省能源局", "省发展改革委") and r.co == ("科技厅",)


def test_joint_responsibility():
    r = parse_responsibility("(二十六)监管。(责任单位:省发展改革委、经济和信息化厅、司法厅按照职责分工负责)")
    assert r.joint and r.lead == () and r.co == ()
    assert r.joint_units == ("省发展改革委", "经济和信息化厅", "司法厅")
    r = parse_responsibility("(二十九)协调。(责任单位:经济和信息化厅、省发展改革委、省市场监管局等部门按照职责分工负责)")
    assert r.joint and r.joint_units[-1] == "省市场监管局"


def test_parentheses_inside_the_body_do_not_confuse():
    r = parse_responsibility("(二十三)加快布局公(专)用充(换)电。(责任单位:省能源局、经济信息化厅,省发展改革委)")
    assert r.lead == ("省能源局", "经济和信息化厅") and r.co == ("省发展改革委",)
    assert r.printed == ("省能源局", "经济信息化厅", "省发展改革委")


def test_no_responsibility():
    assert parse_responsibility("（一）加大支持。给予奖励。").printed == ()


@pytest.mark.parametrize("printed, canonical", [
    ("经济信息化厅", "经济和信息化厅"), ("经信厅", "经济和信息化厅"), ("文化旅游厅", "文化和旅游厅"),
    ("发改委", "省发展改革委"), ("大数据中心", "省大数据中心"), ("科技厅", "科技厅"), ("某某局", "某某局"),
])
def test_aliases(printed, canonical):
    assert canonical_unit(printed) == canonical


def test_seed_responsibilities(seed_records):
    ms = {r.measure: r for r in seed_records if r.kind == "measure"}
    assert ms[13].lead_units == ("省发展改革委",)
    assert ms[30].lead_units == ("财政厅",) and "四川省税务局" in ms[30].co_units
    assert ms[23].lead_units == ("省能源局", "经济和信息化厅")
    assert ms[25].lead_units == ("省人才办", "人力资源社会保障厅")
    assert ms[31].lead_units == ("省统计局", "国家统计局四川调查总队")
    assert ms[26].joint and ms[29].joint and not ms[30].joint
    assert ms[12].co_units[1] == "文化和旅游厅" and "文化旅游厅" in ms[12].units_printed
    assert all(ms[n].lead_units or ms[n].joint for n in ms)
