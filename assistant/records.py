"""Typed records handed between pipeline stages.

load → Document; structure → Record; retrieve → Hit; answer → Answer with Citations.
Frameworks (llama-index nodes, Chroma rows) are converted to and from these only
inside the module that talks to them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(frozen=True)
class Document:
    """One source document after cleaning; record offsets point into `text`."""

    doc_id: str
    path: str  # file name inside the corpus folder
    sha256: str  # hash of the file bytes, for incremental indexing
    title: str
    text: str  # cleaned text with the original punctuation, used for quoting
    doc_number: str | None = None  # 文号
    publisher: str | None = None  # 发布机构
    written_date: str | None = None  # 成文日期
    published_date: str | None = None  # 发布日期
    validity: str | None = None  # 有效性
    index_number: str | None = None  # 索引号
    warnings: tuple[str, ...] = ()
    # Metadata field → the line of the page's metadata table it was read from, for quoting.
    meta_lines: dict = field(default_factory=dict)

    def metadata(self) -> dict:
        """The document's metadata without its text."""
        d = asdict(self)
        d.pop("text")
        d["warnings"] = list(self.warnings)
        return d


@dataclass(frozen=True)
class Record:
    """A numbered measure, a section without measures, or the preamble of a document."""

    doc_id: str
    doc_title: str
    doc_number: str | None
    kind: str  # "measure" | "section" | "preamble" | "text"
    section: str | None  # top-level label without punctuation, e.g. "二"
    section_title: str | None
    measure: int | None
    measure_label: str | None  # as printed, e.g. "（三十）" or "第十三条"
    title: str | None
    text: str  # verbatim text of the record (this part of it, when split)
    start: int  # character offsets into Document.text
    end: int
    heading_path: tuple[str, ...] = ()
    lead_units: tuple[str, ...] = ()  # canonical names
    co_units: tuple[str, ...] = ()
    joint_units: tuple[str, ...] = ()  # shared responsibility, nobody leads
    joint: bool = False
    units_printed: tuple[str, ...] = ()  # every unit as the document prints it
    part: int = 0
    parts: int = 1

    @property
    def record_id(self) -> str:
        # Stable across rebuilds: the same document and position give the same id.
        key = self.measure_label or self.section or self.kind
        return f"{self.doc_id}:{self.section or '-'}:{key}:{self.start}:{self.part}"

    @property
    def all_units(self) -> tuple[str, ...]:
        return self.lead_units + self.co_units + self.joint_units

    @property
    def reference(self) -> str:
        """How a reader names this record: 第（三十）条, 二、发展目标, 前言."""
        if self.measure_label:
            label = self.measure_label
            return label if label.startswith("第") else f"第{label}条"
        if self.section:
            return f"{self.section}、{self.section_title or ''}"
        return "前言"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["record_id"] = self.record_id
        for k in ("heading_path", "lead_units", "co_units", "joint_units", "units_printed"):
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Record":
        fields = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for k in ("heading_path", "lead_units", "co_units", "joint_units", "units_printed"):
            fields[k] = tuple(fields.get(k) or ())
        return cls(**fields)


@dataclass(frozen=True)
class Hit:
    """A retrieved record with the score and route that found it."""

    record: Record
    score: float
    route: str  # "measure_ref" | "unit" | "metadata" | "hybrid"
    dense: float | None = None  # cosine similarity, when the dense retriever saw it
    bm25: float | None = None


@dataclass(frozen=True)
class Citation:
    doc_id: str
    doc_title: str
    doc_number: str | None
    section: str | None
    section_title: str | None
    measure: int | None
    measure_label: str | None
    title: str | None
    lead_units: list[str]
    co_units: list[str]
    joint: bool
    quote: str
    joint_units: list[str] = field(default_factory=list)

    @classmethod
    def from_record(cls, r: Record, quote: str) -> "Citation":
        return cls(
            doc_id=r.doc_id,
            doc_title=r.doc_title,
            doc_number=r.doc_number,
            section=r.section,
            section_title=r.section_title,
            measure=r.measure,
            measure_label=r.measure_label,
            title=r.title,
            lead_units=list(r.lead_units),
            co_units=list(r.co_units),
            joint=r.joint,
            quote=quote,
            joint_units=list(r.joint_units),
        )


@dataclass(frozen=True)
class Answer:
    question: str
    answer: str
    found: bool
    citations: list[Citation]
    mode: str = "extractive"
    kind: str = "general"  # the question type the answer was composed for
    extra: dict = field(default_factory=dict)  # e.g. {"verified": false, "fallback": "extractive"}

    def to_dict(self) -> dict:
        d = {
            "question": self.question,
            "answer": self.answer,
            "found": self.found,
            "mode": self.mode,
            "kind": self.kind,
            "citations": [asdict(c) for c in self.citations],
        }
        d.update(self.extra)
        return d
