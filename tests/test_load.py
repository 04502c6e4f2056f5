"""Loading and cleaning: boilerplate, the two-copies page, spacing, metadata, file formats, bad input."""

import re

import pytest

from assistant.errors import BadDocumentError
from assistant.load import (clean_text, doc_id_for, drop_repeated_copy, fold, load_corpus, load_document, own_doc_number,
                            parse_date, read_metadata, remove_cjk_spaces)

from .conftest import GESHUI, JIUYE, SEED, SHANGHAI, TIYU


def test_fold_keeps_length_and_maps_full_width():
    s = "（三十）加大财税支持，对：１００万元"
    f = fold(s)
    assert len(f) == len(s)
    assert f == "(三十)加大财税支持,对:100万元"


@pytest.mark.parametrize("raw, clean", [
    ("第 1 0 条 对 企 业", "第10条对企业"),
    ("战略新 兴产业", "战略新兴产业"),
    ("给予 100 万元 奖励", "给予100万元奖励"),
    ("资金 ， 奖励 。", "资金，奖励。"),
    ("Section 10 applies", "Section 10 applies"),  # spaces in Latin text stay
    ("给予 1 0 0万元奖励", "给予100万元奖励"),
    ("1 0 0 万元", "100万元"),
    ("增速不低于 1 0 %", "增速不低于10%"),
    ("比重达到 2 . 4 %左右", "比重达到2.4%左右"),
    ("最高 3 000万元", "最高3000万元"),
    ("from 2021 to 2025 inclusive", "from 2021 to 2025 inclusive"),
])
def test_remove_cjk_spaces(raw, clean):
    assert remove_cjk_spaces(raw) == clean


def test_seed_page_keeps_one_copy_and_drops_boilerplate():
    doc = load_document(SEED)
    assert doc.text.count("(三十)加大财税支持") == 1
    assert doc.text.count("指导思想") == 1
    for chrome in ("当前位置", "扫一扫在手机打开当前页", "图片解读", "运行维护单位", "Baidu", "手机版", "20时09分"):
        assert chrome not in doc.text
    assert doc.text.rstrip().endswith("2021年12月31日")


def test_seed_metadata():
    doc = load_document(SEED)
    assert doc.title == "四川省人民政府办公厅关于加快发展新经济培育壮大新动能的实施意见"
    assert doc.doc_number == "川办发〔2021〕93号"
    assert doc.publisher == "四川省人民政府办公厅"
    assert doc.written_date == "2021-12-31"
    assert doc.published_date == "2022-01-04"
    assert doc.validity == "有效"
    assert doc.index_number == "008282882/2022-00004"
    assert doc.doc_id == "sichuan_new_economy_2021_93"


def test_metadata_from_text_without_page_table():
    text = "某某市人民政府\n关于支持企业发展的若干措施\n某府发〔2023〕7号\n各区人民政府：\n一、总则\n（一）加大支持。内容。\n某某市人民政府\n2023年3月5日"
    c = clean_text(text)
    from assistant.load import read_metadata
    meta = read_metadata(c.text, c.metadata)
    assert meta["title"] == "某某市人民政府关于支持企业发展的若干措施"
    assert meta["doc_number"] == "某府发〔2023〕7号"
    assert meta["written_date"] == "2023-03-05"
    assert meta["publisher"] == "某某市人民政府"


def test_second_document_title():
    doc = load_document(SHANGHAI)
    assert doc.title == "上海市人民政府关于深化完善“双特”政策支持临港地区新一轮发展的若干意见"
    assert doc.doc_number is None


def test_drop_repeated_copy_keeps_first_and_short_repeats():
    body = [f"第{i}段很长的正文内容，用于检验重复副本的识别是否正确，" * 2 for i in range(6)]
    lines = ["标题"] + body + ["• 链接"] + ["  " + b for b in body] + ["一、总则", "一、总则"]
    out = drop_repeated_copy(lines)
    assert out == ["标题"] + body + ["• 链接", "一、总则", "一、总则"]


def test_doc_id_is_stable_and_safe():
    assert doc_id_for("My Policy 2021.txt") == "my-policy-2021"
    assert doc_id_for("政策.txt") == doc_id_for("政策.docx")
    assert doc_id_for("政策.txt").startswith("doc-")


def test_gb18030_file_loads(tmp_path):
    p = tmp_path / "gbk.txt"
    p.write_bytes("关于支持企业的通知\n一、总则\n（一）加大支持。给予50万元奖励。\n（二）强化服务。提供服务。".encode("gb18030"))
    doc = load_document(p)
    assert "50万元" in doc.text


