"""The generic setup a user would start from, scored on the same questions.

llama-index `SentenceSplitter` with its default chunk size over the raw document text, the same
embeddings, dense top-k, no structure. A chunk has no measure of its own, so it is credited with
every measure label it contains (generous: the reader still has to find the answer inside it).
"""
from __future__ import annotations

import re
import sys

import numpy as np

from assistant.config import Settings
from assistant.embed import make_embedder
from assistant.errors import BadDocumentError
from assistant.load import corpus_files, doc_id_for, extract_text, fold
from assistant.numerals import CN_NUMERAL_CHARS, to_int

from .score import Question

_LABEL = re.compile(rf"\(([{CN_NUMERAL_CHARS}]+)\)")
_SECTION = re.compile(rf"(?m)^\s*([{CN_NUMERAL_CHARS}]+)、")


def chunk_targets(text: str) -> tuple[set[int], set[str]]:
    f = fold(text)
    measures = {n for n in (to_int(m) for m in _LABEL.findall(f)) if n}
    sections = set(_SECTION.findall(f))
    return measures, sections


def score_baseline(settings: Settings, questions: list[Question], k: int = 3) -> dict:
    from llama_index.core import Document as LIDocument
    from llama_index.core.node_parser import SentenceSplitter

    splitter = SentenceSplitter()  # default chunk_size (1024 tokens) and overlap
    texts, docs, skipped = [], [], []
    for path in corpus_files(settings.corpus_dir):
        try:
            raw = extract_text(path)
        except BadDocumentError as e:  # the same files the index skips, for the same reason
            skipped.append(str(e))
            print(f"baseline: skipped {e}", file=sys.stderr)
            continue
        chunks = [n.get_content() for n in splitter.get_nodes_from_documents([LIDocument(text=raw)])]
        texts += chunks
        docs += [doc_id_for(path.name)] * len(chunks)
    embedder = make_embedder(settings)
    matrix = embedder.passages(texts)
    targets = [chunk_targets(t) for t in texts]

    def holds(i: int, r) -> bool:
        if r.doc and r.doc != docs[i]:
            return False
        return r.number in targets[i][0] if r.number is not None else r.section in targets[i][1]

    hits1 = hits3 = n = 0
    for q in questions:
        wanted = q.cites_any + q.cites_all + q.sections_any
        if not q.answerable or not wanted:
            continue
        n += 1
        order = np.argsort(-(matrix @ embedder.query(q.question)))[:k]
        ok = [any(holds(i, r) for r in wanted) for i in order]
        hits1 += ok[0]
        hits3 += any(ok)
    per_chunk = sum(len(m) for m, _ in targets) / max(1, len(targets))
    return {
        "chunks": len(texts),
        "measures_per_chunk": round(per_chunk, 1),
        "hit_at_1": round(hits1 / n, 4) if n else None,
        "hit_at_3": round(hits3 / n, 4) if n else None,
        "skipped": skipped,
    }
