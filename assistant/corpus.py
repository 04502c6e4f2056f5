"""A corpus folder as the later stages see it: documents, their records, and the problems found.

Joins loading and structure parsing so the CLI, the index and the app read a corpus the same way.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

from .load import load_corpus
from .records import Document, Record
from .structure import has_numbering, parse_document


@dataclass(frozen=True)
class Corpus:
    documents: list[Document]
    records: list[Record]
    problems: list[str]  # one line per file that was skipped or read with a caveat


def parse_documents(docs: list[Document], max_tokens: int) -> tuple[list[Document], list[Record], list[str]]:
    """Records for already loaded documents, with a warning for text without numbering."""
    out_docs, records, problems = [], [], []
    for doc in docs:
        recs = parse_document(doc, max_tokens=max_tokens)
        if not has_numbering(recs):
            msg = (f"{doc.path}: no numbered measures found (一、 / （一） / 第X条 / 1.): "
                   "indexed as plain text without measure citations; check that it is a policy document")
            problems.append(msg)
            doc = replace(doc, warnings=doc.warnings + (msg,))
        out_docs.append(doc)
        records.extend(recs)
    return out_docs, records, problems


def read_corpus(corpus_dir: Path, max_tokens: int = 480) -> Corpus:
    """Load and parse every file of a corpus folder; bad files are reported, not fatal."""
    docs, problems = load_corpus(corpus_dir)
    docs, records, more = parse_documents(docs, max_tokens)
    return Corpus(docs, records, problems + more)
