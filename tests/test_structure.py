"""Structure parser: every numbering style, headings on their own line, sections, splitting."""
from assistant.records import Document
from assistant.structure import parse_document


def doc(text: str) -> Document:
    return Document(doc_id="t", path="t.txt", sha256="", title="测试文件", text=text)


def measures(text: str, **kw):
    return [r for r in parse_document(doc(text), **kw) if r.kind == "measure"]


def test_paren_measures_full_and_half_width():
    for text in ("一、总则\n（一）加大支持。给予奖励。\n（二）强化服务。提供服务。\n二、保障\n（三）加强组织。落实责任。",
                 "一、总则\n(一)加大支持。给予奖励。\n(二)强化服务。提供服务。\n二、保障\n(三)加强组织。落实责任。"):
        ms = measures(text)
        assert [m.measure for m in ms] == [1, 2, 3]
        assert [m.title for m in ms] == ["加大支持", "强化服务", "加强组织"]
        assert [m.section for m in ms] == ["一", "一", "二"]
        assert ms[2].section_title == "保障"
        assert ms[0].measure_label in ("（一）", "(一)")


def test_articles_chinese_arabic_and_spaced():
    text = "第一条 为了支持企业，制定本办法。\n第二条 对企业给予奖励。\n第三条 本办法自发布之日起施行。"
    assert [m.measure for m in measures(text)] == [1, 2, 3]
    text = "第1条 为了支持企业，制定本办法。\n第2条 对企业给予奖励。\n第3条 本办法自发布之日起施行。"
    ms = measures(text)
    assert [m.measure for m in ms] == [1, 2, 3]
    assert ms[1].measure_label == "第2条" and ms[1].title == "对企业给予奖励"
    # PDF spacing inside the label is removed by cleaning; the parser also accepts it directly.
    text = "第 1 条 总则内容。\n第 2 条 给予奖励。"
    assert [m.measure for m in measures(text)] == [1, 2]


def test_articles_in_sequence_including_tens():
    body = "\n".join(f"第{n}条 内容{n}。" for n in ["一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三"])
    ms = measures(body)
    assert [m.measure for m in ms] == list(range(1, 14))
    assert ms[-1].measure_label == "第十三条"


def test_numbered_items_as_measures_when_no_higher_level():
    for sep in (".", "、"):
        text = f"关于支持企业的通知\n一、支持措施\n1{sep}加大支持。给予奖励。\n2{sep}强化服务。提供服务。\n二、保障措施\n1{sep}加强组织。落实责任。"
        ms = measures(text)
        assert [(m.section, m.measure) for m in ms] == [("一", 1), ("一", 2), ("二", 1)]


def test_paren_items_as_measures_and_items_stay_in_body():
    ms = measures("（1）加大支持。给予奖励。\n（2）强化服务。提供服务。")
    assert [m.measure for m in ms] == [1, 2]
    # 1. items under (一) measures are part of the measure body, not measures.
    ms = measures("（一）加大支持。\n1.给予奖励。\n2.提供贷款。\n（二）强化服务。提供服务。")
    assert [m.measure for m in ms] == [1, 2]
    assert "2.提供贷款。" in ms[0].text


def test_heading_line_then_body_on_next_line():
    ms = measures("（一）加大财税支持\n落实支持政策。给予100万元奖励。\n（二）强化服务\n提供服务。")
    assert ms[0].title == "加大财税支持"
    assert "给予100万元奖励" in ms[0].text
    ms = measures("第一条\n为了支持企业发展，制定本办法。\n第二条\n给予奖励。")
    assert [m.title for m in ms] == ["为了支持企业发展，制定本办法", "给予奖励"]


def test_stray_numeral_in_body_is_not_a_measure():
    ms = measures("（一）加大支持。\n（三）这是引用的文字。\n（二）强化服务。")
    assert [m.measure for m in ms] == [1, 2]


def test_preamble_and_sections_without_measures_are_records():
    recs = parse_document(doc("前言文字。\n一、指导思想\n坚持创新。\n二、发展目标\n到2025年，增速达到10%。\n三、主要任务\n（一）加大支持。给予奖励。\n（二）强化服务。提供服务。\n某某人民政府\n2021年12月31日"))
    kinds = [(r.kind, r.section, r.measure) for r in recs]
    assert kinds == [("preamble", None, None), ("section", "一", None), ("section", "二", None),
                     ("measure", "三", 1), ("measure", "三", 2)]
    assert "到2025年，增速达到10%。" in recs[2].text
    # The signature block belongs to no measure.
    assert "2021年12月31日" not in recs[-1].text


