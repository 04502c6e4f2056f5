"""Responsibility notes in every convention of issue 9, read by each document's own rule; unit names."""
import pytest

from assistant.units import (canonical_names, find_notes, lead_rule, parse_responsibility, read_text_duty, unit_key,
                             unit_surface_forms)


def roles(text: str, rule: str = ""):
    r = parse_responsibility(text, rule or lead_rule(text))
    return r.lead, r.co, r.joint_units, r.listed, r.status


def test_seed_form_lead_before_comma_and_rule_note_stripped():
    r = parse_responsibility("（一）加速突破。（责任单位：科技厅，省发展改革委、经济和信息化厅。逗号前为牵头单位，下同）")
    assert r.lead == ("科技厅",) and r.co == ("省发展改革委", "经济和信息化厅") and not r.joint
    assert "逗号前为牵头单位" not in "".join(r.printed) and r.status == "stated"


def test_seed_form_several_leads_half_width_and_brackets_in_the_body():
    assert roles("(六)新能源。(责任单位:经济和信息化厅、省能源局、省发展改革委,科技厅)", "comma")[:2] == (
        ("经济和信息化厅", "省能源局", "省发展改革委"), ("科技厅",))
    r = parse_responsibility("(二十三)加快布局公(专)用充(换)电。(责任单位:省能源局、经济信息化厅,省发展改革委)", "comma")
    assert r.lead == ("省能源局", "经济信息化厅") and r.co == ("省发展改革委",)


def test_shared_responsibility_has_no_lead():
    r = parse_responsibility("(二十六)监管。(责任单位:省发展改革委、经济和信息化厅、司法厅按照职责分工负责)", "comma")
    assert r.joint and r.lead == () and r.joint_units == ("省发展改革委", "经济和信息化厅", "司法厅")
    r = parse_responsibility("(二十九)协调。(责任单位:经济和信息化厅、省市场监管局等部门按照职责分工负责)", "comma")
    assert r.joint_units == ("经济和信息化厅", "省市场监管局")


def test_first_listed_leads_when_the_document_says_so():
    text = "（一）稳岗。返还50%。（人力资源社会保障部、财政部负责。列第一位者为牵头单位，下同）"
    assert lead_rule(text) == "first"
    assert roles(text)[:2] == (("人力资源社会保障部",), ("财政部",))
    # The rule stated once covers the later notes ("下同").
    assert roles("（二）担保。（财政部、工业和信息化部、人民银行负责）", "first")[:2] == (
        ("财政部",), ("工业和信息化部", "人民银行"))
    assert lead_rule("排在第一位的部门为牵头部门，下同") == "first"


def test_without_a_rule_nobody_is_made_the_lead():
    lead, co, joint, listed, status = roles("（四）职业赛事。（体育总局、民政部、人力资源社会保障部负责）")
    assert lead == () and co == () and listed == ("体育总局", "民政部", "人力资源社会保障部") and status == "stated"


def test_several_notes_in_one_item_each_cover_the_text_before_it():
    text = ("（十）鼓励创新创业。推进商事制度改革。（市场监管总局负责）加强创新创业教育。（体育总局、教育部负责）"
            "鼓励新技术应用。（体育总局、网信办、科技部负责）")
    notes = find_notes(text)
    assert [n.listed for n in notes] == [("市场监管总局",), ("体育总局", "教育部"), ("体育总局", "网信办", "科技部")]
    assert text[:notes[0].start].endswith("推进商事制度改革。")
    assert roles(text)[3] == ("市场监管总局", "体育总局", "教育部", "网信办", "科技部")


@pytest.mark.parametrize("note, lead, co", [
    ("（市发展改革委牵头，市财政局、市科技局配合）", ("市发展改革委",), ("市财政局", "市科技局")),
    ("（县商务局牵头负责）", ("县商务局",), ()),
    ("（国家发展改革委会同有关部门负责）", ("国家发展改革委",), ()),
    ("（科技部会同财政部负责）", ("科技部",), ("财政部",)),
    ("（牵头单位：市科技局；配合单位：市财政局、市人社局）", ("市科技局",), ("市财政局", "市人社局")),
    ("（责任单位：市经信局（牵头）、市财政局）", ("市经信局",), ("市财政局",)),
    ("（人力资源社会保障部、财政部、税务总局，各省级人民政府按职责分工负责）", ("人力资源社会保障部",),
     ("财政部", "税务总局", "各省级人民政府")),
])
def test_conventions(note, lead, co):
    # The last case depends on the rule: under "列第一位者为牵头单位" the first unit leads.
    rule = "first" if "按职责分工" in note else ""
    got = roles("（三）做好工作。" + note, rule)
    assert (got[0], got[1]) == (lead, co) and got[4] == "stated"


