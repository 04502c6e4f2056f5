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
