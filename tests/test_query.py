"""Question understanding (issue 10.9): each case is a rule a reader would state, not a question file."""
import pytest

from assistant.query import doc_names, measure_refs, named_documents, parse_query, section_ref, stated_numbers

DOCS = [
    {"doc_id": "seed", "title": "四川省人民政府办公厅关于加快发展新经济培育壮大新动能的实施意见",
     "doc_number": "川办发〔2021〕93号", "publisher": "四川省人民政府办公厅"},
    {"doc_id": "lingang", "title": "上海市人民政府关于深化完善“双特”政策支持临港地区新一轮发展的若干意见",
     "doc_number": None, "publisher": "上海市人民政府"},
    {"doc_id": "jiuye", "title": "国务院关于做好当前和今后一个时期促进就业工作的若干意见",
     "doc_number": "国发〔2018〕39号", "publisher": "国务院"},
    {"doc_id": "tiyu", "title": "国务院办公厅关于加快发展体育竞赛表演产业的指导意见",
     "doc_number": "国办发〔2018〕121号", "publisher": "国务院办公厅"},
]
UNITS = {"省发展改革委", "经济和信息化厅", "省大数据中心", "人力资源社会保障部", "科技厅"}


@pytest.mark.parametrize("q, refs", [
    ("第（十三）条由哪个单位牵头？", (13,)), ("第十三条是什么？", (13,)), ("（十三）讲了什么", (13,)),
    ("第13条由谁负责", (13,)), ("第5项说了什么", (5,)), ("十三条由谁牵头？", (13,)),
    ("一条龙服务有哪些？", ()), ("有两条措施提到人才吗", ()), ("前三条讲什么", ()),
    ("这些措施2025年要完成吗", ()), ("措施5讲了什么", (5,)),
])
def test_measure_references_are_explicit(q, refs):
    assert measure_refs(q) == refs


def test_section_references():
    assert section_ref("（二）那一部分的措施有哪些？") == "二"
    assert section_ref("第三章讲了什么") == "三"
    assert measure_refs("（二）那一部分的措施有哪些？") == ()


def test_documents_named_by_number_region_or_title():
    names = doc_names(DOCS)
    assert named_documents("川办发〔2021〕93号对人才有什么规定", names) == ("seed",)
    assert named_documents("临港的人才政策有哪些？", names) == ("lingang",)
    assert named_documents("四川对瞪羚企业奖励多少", names) == ("seed",)
    assert named_documents("就业意见里稳岗返还多少", names) == ("jiuye",)
    assert set(named_documents("国务院的文件里有哪些补贴", names)) == {"jiuye", "tiyu"}
    assert named_documents("人才有哪些奖励", names) == ()
    # Where the asker is (我们是四川一家企业): that region's documents and the State Council's, which
    # apply everywhere.
    assert set(named_documents("我们是四川一家小微企业，创业担保贷款能贷多少", names)) == {"seed", "jiuye", "tiyu"}


def test_intents():
    def intent(q):
        return parse_query(q, UNITS, doc_names(DOCS)).intent
    assert intent("第（十三）条由哪个单位牵头？") == "lead_unit"
    assert intent("省大数据中心参与了哪些措施？") == "unit_measures"
    assert intent("新认定的省级新经济示范企业能获得多少资金奖励？") == "amount"
    assert intent("哪些单位可以获得算力补贴？") != "lead_unit"  # who may receive, not who is responsible
    assert intent("有哪些关于人才的奖励政策？") == "list"
    assert intent("我是做生物医药的，能享受哪些政策？") == "list"
    assert intent("这份文件的文号是什么？") == "metadata"
    assert parse_query("哪些措施没有牵头单位？", UNITS).unit_role == "joint"


def test_a_grant_named_in_a_question_asking_who_or_whether_is_not_an_amount_asked():
    def intent(q):
        return parse_query(q, UNITS).intent
    # who acts, who gets it, which people are left out, whether one still qualifies: the provision answers
    assert intent("活动结束后，由哪家单位计算各用户的补助金额？") == "lead_unit"
    assert intent("同一件事两个人都报了，奖金给谁？") == "general"
    assert intent("哪些人是拿不到奖励的？") == "general"
    assert intent("没评上的企业还有补贴吗？") == "general"
    # how much, how it is computed, what the standard is: still an amount
    assert intent("没评上的企业还能拿多少补贴？") == "amount"
    assert intent("招了3个人，带动就业补贴怎么算？") == "amount"
    assert intent("评上以后有什么奖励？") == "amount"
    assert intent("小区门口的公共停车泊位是谁来划的？") == "lead_unit"


def test_units_are_matched_by_general_rules_not_inside_words():
    assert parse_query("发改委牵头了哪些措施？", UNITS).units == ("省发展改革委",)
    assert parse_query("经信厅配合了几条？", UNITS).units == ("经济和信息化厅",)
    q = parse_query("我们想开发改造旧厂房，有什么补贴？", UNITS)
    assert q.units == () and q.intent != "unit_measures"


