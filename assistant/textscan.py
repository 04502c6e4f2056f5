"""Which records hold a run of characters: the containment lookups of topic.Vocabulary, made to
skip the documents that cannot hold it.

A question's words that are no BM25 term (新经济增加值占, 加氢站, 2025) are looked up as runs of
characters in every record's folded text. At 10,000 documents that text is 32 million characters,
and one scan of it takes 30–60 ms; a question looks up a dozen such words. So each document keeps
a signature: a set of bits, one for each pair of neighbouring characters of its text (a Bloom
filter of 16,384 bits, 2 KB). A document whose signature lacks one of a word's pairs cannot hold
the word and is not read; the others are read exactly as before, in the same order, so every count
and every list is what the full scan gives. A document's text and signature are computed when a
question first needs them and kept with its version (`DocEntry.scan`), so an index reopened after
an upload computes them for the new document only.
"""
from __future__ import annotations

import bisect
import threading

import numpy as np

from .load import fold
from .records import Record

BITS = 1 << 14  # per document: ~2,000 distinct pairs in a policy of 3,000 characters fill about a tenth


def _pair_bits(codes: np.ndarray) -> np.ndarray:
    """The bit of each pair of neighbouring characters (code points as uint64)."""
    h = (codes[:-1] * np.uint64(0x9E3779B1) + codes[1:] * np.uint64(0x85EBCA77)) & np.uint64(0xFFFFFFFF)
    return (h * np.uint64(0xC2B2AE3D) & np.uint64(0xFFFFFFFF)) >> np.uint64(32 - 14)


def _codes(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)


class DocText:
    """One document version's records as the lookups read them: folded text (with the section
    title, as topic.Vocabulary always read it), where each record starts, and the signature."""

    __slots__ = ("text", "starts", "signature")

    def __init__(self, records: list[Record]) -> None:
        texts = [fold(r.text + (r.section_title or "")) for r in records]
        self.starts, n = [], 0
        for t in texts:
            self.starts.append(n)
            n += len(t) + 1
        self.text = "\n".join(texts)
        bits = np.zeros(BITS, dtype=bool)
        if len(self.text) > 1:
            bits[_pair_bits(_codes(self.text))] = True
        self.signature = np.packbits(bits, bitorder="little")


class TextScan:
    """The records of an opened index (documents in index order), searchable as runs of characters.

    `first` gives each document's first record in the index's list; a hit's record number is the
    same as in one scan over every record's text joined by line breaks.
    """

    def __init__(self, docs: list[DocText], first: list[int], n_records: int) -> None:
        self.docs, self.first, self.n = docs, first, n_records
        self.signatures = np.vstack([d.signature for d in docs]) if docs else np.zeros((0, BITS // 8), np.uint8)

    def candidates(self, term: str) -> np.ndarray:
        """The documents (positions in `docs`) whose signature has every pair of `term`: a superset
        of those that hold it."""
        if len(term) < 2 or not len(self.docs):
            return np.arange(len(self.docs))
        bits = np.unique(_pair_bits(_codes(term)))
        byte, mask = (bits >> np.uint64(3)).astype(np.int64), (np.uint8(1) << (bits & np.uint64(7)).astype(np.uint8))
        masks: dict[int, int] = {}
        for b, m in zip(byte.tolist(), mask.tolist()):
            masks[b] = masks.get(b, 0) | m
        cols = np.fromiter(masks, dtype=np.int64, count=len(masks))
        want = np.fromiter(masks.values(), dtype=np.uint8, count=len(masks))
        return np.flatnonzero(((self.signatures[:, cols] & want) == want).all(axis=1))

    @staticmethod
    def _find(text: str, term: str, start: int, whole_number: bool) -> int:
        """The next occurrence at or after `start`; with `whole_number`, not right after a digit or a
        point (4岁 is not inside 24岁, 5% not inside 2.5%)."""
        i = text.find(term, start)
        while i > 0 and whole_number and (text[i - 1].isdigit() or text[i - 1] == "."):
            i = text.find(term, i + 1)
        return i

    def count(self, term: str, exact_up_to: int) -> int:
        """How many records hold `term` (a number as a whole number). After `exact_up_to` records the
        rest is estimated from the share of records read so far."""
        whole = term[:1].isdigit()
        count = 0
        for d in self.candidates(term).tolist():
            doc, first = self.docs[d], self.first[d]
            i = self._find(doc.text, term, 0, whole)
            while i >= 0:
                count += 1
                k = bisect.bisect_right(doc.starts, i)  # records of this document up to the one holding the hit
                if count == exact_up_to and first + k < self.n:
                    # A frequent run of characters (新认定 in thousands of records): its rate in the
                    # records read so far stands for the rest (its idf is small either way).
                    return round(count * self.n / (first + k))
                if k == len(doc.starts):
                    break
                i = self._find(doc.text, term, doc.starts[k], whole)
        return count

    def holds_any(self, term: str) -> bool:
        """Whether some record holds `term` (a number as a whole number)."""
        whole = term[:1].isdigit()
        return any(self._find(self.docs[d].text, term, 0, whole) >= 0 for d in self.candidates(term).tolist())

    def containing(self, term: str) -> list[int]:
        """The record numbers of the records that hold `term` anywhere, in index order."""
        out = []
        for d in self.candidates(term).tolist():
            doc, first = self.docs[d], self.first[d]
            i = doc.text.find(term)
            while i >= 0:
                k = bisect.bisect_right(doc.starts, i)
                out.append(first + k - 1)
                if k == len(doc.starts):
                    break
                i = doc.text.find(term, doc.starts[k])
        return out


_LOCK = threading.Lock()


def doc_text(entry) -> DocText:
    """The DocText of a document version, computed once and kept with it (entries are shared by the
    indexes opened one after the other)."""
    scan = getattr(entry, "scan", None)
    if scan is None:
        scan = DocText(entry.records)
        with _LOCK:
            entry.scan = scan
    return scan
