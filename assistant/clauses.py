"""Sentences of a record: the unit evidence is chosen and shown in.

A policy states one provision per sentence or per semicolon-separated part of one (对…的，给予…；
对…的，给予…。), so those are the pieces a question is matched against, embedded at index time
(index.py) and quoted in an answer. Pure functions: the same text always gives the same pieces,
which is what lets the index store one vector per piece and find them again.
"""
from __future__ import annotations

import re

# Where a provision ends: 。！？；, a line break, and their ASCII forms. Not inside brackets: a
# responsibility note (责任单位：A；B) or a parenthetical (含…；…) is one piece with what it qualifies.
_ENDS = "。！？；;!?\n"
_OPEN, _CLOSE = "（(《“", "）)》”"
MIN_CHARS = 2  # shorter pieces (a stray label, "。") carry nothing to match
MAX_EMBED_CHARS = 200  # what the embedder sees of a long piece (its start holds its subject)


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of each sentence of `text`, its closing punctuation kept, surrounding space left out."""
    spans, start, depth = [], 0, 0
    for i, ch in enumerate(text):
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        elif ch in _ENDS and (depth == 0 or ch == "\n"):
            if ch == "\n":
                depth = 0  # a bracket left open never spans a paragraph
            spans.append((start, i + 1 if ch != "\n" else i))
            start = i + 1
    spans.append((start, len(text)))
    out = []
    for s, e in spans:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e - s >= MIN_CHARS:
            out.append((s, e))
    return out


def sentences(text: str) -> list[str]:
    """The sentences of `text`, as printed."""
    return [text[s:e] for s, e in sentence_spans(text)]


def embed_text(title: str | None, sentence: str) -> str:
    """What is embedded for a sentence: the measure's title gives a bare grant (给予…奖励) its subject."""
    body = sentence[:MAX_EMBED_CHARS]
    return f"{title}：{body}" if title else body
