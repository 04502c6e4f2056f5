"""How answers look in the app: escaped HTML, highlights as <mark> spans, folded citations."""
import re

import pytest

from assistant.present import (answer_html, highlight_html, highlight_spans, question_html, source_html,
                               source_note)
from assistant.records import Answer, Citation


def cite(quote: str, **kw) -> Citation:
    base = dict(doc_id="d", doc_title="某文件", doc_number="川办发〔2021〕93号", section="三", section_title="保障措施",
                measure=30, measure_label="(三十)", title="加大财税支持", lead_units=["财政厅"], co_units=["科技厅"],
                joint=False, quote=quote)
    base.update(kw)
    return Citation(**base)


def marks(html: str) -> list[str]:
    return re.findall(r'<mark class="pqa-hl">(.*?)</mark>', html)


def test_figures_next_to_chinese_punctuation_and_percent_are_marked_not_starred():
    quote = "落地实施。对新认定的省级新经济示范企业,给予一次性不超过100万元资金奖励。到2025年,增速不低于10%、比重达到20%左右"
    html = highlight_html(quote, "给予一次性不超过100万元资金奖励；增速不低于10%")
    assert marks(html) == ["100万元", "10%"]  # 20% is not stated by the answer
    assert "**" not in html


def test_a_document_number_is_one_highlight():
    html = highlight_html("文  号:川办发〔2021〕93号", "文号：川办发〔2021〕93号")
    assert marks(html) == ["川办发〔2021〕93号"]
    assert html.startswith("文  号:")  # printed as in the document


def test_unit_names_the_answer_names_are_marked():
    quote = "(责任单位:省发展改革委,经济和信息化厅、科技厅、生态环境厅)"
    html = highlight_html(quote, "牵头单位：省发展改革委；配合单位：经济和信息化厅、科技厅", ["省发展改革委"])
    assert marks(html) == ["省发展改革委", "经济和信息化厅", "科技厅"]


def test_spans_do_not_overlap():
    spans = highlight_spans("川办发〔2021〕93号发布于2021年12月31日", "川办发〔2021〕93号 2021年12月31日")
    assert spans == [(0, 12), (15, 26)]


def test_document_and_user_text_is_escaped():
    html = highlight_html("<script>alert(1)</script>给予100万元", "100万元")
    assert "<script>" not in html and "&lt;script&gt;" in html
    q = question_html("**粗体** <img src=x onerror=alert(1)>\n第二行")
    assert "<img" not in q and "&lt;img" in q and "**粗体**" in q and "<br>" in q


def test_answer_is_one_html_block_without_markdown():
    a = Answer("q", "根据川办发〔2021〕93号 第(三十)条：给予一次性不超过100万元资金奖励。\n第二行", True,
               [cite("对新认定的省级新经济示范企业,给予一次性不超过100万元资金奖励。")])
    html = answer_html(a)
    # One line starting with a block tag: the chat's Markdown renderer passes it through as HTML.
    assert "\n" not in html and html.startswith("<div") and "**" not in html
    assert "100万元" in marks(html)
    assert "<details class=\"pqa-cite\" open>" in html and "牵头单位：财政厅" in html


def test_many_citations_are_folded_after_the_first_few():
    cs = [cite(f"(责任单位:经济和信息化厅,科技厅){i}", measure=i, measure_label=f"({i})") for i in range(1, 22)]
    lines = "\n".join(f"- 第({i})条（牵头）" for i in range(1, 22))
    html = answer_html(Answer("q", f"经济和信息化厅牵头的措施共21条：\n{lines}", True, cs, kind="unit_measures"), open_citations=3)
    assert html.count('<details class="pqa-cite" open>') == 3
    assert html.count('<details class="pqa-cite">') == 18
    assert "其余 18 条引用" in html and "依据（共 21 条）" in html
    assert html.count("<li>") == 21  # the "- " lines are a list


def test_refusals_and_invalid_questions_say_why_there_is_no_source():
    refused = Answer("火星移民补贴是多少？", "未在已收录的文件中找到相关规定。", False, [])
    invalid = Answer("", "问题为空：请输入一个问题", False, [], kind="invalid")
    assert "pqa-refused" in answer_html(refused) and "pqa-cites" not in answer_html(refused)
    assert "没有引用条款" in source_note(refused) and "没有引用条款" in source_note(invalid)
    assert source_note(refused) != source_note(invalid)
    assert "提问后" in source_note(None)


def test_llm_notes():
    fell_back = Answer("q", "a", True, [cite("a")], extra={"fallback": "extractive", "fallback_reason": "verification: 500万元"})
    verified = Answer("q", "a", True, [cite("a")], mode="llm", extra={"verified": True})
    assert "大模型回答未采用" in answer_html(fell_back) and "500万元" not in answer_html(fell_back)
    assert "已核验" in answer_html(verified)


@pytest.mark.parametrize("question", ["新认定的省级新经济示范企业能获得多少资金奖励？", "第（十三）条由哪个单位牵头？",
                                      "到2025年新经济增加值年均增速目标是多少？", "这份文件的文号是什么？",
                                      "省大数据中心参与了哪些措施？"])
def test_real_answers_render_without_markdown_and_mark_what_they_state(answerer, question):
    a = answerer.ask(question)
    html = answer_html(a)
    assert a.found and "**" not in html and "\n" not in html
    assert marks(html)  # the figure, 文号 or unit the answer gives is emphasised


def test_source_panel_shows_the_whole_measure_and_marks_the_quote(answerer, seed_index):
    a = answerer.ask("新认定的省级新经济示范企业能获得多少资金奖励？")
    html = source_html(seed_index, a.citations[0], 1, 1)
    assert "加大财税支持" in html and "四川省瞪羚企业" in html  # the rest of the measure too
    cited = re.findall(r'<mark class="pqa-cited">(.*?)</mark>', html)
    assert cited and "100万元" in cited[0]
    assert "正在显示" in html
    gone = source_html(seed_index, cite("x", doc_id="removed"), 2, 3)
    assert "不在索引中" in gone and "引用 [2]" in gone


def test_labels_are_printed_as_the_document_prints_them():
    """Issue 19: a document numbering its items (三十), 3. or 三、 never calls them 条; 第…条 is
    printed only where the document writes 条, and an item numbered in each group gets its group."""
    from assistant.present import reference
    from assistant.records import Record

    def rec(label, path=()):
        return Record(doc_id="d", doc_title="t", doc_number="某发〔2024〕1号", kind="measure", section=None,
                      section_title=None, measure=3, measure_label=label, title="加大支持", text="x", start=0, end=1,
                      section_path=path)

    assert [rec(x).reference for x in ("(三十)", "第十三条", "3.", "三十、")] == ["(三十)", "第十三条", "3.", "三十、"]
    assert reference(cite("x", measure_label="3.", section_path=["二、", "（一）"])) == "川办发〔2021〕93号 （一）3. 加大财税支持"
    assert reference(cite("x", measure_label="第十三条")) == "川办发〔2021〕93号 第十三条 加大财税支持"
    assert reference(cite("x")) == "川办发〔2021〕93号 (三十) 加大财税支持"