def test_offsets_point_into_the_text():
    text = "前言。\n一、总则\n（一）加大支持。给予奖励。\n（二）强化服务。提供服务。"
    for r in parse_document(doc(text)):
        assert text[r.start:r.end].strip() == r.text


def test_long_measure_split_keeps_identity():
    long = "（一）加大支持。" + "对符合条件的企业给予资金奖励和贷款贴息支持。" * 60 + "\n（二）强化服务。提供服务。"
    ms = measures(long, max_tokens=120)
    parts = [m for m in ms if m.measure == 1]
    assert len(parts) > 2
    assert {(m.measure, m.measure_label, m.title) for m in parts} == {(1, "（一）", "加大支持")}
    assert [m.part for m in parts] == list(range(len(parts)))
    from llama_index.core.utils import get_tokenizer
    tok = get_tokenizer()
    assert all(len(tok(m.text)) <= 120 for m in parts)
    assert "".join(m.text for m in parts).replace("\n", "") == long.split("\n")[0]


def test_no_numbering_gives_one_text_record():
    recs = parse_document(doc("这是一段没有编号的文字。\n另一段文字。"))
    assert [r.kind for r in recs] == ["text"]


def test_seed_has_31_measures_once_each(seed_records):
    ms = [r for r in seed_records if r.kind == "measure"]
    assert [m.measure for m in ms] == list(range(1, 32))
    assert ms[29].measure_label == "(三十)" and ms[29].title == "加大财税支持"
    assert ms[0].title == "加速突破前沿技术"
    sections = [(r.section, r.section_title) for r in seed_records if r.kind == "section"]
    assert sections == [("一", "指导思想"), ("二", "发展目标")]
    assert "到2025年" in [r for r in seed_records if r.section == "二"][0].text


def test_second_document_17_measures():
    from assistant.load import load_document
    from assistant.structure import parse_document as parse
    from .conftest import SHANGHAI
    ms = [r for r in parse(load_document(SHANGHAI)) if r.kind == "measure"]
    assert [m.measure for m in ms] == list(range(1, 18))
    assert ms[0].measure_label == "（一）" and ms[0].title == "进一步向临港地区简政放权"
    assert ms[16].section == "六"


# --- issue 9: the level at which a document numbers its provisions -------------------------------

def test_items_under_group_headings_are_the_measures():
    # 1.…6. under three bare group headings （一）…（三）: the items are the provisions.
    text = ("一、主要任务\n（一）强化企业主体地位\n1.支持企业研发。给予补助。\n2.鼓励企业上市。给予奖励。\n"
            "（二）优化创新环境\n3.建设平台。给予支持。\n4.培养人才。给予补贴。\n二、保障措施\n（三）加强保障\n5.加强组织。\n6.强化考核。")
    ms = measures(text)
    assert [m.measure for m in ms] == [1, 2, 3, 4, 5, 6]
    assert [m.section for m in ms] == ["一", "一", "二", "二", "三", "三"]  # the group is the section
    assert ms[2].section_title == "优化创新环境" and ms[2].section_path == ("一、", "（二）")
    assert ms[2].heading_path == ("一、主要任务", "（二）优化创新环境", "3.建设平台")


def test_top_level_items_are_the_measures_and_their_parts_stay_inside():
    text = "\n".join(f"{n}、第{n}项措施。对企业给予支持。" for n in "一二三四五六") + "\n（一）细项甲。\n（二）细项乙。"
    ms = measures(text)
    assert [m.measure for m in ms] == [1, 2, 3, 4, 5, 6]
    assert "（二）细项乙。" in ms[-1].text