def test_supporting_units_after_a_semicolon_are_kept():
    # Issue 9, item 8: the note used to be cut at ；, and the answer then said 无配合单位.
    assert roles("（五）加快。（牵头单位：市科技局；配合单位：市财政局）")[:2] == (("市科技局",), ("市财政局",))


def test_a_note_that_cannot_be_read_is_unclear_not_empty():
    r = parse_responsibility("（七）做好工作。（市科技局、市财政局，抓好落实负责）")
    assert r.status == "unclear" and r.notes


def test_brackets_that_are_not_notes():
    for text in ("（一）加大支持。给予奖励。",
                 "（四）推广应用中国（上海）自由贸易试验区（以下简称“上海自贸试验区”）制度创新成果。",
                 "对项目（不含采矿、矿产品初加工及风、光、水）给予补助。",
                 "扣除医保报销后个人负担（指医保目录范围内的自付部分）。"):
        r = parse_responsibility(text)
        assert r.printed == () and r.status == "none"


def test_unit_names_by_general_rules():
    assert unit_key("省经济和信息化厅") == unit_key("经济信息化厅") == unit_key("经信厅")
    assert unit_key("省发展和改革委员会") == unit_key("发改委") == unit_key("市发展改革委")
    assert unit_key("文化和旅游厅") == unit_key("文旅厅")
    # A county's 税务局 is not a province's: no rule turns one into the other.
    assert unit_key("税务局") != unit_key("四川省税务局")
    assert "大数据中心" in unit_surface_forms("省大数据中心")
    # Forms under three characters would match inside ordinary words (开发改造).
    assert all(len(f) >= 3 for f in unit_surface_forms("发改委"))


def test_canonical_names_are_the_documents_own():
    names = canonical_names(["经济和信息化厅", "经济和信息化厅", "经济信息化厅", "文化旅游厅", "文化和旅游厅", "税务局"])
    assert names["经济信息化厅"] == "经济和信息化厅"
    assert names["文化旅游厅"] == "文化和旅游厅"  # a tie goes to the fuller name
    assert names["税务局"] == "税务局"


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
    assert all(ms[n].duty_status == "stated" for n in ms)