def test_html_and_docx(tmp_path):
    html = tmp_path / "p.html"
    html.write_text("<html><head><script>var x=1;</script></head><body><h1>关于支持企业的通知</h1>"
                    "<p>（一）加大支持。给予50万元奖励。</p><p>（二）强化服务。</p></body></html>", encoding="utf-8")
    assert "var x" not in load_document(html).text
    assert "（一）加大支持。给予50万元奖励。" in load_document(html).text
    import docx
    d = docx.Document()
    for t in ("关于支持企业的通知", "（一）加大支持。给予50万元奖励。", "（二）强化服务。提供服务。"):
        d.add_paragraph(t)
    d.save(tmp_path / "p.docx")
    assert "给予50万元奖励" in load_document(tmp_path / "p.docx").text


@pytest.mark.parametrize("name, data, words", [
    ("empty.txt", b"", "empty"),
    ("blank.md", b"  \n\n ", "empty"),
    ("binary.txt", b"\x00\x01\x02PK\x03\x04" * 50, "binary"),
    ("noise.txt", bytes(range(1, 32)) * 40, "not readable"),
    ("bad.pdf", b"%PDF-1.4 this is not really a pdf", "cannot read"),
    ("bad.docx", b"PK not a zip", "cannot read"),
    ("sheet.xlsx", b"anything", "unsupported file type"),
])
def test_bad_files_get_a_message_naming_the_file(tmp_path, name, data, words):
    p = tmp_path / name
    p.write_bytes(data)
    with pytest.raises(BadDocumentError) as e:
        load_document(p)
    assert name in str(e.value) and words in str(e.value)
    # The app shows the Chinese message: it names the file too.
    assert name in e.value.zh and e.value.zh != str(e.value) and re.search(r"[\u4e00-\u9fff]{4}", e.value.zh)


def test_bad_files_do_not_stop_the_corpus(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "sheet.xlsx").write_bytes(b"x")
    (tmp_path / SEED.name).write_bytes(SEED.read_bytes())
    docs, problems = load_corpus(tmp_path)
    assert [d.doc_id for d in docs] == ["sichuan_new_economy_2021_93"]
    assert len(problems) == 2 and any("empty.txt" in p for p in problems) and any("sheet.xlsx" in p for p in problems)


# --- traditional characters -----------------------------------------------------------------


def test_fold_maps_traditional_to_simplified_one_to_one():
    s = "對新認定的省級新經濟示範企業，給予一次性不超過１００萬元資金獎勵（責任單位：財政廳）"
    f = fold(s)
    assert len(f) == len(s)
    assert f == "对新认定的省级新经济示范企业,给予一次性不超过100万元资金奖励(责任单位:财政厅)"
    assert fold("发展改革委") == "发展改革委"  # simplified text is unchanged
    # Characters that are also simplified characters with another reading stay as they are.
    assert fold("乾坤 於是") == "乾坤 於是"


def test_traditional_document_matches_its_simplified_text(tmp_path):
    p = tmp_path / "trad.txt"
    p.write_text("關於支持企業發展的通知\n一、總則\n（一）加大支持。給予50萬元獎勵。\n（二）強化服務。（責任單位：市財政局）", encoding="utf-8")
    doc = load_document(p)
    assert "給予50萬元獎勵" in doc.text  # quotes keep the original characters
    i = fold(doc.text).index("给予50万元奖励")
    assert doc.text[i:i + 8] == "給予50萬元獎勵"


# --- dates, 文号 and metadata of the document itself -------------------------------------------


@pytest.mark.parametrize("printed, iso", [
    ("二〇二一年十二月三十一日", "2021-12-31"), ("二○一八年十一月十六日", "2018-11-16"), ("2021年12月31日", "2021-12-31"),
    ("2022-01-04", "2022-01-04"), ("二〇二〇年一月一日", "2020-01-01"), ("二〇二一年十三月一日", None),
])
def test_dates(printed, iso):
    assert parse_date(printed) == iso


def test_signature_date_in_chinese_numerals_is_the_written_date():
    text = "某县人民政府\n关于促进旅游业发展的实施意见\n一、总体要求\n（一）指导思想。内容。\n（二）基本原则。内容。\n某县人民政府\n二〇二一年十二月三十一日"
    meta = read_metadata(clean_text(text).text, {})
    assert meta["written_date"] == "2021-12-31" and meta["signature_date"] == "二〇二一年十二月三十一日"
    assert meta["publisher"] == "某县人民政府"


