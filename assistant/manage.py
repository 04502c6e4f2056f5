"""Corpus management: add and remove documents.

Adding a document checks it completely (type, size, name, readable text, numbering) before it
is copied into the corpus folder, then updates the index incrementally; a bad file leaves both
the corpus and the index as they were.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import BadDocumentError
from .index import IndexReport, build_index
from .load import SUPPORTED, doc_id_for, load_document
from .structure import has_numbering, parse_document

# One writer at a time: two uploads must not build two generations from the same corpus.
_WRITE_LOCK = threading.Lock()


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


def add_document(settings: Settings, upload: Path, original_name: str, progress: bool = False) -> Added:
    """Validate an uploaded file, copy it into the corpus and index it; raises BadDocumentError."""
    name = safe_name(original_name)
    ext = Path(name).suffix
    if ext not in SUPPORTED:
        raise BadDocumentError(f"{name}: 不支持的文件类型 {ext or '（无扩展名）'}，请上传 {'、'.join(SUPPORTED)} 文件")
    size = upload.stat().st_size
    if size > settings.max_upload_mb * 2**20:
        raise BadDocumentError(f"{name}: 文件过大（{size / 2**20:.1f} MB），上限为 {settings.max_upload_mb} MB")
    target = settings.corpus_dir / name
    with _WRITE_LOCK:
        if target.exists():
            raise BadDocumentError(f"{name}: 已有同名文件，请先删除旧文件或改名后上传")
        # Check the file under its final name (the doc_id comes from it) before it enters the corpus.
        with tempfile.TemporaryDirectory() as tmp:
            probe = Path(tmp) / name
            shutil.copyfile(upload, probe)
            doc = load_document(probe)
        if any(d == doc.doc_id for d in (doc_id_for(p.name) for p in settings.corpus_dir.iterdir())):
            raise BadDocumentError(f"{name}: 与已有文件的文档编号 {doc.doc_id} 相同，请改名后上传")
        records = parse_document(doc, settings.chunk_tokens)
        if not has_numbering(records):
            raise BadDocumentError(f"{name}: 没有识别到编号条款（一、/（一）/第X条/1.），请确认这是一份政策文件")
        shutil.copyfile(upload, target)
        try:
            report = build_index(settings, progress=progress)
        except BaseException:
            target.unlink(missing_ok=True)  # the index was not switched: keep corpus and index in step
            raise
    measures = len({r.measure for r in records if r.kind == "measure"})
    return Added(doc.doc_id, doc.title, measures, report)


def remove_document(settings: Settings, doc_id: str) -> IndexReport:
    """Remove a document's file from the corpus and from the index."""
    with _WRITE_LOCK:
        files = [p for p in settings.corpus_dir.iterdir() if p.is_file() and doc_id_for(p.name) == doc_id]
        if not files:
            raise BadDocumentError(f"没有编号为 {doc_id} 的文件")
        held = Path(tempfile.mkdtemp()) / files[0].name
        shutil.move(files[0], held)
        try:
            report = build_index(settings, progress=False)
        except BaseException:
            shutil.move(held, settings.corpus_dir / held.name)  # put it back: the old index still has it
            raise
        shutil.rmtree(held.parent, ignore_errors=True)
        return report
