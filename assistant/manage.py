"""Corpus management: add and remove documents, so that the corpus and the index stay in step.

Adding a document runs in three steps.
1. Checks that need no parsing (`check_upload`): its name (no folders, no traversal, no hidden or
   reserved device names, judged on the name as it will be stored), its type and size, that its
   bytes are what its extension says (a PDF starts with %PDF-, a Word file is a zip holding
   word/document.xml whose unpacked size is bounded: a zip bomb is refused before python-docx
   opens it), a PDF's pages and an image's pixels against the settings' limits, and that it is not
   a copy of a document already in the corpus.
2. Reading and parsing (`prepare`), with OCR bounded by the settings, and embedding its passages:
   outside the index's write lock, so questions and the other writers go on meanwhile. The app runs
   this step in a child process (assistant/jobs.py).
3. The commit (`commit`), under the write lock: the file waits in a staging folder
   (index/staging/<id>/), the index is switched to include it (`build_index(staged=...)`, which
   reuses the parsed entry), and only then is the file moved into the corpus folder.

A removal stages the corpus file the same way before the switch that drops it. Either way the rule
that settles a staged file, at the end of its commit or after a crash (`recover_staging`, run when
the app starts and before every change), is one: it belongs in the corpus exactly when the live
manifest names it with these bytes. So a killed upload is either published (its switch happened)
or discarded, a killed removal either finished or undone, and nothing is half there. A rejected
file leaves the corpus folder and the index exactly as they were. Messages are English with a
Chinese `zh`.
"""
from __future__ import annotations

import functools
import logging
import os
import re
import shutil
import time
import uuid
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable


from .config import Settings
from .embed import Embedder, embed_texts, make_embedder
from .errors import BadDocumentError, IndexCorruptError, TooCostlyError
from .extract import LEGACY_WORD_EXTS, Limits, PageCallback, check_limits
from .index import (DocEntry, IndexReport, _sha256, _write_entry, build_index, complete_sentences, doc_key, entry_for,
                    parser_fingerprint, passage_text, read_manifest, writer_lock)
from .load import SUPPORTED, corpus_files, doc_id_for, load_document

log = logging.getLogger("policyqa.manage")
STAGING = "staging"  # index/staging/: files on their way into or out of the corpus

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


def _reject(name: str, en: str, zh: str) -> BadDocumentError:
    return BadDocumentError(f"{name}: {en}", zh=f"{name}：{zh}")


def check_name(original_name: str) -> str:
    """The corpus file name for an upload, or BadDocumentError for a name that must not be used.

    Traversal and control characters are refused as sent; hidden and reserved device names are
    judged on the cleaned name, the one that would be stored ("(CON).txt" cleans to CON.txt).
    """
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
    name = safe_name(base)
    device = name.split(".")[0].rstrip(" ").upper()  # Windows reads CON.anything and "CON " as CON
    if device in RESERVED:
        raise _reject(shown, f"{name.split('.')[0]} (from {base}) is a reserved device name on Windows: rename the file",
                      f"{name.split('.')[0]} 是 Windows 保留的设备名：请重命名后上传")
    return name


def _check_bytes(name: str, upload: Path, settings: Settings) -> None:
    """Type, size and content checks that need no parsing."""
    ext = Path(name).suffix
    if ext not in SUPPORTED:
        raise _reject(name, f"unsupported file type {ext or '(none)'}: upload one of {', '.join(SUPPORTED)}, "
                      "or save the policy text as .docx or .pdf",
                      f"不支持{ext or '没有扩展名的'}文件。可以上传 {'、'.join(SUPPORTED)} 文件；"
                      "其他格式（如 Excel、PPT）请把政策正文另存为 .docx 或 .pdf 后上传。")
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


def limits_of(settings: Settings) -> Limits:
    return Limits(max_pages=settings.max_pages, max_pixels=settings.max_image_megapixels * 1_000_000,
                  ocr_seconds=settings.ocr_seconds)