CITES = """柳河县人民政府关于加快全域旅游发展的实施意见
各乡镇人民政府，县政府各部门：
为贯彻落实《国务院办公厅关于促进全域旅游发展的指导意见》（国办发〔2018〕15号）和《吉林省人民政府办公厅关于加快发展全域旅游的实施意见》（吉政办发〔2018〕32号）精神，结合我县实际，提出如下意见。
一、总体要求
（一）指导思想。按照国办发〔2018〕15号文件要求，推进全域旅游。
（二）发展目标。到2025年，旅游总收入达到100亿元。
柳河县人民政府
2019年3月5日"""


def test_a_cited_document_number_is_not_the_documents_own():
    """Rule: a document's own 文号 stands on a line of its own near the top (or in the page's
    metadata table); one in brackets after a 《title》 or inside a sentence is cited."""
    meta = read_metadata(clean_text(CITES).text, {})
    assert "doc_number" not in meta
    assert meta["title"] == "柳河县人民政府关于加快全域旅游发展的实施意见"
    assert meta["publisher"] == "柳河县人民政府" and meta["written_date"] == "2019-03-05"
    own = CITES.replace("各乡镇人民政府", "柳政发〔2019〕7号\n各乡镇人民政府")
    assert read_metadata(clean_text(own).text, {})["doc_number"] == "柳政发〔2019〕7号"


@pytest.mark.parametrize("path, number, publisher, date", [
    (JIUYE, "国发〔2018〕39号", "国务院", "2018-11-16"),
    (GESHUI, "国发〔2018〕41号", "国务院", "2018-12-13"),  # the 通知's signature, not the 办法's end
    (TIYU, "国办发〔2018〕121号", "国务院办公厅", "2018-12-11"),
])
def test_state_council_samples_metadata(path, number, publisher, date):
    doc = load_document(path)
    assert (doc.doc_number, doc.publisher, doc.written_date) == (number, publisher, date)


def test_letterhead_and_number_above_the_title():
    """公文 layout: 发文机关标志 (XX文件), then the 文号, then the title."""
    text = "四川省人民政府办公厅文件\n川办发〔2021〕93号\n四川省人民政府办公厅\n关于加快发展新经济培育壮大新动能的实施意见\n各市(州)人民政府：\n一、指导思想\n内容。"
    meta = read_metadata(clean_text(text).text, {})
    assert meta["title"] == "四川省人民政府办公厅关于加快发展新经济培育壮大新动能的实施意见"
    assert meta["doc_number"] == "川办发〔2021〕93号" and meta["publisher"] == "四川省人民政府办公厅"


def test_misread_brackets_of_a_document_number():
    assert own_doc_number(["国办发〔2018】121号"]) == "国办发〔2018〕121号"
    assert own_doc_number(["（川办发〔2021〕93号）"]) == "川办发〔2021〕93号"
    assert own_doc_number(["按照国办发〔2018〕15号文件要求"]) is None


# --- repeated copies ------------------------------------------------------------------------


def test_drop_repeated_copy_keeps_identical_table_rows_and_short_repeats():
    rows = ["| 1 | 某某企业 | 100万元 | 已完成 |"] * 400
    assert drop_repeated_copy(rows) == rows
    alternating = ["序号｜企业｜金额", "1｜甲公司｜50万元"] * 150
    assert drop_repeated_copy(alternating) == alternating
    lines = ["（责任单位：财政厅）", "正文一。", "（责任单位：财政厅）", "正文二。"]
    assert drop_repeated_copy(lines) == lines


def test_drop_repeated_copy_removes_every_later_copy_of_the_page():
    body = [x for x in SEED.read_text(encoding="utf-8").splitlines() if x.strip()][10:60]
    out = drop_repeated_copy(["页首"] + body + ["• 链接"] + body + ["页尾"] + body)
    assert out == ["页首"] + body + ["• 链接", "页尾"]



def test_drop_repeated_copy_sees_through_ocr_misreadings():
    """A scanned page that prints the document twice: OCR reads each copy a little differently."""
    body = [x.strip() for x in SEED.read_text(encoding="utf-8").splitlines() if x.strip()][20:60]
    second = [x.replace("(", "（", 1).replace("，", ",", 1) for x in body]
    second[5] = second[5][:30] + "末" + second[5][31:] if len(second[5]) > 40 else second[5]
    second[12] = second[12].replace("经济", "径济", 1)
    out = drop_repeated_copy(body + ["• 相关文件"] + second)
    assert out == body + ["• 相关文件"]


# --- issue 19: metadata wherever the document or its page puts it ------------------------------