def test_numbers_the_source_must_contain():
    assert stated_numbers("2030年新经济增加值目标是多少？") == ("2030",)
    assert stated_numbers("第13条和措施5讲了什么") == ()
    assert stated_numbers("川办发〔2021〕93号对人才有什么规定") == ()
    assert stated_numbers("做5G的企业有补贴吗") == ()


def test_followups_are_explicit():
    assert parse_query("那它的配合单位呢？").followup
    assert parse_query("这条由谁牵头？").followup
    assert parse_query("其牵头单位是谁？").followup
    assert not parse_query("其他省份有什么补贴政策？").followup
    assert not parse_query("那瞪羚企业能拿多少钱？").followup


def test_figure_kind_and_tiers():
    q = parse_query("新认定的省级示范园区能拿多少奖励？")
    assert q.figure_kind == "money" and "省级" in q.tiers and "新认定" in q.tiers
    assert parse_query("研发投入强度要达到多少？").figure_kind == "percent"
    assert parse_query("扣除期限最长多少个月？").figure_kind in ("money", "duration")


def test_a_list_of_places_is_read_as_the_joint_name_the_documents_use():
    from assistant.query import joint_names

    known = {"成德绵", "成德眉资"}.__contains__
    assert joint_names("成都、德阳、绵阳三地要建什么示范区", known) == "成德绵三地要建什么示范区"
    assert joint_names("我在成都、德阳、眉山、资阳都有工厂", known) == "我在成德眉资都有工厂"
    # A list the documents name no such way is left alone (人资土 is no word of theirs).
    assert joint_names("人才、资金、土地有什么支持", known) == "人才、资金、土地有什么支持"


def test_a_policy_shorthand_is_spelled_out_into_the_words_it_packs():
    from assistant.query import spelled_out

    assert "智能" in spelled_out("推动重点行业“数智化”转型") and "数字" in spelled_out("数智化")
    assert "碳中和" in spelled_out("实现双碳目标") and "精细化" in spelled_out("向专精特新方向发展")
    assert spelled_out("推动智能制造") == "推动智能制造"  # text without a shorthand is unchanged


def test_the_ge_of_geshui_is_no_measure_word():
    q = parse_query("租房每月能扣多少个税？")
    assert q.figure_kind == "money" and q.figure_unit is None
    assert parse_query("要建多少个加氢站？").figure_unit == "个"


def test_how_many_and_how_big_ask_a_figure_but_a_few_does_not():
    assert parse_query("到2025年要建成几个产业集聚区？").intent == "amount"
    assert parse_query("政府性产业基金的规模有多大？").intent == "amount"
    assert parse_query("我们几个合伙人能不能一起申请？").intent != "amount"
    assert parse_query("想招几个技术骨干过来，有没有人才政策？").intent != "amount"
    assert parse_query("发展目标分几个方面？").intent != "amount"


@pytest.mark.parametrize("q", ["多大年龄的人可以献血？", "献血年龄要求多少？", "几岁以上的孩子可以参加？"])
def test_an_age_asked_is_an_age(q):
    assert parse_query(q).figure_kind == "age"


def test_who_issued_and_when_asked_together():
    assert set(parse_query("这份指导意见是哪个单位、哪天印发的？").meta_fields) >= {"publisher"}


@pytest.mark.parametrize("q", ["这个条例是以哪号国务院令公布的？", "这个办法是第几号令？", "令号是多少？"])
def test_an_order_number_asked_is_the_document_number(q):
    assert "doc_number" in parse_query(q).meta_fields


def test_a_multiple_asked_is_a_multiple():
    assert parse_query("贷款额度是账户余额的多少倍？").figure_kind == "multiple"
    assert parse_query("监管额度调成工程造价的几倍了？").figure_kind == "multiple"


def test_a_unit_set_aside_is_not_the_one_asked_about():
    q = parse_query("这项任务除了街镇以外还有哪些部门配合？", units={"街镇", "区财政局"})
    assert "街镇" not in q.units
    assert "街镇" in parse_query("街镇配合了哪些任务？", units={"街镇", "区财政局"}).units


def test_a_period_in_hours_states_the_period_asked():
    from assistant.compose import aspect_missing

    q = parse_query("报给供热企业后，他们多长时间内要来检测？", UNITS)
    assert "period" in q.aspects
    assert aspect_missing(q, "供热企业应当在二十四小时内进行检测。", q.text) is None
    assert aspect_missing(q, "供热企业应当及时进行检测。", q.text) == "period"


def test_everyday_kinship_words_are_glossed_with_the_written_form():
    from assistant.query import expand

    assert "（父母）" in expand("我父亲癌症晚期，需要准备哪些材料？")
    assert "（子女）" in expand("我女儿今年上小学")


def test_how_often_is_stated_by_a_frequency():
    from assistant.compose import aspect_missing

    q = parse_query("持密单位多久要开展一次保密自查？", UNITS)
    assert "period" in q.aspects
    assert aspect_missing(q, "持密单位应当每年至少开展一次保密自查。", q.text) is None
    assert aspect_missing(q, "持密单位应当开展保密自查。", q.text) == "period"
