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
