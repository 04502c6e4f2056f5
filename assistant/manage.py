"""Corpus management: add and remove documents.

Adding a document checks it completely before it is copied into the corpus folder: its name
(no folders, no traversal, no hidden or reserved device names), its type and size, that its bytes
are what its extension says (a PDF starts with %PDF-, a Word file is a zip holding
word/document.xml whose unpacked size is bounded: a zip bomb is refused before python-docx opens
it), that it is not a copy of a document already in the corpus, and that it parses into numbered
measures. Only then is it copied in and the index updated incrementally. Every check and the
update run under the index's writer lock (threads and processes), and a rejected file leaves
the corpus folder and the index exactly as they were. Messages are English with a Chinese `zh`.
"""
from __future__ import annotations

import functools
import os
import re
import shutil
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .embed import Embedder
from .errors import BadDocumentError
from .index import IndexReport, _sha256, build_index, writer_lock
from .extract import LEGACY_WORD_EXTS
from .load import SUPPORTED, corpus_files, doc_id_for, load_document

# Windows device names: a file called CON.txt or nul.pdf cannot be opened on Windows and breaks
# copies of the corpus made there.
RESERVED = frozenset({"CON", "PRN", "AUX", "NUL", "CLOCK$", *(f"COM{i}" for i in range(1, 10)), *(f"LPT{i}" for i in range(1, 10))})
# A .docx is zipped XML; real policy documents unpack to a few MB. Above this (or at a ratio no
# Word file has) it is a zip bomb, and python-docx would try to hold it all in memory.
DOCX_MAX_UNPACKED_MB = 100
DOCX_MAX_RATIO = 200
DOCX_MAX_ENTRIES = 2000


def safe_name(name: str) -> str:
    """A file name without folders, traversal or odd characters; the extension kept lower-case."""
    base = Path(str(name).replace("\\", "/")).name
    stem, ext = Path(base).stem, Path(base).suffix.lower()
    stem = re.sub(r"[^\w\u4e00-\u9fff.-]+", "_", stem).strip("._") or "document"
    return f"{stem[:80]}{ext}"


@dataclass(frozen=True)
class Added:
    doc_id: str
    title: str
    measures: int
    report: IndexReport


def _reject(name: str, en: str, zh: str) -> BadDocumentError:
    return BadDocumentError(f"{name}: {en}", zh=f"{name}：{zh}")


def check_name(original_name: str) -> str:
    """The corpus file name for an upload, or BadDocumentError for a name that must not be used."""
    raw = str(original_name or "")
    shown = raw[:100] or "（空文件名）"
    if not raw.strip():
        raise _reject(shown, "the file has no name: upload it with its file name, e.g. policy.docx",
                      "文件没有名称：请以原文件名上传，例如 policy.docx")
    if any(ord(ch) < 32 for ch in raw):
        raise _reject(shown, "the file name contains control characters: rename the file",
                      "文件名含有控制字符：请重命名后上传")
    parts = raw.replace("\\", "/").split("/")
    if ".." in parts or raw.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", raw):
        raise _reject(shown, "the file name points outside the corpus folder (a path with .. or a drive): "
                      "upload the file under its plain name", "文件名包含路径（如 .. 或盘符），不能上传到文件库之外：请只用文件本身的名称")
    base = parts[-1]
    if base.startswith("."):
        raise _reject(shown, "hidden file names (starting with a dot) are not indexed: rename the file",
                      "以“.”开头的隐藏文件不会被收录：请重命名后上传")
    if base.split(".")[0].strip().upper() in RESERVED:
        raise _reject(shown, f"{base.split('.')[0]} is a reserved device name on Windows: rename the file",
                      f"{base.split('.')[0]} 是 Windows 保留的设备名：请重命名后上传")
    return safe_name(base)


def _check_bytes(name: str, upload: Path, settings: Settings) -> None:
    """Type, size and content checks that need no parsing."""
    ext = Path(name).suffix
    if ext not in SUPPORTED:
        raise _reject(name, f"unsupported file type {ext or '(none)'}: upload one of {', '.join(SUPPORTED)}",
                      f"不支持的文件类型 {ext or '（无扩展名）'}，请上传 {'、'.join(SUPPORTED)} 文件")
    size = upload.stat().st_size
    if size > settings.max_upload_mb * 2**20:
        raise _reject(name, f"the file is too large ({size / 2**20:.1f} MB; the limit is {settings.max_upload_mb} MB, "
                      "POLICYQA_MAX_UPLOAD_MB)", f"文件过大（{size / 2**20:.1f} MB），上限为 {settings.max_upload_mb} MB")
    if size == 0:
        raise _reject(name, "the file is empty: upload the policy text", "文件为空：请上传包含政策原文的文件")
    with open(upload, "rb") as f:
        head = f.read(1024)
    if ext == ".pdf" and b"%PDF-" not in head:
        raise _reject(name, "this is not a PDF (it does not start with %PDF-): upload the real PDF or save it as .txt",
                      "文件扩展名是 .pdf，但内容不是 PDF：请上传真正的 PDF，或另存为 .txt")
    if ext == ".docx" or (ext in LEGACY_WORD_EXTS and head.startswith(b"PK\x03\x04")):
        _check_docx(name, upload)  # a .doc that is really a Word 2007 file: the same bounds before LibreOffice opens it
    elif ext in (".txt", ".md", ".html", ".htm") and b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise _reject(name, f"binary data in a {ext} file: save the text as UTF-8, or upload the .docx/.pdf itself",
                      f"文件扩展名是 {ext}，但内容是二进制数据：请另存为 UTF-8 文本，或直接上传 .docx/.pdf")
    elif ext in (".txt", ".md", ".html", ".htm") and head.startswith((b"PK\x03\x04", b"%PDF-", b"\xd0\xcf\x11\xe0", b"\x7fELF", b"MZ")):
        raise _reject(name, f"this is a binary file (a zip, PDF, Office or program file) named {ext}: "
                      "upload it with its real extension or save the text as UTF-8",
                      f"文件扩展名是 {ext}，但内容是二进制文件（压缩包、PDF、Office 或程序）：请用正确的扩展名上传，或另存为 UTF-8 文本")


