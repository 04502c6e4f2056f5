"""The assistant as the app sees it: one opened index, reloaded after the corpus changes.

Readers take the current `Answerer`; a change builds a new index generation and then swaps
the reference, so questions keep being answered while a document is being added.
"""
from __future__ import annotations

from pathlib import Path

from typing import Iterator

from .answer import resolve_followup
from .config import Settings
from .index import IndexReport, build_index, open_index
from .llm import LLMAnswerer, make_answerer
from .manage import Added, add_document, remove_document
from .records import Answer


class Service:
    def __init__(self, settings: Settings, build: bool = True) -> None:
        self.settings = settings
        self.report: IndexReport | None = build_index(settings) if build else None
        self.answerer = make_answerer(open_index(settings))  # LLMAnswerer when POLICYQA_LLM_* are set

    @property
    def index(self):
        return self.answerer.index

    def reload(self) -> None:
        # Keep the embedder: loading it again would cost time for nothing.
        self.answerer = make_answerer(open_index(self.settings, embedder=self.index.embedder))

    def ask(self, question: str, previous: Answer | None = None, doc_id: str | None = None) -> Answer:
        """Answer a question; a follow-up refers to the measure of the previous answer."""
        if isinstance(self.answerer, LLMAnswerer):
            return self.answerer.ask(question, doc_id=doc_id, previous=previous)
        return self.answerer.ask(resolve_followup(question, previous), doc_id=doc_id)

    def stream(self, question: str, history: list[dict], previous: Answer | None = None) -> Iterator[str | Answer]:
        """Provisional text deltas (LLM path only), then the final, verified Answer."""
        if isinstance(self.answerer, LLMAnswerer):
            turns = [m for m in history if m.get("role") in ("user", "assistant")]
            yield from self.answerer.stream(question, history=turns, previous=previous)
        else:
            yield self.ask(question, previous)

    def add(self, upload: Path, original_name: str) -> Added:
        added = add_document(self.settings, upload, original_name, progress=True)
        self.reload()
        return added

    def remove(self, doc_id: str) -> IndexReport:
        report = remove_document(self.settings, doc_id)
        self.reload()
        return report

