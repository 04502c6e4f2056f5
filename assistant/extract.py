"""Reading files: a policy file of any supported format → its raw text, one paragraph a line.

- HTML: block elements become lines, inline markup stays inside its line (a figure in <b> is not
  split), lists and tables made of links (navigation, 相关链接) are dropped, a metadata table's
  `key：value` cells become `key：value` lines.
- DOCX: paragraphs and tables in document order; automatic numbering (numbering.xml) is written
  back into the text; a 任务分工表 becomes `DutyRow`s.
- Old Word .doc and WPS .wps: converted to .docx by LibreOffice in headless mode (Debian's
  libreoffice-writer-nogui), then read as a .docx; without LibreOffice, a message naming the fix.
- PDF with a text layer: pdfplumber lines with their positions, reflowed into paragraphs the way a
  reader reads them (`reflow`): running headers, footers and page numbers removed.
- Scanned PDF pages and images (.png/.jpg): pages rendered with pypdfium2, OCR with RapidOCR
  (PP-OCRv4 Chinese models shipped inside the rapidocr-onnxruntime wheel: nothing downloads),
  the OCR boxes reflowed by the same rules.

Hands on `Extracted` (text, warnings, duty table) to assistant/load.py, which cleans the text
and reads the metadata. The layout logic (`reflow`, `page_lines_from_boxes`, `duty_rows`,
`format_number`) is pure and takes positioned lines, boxes or table rows.
"""
from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from .errors import BadDocumentError, TooCostlyError
from .numerals import to_chinese, to_int
from .records import DutyRow

IMAGE_EXTS = (".png", ".jpg", ".jpeg")


@dataclass(frozen=True)
class Limits:
    """What reading one file may cost; None is no limit. Uploads pass the settings' figures, and a
    file past one is refused with a message naming the limit and its setting."""

    max_pages: int | None = None  # pages of a PDF (POLICYQA_MAX_PAGES)
    max_pixels: int | None = None  # pixels of an image file (POLICYQA_MAX_IMAGE_MEGAPIXELS)
    ocr_seconds: float | None = None  # seconds of OCR for the whole file (POLICYQA_OCR_SECONDS)


NO_LIMITS = Limits()
PageCallback = Callable[[int, int], None]  # (pages read, pages to read by OCR)


def check_limits(path: Path, limits: Limits, name: str | None = None) -> None:
    """Refuse a PDF with too many pages or an image with too many pixels, from its header only
    (nothing is decoded or rendered). A file that cannot be opened passes: reading it says why.
    `name`: the file's name for messages and its type, when `path` is a temporary copy."""
    name = name or path.name
    ext = Path(name).suffix.lower()
    if ext == ".pdf" and limits.max_pages:
        import pypdfium2 as pdfium

        try:
            pdf = pdfium.PdfDocument(str(path))
        except Exception:  # noqa: BLE001 - a damaged PDF is reported by read_pdf in its own words
            return
        try:
            _check_pages(name, len(pdf), limits)
        finally:
            pdf.close()
    elif ext in IMAGE_EXTS and limits.max_pixels:
        import warnings

        from PIL import Image

        # This check replaces PIL's own warning; its error (over twice its limit) is reported as ours.
        warnings.filterwarnings("ignore", category=Image.DecompressionBombWarning)
        try:
            with Image.open(path) as im:
                size = im.size
        except Image.DecompressionBombError as e:
            pixels = re.search(r"\((\d+) pixels\)", str(e))
            size = (int(pixels.group(1)), 1) if pixels else (limits.max_pixels + 1, 1)
        except Exception:  # noqa: BLE001 - not an image: read_image says so
            return
        _check_pixels(name, size, limits)


def _check_pages(name: str, pages: int, limits: Limits) -> None:
    if limits.max_pages and pages > limits.max_pages:
        raise TooCostlyError(
            f"{name}: {pages} pages, more than the limit of {limits.max_pages} pages a file (POLICYQA_MAX_PAGES): "
            "split it, or raise POLICYQA_MAX_PAGES",
            zh=f"{name}：共 {pages} 页，超过每个文件 {limits.max_pages} 页的上限（POLICYQA_MAX_PAGES）："
               "请拆分后分别上传，或请管理员调高该设置")


def _check_pixels(name: str, size: tuple[int, int], limits: Limits) -> None:
    w, h = size
    if limits.max_pixels and w * h > limits.max_pixels:
        dims = f" ({w}×{h})" if h > 1 else ""
        raise TooCostlyError(
            f"{name}: the image has {w * h / 1e6:.0f} megapixels{dims}, more than the limit of "
            f"{limits.max_pixels / 1e6:.0f} megapixels (POLICYQA_MAX_IMAGE_MEGAPIXELS): scale it down (200–300 dpi is enough)",
            zh=f"{name}：图片约 {w * h / 1e6:.0f} 百万像素{dims.replace(' (', '（').replace(')', '）')}，"
               f"超过 {limits.max_pixels / 1e6:.0f} 百万像素的上限（POLICYQA_MAX_IMAGE_MEGAPIXELS）：请缩小后上传（200–300 dpi 即可识别）")


def _check_ocr_time(name: str, seconds: float, done: int, total: int, limits: Limits) -> None:
    if limits.ocr_seconds and seconds > limits.ocr_seconds:
        raise TooCostlyError(
            f"{name}: OCR took more than the limit of {limits.ocr_seconds:.0f} s a file (POLICYQA_OCR_SECONDS) "
            f"and was stopped after {done} of {total} pages: upload a PDF with a text layer or a .docx, or split the scan",
            zh=f"{name}：文字识别超过每个文件 {limits.ocr_seconds:.0f} 秒的上限（POLICYQA_OCR_SECONDS），"
               f"已在第 {done}/{total} 页停止：请上传带文字层的 PDF 或 Word 文件，或把扫描件拆分后上传")


@dataclass(frozen=True)
class Extracted:
    """What a file holds before cleaning: text (one paragraph a line), warnings, a duty table."""

    text: str
    warnings: tuple[str, ...] = ()
    duty_table: tuple[DutyRow, ...] = ()
    pages: int = 0
    ocr_pages: int = 0
    ocr_seconds: float = 0.0