def test_articles_inside_a_notice_keep_their_items(seed_records):
    from assistant.load import load_document
    from .conftest import GESHUI
    recs = parse_document(load_document(GESHUI))
    ms = [r for r in recs if r.kind == "measure" and r.part == 0]
    assert [m.measure for m in ms] == list(range(1, 33))
    assert ms[0].measure_label == "第一条" and ms[0].section_path == ("第一章",)
    assert ms[24].section == "八"  # 第二十五条 in 第八章 保障措施
    # The （一）（二） items of 第二十六条 are inside it, not measures of their own.
    art26 = "".join(r.text for r in recs if r.measure == 26)
    assert "（一）" in art26 and "（二）" in art26
    assert recs[0].kind == "preamble" and "国发〔2018〕41号" in recs[0].text


def test_numbering_that_restarts_in_each_section_keeps_measures_apart():
    text = "一、产业\n1.支持研发。给予补助。\n2.支持上市。给予奖励。\n二、人才\n1.引进人才。给予安家费。\n2.培养人才。给予补贴。"
    ms = measures(text)
    assert [(m.section, m.measure) for m in ms] == [("一", 1), ("一", 2), ("二", 1), ("二", 2)]
    assert len({m.measure_key for m in ms}) == 4


def test_state_council_samples():
    from assistant.load import load_document
    from .conftest import JIUYE, TIYU
    ms = {r.measure: r for r in parse_document(load_document(JIUYE)) if r.kind == "measure"}
    assert sorted(ms) == list(range(1, 16))
    assert ms[1].lead_units == ("人力资源社会保障部",) and ms[1].co_units == ("财政部",)
    assert ms[3].lead_units == ("财政部",) and ms[3].co_units == ("人力资源社会保障部", "人民银行", "银保监会")
    assert ms[12].lead_units == ("各省级人民政府",)
    ms = {r.measure: r for r in parse_document(load_document(TIYU)) if r.kind == "measure"}
    assert sorted(ms) == list(range(1, 20)) and ms[4].section_title == "重点任务" or ms[4].section == "二"
    # No lead rule is stated: units are responsible, nobody leads.
    assert ms[5].lead_units == () and ms[5].listed_units == ("体育总局", "北京冬奥组委")
    assert ms[10].listed_units == ("市场监管总局", "体育总局", "教育部", "网信办", "科技部", "工业和信息化部")
    assert len(ms[13].duty_notes) == 3


def test_duty_table_gives_units_to_the_measures_it_lists():
    from assistant.records import DutyRow
    d = Document(doc_id="t", path="t.docx", sha256="", title="测试", text=(
        "一、重点任务\n（一）加大财税支持。给予奖励。\n（二）强化人才支撑。引进人才。\n（三）优化营商环境。简化审批。"),
        duty_table=(DutyRow(1, "加大财税支持", ("县财政局",), ("县发展改革局", "县税务局")),
                    DutyRow(None, "强化人才支撑", (), (), ("县人社局", "县科技局"))))
    ms = {r.measure: r for r in parse_document(d) if r.kind == "measure"}
    assert ms[1].lead_units == ("县财政局",) and ms[1].co_units == ("县发展改革局", "县税务局")
    assert ms[2].listed_units == ("县人社局", "县科技局") and ms[2].duty_status == "stated"
    assert ms[3].duty_status == "none" and ms[3].all_units == ()


# --- issue 19: real policies' conventions, one small document each -------------------------------

def test_the_measure_level_may_differ_from_section_to_section():
    # 二、 numbers its measures （一）（二）; 四、 groups 1.–2. under the bare title （一）.
    text = ("一、总体要求\n坚持改革。\n二、基本原则\n（一）改革驱动，补齐短板。深化改革。\n（二）上下联动，落实责任。构建体系。\n"
            "三、主要任务\n（一）完善管理体制\n1.加强统筹。区交通委负责。（责任单位：区交通委、区财政局）\n"
            "2.强化责任。推行路长制。（责任单位：区交通委、各乡镇政府）\n四、保障措施\n（一）加强组织领导\n各部门要落实。")
    ms = measures(text)
    assert [(m.measure_label, m.section_path) for m in ms] == [
        ("（一）", ("二、",)), ("（二）", ("二、",)), ("1.", ("三、", "（一）")), ("2.", ("三、", "（一）")), ("（一）", ("四、",))]
    assert ms[2].listed_units == ("区交通委", "区财政局")


