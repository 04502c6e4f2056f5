"""Documents as they arrive: printed PDFs, scans, images, Word files with tables and automatic
numbering, and government web pages, all made at test time from the real documents in tests/data.

Each is asserted down to measure numbers, figures and units against the same document read as
plain text. Under CI=true a missing Chromium or font is a failure, not a skip (scripts/test-deps.sh
installs them).
"""
import difflib
import os
import re
import shutil
from pathlib import Path

import pytest

from assistant.extract import (PageLines, TextLine, duty_rows, format_number, read_docx, reflow,
                               strip_page_furniture)
from assistant.load import fold, load_document
from assistant.records import DutyRow
from assistant.structure import parse_document
from eval.formats import CHROMIUM, FONT_FILE, page_html, print_pdf, save_images_as_pdf, to_docx, to_legacy_word

from .conftest import JIUYE, SEED, TIYU


def _need(path: Path, what: str) -> None:
    if not Path(path).exists():
        if os.environ.get("CI") == "true":
            pytest.fail(f"{what} is missing ({path}): scripts/test-deps.sh installs it")
        pytest.skip(f"{what} is not installed ({path})")


def norm(s: str) -> str:
    return re.sub(r"\s+", "", fold(s))


def measures(doc) -> dict[str, str]:
    """Measure label → the measure's text (parts joined), as the structure parser finds them."""
    out: dict[str, str] = {}
    for r in parse_document(doc, 100_000, count_tokens=len):
        if r.kind == "measure":
            out[r.measure_label] = out.get(r.measure_label, "") + r.text
    return out