def _check_duplicates(settings: Settings, upload: Path, name: str) -> None:
    """No file of that name, of those bytes or of that document id in the corpus already."""
    if (settings.corpus_dir / name).exists():
        raise _reject(name, "a file of that name is already in the corpus: remove the old one first or rename this one",
                      "已有同名文件，请先删除旧文件或改名后上传")
    digest, size, doc_id = _sha256(upload), upload.stat().st_size, doc_id_for(name)
    if not settings.corpus_dir.is_dir():
        corpus_files(settings.corpus_dir)  # raises, with the message that names the fix
    # Names and sizes from one directory scan (no path object per file: 10,000 files in a tenth of the time).
    with os.scandir(settings.corpus_dir) as entries:
        files = sorted((e.name, e.stat().st_size) for e in entries if e.is_file() and not e.name.startswith("."))
    for other, other_size in files:
        if other_size == size and _sha256(settings.corpus_dir / other) == digest:  # same bytes means same size: only those are hashed
            raise _reject(name, f"the same document is already in the corpus as {other}",
                          f"与已有文件 {other} 内容完全相同，无需重复上传")
        if _doc_id(other) == doc_id:
            raise _reject(name, f"{other} already has the document id {doc_id}: rename this one",
                          f"与已有文件 {other} 的文档编号 {doc_id} 相同，请改名后上传")


def check_upload(settings: Settings, upload: Path, original_name: str) -> str:
    """Every check that needs no parsing (step 1); returns the name the file gets in the corpus."""
    name = check_name(original_name)
    _check_bytes(name, upload, settings)
    check_limits(upload, limits_of(settings), name)
    _check_duplicates(settings, upload, name)
    return name


# --- staging -----------------------------------------------------------------------------------


class Stage:
    """index/staging/<id>/: one file on its way into (an upload) or out of (a removal) the corpus.

    While its job runs, the job holds the file lock staging/<id>.lock (released by the kernel if the
    process dies): `recover_staging` settles only folders whose lock it can take. The lock is taken
    before the folder exists, so no folder is ever seen unlocked while its job is alive.
    """

    def __init__(self, settings: Settings, kind: str, name: str) -> None:
        self.settings, self.kind, self.name = settings, kind, name
        root = settings.index_dir / STAGING
        root.mkdir(parents=True, exist_ok=True)
        self.id = f"{time.strftime('%Y%m%d-%H%M%S')}-{uuid.uuid4().hex[:8]}"
        self._lock = _job_lock(root, self.id)
        self._lock.acquire()
        self.folder = root / self.id
        self.folder.mkdir()
        (self.folder / "kind").write_text(f"{kind}\n{name}\n", encoding="utf-8")

    @property
    def file(self) -> Path:
        return self.folder / self.name

    def close(self) -> None:
        """Remove the folder and give up the lock (the job is over, whatever became of the file)."""
        shutil.rmtree(self.folder, ignore_errors=True)
        Path(self._lock.lock_file).unlink(missing_ok=True)
        self._lock.release()


def _named(settings: Settings, name: str, path: Path) -> bool:
    """Whether the live manifest names a file `name` with the bytes of `path`."""
    try:
        manifest = read_manifest(settings.index_dir)
    except IndexCorruptError:
        return False  # the next build rebuilds from the corpus folder: the staged file is not in it
    return bool(manifest) and (manifest.get("files") or {}).get(name) == _sha256(path)


def _publish(src: Path, target: Path) -> None:
    """Move a staged file into the corpus in one rename (through a hidden temporary name there when
    the index and the corpus are on different file systems, so a half-copied file is never seen)."""
    try:
        os.replace(src, target)
    except OSError:
        part = target.with_name(f".{target.name}.{uuid.uuid4().hex[:6]}.part")  # hidden: never read as a corpus file
        try:
            shutil.copyfile(src, part)
            os.replace(part, target)
        finally:
            part.unlink(missing_ok=True)
        src.unlink()


