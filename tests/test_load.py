"""Loading and cleaning: boilerplate, the two-copies page, spacing, metadata, file formats, bad input."""

import pytest

from assistant.errors import BadDocumentError
from assistant.load import clean_text, doc_id_for, drop_repeated_copy, fold, load_corpus, load_document, remove_cjk_spaces

from .conftest import SEED, SHANGHAI


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


def test_bad_files_do_not_stop_the_corpus(tmp_path):
    (tmp_path / "empty.txt").write_bytes(b"")
    (tmp_path / "sheet.xlsx").write_bytes(b"x")
    (tmp_path / SEED.name).write_bytes(SEED.read_bytes())
    docs, problems = load_corpus(tmp_path)
    assert [d.doc_id for d in docs] == ["sichuan_new_economy_2021_93"]
    assert len(problems) == 2 and any("empty.txt" in p for p in problems) and any("sheet.xlsx" in p for p in problems)