@pytest.mark.parametrize("sentence, roles", [
    # 会同: the first actor leads, those it acts with support (areas are actors too: 浦东新区).
    ("管理办法由市财政局会同浦东新区、奉贤区和临港地区管委会制定。",
     {"lead": ["市财政局"], "co": ["浦东新区", "奉贤区", "临港地区管委会"], "listed": []}),
    ("认定办法由省经济和信息化厅会同省财政厅负责制定", {"lead": ["省经济和信息化厅"], "co": ["省财政厅"], "listed": []}),
    # One actor, no lead stated: responsible.
    ("减量化工作由临港地区管委会统筹", {"lead": [], "co": [], "listed": ["临港地区管委会"]}),
    ("相关费用由县人民政府承担", {"lead": [], "co": [], "listed": ["县人民政府"]}),
    # An adverb before the verb (另行制定) is no part of the actor.
    ("具体操作办法，由国务院税务主管部门另行制定", {"lead": [], "co": [], "listed": ["国务院税务主管部门"]}),
    # A unit opening a sentence of what it 应当 do bears that duty; the levels it acts at are no units.
    ("第六条 市场监督管理部门在核发许可证时，应当注明经营范围。", {"lead": [], "co": [], "listed": ["市场监督管理部门"]}),
    ("（二）卫生健康主管部门应当组织开展宣传。", {"lead": [], "co": [], "listed": ["卫生健康主管部门"]}),
    ("第四条 市、县（市、区）交通运输主管部门负责本辖区内的客运管理工作。", {"lead": [], "co": [], "listed": ["交通运输主管部门"]}),
    # A 会同 clause later in the sentence: its actor (else the sentence's opening unit) leads, the
    # partner supports; a list in brackets is part of one name.
    ("水行政部门负责河道的日常管理，依法查处违法采砂行为，会同农业农村部门划定禁渔区域。",
     {"lead": ["水行政部门"], "co": ["农业农村部门"], "listed": []}),
    ("协商不成的，所在地的街道办事处、开发区（园区、集聚区）管理机构应当会同县级住房城乡建设部门协调确定。",
     {"lead": ["街道办事处", "开发区（园区、集聚区）管理机构"], "co": ["县级住房城乡建设部门"], "listed": []}),
    # 由A受理审核 / 审批 / 办理: A acts; A作为…主管部门，负责…: A is responsible; 自行 is no part of an actor.
    ("第九条 下列人员户籍准入，由人社部门受理审核：", {"lead": [], "co": [], "listed": ["人社部门"]}),
    ("第七条 市教委作为行业主管部门，负责统筹管理学校的基本建设工作。", {"lead": [], "co": [], "listed": ["市教委"]}),
    ("相关手续由申请人自行办理。", None),
    # A unit named as a field's 主管部门 is responsible for it.
    ("第五条 公安机关是养犬管理工作的主管部门。", {"lead": [], "co": [], "listed": ["公安机关"]}),
    ("第二条 市林业主管部门主管本市古树名木保护工作。", {"lead": [], "co": [], "listed": ["市林业主管部门"]}),
    # Names sharing the unit word after 等 (公安、城市管理等主管部门) are units by it.
    ("卫生主管部门应当会同公安、城市管理等主管部门确定停靠点。",
     {"lead": ["卫生主管部门"], "co": ["公安", "城市管理"], "listed": []}),
    # An 意见 or a 方案 writes the same duties with 要: A要牵头 leads, A要会同B… leads with B in
    # support, A要配合 supports, A、B要… are responsible.
    ("省商务厅要牵头完善外贸企业信用评价体系。", {"lead": ["省商务厅"], "co": [], "listed": []}),
    ("省卫生健康委要会同省民政厅、省医保局推进医养结合。",
     {"lead": ["省卫生健康委"], "co": ["省民政厅", "省医保局"], "listed": []}),
    ("市统计局要配合做好数据核查和监测工作。", {"lead": [], "co": ["市统计局"], "listed": []}),
    ("县自然资源局、县林业局和各乡镇政府要在汛期前完成隐患排查。",
     {"lead": [], "co": [], "listed": ["县自然资源局", "县林业局", "各乡镇政府"]}),
    ("企业要求退还保证金的，应当提出书面申请。", None),
    # People and firms bound by a rule are no units.
    ("企业是安全生产的责任主体。", None),
    ("经营者应当会同物业服务企业做好登记。", None),
])
def test_a_duty_stated_in_the_text_is_read_like_a_note(sentence, roles):
    assert read_text_duty(sentence) == roles


@pytest.mark.parametrize("sentence", ["由于资金不足，由企业自主决定", "理由由申请人说明", "经由省政府同意后实施",
                                      "建立由政府负责人牵头、相关部门共同参与的工作机制"])
def test_text_without_an_acting_unit_states_no_duty(sentence):
    assert read_text_duty(sentence) is None


# --- issue 19: notes of real policies ---------------------------------------------------------

