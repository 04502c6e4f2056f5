"""Support items: real sentence shapes of Chinese policies, asserted down to condition and figure."""
from assistant.items import extract_items, parse_figures
from assistant.records import Document
from assistant.structure import parse_document


def items_of(text: str):
    d = Document(doc_id="t", path="t.txt", sha256="", title="测试", text=text)
    items = extract_items(parse_document(d))
    for it in items:  # every quote is the document's own text at its offsets
        assert d.text[it.start:it.end] == it.quote
    return items


def pairs(items):
    return [(it.condition, [f.text for f in it.figures]) for it in items]


def test_seed_measure_thirty(seed_records):
    items = [it for it in extract_items(seed_records) if it.measure_label == "(三十)"]
    assert pairs(items) == [("新认定的省级新经济示范企业", ["100万元"]), ("首次获得备案的四川省瞪羚企业", ["80万元"])]
    assert [it.kind for it in items] == ["一次性奖励", "后补助"]
    assert items[0].figures[0].qualifier == "不超过" and items[0].figures[0].value == 1_000_000


def test_enumerated_tiers_are_aligned_pairs():
    items = items_of("（一）支持园区建设。对新认定的国家级、省级示范园区分别给予100万元、50万元一次性奖励。")
    assert pairs(items) == [("新认定的国家级示范园区", ["100万元"]), ("新认定的省级示范园区", ["50万元"])]
    items = items_of("（二）支持星级企业。对评定为三星级、四星级、五星级的企业，分别给予20万元、50万元、100万元奖励。")
    assert [(it.condition[:6], it.figures[0].value) for it in items] == [
        ("评定为三星级", 200000.0), ("评定为四星级", 500000.0), ("评定为五星级", 1000000.0)]


def test_each_clause_keeps_its_own_condition():
    items = items_of("（三）支持企业上市。对在主板上市的企业，给予300万元奖励；对在中小板、创业板、科创板上市的企业，"
                     "给予200万元奖励；对在新三板挂牌的企业，给予100万元奖励。")
    assert pairs(items) == [("在主板上市的企业", ["300万元"]), ("在中小板、创业板、科创板上市的企业", ["200万元"]),
                            ("在新三板挂牌的企业", ["100万元"])]


def test_a_threshold_in_a_condition_is_not_a_benefit(tmp_path):
    items = items_of("（三）加大贷款支持。小微企业当年新招用人员数量达到企业现有在职职工人数25%并签订劳动合同的，"
                     "可申请最高不超过300万元的创业担保贷款。")
    assert [[f.text for f in it.figures] for it in items] == [["300万元"]]
    assert items[0].kind == "担保贷款" and items[0].figures[0].qualifier == "最高不超过"
    assert "25%" in items[0].condition


def test_targets_split_into_their_own_clauses():
    items = items_of("二、发展目标\n到2025年，新经济增加值年均增速不低于10%、占地区生产总值比重达到20%左右。\n"
                     "三、任务\n（一）甲。\n（二）乙。")
    assert pairs(items) == [("新经济增加值年均增速", ["10%"]), ("占地区生产总值比重", ["20%"])]
    assert {it.kind for it in items} == {"指标"} and items[1].quote == "占地区生产总值比重达到20%左右"


def test_a_benefit_without_a_figure_is_an_item_with_none():
    items = items_of("（七）开展培训。对培训合格的失业人员给予职业培训补贴，补贴标准根据培训成本等确定。")
    assert pairs(items) == [("培训合格的失业人员", [])] and items[0].kind == "补贴"


def test_figures_in_chinese_numerals_and_per_what():
    figs = parse_figures("每家企业最高奖励五十万元，按百分之十给予贴息，每月1000元")
    assert [(f.value, f.unit) for f in figs] == [(500000.0, "元"), (10.0, "%"), (1000.0, "元")]
    assert figs[0].qualifier == "最高" and figs[0].per == "每家" and figs[2].per == "每月"
    assert parse_figures("到2025年") == []  # a year is a date, not a figure


def test_items_command_lists_the_seeds_money_clauses(corpus_dir):
    import json
    import subprocess
    import sys
    from .conftest import ROOT
    p = subprocess.run([sys.executable, "-m", "assistant", "items", "--corpus", str(corpus_dir), "--json"],
                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert p.returncode == 0, p.stderr
    rows = json.loads(p.stdout)
    assert [(r["measure_label"], r["condition"], r["figures"][0]["text"]) for r in rows] == [
        ("(三十)", "新认定的省级新经济示范企业", "100万元"), ("(三十)", "首次获得备案的四川省瞪羚企业", "80万元")]
    assert rows[0]["kind"] == "一次性奖励" and rows[1]["kind"] == "后补助"


def test_a_cap_in_a_clause_of_its_own_caps_the_grant_before_it():
    # The cap has no grant word of its own; it belongs to the sentence's grant, with its condition.
    items = items_of("第九条　纳税人为非独生子女的，由其与兄弟姐妹分摊每月2000元的扣除额度，每人分摊的额度不能超过每月1000元。")
    cap = [it for it in items if any(f.text == "1000元" for f in it.figures)]
    assert len(cap) == 1 and cap[0].condition.startswith("纳税人为非独生子女的"), pairs(items)
    assert cap[0].figures[0].qualifier == "不能超过"
    assert "2000元" in cap[0].quote  # quoted with the grant it caps


def test_a_bare_ceiling_after_a_rate_stays_with_the_grant_it_caps():
    # 最高不超过X / 每年最多X / 单个企业最高X in a clause of its own: before, the item held the rate alone
    # and the ceiling was lost from the 惠企政策 table and its exports.
    items = items_of("（四）支持设备更新。对企业购置生产设备的，按设备投资额的8%给予补助，最高不超过300万元。"
                     "（五）鼓励研发投入。对研发费用增长的企业，按增量的10%给予奖励，每年最多150万元。"
                     "（六）支持品牌建设。对新认定的省级、市级品牌企业，分别给予10%、5%的补助，单个企业最高20万元。")
    assert pairs(items) == [("企业购置生产设备的", ["8%", "300万元"]), ("研发费用增长的企业", ["10%", "150万元"]),
                            ("新认定的省级品牌企业", ["10%", "20万元"]), ("新认定的市级品牌企业", ["5%", "20万元"])]
    assert [f.qualifier for f in items[0].figures] == ["按", "最高不超过"]
    assert items[1].figures[1].per == "每年" and items[0].quote.endswith("最高不超过300万元")