def test_sentence_group_headings_over_items_numbered_on_across_groups():
    # Issue 19's first example: group headings that are sentences introduce items 1.–3. numbered on.
    text = ("一、总体要求\n坚持人才优先。\n二、重点任务\n（一）产业提升人才行动计划。围绕产业发展，实施如下重点项目：\n"
            "1.引才项目。每年引进人才100名。（牵头单位：市发展改革委，配合单位：市委组织部）\n"
            "2.育才项目。培养骨干人才。（牵头单位：市人社局，配合单位：市财政局）\n"
            "（二）创新平台建设行动计划。围绕平台建设，实施如下重点项目：\n"
            "3.平台项目。建设平台10个。（牵头单位：市科技局，配合单位：市经信委）")
    ms = measures(text)
    assert [(m.measure_label, m.measure, m.section_path) for m in ms] == [
        ("1.", 1, ("二、", "（一）")), ("2.", 2, ("二、", "（一）")), ("3.", 3, ("二、", "（二）"))]
    assert ms[2].lead_units == ("市科技局",) and ms[2].co_units == ("市经信委",)


def test_a_list_inside_a_measure_stays_inside_it():
    # （二）'s 1.–3. are a plain list (no titles of their own, and 1. numbers nothing else): （二）
    # is the measure. Under a bare title, items with titles of their own are the measures.
    text = ("一、申报要求\n（一）严把建设内容。项目应在本市。\n（二）夯实建设条件。\n1.项目应履行核准手续。\n2.项目应于5月前开工。\n"
            "3.已完工的项目不予支持。\n（三）落实资金来源。资金应闭合。\n二、组织实施\n（一）申报时间。3月前。\n（二）报送方式。纸质版。")
    ms = measures(text)
    assert [(m.measure_label, m.section_path) for m in ms] == [
        ("（一）", ("一、",)), ("（二）", ("一、",)), ("（三）", ("一、",)), ("（一）", ("二、",)), ("（二）", ("二、",))]
    assert "3.已完工的项目不予支持。" in ms[1].text
    text = "一、指导思想\n坚持创新。\n二、基本原则\n（一）基本原则。\n1.坚持正确导向。增强意识。\n2.坚持需求引领。满足需要。\n（二）工作目标。建成体系。"
    assert [(m.measure_label, m.section_path) for m in measures(text)] == [
        ("1.", ("二、", "（一）")), ("2.", ("二、", "（一）")), ("（二）", ("二、",))]
    # A provision of its own with a titled list inside: the list stays inside.
    text = ("一、总体目标\n推动市场化。\n二、推动市场化\n（一）建立结算机制。\n机制内容如下。\n（二）存量项目机制电量、电价和执行期限。\n存量项目是指6月前投产的项目。\n"
            "1.机制电量\n按实际上网电量确定。\n2.机制电价\n按基准价执行。\n（三）增量项目。增量项目竞价形成。")
    assert [m.measure_label for m in measures(text)] == ["（一）", "（二）", "（三）"]


def test_a_heading_with_a_paragraph_heads_items_whose_level_carries_the_provisions():
    # 三、（一）第一阶段 has a paragraph and 1.–2. below it; 1.–3. under 四、's groups are the
    # document's measures, so 三、（一）'s items are measures too, and （一） their heading.
    text = ("一、总体思路\n压实责任。\n二、工作目标\n消除隐患。\n三、基本步骤\n（一）第一阶段：集中攻坚\n2023年9月底前，全面排查整治。\n1.组织排查。开展排查整治。\n2.建立台账。实行清单管理。\n"
            "（二）第二阶段：全面巩固提升\n2024年3月底前，完成整治。\n四、突出重点\n（一）排查整治生产经营隐患\n"
            "1.对无证经营的企业依法关停。（市住房城乡建设管理委牵头负责，各区政府组织落实）\n"
            "2.对违规充装的企业限期改正。（市市场监管局牵头负责、各区政府组织落实）\n"
            "（二）排查整治设施隐患\n3.对问题气瓶依法查处。（市市场监管局牵头负责，市公安局、各区政府组织落实）")
    ms = measures(text)
    assert [(m.measure_label, m.section_path) for m in ms] == [
        ("1.", ("三、", "（一）")), ("2.", ("三、", "（一）")), ("（二）", ("三、",)),
        ("1.", ("四、", "（一）")), ("2.", ("四、", "（一）")), ("3.", ("四、", "（二）"))]
    assert ms[4].lead_units == ("市市场监管局",) and ms[4].co_units == ("各区政府",)


