"""Load policy documents from a corpus folder and clean them.

Reads .txt/.md/.html/.docx/.pdf, drops web-page boilerplate and the second copy of a page
that holds the document twice, removes the spaces PDF extraction leaves inside Chinese
text, and reads the document metadata (title, 文号, 发布机构, dates, 有效性, 索引号).
Hands on `Document` records; the cleaning functions are pure and take text.
"""
from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from .errors import BadDocumentError
from .records import Document

SUPPORTED = (".txt", ".md", ".html", ".htm", ".docx", ".pdf")

# Full-width ASCII (（），：０-９ …) and the ideographic space fold one-to-one onto ASCII, so
# offsets found on the folded text are valid on the original, which keeps its punctuation for quoting.
_FOLD = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FOLD[0x3000] = 0x20


def fold(text: str) -> str:
    """Full-width to half-width punctuation and digits, character for character (same length)."""
    return text.translate(_FOLD)


CJK = r"\u3400-\u9fff\uf900-\ufaff"
CJK_PUNCT = r"\u3000-\u303f\uff00-\uffef“”‘’"
_SPACE_NEAR_CJK = re.compile(rf"(?<=[{CJK}{CJK_PUNCT}])[ \t\u00a0]+(?=[{CJK}{CJK_PUNCT}\d])|(?<=[\d])[ \t\u00a0]+(?=[{CJK}{CJK_PUNCT}])")
_SPACED_DIGITS = re.compile(rf"(?<=[{CJK}])(\d(?:[ \t]\d)+)(?=[{CJK}])")


def remove_cjk_spaces(line: str) -> str:
    """Spaces that PDF extraction leaves inside Chinese text: `第 1 0 条` → 第10条, `战略新 兴` → 战略新兴."""
    line = _SPACE_NEAR_CJK.sub("", line)
    return _SPACED_DIGITS.sub(lambda m: re.sub(r"[ \t]", "", m.group(1)), line)


# Page chrome of Chinese government web pages: a line that matches is not part of the document.
BOILERPLATE = [re.compile(p) for p in (
    r"^当前位置",
    r"^扫一扫",
    r"^(图片|文字|视频|动漫|访谈|政策|图文|专家|媒体)解读[:：]?$",
    r"^(新闻发布会|部门发文|市州发文|相关文件|地方发文|相关链接|相关阅读)[:：]?$",
    r"^(主办单位|承办单位|运行维护单位|网站标识码|技术支持)[:：]",
    r"^(微信|微博|客户端|头条号|手机版|电脑版|手机版 ?电脑版|分享到|打印本页|关闭窗口|返回顶部|网站地图|联系我们|Baidu|map)$",
    r"ICP备|公网安备",
    r"^【?字体[:：]",
    r"^来源[:：]",
    r"^\d{4}年\d{2}月\d{2}日 ?\d{2}时\d{2}分$",
    r"^(浏览次数|访问量|阅读次数)[:：]",
)]

# `key: value` lines of the metadata table that government pages print above the text.
META_KEYS = {
    "索引号": "index_number",
    "发布机构": "publisher",
    "发文机关": "publisher",
    "成文日期": "written_date",
    "发布日期": "published_date",
    "文号": "doc_number",
    "发文字号": "doc_number",
    "有效性": "validity",
    "标题": "title",
    "名称": "title",
}
META_IGNORED = ("公文种类", "主题分类", "废止日期", "主题词", "体裁分类", "组配分类")
_META_LINE = re.compile(r"^([\u4e00-\u9fff\s]{2,14}?)\s*[:：]\s*(.*)$")
DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,10}[〔\[［(（]\s*\d{4}\s*[〕\]］)）]\s*\d+\s*号")
_DATE_CN = re.compile(r"^(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日$")
_BULLET = re.compile(r"^[•·▪●◆■\-–]\s*")


@dataclass(frozen=True)
class CleanText:
    """The result of cleaning: body text (one paragraph a line) and the metadata found."""

    text: str
    metadata: dict = field(default_factory=dict)
    meta_lines: dict = field(default_factory=dict)  # field → the metadata line as printed


def _key(line: str) -> str:
    return re.sub(r"\s+", "", _BULLET.sub("", line.strip()))


def drop_repeated_copy(lines: list[str], min_chars: int = 200) -> list[str]:
    """Remove a second copy of a run of lines (web pages often print the document twice).

    Lines are compared without white space and list bullets; the longest repeated run is
    removed while it covers at least `min_chars` characters.
    """
    lines = list(lines)
    while True:
        keys = [_key(x) for x in lines]
        first: dict[str, list[int]] = {}
        best = (0, 0, 0)  # chars, start of the copy, length
        for j, k in enumerate(keys):
            if not k:
                continue
            for i in first.get(k, ()):
                n = 0
                while j + n < len(keys) and i + n < j and keys[i + n] == keys[j + n]:
                    n += 1
                chars = sum(len(keys[j + m]) for m in range(n))
                if chars > best[0]:
                    best = (chars, j, n)
            first.setdefault(k, []).append(j)
        if best[0] < min_chars:
            return lines
        _, j, n = best
        del lines[j:j + n]