# --- positioned lines and reflow ---------------------------------------------------------


@dataclass(frozen=True)
class TextLine:
    """One printed line with its box on the page (PDF points or image pixels, y grows downwards)."""

    text: str
    x0: float
    x1: float
    top: float
    bottom: float


@dataclass(frozen=True)
class PageLines:
    width: float
    height: float
    lines: tuple[TextLine, ...]


_CN_NUM = "一二三四五六七八九十百零〇两"
# A line that starts a numbered heading or item starts a paragraph: 一、 （一） (一) 1. 1、 （1）
# 第X条/章/节 ① 附件. Checked on the line with full-width punctuation folded.
ITEM_START = re.compile(
    rf"^(?:[{_CN_NUM}]+[、.]|\([{_CN_NUM}]+\)|\d{{1,3}}[.、](?!\d)|\(\d{{1,3}}\)|"
    rf"第[{_CN_NUM}\d]+[条章节]|[\u2460-\u2473\u2776-\u277f]|附件)"
)
# Page numbers as printed in Chinese documents: — 3 —, - 3 -, ·3·, 3, 第3页, 第3页 共8页, 3/8, Page 3
# (OCR reads the dash of — 3 — as 一).
PAGE_NUMBER = re.compile(
    r"^(?:[—–\-－~～·•.一\s]*\d{1,4}[—–\-－~～·•.一\s]*|第\s*\d+\s*页(?:\s*[,，/／]?\s*共\s*\d+\s*页)?|"
    r"共\s*\d+\s*页\s*[,，]?\s*第\s*\d+\s*页|\d+\s*[/／]\s*\d+|page\s*\d+(?:\s*of\s*\d+)?)$",
    re.IGNORECASE,
)
_CLOSING = "，。、；：？！）》」』”’,.;:?!)%"  # a line never starts with these (line-breaking rules)
_ENDS_SENTENCE = re.compile(r"[。；：？！;:?!）)」”]$")
_FULL = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}


def _median(xs) -> float:
    v = sorted(xs)
    if not v:
        return 0.0
    k = len(v) // 2
    return v[k] if len(v) % 2 else (v[k - 1] + v[k]) / 2


def _folded(s: str) -> str:
    return s.translate(_FULL).strip()


def _is_cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _char_width(lines: list[TextLine]) -> float:
    """The body font's character width: CJK characters are square, so a line's width / its length."""
    ws = []
    for ln in lines:
        t = ln.text.replace(" ", "")
        if len(t) >= 8 and sum(_is_cjk(c) for c in t) >= 0.6 * len(t):
            ws.append((ln.x1 - ln.x0) / (len(t) - 0.45 * sum(c.isascii() for c in t)))
    if ws:
        return _median(ws)
    hs = [ln.bottom - ln.top for ln in lines if ln.bottom > ln.top]
    return _median(hs) if hs else 10.0


def _band_key(text: str) -> str:
    # Digits (the page number) and punctuation (which OCR reads differently page to page: 〔 [ 【) aside.
    return re.sub(r"\d+", "#", re.sub(r"[\W_]+", "", text))