def _settle(settings: Settings, folder: Path, kind: str, name: str) -> str:
    """Put a staged file where the live manifest says it belongs, remove the folder, and say what
    became of it (for the log): an upload is published or discarded, a removal finished or undone."""
    staged, target = folder / name, settings.corpus_dir / name
    if staged.exists() and _named(settings, name, staged) and not target.exists():
        _publish(staged, target)
    shutil.rmtree(folder, ignore_errors=True)
    there = target.exists()
    if kind == "removal":
        return f"removal of {name}: " + ("undone, the document stays in the corpus and the index" if there else "finished")
    return f"upload of {name}: " + ("published" if there else "discarded, it is in neither the corpus nor the index")


def _job_lock(root: Path, job_id: str):
    """The file lock staging/<id>.lock of one job; taken at once or not at all (timeout 0).
    thread_local=False: a job is staged in the request's thread and committed in the worker's."""
    from filelock import FileLock

    return FileLock(str(root / f"{job_id}.lock"), timeout=0, thread_local=False)


def _take(root: Path, folder: Path):
    """The lock of a staging folder's job, held, if that job is dead; None while it is alive."""
    from filelock import Timeout

    lock = _job_lock(root, folder.name)
    try:
        lock.acquire()
    except Timeout:
        return None
    return lock


def _job_alive(root: Path, folder: Path) -> bool:
    lock = _take(root, folder)
    if lock is None:
        return True
    lock.release()
    return False


def recover_staging(settings: Settings) -> list[str]:
    """Settle what killed uploads and removals left in index/staging/; one message each, logged.

    Cheap when nothing was left (no lock is taken: `ask` calls it too). Otherwise it settles under
    the write lock each folder whose job is dead; a live job's folder, in this process or another,
    is left alone.
    """
    root = settings.index_dir / STAGING
    if not root.is_dir() or all(_job_alive(root, p) for p in root.iterdir() if p.is_dir()):
        return []
    done = []
    with writer_lock(settings.index_dir):
        for folder in sorted(p for p in root.iterdir() if p.is_dir()):
            lock = _take(root, folder)
            if lock is None:
                continue  # its job is alive
            try:
                try:
                    kind, name = (folder / "kind").read_text(encoding="utf-8").split("\n")[:2]
                except (OSError, ValueError):
                    kind, name = "upload", ""
                if name:
                    done.append(_settle(settings, folder, kind, name))
                else:
                    shutil.rmtree(folder, ignore_errors=True)  # killed before it held a file
                Path(lock.lock_file).unlink(missing_ok=True)
            finally:
                lock.release()
        for stale in root.glob("*.lock"):  # a job killed between taking its lock and making its folder
            if not (root / stale.stem).exists() and time.time() - stale.stat().st_mtime > 3600:
                stale.unlink(missing_ok=True)
    for message in done:
        log.warning("after an interruption: %s", message)
    return done


# --- adding ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Added:
    doc_id: str
    title: str
    measures: int
    report: IndexReport
    key: str = ""  # the document version's folder (index.complete_sentences adds its sentence vectors)


@dataclass
class Prepared:
    """An upload read and parsed (step 2): its entry without vectors, and what the uploader is told."""

    entry: DocEntry
    title: str
    measures: int


def stage_upload(settings: Settings, upload: Path, name: str) -> Stage:
    """A staging folder holding a copy of the upload under its corpus name (the doc_id comes from it)."""
    stage = Stage(settings, "upload", name)
    try:
        shutil.copyfile(upload, stage.file)
    except BaseException:
        stage.close()
        raise
    return stage


def prepare(path: Path, chunk_tokens: int, limits: Limits, on_page: PageCallback | None = None) -> Prepared:
    """Read and parse a staged upload (the file already under its corpus name); BadDocumentError if it
    is no policy. Pure of the index: the app runs it in a child process."""
    from .structure import has_numbering

    name = path.name
    try:
        doc = load_document(path, limits=limits, on_page=on_page)
    except TooCostlyError:
        raise
    except BadDocumentError as e:
        raise BadDocumentError(str(e), zh=f"{name}：无法读取文件内容（{e.zh}）") from e
    entry = entry_for(doc, "", chunk_tokens)
    if not has_numbering(entry.records):
        raise _reject(name, "no numbered measures found (一、 / （一） / 第X条 / 1.): check that it is a policy document",
                      "没有识别到编号条款（一、/（一）/第X条/1.），请确认这是一份政策文件")
    measures = len({r.measure_key for r in entry.records if r.kind == "measure"})
    return Prepared(entry, doc.title, measures)


