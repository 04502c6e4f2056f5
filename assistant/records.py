"""Typed records handed between pipeline stages.

load → Document; structure → Record; retrieve → Hit; answer → Answer with Citations.
Frameworks (llama-index nodes, Chroma rows) are converted to and from these only
inside the module that talks to them.
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, field
from functools import cached_property


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
    # Responsibilities given in a table (a Word file's 任务分工表) rather than in the items' text.
    duty_table: tuple["DutyRow", ...] = ()

    def metadata(self) -> dict:
        """The document's metadata without its text."""
        d = asdict(self)
        d.pop("text")
        d["warnings"] = list(self.warnings)
        d["duty_table"] = [asdict(r) for r in self.duty_table]
        return d


@dataclass(frozen=True)
class DutyRow:
    """One row of a 任务分工表: the task it names and its units as printed."""

    number: int | None  # the item number the row gives (序号 or a label in the task), when it gives one
    task: str  # 重点任务 / 工作任务 as printed
    lead: tuple[str, ...] = ()
    co: tuple[str, ...] = ()
    listed: tuple[str, ...] = ()  # 责任单位 without a stated lead


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
    # Units a note names without saying who leads ("（体育总局、民政部负责）" with no rule stated).
    listed_units: tuple[str, ...] = ()
    # The responsibility notes as printed; "stated" when understood, "none" when the item has no
    # note, "unclear" when a note is present but not understood (never reported as "no units").
    duty_notes: tuple[str, ...] = ()
    duty_status: str = "none"
    # Labels of the headings above the record as printed (三、 / （二）): part of a measure's
    # identity, since numbering may restart in each section.
    section_path: tuple[str, ...] = ()

    @cached_property  # asked for 100,000s of times when an index opens; a frozen record computes it once
    def record_id(self) -> str:
        # Stable across rebuilds: the same document and position give the same id.
        key = self.measure_label or self.section or self.kind
        return f"{self.doc_id}:{self.section or '-'}:{key}:{self.start}:{self.part}"

    @property
    def all_units(self) -> tuple[str, ...]:
        return self.lead_units + self.co_units + self.joint_units + self.listed_units

    def printed(self, units: tuple[str, ...]) -> list[str]:
        """Units as this measure prints them (经济信息化厅 where its note says so), in the given order."""
        from .units import unit_key

        return [next((p for p in self.units_printed if unit_key(p) == unit_key(u)), u) for u in units]

    @cached_property
    def measure_key(self) -> tuple:
        """What identifies a measure: its document, the headings above it, its number and the titles
        of all three (a 通知 wrapping two 规定 numbers both from （一）; a number printed twice is two
        measures)."""
        return (self.doc_id, self.section_path, self.measure, self.heading_path)

    @property
    def reference(self) -> str:
        """How a reader names this record: its label as the document prints it (（三十）, 第十三条,
        3., 三、: 第…条 only where the document writes 条), 二、发展目标, 前言."""
        if self.measure_label:
            return self.measure_label
        if self.section:
            return f"{self.section}、{self.section_title or ''}"
        return "前言"

    def to_dict(self) -> dict:
        d = asdict(self)
        d["record_id"] = self.record_id
        for k in _TUPLE_FIELDS:
            d[k] = list(d[k])
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "Record":
        fields = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        for k in _TUPLE_FIELDS:
            fields[k] = tuple(fields.get(k) or ())
        return cls(**fields)


_TUPLE_FIELDS = ("heading_path", "lead_units", "co_units", "joint_units", "units_printed", "listed_units",
                 "duty_notes", "section_path")


@dataclass(frozen=True)
class Figure:
    """One figure of a support item: 100万元, 50%, 3年, as printed, with its value in base units."""

    text: str  # as printed: 100万元, 百分之十, 50%
    value: float | None  # in 元 for money, in % for ratios, else the plain number
    unit: str  # 元 | % | 年 | 亩 | 个 | … (the unit the value is in)
    qualifier: str = ""  # 不超过 | 最高 | 最多 | 按 | 不低于 | ""
    per: str = ""  # 每家 | 每年 | 每个 | 每人 | ""


@dataclass(frozen=True)
class SupportItem:
    """A clause that grants a concrete benefit: who gets what, as the measure prints it.

    Extracted at index time from a measure's text (assistant/items.py); an amount answer is
    composed from these, never from the nearest sentence with a number in it.
    """

    doc_id: str
    record_id: str  # the record (measure or part of one) the clause is in
    measure_label: str | None
    condition: str  # the beneficiary or condition as printed: 新认定的省级新经济示范企业
    kind: str  # 一次性奖励 | 后补助 | 贴息 | 返还 | 配套 | 补贴 | 奖励 | 资助 | 减免 | 用地 | 其他
    figures: tuple[Figure, ...]
    quote: str  # the clause as printed
    start: int  # offsets into Document.text
    end: int
    period: str = ""  # 2022—2025年, 连续3年 … when stated
    context: str = ""  # the whole sentence, for matching a question to the item (never quoted as its figure)

    def to_dict(self) -> dict:
        d = asdict(self)
        d["figures"] = [asdict(f) for f in self.figures]
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "SupportItem":
        fields = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        fields["figures"] = tuple(Figure(**f) for f in fields.get("figures") or ())
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
    listed_units: list[str] = field(default_factory=list)  # responsible, no lead stated
    duty_status: str = "none"
    section_path: list[str] = field(default_factory=list)
    record_id: str = ""

    @classmethod
    def from_record(cls, r: Record, quote: str) -> "Citation":
        p = r.printed
        return cls(
            doc_id=r.doc_id,
            doc_title=r.doc_title,
            doc_number=r.doc_number,
            section=r.section,
            section_title=r.section_title,
            measure=r.measure,
            measure_label=r.measure_label,
            title=r.title,
            lead_units=p(r.lead_units),
            co_units=p(r.co_units),
            joint=r.joint,
            quote=quote,
            joint_units=p(r.joint_units),
            listed_units=p(r.listed_units),
            duty_status=r.duty_status,
            section_path=list(r.section_path),
            record_id=r.record_id,
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