def test_a_label_printed_twice_is_two_measures_and_two_regulations_restart():
    ms = measures("一、报名时间\n12月26日。\n二、报名条件\n（一）依法注册。\n（二）无违法记录。\n（二）承诺回收旧机。\n（三）能够对接平台。")
    assert [m.measure_label for m in ms] == ["（一）", "（二）", "（二）", "（三）"]
    assert len({m.measure_key for m in ms}) == 4
    # A 通知 wrapping two 规定, each numbering from （一） under 一、: four measures, not two.
    ms = measures("甲规定\n一、转制\n（一）登记注册。内容。\n（二）治理结构。内容。\n乙规定\n一、财政税收\n（一）加大投入。内容。\n（二）减免税收。内容。")
    assert [(m.measure_label, m.section_path) for m in ms] == [("（一）", ("一、",)), ("（二）", ("一、",))] * 2
    assert len({m.measure_key for m in ms}) == 4


def test_an_item_whose_text_starts_with_a_year():
    ms = measures("一、申请条件\n在本区注册。\n二、申请材料\n1.申请表（原件）；\n2.承诺书（原件）；\n3.2017年12月统计月报；\n4.营业执照。")
    assert [m.measure for m in ms] == [1, 2, 3, 4] and ms[2].title.startswith("2017年12月")
    # 1.5万元 at a line's start is a number, not item 1.
    assert [m.measure for m in measures("一、标准\n1.给予奖励。\n1.5万元以上的给予补助。\n2.其他。")] == [1, 2]


def test_an_annex_is_text_and_a_task_list_annex_gives_measures_with_their_units():
    text = ("一、主要任务\n（一）做好规划。内容。\n（二）完善标准。内容。\n附件：\n1.项目申请表\n2.承诺书\n附件1\n申请表\n一、企业基本情况\n二、申请项目")
    recs = parse_document(doc(text))
    assert [(r.kind, r.measure_label) for r in recs if r.kind == "measure"] == [("measure", "（一）"), ("measure", "（二）")]
    assert recs[-1].kind == "text" and recs[-1].text.startswith("附件：") and "承诺书" in recs[-1].text
    # 重点任务清单 printed one cell a line: 类别 / 项目 / 主要任务 / 牵头单位 / 配合单位.
    text = ("一、组织架构\n（一）消防安全委员会。年底前设立。\n（二）消防安全办公室。下设办公室。\n附件：\n重点任务清单\n类别\n项目\n主要任务\n牵头单位\n配合单位\n"
            "一、做好政策保障\n1.做好规划配套\n将消防工作同步规划。\n区消防救援支队\n区应急局、区公安分局、\n各街道\n2.完善规章\n标准\n细化职责任务。\n"
            "区消防救援支队\n各街道\n贯彻执行检查指引。\n区考核办\n区消防救援支队、各街道\n二、推进组织建设\n3.出台文件\n报告工作情况。\n区消防救援支队\n各街道")
    ms = measures(text)
    assert [(m.measure_label, m.section_path) for m in ms][2:] == [("1.", ("一、",)), ("2.", ("一、",)), ("3.", ("二、",))]
    assert ms[2].lead_units == ("区消防救援支队",) and ms[2].co_units == ("区应急局", "区公安分局", "各街道")
    assert ms[3].lead_units == ("区消防救援支队", "区考核办") and ms[3].co_units == ("各街道", "区消防救援支队")