def txt_lines(path: Path) -> list[str]:
    return [x.strip() for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


# --- reflow, pure ------------------------------------------------------------------------

W = 16.0  # character width of the synthetic pages (16pt)


def line(text: str, row: int, indent: int = 0, width: int | None = None, page_top: float = 100) -> TextLine:
    """A line of `text` at `row`, starting `indent` characters in; `width` characters long if given."""
    x0 = 80 + indent * W
    n = width if width is not None else len(text)
    return TextLine(text, x0, x0 + n * W, page_top + row * 26, page_top + row * 26 + 16)


FULL = 28  # characters in a full line


def test_reflow_joins_broken_sentences_and_figures():
    page = PageLines(595, 842, (
        line("（三十）加大财税支持。每年最高奖励不超过5000万", 0, 2, FULL - 2),
        line("元，对新认定的企业给予补贴，补贴标准不低", 1, 0, FULL),
        line("于200万元。", 2, 0),
        line("（三十一）完善统计监测。建立新经济统计调查体系", 3, 2, FULL - 2),
        line("和监测制度。", 4, 0),
    ))
    assert reflow([page]) == ["（三十）加大财税支持。每年最高奖励不超过5000万元，对新认定的企业给予补贴，补贴标准不低于200万元。",
                              "（三十一）完善统计监测。建立新经济统计调查体系和监测制度。"]


def test_reflow_keeps_a_measure_title_whole_and_starts_items_on_their_own():
    # No first-line indent at all (some PDFs): the item numbers and the short last lines decide.
    page = PageLines(595, 842, (
        line("1.对重点产业新上的工业类项目(不含采矿、矿产品初加", 0, 0, FULL),
        line("工及风、光、水电项目)，给予一次性奖励。", 1, 0),
        line("2.支持企业上市。", 2, 0),
        line("一、总体要求", 3, 0),
        line("第三条 本办法自印发之日起施行。", 4, 0),
    ))
    assert reflow([page]) == ["1.对重点产业新上的工业类项目(不含采矿、矿产品初加工及风、光、水电项目)，给予一次性奖励。",
                              "2.支持企业上市。", "一、总体要求", "第三条 本办法自印发之日起施行。"]


def test_reflow_a_line_one_character_short_before_a_comma_still_continues():
    # Line-breaking rules keep 、 with the character before it, so a full line can end one short.
    page = PageLines(595, 842, (
        line("（一）加速突破前沿技术。聚焦集成电路与新型显示、工业软", 0, 2, FULL - 2),
        line("件、航空与燃机等重点领域，实施省级重大科技专项和", 1, 0, FULL - 1),
        line("业、科技等领域的攻关。", 2, 0),
    ))
    assert reflow([page]) == ["（一）加速突破前沿技术。聚焦集成电路与新型显示、工业软件、航空与燃机等重点领域，实施省级重大科技专项和业、科技等领域的攻关。"]


def test_reflow_latin_words_keep_their_space_and_chinese_gets_none():
    page = PageLines(595, 842, (
        line("支持运用政府和社会资本合作 Public Private", 0, 2, FULL - 2),
        line("Partnership 方式推进5G网络与Wi-Fi 6", 1, 0, FULL),
        line("建设。", 2, 0),
    ))
    assert reflow([page]) == ["支持运用政府和社会资本合作 Public Private Partnership 方式推进5G网络与Wi-Fi 6建设。"]


@pytest.mark.parametrize("number", ["— {n} —", "- {n} -", "第{n}页 共3页", "{n}", "·{n}·", "{n}/3"])
def test_page_numbers_and_running_headers_are_removed(number):
    pages = []
    for n in (1, 2, 3):
        pages.append(PageLines(595, 842, (
            TextLine("某某县人民政府办公室文件", 230, 370, 40, 52),
            line(f"第{n}页正文的第一行内容，写满一整行的文字，用来检验页眉页脚", 0, 0, FULL, page_top=130),
            line("的处理。", 1, 0, page_top=130),
            line("128", 2, 2, page_top=130),  # a number inside the page body is text, not a page number
            line("本页正文的最后一行。", 3, 2, page_top=130),
            TextLine(number.format(n=n), 280, 320, 800, 812),
        )))
    out = strip_page_furniture(pages)
    texts = [ln.text for page in out for ln in page]
    assert "某某县人民政府办公室文件" not in texts
    assert not any(t == number.format(n=n) for n in (1, 2, 3) for t in texts)
    assert texts.count("128") == 3
    assert reflow(pages)[0] == "第1页正文的第一行内容，写满一整行的文字，用来检验页眉页脚的处理。"


def test_a_title_printed_once_is_not_a_running_header():
    pages = [PageLines(595, 842, (TextLine("关于支持企业发展的若干措施", 200, 400, 60, 76), line("正文。", 0, 2, page_top=130))),
             PageLines(595, 842, (line("第二页正文。", 0, 2, page_top=60), TextLine("— 2 —", 280, 320, 800, 812)))]
    assert [ln.text for p in strip_page_furniture(pages) for ln in p] == ["关于支持企业发展的若干措施", "正文。", "第二页正文。"]


# --- PDF printed by Chromium -------------------------------------------------------------


@pytest.fixture(scope="module")
def printed_jiuye(tmp_path_factory):
    _need(CHROMIUM, "Debian's chromium")
    _need(FONT_FILE, "Debian's fonts-wqy-zenhei")
    out = tmp_path_factory.mktemp("pdf") / "jiuye.pdf"
    return print_pdf(page_html(txt_lines(JIUYE), header="国务院关于做好当前和今后一个时期促进就业工作的若干意见"), out)


def test_printed_pdf_has_pages_headers_and_split_figures(printed_jiuye):
    """The fixture is what the test claims: several pages, a running header, page numbers, and
    line breaks inside figures."""
    import pdfplumber

    with pdfplumber.open(printed_jiuye) as pdf:
        pages = [[ln["text"] for ln in p.extract_text_lines()] for p in pdf.pages]
    assert len(pages) >= 4
    assert all(p[0] == "国务院关于做好当前和今后一个时期促进就业工作的若干意见" for p in pages)
    assert [p[-1] for p in pages] == [f"— {n} —" for n in range(1, len(pages) + 1)]
    lines = [x for p in pages for x in p]
    assert any(re.search(r"\d$", a) and re.match(r"^\d", b) for a, b in zip(lines, lines[1:]))


def test_printed_pdf_reads_like_the_text(printed_jiuye):
    pdf_doc, txt_doc = load_document(printed_jiuye), load_document(JIUYE)
    got, want = measures(pdf_doc), measures(txt_doc)
    assert list(got) == list(want) == [f"（{n}）" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五".split()]
    for label in want:
        assert norm(got[label]) == norm(want[label]), label
    assert "最高不超过15万元" in got["（三）"] and "最高不超过300万元" in got["（三）"]
    assert "2019年1月1日至2020年12月31日" in got["（七）"]
    assert "— 2 —" not in pdf_doc.text and pdf_doc.text.count("促进就业工作的若干意见") == txt_doc.text.count("促进就业工作的若干意见")
    assert (pdf_doc.title, pdf_doc.doc_number, pdf_doc.publisher, pdf_doc.written_date) == (
        "国务院关于做好当前和今后一个时期促进就业工作的若干意见", "国发〔2018〕39号", "国务院", "2018-11-16")


# --- scans: Pillow renders the page image, saved as a PDF without a text layer ---------------


def render_pages(lines: list[str], chars: int = 26, dpi: int = 150, per_page: int = 22,
                 header: str = "", numbers: bool = True):
    """A4 page images of `lines` as a typist lays them out: 16pt WenQuanYi Zen Hei, each paragraph
    indented two characters and wrapped at any character (figures split at line ends too)."""
    from PIL import Image, ImageDraw, ImageFont

    px = round(16 / 72 * dpi)
    font = ImageFont.truetype(str(FONT_FILE), px)
    small = ImageFont.truetype(str(FONT_FILE), round(px * 0.7))
    width, height = round(8.27 * dpi), round(11.69 * dpi)
    left, top, limit = round(1.1 * dpi), round(1.4 * dpi), chars * px
    rows: list[tuple[int, str]] = []
    for para in lines:
        x, cur, indent = 2 * px, "", 2 * px
        for ch in para:
            w = font.getlength(ch)
            if x + w > limit:
                rows.append((indent, cur))
                cur, x, indent = "", 0, 0
            cur += ch
            x += w
        rows.append((indent, cur))
    pages = []
    for start in range(0, len(rows), per_page):
        img = Image.new("L", (width, height), 255)
        d = ImageDraw.Draw(img)
        if header:
            d.text((width / 2 - small.getlength(header) / 2, round(0.7 * dpi)), header, font=small, fill=0)
        for i, (indent, text) in enumerate(rows[start:start + per_page]):
            d.text((left + indent, top + i * round(px * 1.55)), text, font=font, fill=0)
        if numbers:
            label = f"- {len(pages) + 1} -"
            d.text((width / 2 - small.getlength(label) / 2, height - round(0.8 * dpi)), label, font=small, fill=0)
        pages.append(img)
    return pages


@pytest.fixture(scope="module")
def scanned_tiyu(tmp_path_factory):
    """Three scanned pages of 国办发〔2018〕121号 (its title to measure (五)) and a blank fourth page."""
    _need(FONT_FILE, "Debian's fonts-wqy-zenhei")
    from PIL import Image

    lines = txt_lines(TIYU)
    part = lines[:lines.index(next(x for x in lines if x.startswith("（六）")))]
    pages = render_pages(part, header="国办发〔2018〕121号")
    assert len(pages) == 3
    blank = Image.new("L", pages[0].size, 255)
    folder = tmp_path_factory.mktemp("scan")
    (folder / "tiyu_part.txt").write_text("\n".join(part), encoding="utf-8")
    pdf = save_images_as_pdf(pages + [blank], folder / "tiyu_scan.pdf", 150)
    pages[0].crop((0, 0, pages[0].width, pages[0].height // 3)).save(folder / "tiyu_photo.png")
    return folder


def test_scanned_pdf_has_no_text_layer(scanned_tiyu):
    import pdfplumber

    with pdfplumber.open(scanned_tiyu / "tiyu_scan.pdf") as pdf:
        assert len(pdf.pages) == 4 and all(not p.extract_text().strip() for p in pdf.pages)


def test_scanned_pdf_is_read_by_ocr(scanned_tiyu):
    doc = load_document(scanned_tiyu / "tiyu_scan.pdf", progress=False)
    want = measures(load_document(scanned_tiyu / "tiyu_part.txt"))
    got = measures(doc)
    assert list(got) == list(want) == ["（一）", "（二）", "（三）", "（四）", "（五）"]
    for label in want:  # OCR may misread a character; a sentence broken at a line end may not stay broken
        assert difflib.SequenceMatcher(None, norm(got[label]), norm(want[label])).ratio() >= 0.97, label
    assert "2万亿元" in got["（三）"] and "100项" in got["（三）"] and "100个" in got["（三）"]
    assert "体育总局、民政部、人力资源社会保障部负责" in norm(got["（四）"])
    assert not re.search(r"- ?\d ?-", doc.text) and "国办发〔2018〕121号" not in doc.text.split("\n", 3)[-1]
    assert doc.title == "国务院办公厅关于加快发展体育竞赛表演产业的指导意见"
    assert doc.warnings == ("tiyu_scan.pdf page 4: no text found (blank page or unreadable scan) / 第4页未识别到文字",)


def test_an_image_is_read_by_ocr(scanned_tiyu):
    doc = load_document(scanned_tiyu / "tiyu_photo.png", progress=False)
    assert doc.title == "国务院办公厅关于加快发展体育竞赛表演产业的指导意见"
    assert doc.doc_number == "国办发〔2018〕121号"


# --- Word: a 任务分工表 and automatic numbering ---------------------------------------------

_NOTE = re.compile(r"（([^（）]*?)负责(。列第一位者为牵头单位，下同)?）$")


def jiuye_with_duty_table():
    """国发〔2018〕39号 as its lines without the per-item notes, the notes as a 任务分工表 (lead = the
    first unit, as the document's rule says), and the expected rows."""
    lines, rows, expected = [], [["序号", "重点任务", "牵头单位", "配合单位"]], []
    for x in txt_lines(JIUYE):
        m = _NOTE.search(x)
        if m and x.startswith("（"):
            label, rest = re.match(r"^（([^）]+)）(.*)$", x[:m.start()]).groups()
            units = [u for u in re.split("[、，]", m.group(1).replace("等有关部门和单位", "").replace("按职责分工", "")) if u]
            n = len(expected) + 1
            title = rest.split("。")[0]
            rows.append([str(n), title, units[0], "、".join(units[1:])])
            expected.append(DutyRow(n, title, (units[0],), tuple(units[1:])))
            lines.append(f"（{label}）{rest}")
        else:
            lines.append(x)
    return lines, rows, expected


def test_docx_numbering_and_duty_table(tmp_path):
    lines, rows, expected = jiuye_with_duty_table()
    path = to_docx(lines, tmp_path / "jiuye.docx", table=rows, table_note="附件：重点任务分工表")
    import docx

    d = docx.Document(str(path))
    assert not any(p.text.startswith(("（一）", "一、")) for p in d.paragraphs)  # the numbers are Word's
    doc = load_document(path)
    got = measures(doc)
    assert list(got) == [f"（{n}）" for n in "一 二 三 四 五 六 七 八 九 十 十一 十二 十三 十四 十五".split()]
    assert "最高不超过300万元" in got["（三）"]
    assert all(s in doc.text for s in ("\n一、支持企业稳定发展", "\n五、落实各方责任"))
    assert doc.duty_table == tuple(expected)
    assert doc.duty_table[0] == DutyRow(1, "加大稳岗支持力度", ("人力资源社会保障部",), ("财政部",))
    # Table text is searchable, one row per line.
    assert "1｜加大稳岗支持力度｜人力资源社会保障部｜财政部" in doc.text


@pytest.fixture(scope="module")
def office_files(tmp_path_factory):
    """The 国发〔2018〕39号 with Word numbering and a 任务分工表 as .docx, and LibreOffice's .doc and
    .wps of it, made at test time."""
    from assistant.extract import soffice

    _need(Path(soffice() or "/usr/bin/soffice"), "LibreOffice (libreoffice-writer-nogui)")
    folder = tmp_path_factory.mktemp("office")
    lines, rows, _ = jiuye_with_duty_table()
    docx_path = to_docx(lines, folder / "jiuye.docx", table=rows, table_note="附件：重点任务分工表")
    doc_path = to_legacy_word(docx_path, folder / "jiuye.doc")
    wps_path = folder / "jiuye.wps"
    shutil.copyfile(doc_path, wps_path)  # WPS Office saves .wps in Word's binary format
    return docx_path, doc_path, wps_path


@pytest.mark.parametrize("which", [1, 2], ids=["doc", "wps"])
def test_doc_and_wps_read_to_the_same_measures_as_the_docx(office_files, which):
    docx_path, path = office_files[0], office_files[which]
    assert path.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # an OLE compound file, not a renamed .docx
    want, got = load_document(docx_path), load_document(path)
    assert measures(got) == measures(want) and len(measures(got)) == 15
    assert "最高不超过300万元" in measures(got)["（三）"]
    assert got.duty_table == want.duty_table and got.duty_table[0].lead == ("人力资源社会保障部",) and len(got.duty_table) == 15
    assert got.title == want.title


def test_doc_without_libreoffice_names_the_fix(office_files, monkeypatch):
    from assistant.errors import BadDocumentError

    monkeypatch.setenv("PATH", "/nonexistent")  # soffice cannot be found
    with pytest.raises(BadDocumentError) as e:
        load_document(office_files[1])
    assert "apt-get install libreoffice-writer-nogui" in str(e.value) and "apt-get install libreoffice-writer-nogui" in e.value.zh
    assert "LibreOffice" in e.value.zh and "另存为 .docx" in e.value.zh and "jiuye.doc" in e.value.zh


def test_damaged_doc_gets_a_chinese_message(office_files, tmp_path):
    from assistant.errors import BadDocumentError

    bad = tmp_path / "broken.doc"
    bad.write_bytes(office_files[1].read_bytes()[:3000])  # cut off: the OLE directory is missing
    with pytest.raises(BadDocumentError) as e:
        load_document(bad)
    assert "broken.doc" in e.value.zh and "另存为 .docx" in e.value.zh


def test_docx_with_the_texts_own_numbers_matches_the_text(tmp_path):
    path = to_docx(txt_lines(SEED), tmp_path / "seed.docx", numbering=True)
    assert measures(load_document(path)) == measures(load_document(SEED))


NUMBERING = """<w:numbering xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">
<w:abstractNum w:abstractNumId="7">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCountingThousand"/><w:lvlText w:val="%1、"/><w:suff w:val="nothing"/></w:lvl>
 <w:lvl w:ilvl="1"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="（%2）"/><w:suff w:val="nothing"/></w:lvl>
 <w:lvl w:ilvl="2"><w:start w:val="1"/><w:numFmt w:val="decimal"/><w:lvlText w:val="%3."/></w:lvl>
</w:abstractNum>
<w:abstractNum w:abstractNumId="8">
 <w:lvl w:ilvl="0"><w:start w:val="1"/><w:numFmt w:val="chineseCounting"/><w:lvlText w:val="第%1条"/><w:suff w:val="space"/></w:lvl>
</w:abstractNum>
<w:num w:numId="1"><w:abstractNumId w:val="7"/></w:num>
<w:num w:numId="2"><w:abstractNumId w:val="8"/><w:lvlOverride w:ilvl="0"><w:startOverride w:val="9"/></w:lvlOverride></w:num>
</w:numbering>"""


def test_docx_multilevel_numbering_resets_lower_levels_and_honours_start(tmp_path):
    """Levels of one list: （一） restarts under each 一、; a start override begins at 第九条."""
    import docx
    from docx.oxml import parse_xml
    from docx.oxml.ns import nsdecls

    d = docx.Document()
    d.part.numbering_part._element = parse_xml(NUMBERING)
    for text, num, lvl in [("总体要求", 1, 0), ("指导思想。", 1, 1), ("基本原则。", 1, 1), ("坚持市场驱动。", 1, 2),
                           ("坚持融合发展。", 1, 2), ("重点任务", 1, 0), ("发展职业赛事。", 1, 1),
                           ("本办法自发布之日起施行。", 2, 0), ("由财政部负责解释。", 2, 0)]:
        p = d.add_paragraph(text)
        p._p.get_or_add_pPr().append(parse_xml(
            f'<w:numPr {nsdecls("w")}><w:ilvl w:val="{lvl}"/><w:numId w:val="{num}"/></w:numPr>'))
    d.save(tmp_path / "n.docx")
    assert read_docx(tmp_path / "n.docx").text.split("\n") == [
        "一、总体要求", "（一）指导思想。", "（二）基本原则。", "1. 坚持市场驱动。", "2. 坚持融合发展。",
        "二、重点任务", "（一）发展职业赛事。", "第九条 本办法自发布之日起施行。", "第十条 由财政部负责解释。"]


@pytest.mark.parametrize("n, fmt, printed", [
    (11, "chineseCounting", "十一"), (30, "chineseCountingThousand", "三十"), (3, "ideographTraditional", "丙"),
    (2021, "ideographDigital", "二〇二一"), (4, "decimalEnclosedCircle", "④"), (12, "decimal", "12"),
    (4, "upperRoman", "IV"), (3, "lowerLetter", "c"), (2, "chineseLegalSimplified", "贰"), (5, "decimalFullWidth", "５"),
])
def test_word_number_formats(n, fmt, printed):
    assert format_number(n, fmt) == printed


# --- 任务分工表: the table reader takes rows ----------------------------------------------------


def test_duty_table_columns_by_header_words_not_position():
    rows = [["配合单位", "工作任务", "牵头单位", "完成时限", "序号"],
            ["省财政厅、省税务局", "（三）落实税收优惠", "省发展改革委", "2022年底", "3"],
            ["", "4.强化要素保障", "省自然资源厅；\n省住房城乡建设厅", "长期", ""]]
    assert duty_rows(rows) == (
        DutyRow(3, "（三）落实税收优惠", ("省发展改革委",), ("省财政厅", "省税务局")),
        DutyRow(4, "4.强化要素保障", ("省自然资源厅", "省住房城乡建设厅"), ()),
    )


def test_duty_table_with_only_responsible_units():
    rows = [["序号", "主要任务", "责任单位"], ["一", "支持企业上市", "市金融局、市财政局"], ["二", "加强人才引进", "市人社局"]]
    assert duty_rows(rows) == (DutyRow(1, "支持企业上市", listed=("市金融局", "市财政局")),
                               DutyRow(2, "加强人才引进", listed=("市人社局",)))
    # The table's note states the rule: the first unit leads.
    ruled = duty_rows(rows, "注：责任单位中列第一位的为牵头单位。")
    assert ruled[0] == DutyRow(1, "支持企业上市", ("市金融局",), ("市财政局",))
    # Or a unit is marked as the lead.
    marked = duty_rows([rows[0], ["1", "支持企业上市", "市财政局、市金融局（牵头）"]])
    assert marked == (DutyRow(1, "支持企业上市", ("市金融局",), ("市财政局",)),)


def test_duty_table_two_row_header_group_rows_and_repeated_header():
    rows = [["序号", "重点任务", "责任单位", "责任单位"],
            ["序号", "重点任务", "牵头单位", "配合单位"],
            ["一、深化改革", "一、深化改革", "一、深化改革", "一、深化改革"],
            ["1", "简政放权", "市政府办公厅", "各区政府"],
            ["序号", "重点任务", "责任单位", "责任单位"],
            ["2", "优化服务", "市政务服务局", "—"]]
    assert duty_rows(rows) == (DutyRow(1, "简政放权", ("市政府办公厅",), ("各区政府",)),
                               DutyRow(2, "优化服务", ("市政务服务局",), ()))


def test_a_table_that_is_not_a_duty_table_gives_no_rows():
    assert duty_rows([["指标", "2020年", "2025年"], ["新经济增加值增速", "8%", "10%"]]) == ()


# --- HTML: a government page around a real document ------------------------------------------


def gov_page(lines: list[str]) -> str:
    """A gov.cn-style policy page: header navigation, breadcrumb, metadata table, share and print
    links, the document (a figure in <strong>), related links and the site footer."""
    body = "\n".join(
        f'<p style="text-indent: 2em;">{x.replace("300万元", "<strong>300万元</strong>")}</p>' for x in lines)
    return f"""<!DOCTYPE html><html><head><meta charset="utf-8"><title>国务院关于做好当前和今后一个时期促进就业工作的若干意见_政府信息公开专栏</title>
<script>var _hmt = _hmt || []; window.onload = function() {{ console.log("_hmt loaded"); }};</script>
<style>.share a {{ margin: 0 4px; }}</style></head><body>
<div class="header"><div class="nav"><a href="/">首页</a> | <a href="/zhengce/">政策</a> | <a href="/hudong/">互动</a> | <a href="/fuwu/">服务</a> | <a href="/shuju/">数据</a></div></div>
<div class="BreadcrumbNav"><a href="/">首页</a> &gt; <a href="/zhengce/">政策</a> &gt; <a href="/zhengce/xxgk/">国务院文件</a></div>
<table class="bd1"><tbody>
<tr><td><b>索 引 号：</b></td><td>000014349/2018-00183</td><td><b>主题分类：</b></td><td>劳动、人事、监察\\就业</td></tr>
<tr><td><b>发文机关：</b></td><td>国务院</td><td><b>成文日期：</b></td><td>2018年11月16日</td></tr>
<tr><td><b>标　　题：</b></td><td>国务院关于做好当前和今后一个时期促进就业工作的若干意见</td></tr>
<tr><td><b>发文字号：</b></td><td>国发〔2018〕39号</td><td><b>发布日期：</b></td><td>2018年12月05日</td></tr>
</tbody></table>
<div class="pages_content" id="UCAP-CONTENT">
{body}
</div>
<div class="editor">【我要纠错】 责任编辑：王洋</div>
<div class="share">分享到：<a href="#">微信</a><a href="#">微博</a><a href="#">QQ空间</a></div>
<div class="print"><a href="javascript:window.print()">【打印】</a> <a href="javascript:window.close()">【关闭】</a> <a href="#">【收藏】</a></div>
<div class="related"><h3>相关链接</h3><ul>
<li><a href="/a.htm">人力资源社会保障部就促进就业若干意见答记者问</a></li>
<li><a href="/b.htm">图解：国务院关于做好当前和今后一个时期促进就业工作的若干意见</a></li>
<li><a href="/c.htm">国务院常务会议部署稳就业举措</a></li></ul></div>
<div class="footer"><a href="/about">关于本网</a> | <a href="/map">网站地图</a> | <a href="/contact">联系我们</a>
<p>版权所有：中国政府网 | 中文域名：中国政府网.政务</p><p>网站标识码bm01000001 京ICP备05070218号 京公网安备11010202000001号</p>
<p>主办单位：国务院办公厅　运行维护单位：中国政府网运行中心</p></div>
</body></html>"""


def test_government_html_page_reads_like_the_text(tmp_path):
    page = tmp_path / "jiuye.html"
    page.write_text(gov_page(txt_lines(JIUYE)), encoding="utf-8")
    doc = load_document(page)
    assert measures(doc) == measures(load_document(JIUYE))
    assert "最高不超过300万元" in doc.text  # the <strong> figure stays inside its sentence
    for chrome in ("首页", "分享到", "微信", "打印", "关闭", "收藏", "我要纠错", "相关链接", "答记者问", "网站地图",
                   "版权所有", "ICP备", "运行维护单位", "_hmt", "主题分类", "劳动、人事"):
        assert chrome not in doc.text, chrome
    assert doc.text.startswith("国务院关于做好当前和今后一个时期")
    assert doc.text.rstrip().endswith("（此件公开发布）")
    assert (doc.title, doc.doc_number, doc.publisher, doc.written_date, doc.published_date, doc.index_number) == (
        "国务院关于做好当前和今后一个时期促进就业工作的若干意见", "国发〔2018〕39号", "国务院", "2018-11-16",
        "2018-12-05", "000014349/2018-00183")


def test_seed_page_text_as_html_keeps_one_copy(tmp_path):
    """The seed's raw page text (the document twice, page chrome) as HTML lines loads like the .txt."""
    page = tmp_path / "seed.html"
    page.write_text("<html><body>" + "".join(f"<div>{x}</div>" for x in txt_lines(SEED)) + "</body></html>", encoding="utf-8")
    assert measures(load_document(page)) == measures(load_document(SEED))


def test_chromium_and_font_present_under_ci():
    """make test installs Chromium and the font (scripts/test-deps.sh); CI must not skip the formats."""
    if os.environ.get("CI") != "true":
        pytest.skip("only checked under CI=true")
    assert shutil.which("chromium") or Path(CHROMIUM).exists()
    assert FONT_FILE.exists()


def test_html_page_with_the_body_in_a_layout_table(tmp_path):
    """Older government sites put the whole document in one table cell; its paragraphs stay lines."""
    body = "".join(f"<p>{x}</p>" for x in txt_lines(JIUYE))
    page = tmp_path / "old.html"
    page.write_text(f"<html><body><table><tr><td width='20'></td><td>{body}</td></tr>"
                    "<tr><td></td><td><a href='/'>返回首页</a></td></tr></table></body></html>", encoding="utf-8")
    assert measures(load_document(page)) == measures(load_document(JIUYE))


def test_docx_layout_table_cell_keeps_its_paragraphs(tmp_path):
    import docx

    d = docx.Document()
    t = d.add_table(rows=1, cols=2)
    cell = t.cell(0, 1)
    lines = txt_lines(JIUYE)
    cell.text = lines[0]
    for x in lines[1:]:
        cell.add_paragraph(x)
    d.save(tmp_path / "boxed.docx")
    assert measures(load_document(tmp_path / "boxed.docx")) == measures(load_document(JIUYE))


@pytest.mark.parametrize("read, fixed", [
    ("(二十五强化人才支撑。编制重点产业急需紧缺人才目录，", "(二十五)强化人才支撑。编制重点产业急需紧缺人才目录，"),
    ("（三加大财税支持。", "（三）加大财税支持。"),
    ("（三）加大财税支持。", "（三）加大财税支持。"),
    ("（一是加强领导）", "（一是加强领导）"),  # 一是、二是 enumerate inside a sentence: not a label
    ("将补贴范围扩展至16一24岁失业青年", "将补贴范围扩展至16—24岁失业青年"),
    ("统一部署", "统一部署"),
])
def test_ocr_misreadings_repaired(read, fixed):
    from assistant.extract import ocr_text_fix

    assert ocr_text_fix(read) == fixed


def test_a_number_at_a_page_break_is_text_not_a_page_number():
    """Issue 19: page numbers count the pages; a figure a page break leaves alone on the last line
    of a page (…总规模的 / 40 / %) is text."""
    pages = []
    for n, last in ((1, "40"), (2, "正文。"), (3, "正文。")):
        pages.append(PageLines(595, 842, (
            line("交易电量上限为交易电量总规模的比例，写满一整行的文字，用来检验", 0, 0, FULL, page_top=130),
            line("页码的处理。", 1, 0, page_top=130),
            TextLine(last, 80, 80 + len(last) * W, 770, 786),
            TextLine(f"— {n} —", 280, 320, 800, 812),
        )))
    texts = [ln.text for page in strip_page_furniture(pages) for ln in page]
    assert "40" in texts and not any(t.startswith("—") for t in texts)


def test_a_page_of_short_paragraphs_keeps_them_apart():
    """A web page printed one piece a paragraph: every line is an indented first line that stops
    short; the document's edges (from pages with full lines) say so, and each stays a paragraph."""
    full = PageLines(595, 842, tuple(line("正文写满一整行的文字，用来确定版心的左右边界，写满一整行的文", k, 0, FULL) for k in range(10)))
    short = PageLines(595, 842, tuple(line(t, k, 2) for k, t in enumerate(
        ["附件：", "1．中长期交易工作方案", "2．零售市场交易工作方案", "3．绿电交易工作方案", "4．储能交易工作方案",
         "5．履约保障凭证工作方案", "2024年11月11日", "（联系人：电力处）"])))
    assert reflow([full, short])[1:] == ["附件：", "1．中长期交易工作方案", "2．零售市场交易工作方案", "3．绿电交易工作方案",
                                         "4．储能交易工作方案", "5．履约保障凭证工作方案", "2024年11月11日", "（联系人：电力处）"]
