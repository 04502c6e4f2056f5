"""The assistant as the app sees it: one opened index, kept current with the index on disk.

Before each question the service checks whether the index manifest was switched (one stat call),
by this process or by another one sharing the index folder and Chroma server, and reopens it,
reusing every document it already holds. Readers keep the `Answerer` they took, so questions
are answered throughout an upload. A damaged index found at start-up is repaired once (a full
rebuild from the cached documents) rather than failing on every start; what an upload or a
removal killed half way left in index/staging/ is settled before that (assistant/manage.py).

Changing the corpus goes through `submit`/`add` and `remove` only, and each checks the caller's
right itself (assistant/access.py), so a handler cannot change the corpus without it. Uploads are
jobs on one queue (assistant/jobs.py): read outside the write lock, one at a time.
"""
from __future__ import annotations

import re
import sys
import threading
from pathlib import Path
from typing import Iterator

from .access import Caller, refusal
from .answer import resolve_followup
from .config import Settings
from .errors import BadQuestionError, IndexCorruptError, NotAllowedError, PolicyQAError
from .index import IndexReport, PolicyIndex, build_index, complete_sentences, open_index
from .jobs import Job, UploadQueue
from .llm import LLMAnswerer, make_answerer
from .manage import Added, recover_staging, remove_document
from .records import Answer

# A UTF-16 surrogate on its own is no character: it cannot be encoded (the page's stream would break on it).
LONE_SURROGATE = re.compile("[\ud800-\udfff]")


class Service:
    def __init__(self, settings: Settings, build: bool = True) -> None:
        self.settings = settings
        self._lock = threading.Lock()
        # What a killed upload or removal left half done is settled (and logged) before anything reads the corpus.
        recover_staging(settings)
        self.report: IndexReport | None = build_index(settings) if build else None
        if build:
            complete_sentences(settings)  # of an upload whose process stopped before it added them
        self.reload_error: PolicyQAError | None = None  # why the last reopen failed (the old index kept serving)
        self._failed_stamp = None
        try:
            index = open_index(settings)
        except IndexCorruptError as e:
            if not build:
                raise
            print(f"warning: {e}: rebuilding the index", file=sys.stderr)
            self.report = build_index(settings, force=True)
            index = open_index(settings)  # a second failure is raised: no repair loop
        self.answerer = make_answerer(index)  # LLMAnswerer when POLICYQA_LLM_* are set
        self.uploads = UploadQueue(settings, lambda: self.index.embedder, lambda added: self.reload())

    @property
    def index(self) -> PolicyIndex:
        return self.answerer.index

    def reload(self, only_if_changed: bool = False) -> None:
        """Reopen the index now (keeping the embedder and every unchanged document)."""
        with self._lock:
            old = self.index
            if only_if_changed and old.is_current():
                return  # another thread reopened it while this one waited
            self.answerer = make_answerer(open_index(self.settings, embedder=old.embedder, previous=old))
            self.reload_error = self._failed_stamp = None

    def refresh(self) -> None:
        """Reopen the index if a writer (any process) switched it since; cheap when nothing changed.

        If reopening fails, the index opened before keeps answering and the error is kept in
        `reload_error`; the next attempt waits for the next switch instead of retrying every question.
        """
        index = self.index
        if index.is_current():
            return
        from .index import MANIFEST, _stamp

        stamp = _stamp(self.settings.index_dir / MANIFEST)
        if stamp is not None and stamp == self._failed_stamp:
            return
        try:
            self.reload(only_if_changed=True)
        except PolicyQAError as e:
            self.reload_error, self._failed_stamp = e, stamp
            print(f"warning: the index changed but could not be reopened ({e}); answering from the previous one",
                  file=sys.stderr)

    @staticmethod
    def check_question(question: str) -> None:
        """Refuse text that cannot be answered or shown back (a lone surrogate from a broken client)."""
        if LONE_SURROGATE.search(question or ""):
            raise BadQuestionError("the question contains an unpaired UTF-16 surrogate: retype it",
                                   zh="问题中含有无法识别的字符（不成对的代理码位），请删除后重新输入")

    def ask(self, question: str, previous: Answer | None = None, doc_id: str | None = None) -> Answer:
        """Answer a question; a follow-up refers to the measure of the previous answer."""
        self.check_question(question)
        self.refresh()
        answerer = self.answerer
        if isinstance(answerer, LLMAnswerer):
            return answerer.ask(question, doc_id=doc_id, previous=previous)
        return answerer.ask(resolve_followup(question, previous), doc_id=doc_id, previous=previous)

    def stream(self, question: str, history: list[dict], previous: Answer | None = None,
               doc_id: str | None = None) -> Iterator[str | Answer]:
        """Provisional text deltas (LLM path only), then the final, verified Answer."""
        self.check_question(question)
        self.refresh()
        answerer = self.answerer
        if isinstance(answerer, LLMAnswerer):
            turns = [m for m in history if m.get("role") in ("user", "assistant")]
            yield from answerer.stream(question, doc_id=doc_id, history=turns, previous=previous)
        else:
            yield self.ask(question, previous, doc_id)

    # --- changing the corpus: every path checks the caller's right here -------------------------

    def refusal(self, caller: Caller) -> str | None:
        """None when `caller` may upload and remove documents, else why not (Chinese)."""
        return refusal(self.settings, caller)

    def _allow(self, caller: Caller) -> None:
        why = self.refusal(caller)
        if why:
            raise NotAllowedError(f"not allowed to change the corpus: {caller}", zh=why)

    def submit(self, upload: Path, original_name: str, caller: Caller) -> Job:
        """Queue an upload (checked at once; read, indexed and published by the upload worker)."""
        self._allow(caller)
        return self.uploads.submit(upload, original_name)

    def add(self, upload: Path, original_name: str, caller: Caller) -> Added:
        """Queue an upload and wait for it."""
        return self.submit(upload, original_name, caller).wait()

    def remove(self, doc_id: str, caller: Caller) -> IndexReport:
        self._allow(caller)
        report = remove_document(self.settings, doc_id, embedder=self.index.embedder)
        self.reload()
        return report