def _iso_date(value: str) -> str:
    m = _DATE_CN.match(value.strip())
    if m:
        y, mo, d = m.groups()
        return f"{y}-{int(mo):02d}-{int(d):02d}"
    return value.strip()


def clean_text(raw: str) -> CleanText:
    """Clean page or document text: metadata table, boilerplate, repeated copy, PDF spacing."""
    raw = unicodedata.normalize("NFC", raw.replace("\r\n", "\n").replace("\r", "\n"))
    meta: dict = {}
    meta_lines: dict = {}
    kept: list[str] = []
    for line in raw.split("\n"):
        line = remove_cjk_spaces(line.strip())
        if not line:
            continue
        bare = _BULLET.sub("", line).strip()
        if any(p.search(bare) for p in BOILERPLATE):
            continue
        m = _META_LINE.match(bare)
        if m:
            key = re.sub(r"\s+", "", m.group(1))
            if key in META_KEYS:
                value = m.group(2).strip()
                if value and META_KEYS[key] not in meta:
                    meta[META_KEYS[key]] = value
                    meta_lines[META_KEYS[key]] = bare
                continue
            if key in META_IGNORED:
                continue
        kept.append(line)
    kept = drop_repeated_copy(kept)
    kept = _drop_trailing_chrome(kept)
    return CleanText("\n".join(_BULLET.sub("", x) for x in kept), meta, meta_lines)


def _drop_trailing_chrome(lines: list[str]) -> list[str]:
    """Bullet lines after the signature date are page links, not document text."""
    last_date = max((i for i, x in enumerate(lines) if _DATE_CN.match(x)), default=None)
    if last_date is None:
        return lines
    tail = [x for x in lines[last_date + 1:] if not _BULLET.match(x)]
    return lines[:last_date + 1] + tail


def read_metadata(text: str, found: dict) -> dict:
    """Fill title, 文号, 发布机构 and 成文日期 from the text where the page table did not give them."""
    meta = dict(found)
    lines = text.split("\n")
    folded = [fold(x) for x in lines]
    if "doc_number" not in meta:
        for x in lines[:12]:
            m = DOC_NUMBER.search(x)
            if m:
                meta["doc_number"] = re.sub(r"\s+", "", m.group(0))
                break
    if "title" not in meta:
        title = []
        for x, f in zip(lines[:6], folded[:6]):
            if DOC_NUMBER.fullmatch(x.strip()) or f.rstrip().endswith(":") or len(x) > 60 or _starts_numbered(f):
                break
            title.append(x.strip())
            if re.search(r"(意见|通知|办法|规定|决定|方案|细则|措施|条例|规划|纲要|政策|若干意见)$", x.strip()):
                break
        if title:
            meta["title"] = "".join(title[:3])
    # The addressees: the salutation line before the body (各市(州)人民政府,省政府各部门…:).
    for f, x in zip(folded[:10], lines[:10]):
        if f.rstrip().endswith(":") and len(f) <= 80 and ("各" in f or "有关" in f):
            meta.setdefault("addressee", x.strip().rstrip(":："))
            break
    # The signature at the end: an issuing body on the line before the date.
    for i in range(len(lines) - 1, max(len(lines) - 4, 0) - 1, -1):
        if _DATE_CN.match(lines[i].strip()):
            meta.setdefault("written_date", _iso_date(lines[i]))
            meta["signature_date"] = lines[i].strip()  # as printed, e.g. 2021年12月31日
            if i > 0 and len(lines[i - 1]) <= 30 and not re.search(r"[。，,;；]", lines[i - 1]):
                meta.setdefault("publisher", lines[i - 1].strip())
            break
    for k in ("written_date", "published_date"):
        if k in meta:
            meta[k] = _iso_date(meta[k])
    return meta


def _starts_numbered(folded_line: str) -> bool:
    return bool(re.match(r"^([一二三四五六七八九十]+、|\([一二三四五六七八九十]+\)|第[一二三四五六七八九十百\d]+[条章])", folded_line))


def doc_id_for(name: str) -> str:
    """A stable id from the file name: ASCII stems stay readable, others get a short hash."""
    stem = Path(name).stem
    slug = re.sub(r"[^A-Za-z0-9_-]+", "-", stem).strip("-").lower()
    if slug and slug.isascii() and len(slug) >= 3:
        return slug[:60]
    return "doc-" + hashlib.sha1(stem.encode("utf-8")).hexdigest()[:10]


