"""Conventions of regulations a reader relies on, each on a small 条例 written for the test in other
words than the shipped documents and the evaluation sets (written after reading fresh batch fq's
misses; the next unread batch is their check):

- a penalty names the duty it enforces by that duty's article (违反本条例第五条规定…的，处…罚款):
  a question about the duty's circumstances and the penalty is answered by the penalty;
- （以下简称X） makes X short for the full name in that document: a question in the full words is
  about the clauses saying X;
- a number the asker states is held by a bound the text states in its unit (超出…百分之十以上 holds
  15%), though the article's consequence is stated once above its list of cases;
- a sentence leading a list (可以通过下列途径解决：) is quoted with its items, and an item with the
  lead that says what it is a case of (有下列情形之一的，不予办理…：（二）…);
- every heading above a record names its subject (2．…承诺书 under 二、一次性迁入奖励 / （二）申报所需材料：),
  and what 除…以外 names is what a clause is not about (from fresh batch fs's misses).
"""
import pytest

POLICY = """XX市共享单车管理条例
第一条 为规范共享单车经营行为，制定本条例。
第二条 本市建立互联网租赁自行车运营监测平台（以下简称监测平台），由市交通运输主管部门负责建设和维护。
第三条 监测平台的建设维护经费由市财政每年安排，最高不超过180万元。
第四条 运营企业有下列情形之一的，不得新增投放车辆：
（一）被列入严重失信主体名单的；
（二）未按规定缴纳车辆押金保证金的。
第五条 运营企业应当每月向市交通运输主管部门报送车辆投放数量。
第六条 运营企业有下列行为之一的，一次记不良信用4分：
（一）车辆停放超出电子围栏百分之十以上的；
（二）未及时清理故障车辆的。
第七条 运营企业违反本条例第四条规定新增投放车辆的，责令停止投放，处三万元以上十万元以下罚款。
第八条 运营企业违反本条例第五条规定的，责令限期改正；逾期不改正的，处五千元以上两万元以下罚款。
第九条 运营企业有下列情形之一的，市交通运输主管部门不予办理车辆投放备案：
（一）未取得道路运输经营许可的；
（二）车辆未安装卫星定位装置的。
第十条 发生车辆押金退还争议，可以通过下列途径解决：
（一）与运营企业协商；
（二）向消费者权益保护组织投诉；
（三）依法申请仲裁。
第十一条 本条例自2026年1月1日起施行。
"""


GUIDE = """YY市科技企业扶持项目申报指引
一、研发费用补助
（一）申报条件：
1．在本市注册的科技型企业；
2．上年度研发费用500万元（含）以上的，可参照高新技术企业享受除一次性迁入奖励以外的其他支持政策。
二、一次性迁入奖励
（一）申报时间：每年4月集中受理。
（二）申报所需材料：
1．专项资金申请表；
2．获得奖励之日起10年内不迁离本市的承诺书；
3．营业执照复印件。
"""


@pytest.fixture(scope="module")
def lib(tmp_path_factory, embedder):
    from .indexkit import answerer_over

    return answerer_over(tmp_path_factory.mktemp("conventions"), {"xx_gongxiang_danche_2025.txt": POLICY,
                                                                  "yy_keji_shenbao_zhiyin_2025.txt": GUIDE}, embedder)


def first(a):
    return a.answer.splitlines()[0]


def test_a_penalty_answers_for_the_duty_whose_article_it_cites(lib):
    a = lib.ask("单车公司被列入严重失信主体名单了还在新增投放，会被罚多少钱？")
    assert a.found and "三万元以上十万元以下" in first(a)
    assert a.citations[0].measure == 7


def test_the_cited_duty_is_read_only_for_a_question_about_a_penalty(lib):
    from assistant.evidence import PENALTY_ASKED, enforced_text

    seventh = next(r for r in lib.index.records if r.measure_label == "第七条")
    assert "严重失信主体名单" in enforced_text(lib.index, seventh)
    assert enforced_text(lib.index, next(r for r in lib.index.records if r.measure_label == "第四条")) == ""
    assert PENALTY_ASKED.search("被罚多少钱") and not PENALTY_ASKED.search("哪些情形不得新增投放车辆")


def test_a_short_form_the_document_defines_stands_for_its_full_name(lib):
    a = lib.ask("互联网租赁自行车运营监测平台每年的建设维护经费最多多少？")
    assert a.found and "180万元" in first(a)
    assert lib.vocab.defined_full_forms("xx_gongxiang_danche_2025", "监测平台的经费") == "本市建立互联网租赁自行车运营监测平台"
    assert lib.vocab.defined_full_forms("xx_gongxiang_danche_2025", "投放车辆") == ""


def test_the_askers_number_held_by_a_bound_of_a_listed_case(lib):
    a = lib.ask("我们的车停放超出电子围栏15%，一次会记几分？")
    assert a.found and "4分" in a.answer


def test_a_list_is_quoted_with_its_lead_and_its_items(lib):
    a = lib.ask("押金一直退不回来，有哪些解决途径？")
    assert a.found and "依法申请仲裁" in a.answer and "向消费者权益保护组织投诉" in a.answer
    a = lib.ask("我们的车没装卫星定位装置，还能办理投放备案吗？")
    assert a.found and "不予办理车辆投放备案" in first(a) and "卫星定位装置" in first(a)


def test_the_headings_above_an_item_name_its_subject(lib):
    from dataclasses import replace

    from assistant.evidence import record_text

    a = lib.ask("申请一次性迁入奖励，要承诺多少年不迁离？")
    assert a.found and "10年内" in first(a)
    # Read as items of a three-level guide (二、 / （二） / 2．), the item's section is the middle heading:
    # the top one still names its subject.
    r = next(r for r in lib.index.records if "10年内不迁离" in r.text)
    item = replace(r, section_title="申报所需材料：", title="获得奖励之日起10年内不迁离本市的承诺书",
                   heading_path=("二、一次性迁入奖励", "（二）申报所需材料：", "2．获得奖励之日起10年内不迁离本市的承诺书"))
    assert "一次性迁入奖励" in record_text(item)


def test_what_a_clause_excepts_is_not_its_subject(lib):
    a = lib.ask("一次性迁入奖励具体给多少钱？")
    assert "500万元" not in first(a)  # a threshold for the policies other than the 迁入奖励
    assert not a.found or a.extra.get("certainty") != "direct"
