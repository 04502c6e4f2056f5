"""Corpus management for the app: list, add and remove documents; the responsibility table.

Adding a document checks it completely (type, size, name, readable text, numbering) before it
is copied into the corpus folder, then updates the index incrementally; a bad file leaves both
the corpus and the index as they were.
"""
from __future__ import annotations

import re
import shutil
import tempfile
import threading
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from .config import Settings
from .errors import BadDocumentError
from .index import IndexReport, PolicyIndex, build_index
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


def documents_table(index: PolicyIndex) -> list[dict]:
    """One row per indexed document with its metadata and number of measures."""
    counts = Counter(r.doc_id for r in index.records if r.kind == "measure" and r.part == 0)
    return [{"doc_id": d["doc_id"], "标题": d["title"], "文号": d.get("doc_number") or "", "发布机构": d.get("publisher") or "",
             "成文日期": d.get("written_date") or "", "措施数": counts.get(d["doc_id"], 0), "文件": d["path"]}
            for d in index.documents.values()]


def responsibility_table(index: PolicyIndex, unit: str | None = None, doc_id: str | None = None) -> list[dict]:
    """Every measure with its lead, supporting and joint units; filtered by a unit (canonical or alias)."""
    from .retrieve import find_units

    wanted = find_units(unit, index.units) if unit and unit.strip() else ()
    rows = []
    for r in index.records:
        if r.kind != "measure" or r.part != r.parts - 1 or (doc_id and r.doc_id != doc_id):
            continue
        if unit and unit.strip() and not (set(wanted) & set(r.all_units)):
            continue
        rows.append({"文件": r.doc_number or r.doc_title, "措施": r.measure_label, "标题": r.title or "",
                     "牵头单位": "、".join(r.lead_units), "配合单位": "、".join(r.co_units),
                     "共同负责": "、".join(r.joint_units), "doc_id": r.doc_id, "measure": r.measure})
    return rows


def unit_counts(index: PolicyIndex, doc_id: str | None = None) -> list[dict]:
    """How many measures each unit leads, supports and shares (for the chart)."""
    c: Counter = Counter()
    for r in index.records:
        if r.kind != "measure" or r.part != r.parts - 1 or (doc_id and r.doc_id != doc_id):
            continue
        for role, units in (("牵头", r.lead_units), ("配合", r.co_units), ("共同负责", r.joint_units)):
            for u in units:
                c[(u, role)] += 1
    return [{"单位": u, "角色": role, "措施数": n} for (u, role), n in sorted(c.items(), key=lambda x: (-x[1], x[0]))]