def test_web_page_pieces_are_read_as_the_sentences_they_are():
    """Rule: a page that wraps each inline element in a tag prints one piece a line; a line that
    starts with closing punctuation continues the line before, an opening bracket goes on in the
    next, a bare number continues its sentence when its unit follows, a number before ．/、 starts
    an item, and a date in pieces is a line of its own."""
    raw = ("关于做好天津市\n202\n5\n年\n电力交易工作的通知\n天津地区\n202\n5\n年交易电量暂定为\n3\n45\n亿千瓦时\n（\n含绿\n电交易），"
           "上限为总规模的\n40\n%\n。\n（\n十一\n）加强地方电网衔接。\n附件：\n1\n．中长期交易工作方案\n2\n．零售市场交易工作方案\n"
           "202\n4\n年\n11\n月\n11\n日")
    assert clean_text(raw).text.split("\n") == [
        "关于做好天津市2025年电力交易工作的通知", "天津地区2025年交易电量暂定为345亿千瓦时（含绿电交易），上限为总规模的40%。",
        "（十一）加强地方电网衔接。", "附件：", "1．中长期交易工作方案", "2．零售市场交易工作方案", "2024年11月11日"]


def test_crawler_markdown_marks_are_no_part_of_the_text():
    c = clean_text("---\n发布单位: 上海市某区人民政府办公室\n层级: 区级\n---\n# 关于某事的通知\n> 本文由脚本提取。\n**一、报名时间**\n内容。")
    assert c.text.split("\n") == ["关于某事的通知", "本文由脚本提取。", "一、报名时间", "内容。"]
    assert c.metadata == {"publisher": "上海市某区人民政府办公室"}


def test_page_fields_with_the_value_on_later_lines_or_several_on_one_line():
    c = clean_text("[发文机构]\n北京市发展和改革委员会\n[成文日期]\n2026-03-06\n[发文字号]\n京发改\n〔2026〕\n341号\n[废止日期]\n"
                   "[发布日期]\n2026-03-09\n关于公开征集项目的通知")
    assert c.metadata == {"publisher": "北京市发展和改革委员会", "written_date": "2026-03-06",
                          "doc_number": "京发改〔2026〕341号", "published_date": "2026-03-09"}
    assert c.text == "关于公开征集项目的通知"
    c = clean_text("来源：某区发改局 发布日期：2017-10-13\n某某扶持办法")
    assert c.metadata == {"source": "某区发改局", "published_date": "2017-10-13"} and c.text == "某某扶持办法"


def test_a_page_source_line_is_read_apart_from_the_issuer():
    """Rule: a service page's line under its title (发表时间：… 信息来源：A B) dates it and says where
    the page came from — kept as its source, not as the document's issuer; its numbered items (1、…)
    are no part of its title."""
    c = clean_text("创业补贴常见问题\n发表时间：2025-11-18 17:37 信息来源：市人力资源社会保障局  市就业服务中心\n"
                   "1、补贴对象有哪些？\n答：在本市创业的人员。")
    meta = read_metadata(c.text, c.metadata)
    assert meta["title"] == "创业补贴常见问题"
    assert meta["source"] == "市人力资源社会保障局、市就业服务中心" and meta["published_date"] == "2025-11-18"
    assert "publisher" not in meta  # where the page came from is not who issued the document
    c = clean_text("某区创业补贴，请查收\n发布日期：2025-04-08 文章来源：某区人社局官网\n1、一次性创业资助\n补贴标准：10000元。")
    meta = read_metadata(c.text, c.metadata)
    assert meta["title"] == "某区创业补贴，请查收" and meta["source"] == "某区人社局"
    # A signature still names the issuer before the page's source does.
    c = clean_text("关于某事的通知\n来源：某某日报\n各有关单位：\n内容。\n某区发展和改革委员会\n2025年1月2日")
    assert read_metadata(c.text, c.metadata)["publisher"] == "某区发展和改革委员会"
    meta = read_metadata(*(lambda c: (c.text, c.metadata))(clean_text(
        "发布机构：\n四川省发展和改革委员会 四川省能源局\n文 号 ：\n(川发改价格〔2025〕480号)\n关于印发方案的通知")))
    assert meta["publisher"] == "四川省发展和改革委员会、四川省能源局" and meta["doc_number"] == "川发改价格〔2025〕480号"