def strip_page_furniture(pages: list[PageLines]) -> list[list[TextLine]]:
    """Remove page numbers and running headers and footers from each page's lines.

    Only the first two and last two lines of a page, and only in its top or bottom 15% (the page
    margins), are candidates. A page number is such a line of PAGE_NUMBER form. A running header
    or footer is such a line whose text (digits aside) recurs at the same height (within 3% of
    the page) on at least half the pages, two at least: what a reader skips when turning pages.
    """
    edge: list[list[int]] = []
    for p in pages:
        n = len(p.lines)
        band = [i for i in (0, 1, n - 2, n - 1) if 0 <= i < n and not (0.15 < p.lines[i].top / (p.height or 1) < 0.85)]
        edge.append(sorted(set(band)))
    seen: dict[str, list[tuple[int, float]]] = {}
    for pi, p in enumerate(pages):
        for i in edge[pi]:
            ln = p.lines[i]
            seen.setdefault(_band_key(ln.text), []).append((pi, ln.top / (p.height or 1)))
    running = set()
    if len(pages) >= 2:
        for key, where in seen.items():
            if not key:
                continue
            heights = sorted(h for _, h in where)
            med = heights[len(heights) // 2]
            pages_at = {pi for pi, h in where if abs(h - med) <= 0.03}
            if len(pages_at) >= max(2, (len(pages) + 1) // 2):
                running.add((key, round(med, 3)))
    # A bare number at a page's edge is its page number only when it counts the pages as the other
    # page numbers do (page index + the same offset): a figure of the text that a page break left
    # on a line of its own (…总规模的 / 40 / %) is no page number.
    offsets = Counter(int(m.group(0)) - pi for pi, p in enumerate(pages) for i in edge[pi]
                      if PAGE_NUMBER.match(p.lines[i].text.strip()) and (m := re.search(r"\d+", p.lines[i].text)))
    offset, agree = offsets.most_common(1)[0] if offsets else (None, 0)

    def page_number(pi: int, text: str) -> bool:
        if not PAGE_NUMBER.match(text):
            return False
        if not re.fullmatch(r"\d+", text):
            return True  # — 3 —, 第3页: printed as a page number
        return (int(text) - pi == offset and agree >= 2) or (len(pages) == 1 and text == "1")

    out = []
    for pi, p in enumerate(pages):
        keep = []
        for i, ln in enumerate(p.lines):
            if i in edge[pi]:
                if page_number(pi, ln.text.strip()):
                    continue
                k, h = _band_key(ln.text), ln.top / (p.height or 1)
                if any(k == rk and abs(h - rh) <= 0.03 for rk, rh in running):
                    continue
            keep.append(ln)
        out.append(keep)
    return out


def _margins(lines: list[TextLine], w: float | None = None) -> tuple[float, float]:
    """The text block's edges: wrapped lines start at the left margin, full lines end at the right.

    Lines of justified text that reach an edge reach it together, so an edge is the furthest x
    that two lines share (within half a character); a page of short paragraphs (a web page's
    pieces, one a paragraph) has few such lines, and most of its lines are indented first lines
    that stop short, which a percentile would take for the edges.
    """
    w = w or _char_width(lines)
    xs0 = sorted(ln.x0 for ln in lines)
    xs1 = sorted(ln.x1 for ln in lines)
    left = next((x for a, x in zip(xs0[1:], xs0) if a - x <= 0.5 * w), xs0[len(xs0) // 10])
    right = next((x for a, x in zip(xs1[-2::-1], xs1[::-1]) if x - a <= 0.5 * w), xs1[min(len(xs1) - 1, (len(xs1) * 3) // 4)])
    return left, right


def _leading_unbreakable(text: str, w: float) -> float:
    """Width of what a line must start with: a Latin/number run cannot be broken across lines,
    and closing punctuation never starts a line (the character before it moves down with it)."""
    m = re.match(r"[A-Za-z0-9.%‰+\-/]+", text)
    width = len(m.group(0)) * 0.55 * w if m else 0.0
    rest = text[m.end():] if m else text
    if rest[:1] and rest[0] in _CLOSING:
        width += 2 * w
    elif rest[1:2] and rest[1] in _CLOSING:
        width += w  # 业、: the character before the comma was moved down with it
    elif m and rest[:1]:
        width += w  # a unit after a figure (万元, 个) is kept with it by some renderers
    return width


def _join(a: str, b: str) -> str:
    """Join a wrapped line to the next: no space in Chinese text, one space between Latin words."""
    if not a:
        return b
    x, y = a[-1], b[:1]
    if y and x.isascii() and y.isascii() and (x.isalnum() or x in ",.;:!?)") and y.isalnum() and not (x.isdigit() and y.isdigit()):
        return a + " " + b
    return a + b


def reflow(pages: list[PageLines]) -> list[str]:
    """Paragraphs of positioned page lines, read as a person reads them.

    Lines of one paragraph are joined (a break inside a sentence or a figure disappears). A new
    paragraph starts where the previous line stops short of the right margin (by more than the
    next line's first unbreakable piece would need), where the next line is indented, where a
    numbered heading or item starts after a finished line, or after a vertical gap larger than
    the usual line spacing. Page numbers and running headers/footers are removed first.
    """
    body = strip_page_furniture(pages)
    all_lines = [ln for page in body for ln in page]
    if not all_lines:
        return []
    w = _char_width(all_lines)
    doc_left, doc_right = _margins(all_lines, w)
    paragraphs: list[str] = []
    current = ""
    prev: TextLine | None = None
    prev_right = doc_right
    for page in body:
        # Margins per page when the page has enough lines (scans shift from page to page), unless
        # no line of the page reaches the document's edges (a page of short paragraphs only).
        left, right = _margins(page, w) if len(page) >= 8 else (doc_left, doc_right)
        if left > doc_left + 1.2 * w:
            left = doc_left
        if right < doc_right - 2 * w:
            right = doc_right
        gaps = sorted(b.top - a.bottom for a, b in zip(page, page[1:]) if b.top > a.bottom - 1)
        usual_gap = gaps[len(gaps) // 4] if gaps else 0.0
        for i, ln in enumerate(page):
            text = ln.text.strip()
            if not text:
                continue
            if prev is None:
                current = text
                prev, prev_right = ln, right
                continue
            p_text = prev.text.strip()
            short = prev_right - prev.x1 > _leading_unbreakable(text, w) + 0.9 * w
            indented = ln.x0 - left > 1.2 * w
            heading = bool(ITEM_START.match(_folded(text))) and (short or bool(_ENDS_SENTENCE.search(_folded(p_text))))
            gap = i > 0 and (ln.top - prev.bottom) > usual_gap + 0.6 * w
            centred = prev.x0 - left > 2.5 * w  # a centred title or signature line stands alone
            if short or indented or heading or gap or centred:
                paragraphs.append(current)
                current = text
            else:
                current = _join(current, text)
            prev, prev_right = ln, right
    paragraphs.append(current)
    return [p for p in paragraphs if p.strip()]


_DASH_READ_AS_ONE = re.compile(r"(?<=\d)\s*一\s*(?=\d)")
# An item label whose closing bracket OCR dropped: "(二十五强化人才支撑" at the start of a line.
_UNCLOSED_LABEL = re.compile(r"^([(（])([一二三四五六七八九十百]{1,4})(?=[^)）一二三四五六七八九十百零〇、.,，是\s])")


def ocr_text_fix(text: str) -> str:
    """Two misreadings OCR makes on printed policies, repaired where the reading is unambiguous:
    a dash read as 一 between two Arabic digits (16—24岁: Chinese text never writes 一 between
    Arabic digits), and the closing bracket of an item label at a line start dropped ("(二十五强化"
    → "(二十五)强化": an opening bracket and a numeral always close before the item's text)."""
    text = _DASH_READ_AS_ONE.sub("—", text)
    return _UNCLOSED_LABEL.sub(lambda m: m.group(1) + m.group(2) + (")" if m.group(1) == "(" else "）"), text)


def page_lines_from_boxes(boxes: list[tuple[list[list[float]], str]], width: float, height: float) -> PageLines:
    """OCR boxes (four corner points, text) → the page's lines, top to bottom.

    Boxes whose vertical extents overlap by more than half the smaller one sit on one line and are
    joined left to right (a space where they are apart, removed later between Chinese characters).
    """
    items = []
    for pts, text in boxes:
        if not text or not text.strip():
            continue
        xs, ys = [p[0] for p in pts], [p[1] for p in pts]
        items.append(TextLine(text.strip(), min(xs), max(xs), min(ys), max(ys)))
    items.sort(key=lambda b: (b.top + b.bottom) / 2)
    rows: list[list[TextLine]] = []
    for b in items:
        if rows:
            last = rows[-1]
            top, bottom = min(x.top for x in last), max(x.bottom for x in last)
            overlap = min(bottom, b.bottom) - max(top, b.top)
            if overlap > 0.5 * min(bottom - top, b.bottom - b.top):
                last.append(b)
                continue
        rows.append([b])
    lines = []
    for row in rows:
        row.sort(key=lambda b: b.x0)
        h = _median(b.bottom - b.top for b in row)
        text = row[0].text
        for a, b in zip(row, row[1:]):
            text += (" " if b.x0 - a.x1 > 0.5 * h else "") + b.text
        lines.append(TextLine(ocr_text_fix(text), row[0].x0, max(b.x1 for b in row), min(b.top for b in row),
                              max(b.bottom for b in row)))
    return PageLines(width, height, tuple(lines))


# --- PDF ---------------------------------------------------------------------------------

# A page whose text layer holds fewer letters than this is treated as an image (a scan).
MIN_TEXT_CHARS = 10
# OCR input: the page rendered so its longer side is 2000 px, the detector's own maximum input
# (RapidOCR scales anything larger down), about 170 dpi for A4.
OCR_LONG_SIDE = 2000
# A rendered page whose pixels all lie within this many grey levels of each other has no ink, so no
# text: it is not sent to OCR (a blank page costs a second of OCR otherwise; printed text is near black
# on near white, a range of 150 levels or more; a scanned blank page's specks exceed it and are read).
BLANK_GREY_RANGE = 16


def _letters(s: str) -> int:
    return sum(1 for c in s if c.isalnum())


def _pdf_text_pages(path: Path) -> list[PageLines | None]:
    """Each page's text lines with positions, or None for a page without a text layer."""
    import pdfplumber

    out: list[PageLines | None] = []
    with pdfplumber.open(str(path)) as pdf:
        for page in pdf.pages:
            lines = page.extract_text_lines(strip=True, return_chars=False)
            if sum(_letters(ln["text"]) for ln in lines) < MIN_TEXT_CHARS:
                out.append(None)
                continue
            out.append(PageLines(float(page.width), float(page.height),
                                 tuple(TextLine(ln["text"], ln["x0"], ln["x1"], ln["top"], ln["bottom"]) for ln in lines)))
    return out


_ENGINE = None


def _ocr_engine():
    """One RapidOCR engine per process: loading its three ONNX models takes about a second."""
    global _ENGINE
    if _ENGINE is None:
        try:
            from rapidocr_onnxruntime import RapidOCR
        except ImportError as e:  # opencv needs libGL on a bare system
            raise BadDocumentError(
                f"OCR is not available ({e}): install the package `rapidocr-onnxruntime` (and Debian's libgl1)",
                zh=f"文字识别（OCR）组件不可用（{e}）：请安装 rapidocr-onnxruntime 和系统库 libgl1",
            ) from e
        _ENGINE = RapidOCR()
    return _ENGINE


def ocr_image(image) -> PageLines:
    """OCR one page image (PIL) → its lines with positions in pixels."""
    import numpy as np

    rgb = image.convert("RGB")
    scale = OCR_LONG_SIDE / max(rgb.size)
    if scale < 1:
        rgb = rgb.resize((round(rgb.width * scale), round(rgb.height * scale)))
    result, _ = _ocr_engine()(np.asarray(rgb), use_cls=False)
    boxes = [(r[0], r[1]) for r in (result or [])]
    return page_lines_from_boxes(boxes, float(rgb.width), float(rgb.height))


def _progress(total: int, desc: str, progress: bool | None):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="page", file=sys.stderr, disable=(None if progress is None else not progress), leave=False)


def _blank(image) -> bool:
    lo, hi = image.convert("L").getextrema()
    return hi - lo < BLANK_GREY_RANGE


def read_pdf(path: Path, progress: bool | None = None, limits: Limits = NO_LIMITS,
             on_page: PageCallback | None = None) -> Extracted:
    """A PDF's paragraphs: text layer where a page has one, OCR where it is a scan."""
    check_limits(path, limits)
    pages = _pdf_text_pages(path)
    if not pages:
        raise BadDocumentError(f"{path.name}: the PDF has no pages: re-save it", zh=f"{path.name}：该 PDF 没有页面，请重新保存后上传")
    warnings: list[str] = []
    scanned = [i for i, p in enumerate(pages) if p is None]
    seconds = 0.0
    if scanned:
        import pypdfium2 as pdfium

        pdf = pdfium.PdfDocument(str(path))
        try:
            with _progress(len(scanned), f"OCR {path.name}", progress) as bar:
                for done, i in enumerate(scanned):
                    _check_ocr_time(path.name, seconds, done, len(scanned), limits)
                    page = pdf[i]
                    w, h = page.get_size()
                    t = time.perf_counter()
                    image = page.render(scale=OCR_LONG_SIDE / max(w, h)).to_pil()
                    pages[i] = PageLines(float(image.width), float(image.height), ()) if _blank(image) else ocr_image(image)
                    seconds += time.perf_counter() - t
                    bar.update(1)
                    if on_page:
                        on_page(done + 1, len(scanned))
        finally:
            pdf.close()
    for i, p in enumerate(pages):
        if p is None or not p.lines:
            warnings.append(f"{path.name} page {i + 1}: no text found (blank page or unreadable scan) / 第{i + 1}页未识别到文字")
    text = "\n".join(reflow([p for p in pages if p is not None]))
    return Extracted(text, tuple(warnings), (), len(pages), len(scanned), seconds)


def read_image(path: Path, progress: bool | None = None, limits: Limits = NO_LIMITS,
               on_page: PageCallback | None = None) -> Extracted:
    """A photographed or scanned page (.png/.jpg): OCR, then the same reflow as a PDF page."""
    from PIL import Image, ImageOps

    with Image.open(path) as im:
        _check_pixels(path.name, im.size, limits)  # from the header, before the pixels are decoded
        image = ImageOps.exif_transpose(im)
        t = time.perf_counter()
        with _progress(1, f"OCR {path.name}", progress) as bar:
            page = ocr_image(image)
            bar.update(1)
        if on_page:
            on_page(1, 1)
    warnings = () if page.lines else (f"{path.name} page 1: no text found (blank page or unreadable scan) / 第1页未识别到文字",)
    return Extracted("\n".join(reflow([page])), warnings, (), 1, 1, time.perf_counter() - t)


# --- HTML --------------------------------------------------------------------------------

_BLOCK = {"p", "div", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "article", "ul", "ol",
          "dl", "dd", "dt", "blockquote", "pre", "center", "form", "body", "main", "caption", "thead", "tbody"}
_DROP_TAGS = ["head", "script", "style", "noscript", "nav", "header", "footer", "form", "button", "select", "input",
              "iframe", "svg", "aside", "object", "embed", "template"]


def _words(s: str) -> str:
    return re.sub(r"[\W_]+", "", s)  # letters, digits and Chinese characters: separators like | do not count


def _link_share(el) -> tuple[int, float]:
    text = _words(el.get_text())
    if not text:
        return 0, 0.0
    linked = sum(len(_words(a.get_text())) for a in el.find_all("a"))
    return len(el.find_all("a")), linked / len(text)


def read_html(html: str) -> str:
    """The text of a web page: one line per block, inline markup kept inside its line.

    Dropped: scripts, navigation/header/footer/form elements, and lists, tables or lines made of
    links (two or more links holding most of the text: menus, 相关链接, share bars). A table row
    becomes one line with cells joined by ｜; a `key：` cell and the cell after it become a
    `key：value` line (a page's metadata table); a row with a single filled cell is layout (old
    sites put the whole body in one cell) and is read as blocks.
    """
    from bs4 import BeautifulSoup, NavigableString, Tag

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(_DROP_TAGS):
        tag.decompose()
    for el in soup.find_all(["ul", "ol", "table", "dl", "div", "p", "span", "li"]):
        if el.decomposed:
            continue
        n, share = _link_share(el)
        if (n >= 2 and share >= 0.8) or (n == 1 and share >= 0.99 and len(el.get_text(strip=True)) <= 12):
            el.decompose()

    lines: list[str] = []
    buf: list[str] = []
    links: list[str] = []  # the text of the links in the current line

    def flush() -> None:
        s = "".join(buf).strip()
        bare = _words(s)
        linked = sum(len(_words(x)) for x in links)
        # A line made of links (a footer's 关于本网 | 网站地图 | 联系我们) is navigation.
        if s and not (len(links) >= 2 and linked >= 0.8 * len(bare)):
            lines.append(re.sub(r"[ \t\r\n\u00a0]+", " ", s))
        buf.clear()
        links.clear()

    def cell_text(td: Tag) -> str:
        sub: list[str] = []
        walk_into(td, sub)
        return " ".join(x for x in (re.sub(r"\s+", " ", y).strip() for y in sub) if x)

    def walk_into(el: Tag, out: list[str]) -> None:
        # Cell contents: each block inside a cell a separate piece.
        piece: list[str] = []
        for child in el.children:
            if isinstance(child, NavigableString):
                piece.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br" or child.name in _BLOCK:
                    out.append("".join(piece))
                    piece = []
                    if child.name != "br":
                        walk_into(child, out)
                else:
                    piece.append(child.get_text())
        out.append("".join(piece))

    def walk(el: Tag) -> None:
        for child in el.children:
            if isinstance(child, NavigableString):
                if type(child).__name__ in ("Comment", "Doctype", "Declaration", "ProcessingInstruction"):
                    continue
                buf.append(str(child))
            elif isinstance(child, Tag):
                if child.name == "br":
                    flush()
                elif child.name == "tr":
                    flush()
                    tds = child.find_all(["td", "th"], recursive=False)
                    if sum(1 for td in tds if td.get_text(strip=True)) <= 1:
                        walk(child)  # a layout row (the page's body in one cell): read it as blocks
                        flush()
                        continue
                    lines.extend(table_row_lines([cell_text(td) for td in tds]))
                elif child.name in _BLOCK:
                    flush()
                    walk(child)
                    flush()
                else:
                    if child.name == "a":
                        links.append(child.get_text())
                    walk(child)

    walk(soup)
    flush()
    return "\n".join(lines)


_KEY_CELL = re.compile(r"^[\u4e00-\u9fff\s]{2,14}[:：]$")


def table_row_lines(cells: list[str]) -> list[str]:
    """A table row as text lines: `key：value` pairs on lines of their own, else one line with
    the cells joined by ｜ (one row per line, so a row's task and units stay together)."""
    cells = [c.strip() for c in cells]
    if any(_KEY_CELL.match(c) for c in cells):
        out, i = [], 0
        while i < len(cells):
            if _KEY_CELL.match(cells[i]):
                value = cells[i + 1] if i + 1 < len(cells) and not _KEY_CELL.match(cells[i + 1]) else ""
                out.append(cells[i] + value)
                i += 2 if value else 1
            else:
                if cells[i]:
                    out.append(cells[i])
                i += 1
        return out
    row = [c for c in cells if c]
    return ["｜".join(row)] if row else []


# --- DOCX --------------------------------------------------------------------------------

_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
_TIANGAN = "甲乙丙丁戊己庚辛壬癸"
_DIZHI = "子丑寅卯辰巳午未申酉戌亥"
_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _roman(n: int) -> str:
    out = ""
    for v, s in ((1000, "M"), (900, "CM"), (500, "D"), (400, "CD"), (100, "C"), (90, "XC"), (50, "L"), (40, "XL"),
                 (10, "X"), (9, "IX"), (5, "V"), (4, "IV"), (1, "I")):
        while n >= v:
            out, n = out + s, n - v
    return out


def _letters_for(n: int) -> str:
    # Word repeats the letter: a … z, aa … zz.
    return chr(ord("A") + (n - 1) % 26) * ((n - 1) // 26 + 1)


def format_number(n: int, fmt: str) -> str:
    """A list counter in one of Word's number formats (w:numFmt)."""
    if fmt in ("chineseCounting", "chineseCountingThousand", "japaneseCounting", "taiwaneseCounting",
               "taiwaneseCountingThousand", "koreanCounting", "ideographLegalTraditional"):
        return to_chinese(n)
    if fmt in ("ideographDigital", "taiwaneseDigital", "koreanDigital", "japaneseDigitalTenThousand"):
        return "".join("〇一二三四五六七八九"[int(d)] for d in str(n))
    if fmt == "chineseLegalSimplified":
        return to_chinese(n).translate(str.maketrans("一二三四五六七八九十百", "壹贰叁肆伍陆柒捌玖拾佰"))
    if fmt == "ideographTraditional":
        return _TIANGAN[(n - 1) % 10]
    if fmt == "ideographZodiac":
        return _DIZHI[(n - 1) % 12]
    if fmt == "decimalFullWidth" or fmt == "decimalFullWidth2":
        return str(n).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 1 <= n <= 20:
        return _CIRCLED[n - 1]
    if fmt == "decimalZero":
        return f"{n:02d}"
    if fmt == "upperRoman":
        return _roman(n)
    if fmt == "lowerRoman":
        return _roman(n).lower()
    if fmt == "upperLetter":
        return _letters_for(n)
    if fmt == "lowerLetter":
        return _letters_for(n).lower()
    if fmt in ("bullet", "none"):
        return ""
    return str(n)  # decimal and anything unknown


@dataclass(frozen=True)
class _Level:
    start: int = 1
    fmt: str = "decimal"
    text: str = "%1."
    restart: int | None = None  # w:lvlRestart: 1-based level whose use restarts this one; 0 never
    suffix: str = "tab"
    legal: bool = False  # w:isLgl: every level's number shown in decimal


@dataclass
class Numbering:
    """numbering.xml: list definitions (abstractNum levels) and list instances (num)."""

    abstract: dict[str, dict[int, _Level]] = field(default_factory=dict)
    nums: dict[str, tuple[str, dict[int, int]]] = field(default_factory=dict)  # numId → (abstractNumId, start overrides)
    level_overrides: dict[str, dict[int, _Level]] = field(default_factory=dict)
    counters: dict[object, dict[int, int]] = field(default_factory=dict)

    def label(self, num_id: str, ilvl: int) -> str:
        """Advance the counter of list `num_id` at level `ilvl` and return the printed label."""
        if num_id not in self.nums or num_id == "0":
            return ""
        abs_id, starts = self.nums[num_id]
        levels = dict(self.abstract.get(abs_id, {}))
        levels.update(self.level_overrides.get(num_id, {}))
        lvl = levels.get(ilvl)
        if lvl is None:
            return ""
        # Instances of one list definition continue each other's numbering unless one restarts it.
        key = num_id if (starts or num_id in self.level_overrides) else ("abstract", abs_id)
        counts = self.counters.setdefault(key, {})
        start = starts.get(ilvl, lvl.start)
        counts[ilvl] = counts[ilvl] + 1 if ilvl in counts else start
        for deeper in [k for k in counts if k > ilvl]:
            r = levels.get(deeper, _Level()).restart
            if r is None or (r > 0 and ilvl <= r - 1):
                del counts[deeper]
        if lvl.fmt in ("bullet", "none"):
            return ""

        def sub(m: re.Match) -> str:
            k = int(m.group(1)) - 1
            other = levels.get(k, _Level())
            n = counts.get(k, starts.get(k, other.start))
            return str(n) if (lvl.legal and k != ilvl) else format_number(n, other.fmt)

        text = re.sub(r"%(\d)", sub, lvl.text)
        return text + (" " if lvl.suffix in ("tab", "space") and text else "")


def _val(el, tag: str, default=None):
    child = el.find(f"{_W}{tag}") if el is not None else None
    if child is None:
        return default
    return child.get(f"{_W}val", default)


def _level(el) -> _Level:
    restart = _val(el, "lvlRestart")
    legal = el.find(f"{_W}isLgl")
    return _Level(
        start=int(_val(el, "start", "1")),
        fmt=_val(el, "numFmt", "decimal"),
        text=_val(el, "lvlText", ""),
        restart=int(restart) if restart is not None else None,
        suffix=_val(el, "suff", "tab"),
        legal=legal is not None and legal.get(f"{_W}val", "1") not in ("0", "false"),
    )


def parse_numbering(root) -> Numbering:
    """The list definitions of a numbering.xml element tree (lxml)."""
    nb = Numbering()
    if root is None:
        return nb
    for a in root.iter(f"{_W}abstractNum"):
        nb.abstract[a.get(f"{_W}abstractNumId")] = {int(lv.get(f"{_W}ilvl")): _level(lv) for lv in a.iter(f"{_W}lvl")}
    for n in root.iter(f"{_W}num"):
        num_id = n.get(f"{_W}numId")
        starts, overrides = {}, {}
        for o in n.iter(f"{_W}lvlOverride"):
            ilvl = int(o.get(f"{_W}ilvl"))
            s = _val(o, "startOverride")
            if s is not None:
                starts[ilvl] = int(s)
            lv = o.find(f"{_W}lvl")
            if lv is not None:
                overrides[ilvl] = _level(lv)
        nb.nums[num_id] = (_val(n, "abstractNumId"), starts)
        if overrides:
            nb.level_overrides[num_id] = overrides
    return nb


def _num_pr(p, styles: dict) -> tuple[str, int] | None:
    """The list (numId, level) of a paragraph: its own w:numPr, else its style's (following basedOn)."""
    ppr = p.find(f"{_W}pPr")
    numpr = ppr.find(f"{_W}numPr") if ppr is not None else None
    if numpr is not None:
        num_id = _val(numpr, "numId")
        ilvl = int(_val(numpr, "ilvl", "0"))
        return (num_id, ilvl) if num_id else None
    style = _val(ppr, "pStyle") if ppr is not None else None
    seen = set()
    while style and style not in seen:
        seen.add(style)
        st = styles.get(style)
        if st is None:
            return None
        sppr = st.find(f"{_W}pPr")
        snum = sppr.find(f"{_W}numPr") if sppr is not None else None
        if snum is not None and _val(snum, "numId"):
            return _val(snum, "numId"), int(_val(snum, "ilvl", "0"))
        style = _val(st, "basedOn")
    return None


def _para_text(p) -> str:
    """The visible text of a w:p: runs' text, tabs and breaks (deleted revisions left out)."""
    out = []
    for el in p.iter():
        tag = el.tag
        if tag == f"{_W}t":
            parent = el.getparent()
            if parent is not None and parent.getparent() is not None and parent.getparent().tag == f"{_W}del":
                continue
            out.append(el.text or "")
        elif tag == f"{_W}tab":
            out.append("\t")
        elif tag in (f"{_W}br", f"{_W}cr"):
            out.append("\n")
    return "".join(out)


def read_docx(path: Path) -> Extracted:
    """A Word file's text in document order, numbering restored, tables one row a line, and the
    rows of a 任务分工表 as `DutyRow`s."""
    import docx

    d = docx.Document(str(path))
    try:
        numbering = parse_numbering(d.part.numbering_part.element)
    except (KeyError, NotImplementedError):
        numbering = Numbering()
    styles = {s.get(f"{_W}styleId"): s for s in d.styles.element.iter(f"{_W}style")}

    def paragraph(p) -> str:
        text = _para_text(p)
        np_ = _num_pr(p, styles)
        if np_ and text.strip():
            text = numbering.label(*np_) + text.lstrip()
        return text

    lines: list[str] = []
    duties: list[DutyRow] = []
    body = list(d.element.body.iterchildren())
    for idx, el in enumerate(body):
        if el.tag == f"{_W}p":
            lines.extend(x for x in paragraph(el).split("\n"))
        elif el.tag == f"{_W}tbl":
            rows = _table_rows(el, paragraph)
            for row in rows:
                cells = [c for i, c in enumerate(row) if i == 0 or c != row[i - 1]]  # a merged cell once
                filled = [c for c in cells if c.strip()]
                if len(filled) == 1:
                    lines.extend(filled[0].split("\n"))  # a layout table or a one-cell box: its paragraphs
                else:
                    lines.extend(table_row_lines([c.replace("\n", " / ") for c in cells]))
            # A rule for the table may sit in its caption or a note just before or after it.
            near = [_para_text(x) for x in body[max(0, idx - 2):idx] + body[idx + 1:idx + 3] if x.tag == f"{_W}p"]
            duties.extend(duty_rows(rows, "\n".join(near)))
    return Extracted("\n".join(lines), (), tuple(duties))


# --- old Word (.doc) and WPS (.wps) -----------------------------------------------------------

LEGACY_WORD_EXTS = (".doc", ".wps")
SOFFICE_TIMEOUT = 180  # seconds; a first start creates LibreOffice's profile, a long document takes a while
INSTALL_LIBREOFFICE = "apt-get install libreoffice-writer-nogui"


def soffice() -> str | None:
    """LibreOffice's command (`soffice`, Debian's libreoffice-writer-nogui), or None when not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def run_soffice(command: str, folder: Path, args: list[str], timeout: float = SOFFICE_TIMEOUT) -> subprocess.CompletedProcess:
    """LibreOffice headless in `folder`, with a profile and HOME of its own there (conversions never
    share, lock or change a user's profile, and may run side by side); `args` e.g. --convert-to."""
    return subprocess.run([command, f"-env:UserInstallation={(folder / 'profile').as_uri()}", "--headless", "--invisible",
                           "--nologo", "--norestore", "--nolockcheck", *args],
                          cwd=folder, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout,
                          env={**os.environ, "HOME": str(folder)}, check=False)


def read_legacy_word(path: Path) -> Extracted:
    """An old Word .doc or a WPS .wps file: LibreOffice converts it to .docx, read like any .docx
    (numbering, tables, a 任务分工表), so both formats give the measures the .docx would.

    LibreOffice runs headless with a profile of its own in a temporary folder (conversions never
    share, lock or change a user's profile, and may run side by side) on a copy under a plain name
    (nothing from the upload's name reaches its command line). It tells the format by the content:
    a WPS file saved in Word's format and a .doc that is really RTF or a Word 2007 file are read too.
    """
    ext = path.suffix.lower()
    command = soffice()
    if command is None:
        raise BadDocumentError(
            f"{path.name}: reading {ext} files needs LibreOffice, which is not installed: {INSTALL_LIBREOFFICE}, "
            "or save the file as .docx in Word or WPS",
            zh=f"{path.name}：读取 {ext} 文件需要 LibreOffice，但本机没有安装。请管理员安装（Debian/Ubuntu：{INSTALL_LIBREOFFICE}），"
               "或在 Word/WPS 中把文件另存为 .docx 后再上传")
    with tempfile.TemporaryDirectory(prefix="policyqa-office-") as tmp:
        folder = Path(tmp)
        source = folder / f"document{ext}"
        shutil.copyfile(path, source)
        try:
            run_soffice(command, folder, ["--convert-to", "docx", "--outdir", str(folder / "out"), str(source)])
        except subprocess.TimeoutExpired:
            raise BadDocumentError(
                f"{path.name}: LibreOffice did not finish reading it within {SOFFICE_TIMEOUT} s: save it as .docx and upload that",
                zh=f"{path.name}：LibreOffice 在 {SOFFICE_TIMEOUT} 秒内没有读完该文件，请在 Word/WPS 中另存为 .docx 后上传") from None
        converted = folder / "out" / "document.docx"
        if not converted.exists() or converted.stat().st_size == 0:
            raise BadDocumentError(
                f"{path.name}: LibreOffice could not read this {ext} file (damaged, encrypted or another format): "
                "open it in Word or WPS and save it as .docx",
                zh=f"{path.name}：LibreOffice 无法读取该 {ext} 文件（可能已损坏、加密或并非 Word/WPS 文档），"
                   "请用 Word/WPS 打开后另存为 .docx 再上传")
        return read_docx(converted)


def _table_rows(tbl, paragraph) -> list[list[str]]:
    """A w:tbl as rows of cell texts aligned to the table grid: a horizontally merged cell fills
    the columns it spans, a vertically merged cell repeats the text above it (a unit spanning
    several task rows belongs to each)."""
    rows: list[list[str]] = []
    above: dict[int, str] = {}
    for tr in tbl.iter(f"{_W}tr"):
        if tr.getparent() is not None and tr.getparent() is not tbl:
            continue  # rows of a nested table are read as part of their cell
        cells, col = [], 0
        for tc in tr.iterchildren(f"{_W}tc"):
            tcpr = tc.find(f"{_W}tcPr")
            span = int(_val(tcpr, "gridSpan", "1")) if tcpr is not None else 1
            vmerge = tcpr.find(f"{_W}vMerge") if tcpr is not None else None
            text = "\n".join(t for t in (paragraph(p).strip() for p in tc.iterchildren(f"{_W}p")) if t)
            if vmerge is not None and vmerge.get(f"{_W}val", "continue") == "continue":
                text = above.get(col, "")
            above[col] = text
            cells.extend([text] * span)  # aligned to the grid: a header spanning two columns names both
            col += span
        rows.append(cells)
    return rows


# --- 任务分工表 ---------------------------------------------------------------------------

# Column headers of a task-assignment table, recognised by their words, not their position.
_H_NUMBER = re.compile(r"^(序号|编号|序|No\.?)$", re.IGNORECASE)
# Header words of a task list's (任务分工表) columns: one vocabulary for a Word table read here and
# for a table printed one cell a line (structure.text_duty_table).
DUTY_HEADER_WORDS = {"lead": "牵头|主责", "co": "配合|协办|参与|协同", "listed": "责任|负责|承办|主办",
                     "task": "任务|措施|项目|内容|事项"}
_H_TASK = re.compile(DUTY_HEADER_WORDS["task"])
_H_LEAD = re.compile(DUTY_HEADER_WORDS["lead"])
_H_CO = re.compile(DUTY_HEADER_WORDS["co"])
_H_RESP = re.compile(DUTY_HEADER_WORDS["listed"])
# A stated lead rule ("列第一位者为牵头单位", "排在第一位的部门为牵头部门", "第一个为牵头单位").
LEAD_RULE = re.compile(r"(第一位|首位|第一个|排名第一|排第一)[^。；;\n]{0,8}牵头")
_UNIT_SPLIT = re.compile(r"[、，,；;\n]+")
_LEAD_MARK = re.compile(r"[（(]\s*牵头\s*[)）]")
_EMPTY_CELL = {"", "—", "-", "/", "／", "无", "——"}


def _columns(header: list[str]) -> dict[str, int]:
    cols: dict[str, int] = {}
    for i, h in enumerate(header):
        h = re.sub(r"\s+", "", h)
        if not h or len(h) > 12 or re.search(r"[、，,；;。]", h):
            continue  # a header names its column in a few words; a list of units is data
        if _H_NUMBER.match(h):
            cols.setdefault("number", i)
        elif _H_LEAD.search(h):
            cols.setdefault("lead", i)
        elif _H_CO.search(h):
            cols.setdefault("co", i)
        elif _H_RESP.search(h):
            cols.setdefault("resp", i)
        elif _H_TASK.search(h):
            cols.setdefault("task", i)
    return cols


def split_units(cell: str) -> tuple[str, ...]:
    """Unit names of a cell as printed, split on 、，,；; and line breaks."""
    return tuple(u.strip(" \t　。.") for u in _UNIT_SPLIT.split(cell) if u.strip(" \t　。.") not in _EMPTY_CELL)


_ITEM_LABEL = re.compile(rf"^\s*(?:[(（]([{_CN_NUM}\d]+)[)）]|第([{_CN_NUM}\d]+)[条项]|(\d{{1,3}})[.、．](?!\d)|([{_CN_NUM}]+)、)")


def _row_number(cell: str | None, task: str) -> int | None:
    if cell:
        n = to_int(re.sub(r"[第条项()（）.、．\s]", "", _folded(cell)))
        if n is not None:
            return n
    m = _ITEM_LABEL.match(task)
    if m:
        return to_int(next(g for g in m.groups() if g))
    return None


def duty_rows(rows: list[list[str]], context: str = "") -> tuple[DutyRow, ...]:
    """The rows of a 任务分工表 (pure): empty when the table is not one.

    The header row (one of the first three, or two rows together when 责任单位 spans 牵头单位 and
    配合单位) must name a task column and a unit column. A 责任单位 column without a lead column
    gives `listed` units, unless the table's note states a lead rule ("列第一位者为牵头单位") or a
    unit is marked （牵头）. Rows repeating the header, group rows (one text across the row) and
    rows without a task are skipped.
    """
    for h in range(min(3, len(rows))):
        cols = _columns(rows[h])
        first_data = h + 1
        if h + 1 < len(rows) and ("resp" in cols or "task" in cols):
            below = _columns(rows[h + 1])
            if "lead" in below or "co" in below:
                merged = [f"{a}{b}" if a != b else a for a, b in zip(rows[h], rows[h + 1] + [""] * len(rows[h]))]
                cols = _columns(merged)
                first_data = h + 2
        if "task" in cols and ({"lead", "resp", "co"} & set(cols)):
            break
    else:
        return ()
    rule = bool(LEAD_RULE.search(context))
    header_keys = {re.sub(r"\s+", "", x) for x in rows[h]}
    out = []
    for row in rows[first_data:]:
        cells = row + [""] * (max(cols.values()) + 1 - len(row))
        if {re.sub(r"\s+", "", x) for x in row} <= header_keys | {""}:
            continue  # the header repeated on a new page
        if len({c.strip() for c in row if c.strip()}) <= 1:
            continue  # a group heading spanning the row
        task = cells[cols["task"]].strip()
        if not task:
            continue
        number = _row_number(cells[cols["number"]] if "number" in cols else None, task)
        lead = split_units(cells[cols["lead"]]) if "lead" in cols else ()
        co = split_units(cells[cols["co"]]) if "co" in cols else ()
        listed: tuple[str, ...] = ()
        if "resp" in cols:
            resp = cells[cols["resp"]]
            marked = [u for u in split_units(resp) if _LEAD_MARK.search(u)]
            units = tuple(_LEAD_MARK.sub("", u).strip() for u in split_units(resp))
            if lead or co:
                co = co + tuple(u for u in units if u not in lead + co)
            elif marked:
                lead = tuple(_LEAD_MARK.sub("", u).strip() for u in marked)
                co = tuple(u for u in units if u not in lead)
            elif rule and units:
                lead, co = units[:1], units[1:]
            else:
                listed = units
        out.append(DutyRow(number=number, task=task, lead=lead, co=co, listed=listed))
    return tuple(out)