# --- reading files -----------------------------------------------------------------------


def decode(data: bytes, name: str) -> str:
    """UTF-8 (with or without BOM), UTF-16 with BOM, then GB18030; refuse binary data."""
    if not data.strip():
        raise BadDocumentError(f"{name}: the file is empty: add the policy text or remove the file")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    if b"\x00" in data[:4096]:
        raise BadDocumentError(f"{name}: binary data in a text file: save it as UTF-8 text, or use .docx/.pdf")
    for enc in ("utf-8-sig", "gb18030"):
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        # GB18030 decodes nearly any bytes; many control characters mean it was not text.
        controls = sum(1 for ch in text if unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\f")
        if controls > max(3, len(text) // 100):
            break
        return text
    raise BadDocumentError(f"{name}: not readable as UTF-8 or GB18030 text: save it as UTF-8")


def extract_text(path: Path) -> str:
    """The plain text of a file, by its extension."""
    ext = path.suffix.lower()
    if ext not in SUPPORTED:
        raise BadDocumentError(f"{path.name}: unsupported file type {ext or '(none)'}: use one of {', '.join(SUPPORTED)}")
    data = path.read_bytes()
    if ext in (".txt", ".md"):
        return decode(data, path.name)
    if not data.strip():
        raise BadDocumentError(f"{path.name}: the file is empty: add the policy text or remove the file")
    try:
        if ext in (".html", ".htm"):
            return _html_text(decode(data, path.name))
        if ext == ".docx":
            return _docx_text(path)
        return _pdf_text(path)
    except BadDocumentError:
        raise
    except Exception as e:  # the parsers raise many types for damaged files
        raise BadDocumentError(f"{path.name}: cannot read this {ext} file ({type(e).__name__}: {e}): re-save it or convert it to .txt") from e


def _html_text(html: str) -> str:
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(html, "html.parser")
    for tag in soup(["script", "style", "noscript", "nav", "header", "footer"]):
        tag.decompose()
    return soup.get_text("\n")


def _docx_text(path: Path) -> str:
    import docx

    d = docx.Document(str(path))
    parts = [p.text for p in d.paragraphs]
    for table in d.tables:
        for row in table.rows:
            parts.append(" ".join(c.text for c in row.cells))
    return "\n".join(parts)


def _pdf_text(path: Path) -> str:
    from pypdf import PdfReader

    reader = PdfReader(str(path))
    return "\n".join((page.extract_text() or "") for page in reader.pages)


def load_document(path: Path) -> Document:
    """Read and clean one file; raises BadDocumentError with a message naming the file."""
    data = path.read_bytes()
    raw = extract_text(path)
    cleaned = clean_text(raw)
    if len(re.findall(rf"[{CJK}A-Za-z]", cleaned.text)) < 10:
        raise BadDocumentError(f"{path.name}: no text found in the file: check it holds the policy text (a scanned PDF needs OCR first)")
    meta = read_metadata(cleaned.text, cleaned.metadata)
    return Document(
        doc_id=doc_id_for(path.name),
        path=path.name,
        sha256=hashlib.sha256(data).hexdigest(),
        title=meta.get("title") or path.stem,
        text=cleaned.text,
        doc_number=meta.get("doc_number"),
        publisher=meta.get("publisher"),
        written_date=meta.get("written_date"),
        published_date=meta.get("published_date"),
        validity=meta.get("validity"),
        index_number=meta.get("index_number"),
        meta_lines=cleaned.meta_lines | {k: meta[k] for k in ("signature_date", "addressee") if k in meta},
    )


def corpus_files(corpus_dir: Path) -> list[Path]:
    """Every regular file in the corpus folder (not hidden), sorted by name."""
    if not corpus_dir.is_dir():
        raise BadDocumentError(f"corpus folder {corpus_dir} does not exist: create it and put policy files in it")
    # scandir knows each entry's type without a stat; names sort as the paths did.
    with os.scandir(corpus_dir) as entries:
        names = sorted(e.name for e in entries if e.is_file() and not e.name.startswith("."))
    return [corpus_dir / n for n in names]


def load_corpus(corpus_dir: Path) -> tuple[list[Document], list[str]]:
    """All readable documents of a folder and one message per file that could not be used."""
    docs, problems = [], []
    seen: dict[str, str] = {}
    for path in corpus_files(corpus_dir):
        try:
            doc = load_document(path)
        except BadDocumentError as e:
            problems.append(str(e))
            continue
        except OSError as e:
            problems.append(f"{path.name}: cannot read the file ({e.strerror}): check its permissions")
            continue
        if doc.doc_id in seen:
            problems.append(f"{path.name}: same document id as {seen[doc.doc_id]}: rename one of the files")
            continue
        seen[doc.doc_id] = path.name
        docs.append(doc)
    return docs, problems