@pytest.mark.parametrize("signature, publisher", [
    # several bodies, one a line
    ("国家发展改革委办公厅\n国家能源局综合司", "国家发展改革委办公厅、国家能源局综合司"),
    # two a line, as a signature set in two columns prints them
    ("卫生健康委教育部\n财政部人力资源社会保障部\n医保局药监局", "卫生健康委、教育部、财政部、人力资源社会保障部、医保局、药监局"),
    ("某区发展和改革委员会某区城市管理行政执法局\n某区投资促进办公室", "某区发展和改革委员会、某区城市管理行政执法局、某区投资促进办公室"),
    # one broken over two lines
    ("国家发\n展改革委\n国家能源局", "国家发展改革委、国家能源局"),
    # a national administration's local office and a party committee's organ are one name each
    ("国家金融监督管理总局重庆监管局\n中共重庆市委金融委员会办公室", "国家金融监督管理总局重庆监管局、中共重庆市委金融委员会办公室"),
])
def test_the_bodies_that_sign_are_the_issuer(signature, publisher):
    """Rule: the issuer is who signs; a body's name ends with the word for an organisation, not
    before an office of the body (办公厅, 综合司) nor inside 委员会."""
    text = f"发布机构：某网站\n关于某事的通知\n各有关单位：\n现将有关事项通知如下。\n一、总则\n内容。\n特此通知。\n{signature}\n2020年3月26日"
    c = clean_text(text)
    assert read_metadata(c.text, c.metadata)["publisher"] == publisher


def test_issuer_from_an_order_number_a_title_or_the_page_title():
    """An unsigned document: a 令 is numbered by its issuer; a title names its issuer before 关于;
    a page's title names its site after a dash. A person signing (局长：…) is no body."""
    meta = read_metadata(clean_text("某某暂行办法\n（国家医疗保障局令第5号）\n已经局务会议审议通过。\n局长：胡某\n2022年1月29日\n第一条 内容。").text, {})
    assert (meta["doc_number"], meta["publisher"], meta["written_date"]) == ("国家医疗保障局令第5号", "国家医疗保障局", "2022-01-29")
    meta = read_metadata(clean_text("上海市人民政府关于支持临港地区发展的若干意见\n各区人民政府：\n一、总则\n内容。").text, {})
    assert meta["publisher"] == "上海市人民政府"
    meta = read_metadata(clean_text("# 某某补贴活动的公告 - 重庆市商务委员会\n一、报名时间\n内容。").text, {})
    assert meta["publisher"] == "重庆市商务委员会" and meta["title"] == "某某补贴活动的公告"


def test_a_regulations_headnote_gives_its_order_number_and_issuers():
    """The headnote under a regulation's or a rule's title says by which 令 it was promulgated: that
    order is its number, and its issuers (several, for a joint rule) are the publisher."""
    meta = read_metadata(clean_text("某某安全管理条例\n2019年3月1日 某某省人民政府令第61号公布\n2019年5月1日 施行\n"
                                    "第一条 为了加强管理，制定本条例。\n第二条 内容。").text, {})
    assert (meta["doc_number"], meta["publisher"]) == ("某某省人民政府令第61号", "某某省人民政府")
    meta = read_metadata(clean_text("某某运输管理办法\n（2020年6月1日农业农村部、水利部令第7号公布　自2020年9月1日起施行）\n"
                                    "第一章 总则\n第一条 为了规范运输，制定本办法。").text, {})
    assert (meta["doc_number"], meta["publisher"]) == ("农业农村部、水利部令第7号", "农业农村部、水利部")
    # An order cited in a sentence is another document's.
    assert own_doc_number(["依据《某某条例》（国务院令第100号公布）制定本办法。"]) is None


def test_shipped_lingang_policy_names_its_issuer():
    assert load_document(SHANGHAI).publisher == "上海市人民政府"


def test_a_document_number_field_read_with_ocr_slips():
    """The 文号 a field holds, brackets as printed (〔〕): a stray mark before it or a mismatched
    bracket read by OCR give the same number."""
    for raw in ("文号：J川发改价格〔2025〕480号", "文号：(J川发改价格〔2025】480号)", "文 号 ：\n(川发改价格〔2025〕480号)"):
        c = clean_text(raw + "\n关于印发方案的通知")
        assert read_metadata(c.text, c.metadata)["doc_number"] == "川发改价格〔2025〕480号"


def test_an_empty_page_field_and_a_title_printed_twice():
    """Rule: a page's field holding only a placeholder (文号: -) has no value; the page's title over the
    document's own same title is one title."""
    c = clean_text("某区2026年专项资金申报指南（第一批）\n文号: -\n发布单位: 某区发展和改革委员会\n"
                   "某区2026年专项资金申报指南（第一批）\n为支持企业发展，制定本指南。")
    meta = read_metadata(c.text, c.metadata)
    assert "doc_number" not in meta and meta["publisher"] == "某区发展和改革委员会"
    assert meta["title"] == "某区2026年专项资金申报指南（第一批）"