def embed_entry(entry: DocEntry, embedder: Embedder) -> None:
    """The entry's passage vectors, one per record: what retrieval needs to serve it. Its sentence
    vectors (as many texts again) are left to index.complete_sentences after the switch, so that an
    upload is published in half the model's time."""
    entry.vectors = embed_texts(embedder, [passage_text(r) for r in entry.records])
    entry.sentence_vectors = None


def commit(settings: Settings, stage: Stage, prepared: Prepared, embedder: Embedder,
           on_lock: Callable[[], None] | None = None) -> Added:
    """Step 3: embed, then under the write lock switch the index to include the staged file and move
    it into the corpus. The stage is settled and closed whatever happens. `on_lock` is called once
    the lock is held (the app's progress line)."""
    name, file = stage.name, stage.file
    entry = prepared.entry
    try:
        entry.key = doc_key(name, _sha256(file), parser_fingerprint(), settings.chunk_tokens, embedder.model_id)
        embed_entry(entry, embedder)  # outside the lock: the slow part after parsing
        with writer_lock(settings.index_dir):
            if on_lock:
                on_lock()
            recover_staging(settings)
            _check_duplicates(settings, file, name)  # the corpus may have changed while this one was read
            _write_entry(settings.index_dir, entry)  # the build finds it cached: nothing is parsed or embedded again
            try:
                report = build_index(settings, embedder=embedder, progress=False, staged=(file,))
            finally:
                outcome = _settle(settings, stage.folder, "upload", name)  # published exactly when the switch happened
    finally:
        stage.close()
    if not outcome.endswith("published"):  # a file of that name was put in the corpus by hand meanwhile
        raise _reject(name, f"{outcome}: a file of that name reached the corpus meanwhile",
                      "上传期间文件库中出现了同名文件，本次上传未加入：请刷新后检查")
    return Added(entry.doc_id, prepared.title, prepared.measures, report, entry.key)


def add_document(settings: Settings, upload: Path, original_name: str, progress: bool = False,
                 embedder: Embedder | None = None, sentences: bool = True) -> Added:
    """Validate an uploaded file, index it and put it in the corpus, all in this thread; raises
    BadDocumentError. With `sentences`, its sentence vectors are added before returning (otherwise
    the caller runs index.complete_sentences). (The app queues uploads instead: assistant/jobs.py.)"""
    name = check_upload(settings, upload, original_name)
    stage = stage_upload(settings, upload, name)
    try:
        prepared = prepare(stage.file, settings.chunk_tokens, limits_of(settings))
    except BaseException:
        stage.close()
        raise
    embedder = embedder or make_embedder(settings)
    added = commit(settings, stage, prepared, embedder)
    if sentences:
        complete_sentences(settings, embedder, keys=[added.key])
    return added


# --- removing ----------------------------------------------------------------------------------


def remove_document(settings: Settings, doc_id: str, embedder: Embedder | None = None) -> IndexReport:
    """Remove a document's file from the corpus and from the index."""
    with writer_lock(settings.index_dir):
        recover_staging(settings)
        files = [p for p in corpus_files(settings.corpus_dir) if _doc_id(p.name) == doc_id]
        if not files:
            raise BadDocumentError(f"no document with id {doc_id!r} in {settings.corpus_dir}: pick one from the list",
                                   zh=f"没有编号为 {doc_id} 的文件")
        stage = Stage(settings, "removal", files[0].name)
        try:
            shutil.move(files[0], stage.file)  # out of the corpus, still named by the live manifest
            try:
                report = build_index(settings, embedder=embedder, progress=False)
            finally:
                _settle(settings, stage.folder, "removal", stage.name)  # back into the corpus unless the switch happened
        finally:
            stage.close()
        return report