def test_a_task_list_whose_row_numbers_stand_alone_gives_measures_with_their_units():
    """A 任务清单 printed one cell a line whose 序号 column is a bare number on its own line (1 /
    task / 牵头 / 配合 / 时间, then 2 …): each next number opens a row; a unit with its other name in
    brackets and 各街镇（园区） are units of its columns."""
    text = ("一、主要任务\n（一）推进分类。内容。\n（二）加强执法。内容。\n附件：1.任务清单\n附件1\n工作任务清单\n序号\n任务名称\n"
            "任务内容\n牵头部门\n配合部门\n时间节点\n1\n加强组织领导\n召开动员大会，建立联席会议制度。\n区政府办公室\n各成员单位\n2025年3月\n"
            "2\n纳入督查考核。\n区委组织部（区公务员局）\n区绿化市容局\n2025年\n"
            "3\n推进农村分类\n配齐每户分类投放桶。\n各街镇（园区）\n区财政局、区绿化市容局\n2025年6月")
    rows = [m for m in measures(text) if m.measure_label in ("1", "2", "3")]
    assert [m.measure for m in rows] == [1, 2, 3]
    assert rows[0].lead_units == ("区政府办公室",) and rows[0].co_units == ("各成员单位",)
    assert rows[1].lead_units == ("区委组织部（区公务员局）",) and rows[1].co_units == ("区绿化市容局",)
    assert rows[2].lead_units == ("各街镇（园区）",) and rows[2].co_units == ("区财政局", "区绿化市容局")


def test_a_notice_whose_policy_is_its_annex_is_read_whole():
    text = ("关于印发办法的通知\n各区：\n一、现将办法印发给你们。\n二、请认真执行。\n附件：某某管理办法\n某某管理办法\n"
            "第一条 为了规范管理，制定本办法。\n第二条 给予奖励。\n第三条 本办法自发布之日起施行。")
    assert [(m.measure_label, m.section_path) for m in measures(text)] == [("第一条", ()), ("第二条", ()), ("第三条", ())]
    text = ("关于印发方案的通知\n一、现将方案印发给你们。\n二、请认真执行。\n附件：某某实施方案\n某某实施方案\n一、主要任务\n"
            "（一）加大支持。给予奖励。\n（二）强化服务。提供服务。\n二、保障措施\n（三）加强组织。落实责任。")
    assert [m.measure_label for m in measures(text)] == ["（一）", "（二）", "（三）"]


def test_numbering_goes_on_across_a_label_the_page_lost():
    """OCR reads （十一） as (+1) or 一、 as 1: the numbering goes on across the gap when the next
    labels continue it; a stray number followed by the expected one stays text."""
    items = "\n".join(f"（{n}）措施{n}。内容。" for n in "一二三四五六七八九十") + "\n(+1）措施十一。内容。\n（十二）措施十二。内容。\n（十三）措施十三。内容。"
    assert [m.measure for m in measures(items)] == list(range(1, 11)) + [12, 13]
    text = "通知如下：\n1\n天津地区交易电量暂定为345亿千瓦时。\n二、代理购电执行相同规则。\n三、及时纳入发电计划。\n四、遵守法律法规。\n五、不得干预市场。"
    assert [m.measure_label for m in measures(text)] == ["二、", "三、", "四、", "五、"]
    assert [m.measure for m in measures("（一）加大支持。\n（三）这是引用的文字。\n（二）强化服务。")] == [1, 2]


def test_an_annex_whose_numbered_items_carry_notes_is_a_task_list():
    """A 考评指标 annex numbering its tasks, each with its own note (牵头考核单位：…, after a remark on
    when), lists measures with their units; the body's measures stay as they are."""
    text = """XX市人民政府办公室关于印发XX市2022年数字政府建设考评办法的通知
XX府办发〔2022〕9号
XX市2022年数字政府建设考评办法
一、考评对象
各区人民政府，市直各部门。
二、考评方式
考评以日常监测、实地调研等方式进行。每半年考评一次。
三、结果应用
考评结果全市通报。
附件：
XX市数字政府建设考评指标
一、政务服务（25分）
1．各级政务服务事项全部开通全程网办。（持续推进，牵头考核单位：市审批服务局）
2．全面提升热线服务水平。（6月底完成，牵头考核单位：市政府办公室、市公安局）
3．新增5G基站1000座。（持续推进，牵头考核单位：市工信局）
"""
    records = parse_document(Document("d", "d.txt", "x", "XX市2022年数字政府建设考评办法", text))
    tasks = [r for r in records if r.kind == "measure" and r.measure_label and "．" in r.measure_label]
    assert [r.lead_units for r in tasks] == [("市审批服务局",), ("市政府办公室", "市公安局"), ("市工信局",)]
    assert [r.measure_label for r in records if r.kind == "measure" and r.measure_label.endswith("、")] == ["一、", "二、", "三、"]