@pytest.mark.parametrize("note, lead, co, joint, listed", [
    # Each clause ends with its verb, clauses joined by ，or 、.
    ("（市交通委牵头负责、各区政府组织落实）", ("市交通委",), ("各区政府",), (), ()),
    ("（市住房城乡建设管理委、市财政局牵头负责，市民政局按职责组织配合）", ("市住房城乡建设管理委", "市财政局"), ("市民政局",), (), ()),
    ("（市局产品质量安全监督管理处牵头，认证监督管理处、信用监督管理处按职责分工负责）",
     ("市局产品质量安全监督管理处",), ("认证监督管理处", "信用监督管理处"), (), ()),
    # Shared with nobody leading; units that 组织落实 beside no lead are responsible.
    ("（市市场监管局、市商务委按职责分工负责落实、各区政府组织落实）", (), (), ("市市场监管局", "市商务委"), ("各区政府",)),
    ("（市应急局、市经济信息化委、各区政府组织落实）", (), (), (), ("市应急局", "市经济信息化委", "各区政府")),
    ("（各部门按职责分工牵头负责、各区政府组织落实）", ("各部门",), ("各区政府",), (), ()),
    ("（市局特种设备安全监察处负责）", (), (), (), ("市局特种设备安全监察处",)),
    # Labelled roles, the second after a full stop or a half-width semicolon.
    ("（牵头单位：市绿化市容局，浦东新区、嘉定区政府。配合单位：市发展改革委、市水务局）",
     ("市绿化市容局", "浦东新区", "嘉定区政府"), ("市发展改革委", "市水务局"), (), ()),
    ("(牵头单位：区绿化市容局;配合单位：区规划资源局、各街镇、开发区)", ("区绿化市容局",), ("区规划资源局", "各街镇", "开发区"), (), ()),
    # A generic word is the responsible party when the note names nothing else.
    ("（责任部门：各有关部门）", (), (), (), ("各有关部门",)),
    ("（责任部门：区建管委、区税务局等）", (), (), (), ("区建管委", "区税务局")),
    # A name may begin with 和 (和平区, 和田地区); 以及 and a 和 after a unit's name join two units.
    ("（责任单位：和平区人民政府、市商务局）", (), (), (), ("和平区人民政府", "市商务局")),
    ("（责任单位：市商务局以及市财政局）", (), (), (), ("市商务局", "市财政局")),
    ("（市商务局、市财政局和市税务局负责）", (), (), (), ("市商务局", "市财政局", "市税务局")),
])
def test_notes_of_real_policies(note, lead, co, joint, listed):
    assert roles("（三）做好工作。" + note)[:4] == (lead, co, joint, listed)


def test_a_bare_list_of_units_closing_a_sentence_is_a_note():
    """Rule: a bracket holding only unit names after a full stop says who is responsible; after
    a name (我委（省能源局）) it is that body's other name."""
    r = parse_responsibility("（二）做好土地收储。加快收储工作。（各街镇、区规划资源局、区土储中心）")
    assert r.listed == ("各街镇", "区规划资源局", "区土储中心") and r.status == "stated"
    assert parse_responsibility("（二）汇总印发。我委（省能源局）汇总各地市清单。").status == "none"
    assert parse_responsibility("（三）对接。请报送工信厅（经信厅）。").status == "none"


def test_collective_names_and_district_units():
    assert roles("（四）出台文件。（责任单位：区消防救援支队、各街道、相关委、办、局）")[3] == (
        "区消防救援支队", "各街道", "相关委、办、局")


def test_an_item_of_a_duties_section_headed_by_a_unit_is_that_units():
    from assistant.units import heading_duty

    assert heading_duty("职责分工", "区财政局", "（三）区财政局\n负责安排年度预算。") == {"lead": [], "co": [], "listed": ["区财政局"]}
    assert heading_duty("工作职责", "区建设管理委", "区建设管理委：牵头协调全区建设工作。") == {"lead": ["区建设管理委"], "co": [], "listed": []}
    assert heading_duty("部门职责", "区水务局", "区水务局：配合做好排水设施建设。") == {"lead": [], "co": ["区水务局"], "listed": []}
    # elsewhere a unit heading names a body the measure sets up; a task heading names no unit
    assert heading_duty("主要任务", "街道消防安全委员会", "年底前，各街道设立消防安全委员会。") is None
    assert heading_duty("职责分工", "加强统筹协调", "各部门要加强协作。") is None


@pytest.mark.parametrize("note, lead", [
    ("59．新增5G基站1000座。（持续推进，牵头考核单位：市工信局）", ("市工信局",)),
    ("完善热线平台。（6月底完成，牵头责任单位：市政府办公室、市公安局）", ("市政府办公室", "市公安局")),
])
def test_a_lead_label_with_a_word_inside_and_a_remark_before_it(note, lead):
    assert parse_responsibility(note).lead == lead