def _check_docx(name: str, upload: Path) -> None:
    try:
        with zipfile.ZipFile(upload) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError) as e:
        raise _reject(name, f"this is not a Word .docx file ({e}): open it in Word and save it as .docx again",
                      "文件不是有效的 Word（.docx）文件：请用 Word 打开后重新另存为 .docx") from e
    unpacked = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos) or 1
    if len(infos) > DOCX_MAX_ENTRIES or unpacked > DOCX_MAX_UNPACKED_MB * 2**20 or unpacked / packed > DOCX_MAX_RATIO:
        raise _reject(name, f"the .docx unpacks to {unpacked / 2**20:.0f} MB in {len(infos)} parts (ratio "
                      f"{unpacked / packed:.0f}:1): this is not a normal Word document (a zip bomb?); it was not opened",
                      f"该 .docx 解压后达 {unpacked / 2**20:.0f} MB（压缩比 {unpacked / packed:.0f}:1），不是正常的 Word 文件，已拒绝打开")
    if "word/document.xml" not in {i.filename for i in infos}:
        raise _reject(name, "this zip file is not a Word document (no word/document.xml): save the text as .docx or .txt",
                      "该文件是压缩包而不是 Word 文档：请另存为 .docx 或 .txt 后上传")


@functools.lru_cache(maxsize=100_000)
def _doc_id(name: str) -> str:
    return doc_id_for(name)  # a pure function of the name, asked for every corpus file on every upload


def add_document(settings: Settings, upload: Path, original_name: str, progress: bool = False,
                 embedder: Embedder | None = None) -> Added:
    """Validate an uploaded file, copy it into the corpus and index it; raises BadDocumentError."""
    from .corpus import parse_documents
    from .structure import has_numbering

    name = check_name(original_name)
    _check_bytes(name, upload, settings)
    target = settings.corpus_dir / name
    with writer_lock(settings.index_dir):
        if target.exists():
            raise _reject(name, "a file of that name is already in the corpus: remove the old one first or rename this one",
                          "已有同名文件，请先删除旧文件或改名后上传")
        digest, size, doc_id = _sha256(upload), upload.stat().st_size, doc_id_for(name)
        for p in corpus_files(settings.corpus_dir):
            if os.stat(p).st_size == size and _sha256(p) == digest:  # same bytes means same size: only those are hashed
                raise _reject(name, f"the same document is already in the corpus as {p.name}",
                              f"与已有文件 {p.name} 内容完全相同，无需重复上传")
            if _doc_id(p.name) == doc_id:
                raise _reject(name, f"{p.name} already has the document id {doc_id}: rename this one",
                              f"与已有文件 {p.name} 的文档编号 {doc_id} 相同，请改名后上传")
        # Check the file under its final name (the doc_id comes from it) before it enters the corpus.
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / name
            shutil.copyfile(upload, probe)
            try:
                doc = load_document(probe)
            except BadDocumentError as e:
                raise BadDocumentError(str(e), zh=f"{name}：无法读取文件内容（{e.zh}）") from e
        _, records, _ = parse_documents([doc], settings.chunk_tokens)
        if not has_numbering(records):
            raise _reject(name, "no numbered measures found (一、 / （一） / 第X条 / 1.): check that it is a policy document",
                          "没有识别到编号条款（一、/（一）/第X条/1.），请确认这是一份政策文件")
        shutil.copyfile(upload, target)
        try:
            report = build_index(settings, embedder=embedder, progress=progress)
        except BaseException:
            target.unlink(missing_ok=True)  # the index was not switched: keep corpus and index in step
            raise
    measures = len({r.measure_key for r in records if r.kind == "measure"})
    return Added(doc.doc_id, doc.title, measures, report)


def remove_document(settings: Settings, doc_id: str, embedder: Embedder | None = None) -> IndexReport:
    """Remove a document's file from the corpus and from the index."""
    with writer_lock(settings.index_dir):
        files = [p for p in corpus_files(settings.corpus_dir) if _doc_id(p.name) == doc_id]
        if not files:
            raise BadDocumentError(f"no document with id {doc_id!r} in {settings.corpus_dir}: pick one from the list",
                                   zh=f"没有编号为 {doc_id} 的文件")
        held = Path(tempfile.mkdtemp(prefix="policyqa-removed-")) / files[0].name
        shutil.move(files[0], held)
        try:
            report = build_index(settings, embedder=embedder, progress=False)
        except BaseException:
            shutil.move(held, settings.corpus_dir / held.name)  # put it back: the old index still has it
            raise
        shutil.rmtree(held.parent, ignore_errors=True)
        return report
