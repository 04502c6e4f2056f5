"""The lexical half of the index: BM25 over jieba terms, an inverted index updated by the document.

A `Lexicon` holds raw term frequencies in compressed-column form (term → the records that contain
it, with counts), each record's length, and the vocabulary words of its documents. Adding or
removing documents is a linear merge of arrays (`update`); nothing is re-tokenised and no other
document is touched. BM25 weights are computed at query time for the question's terms only, with
the formulas of bm25s's default Lucene variant (k1 1.5, b 0.75; tests check the scores against
bm25s). bm25s itself is not used here because it can only build a whole index at once, looping
over every token in Python: at 10,000 documents that alone exceeds the budget of an upload.

Records are numbered in the lexicon's own order (documents in the order they were added); the
index maps them to its record order.
"""
from __future__ import annotations

import marshal
import math
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

K1, B = 1.5, 0.75
META = "lexicon.marshal"  # keys, starts, vocabulary, words: marshal reads the 10 MB of 10,000 documents in a tenth of JSON's time
FILES = (META, "indptr.npy", "postings.npy", "tf.npy", "dl.npy")
_MAGIC = b"PQL1"


@dataclass(frozen=True)
class DocTerms:
    """One document version as the lexicon takes it: term counts per record, its vocabulary."""

    key: str
    records: list[dict[str, int]]
    words: dict[str, int]


@dataclass
class Lexicon:
    keys: list[str]  # document versions, in the lexicon's record order
    starts: np.ndarray  # int64, len(keys) + 1: each document's range of records
    vocab: list[str]  # term of each column
    indptr: np.ndarray  # int64, len(vocab) + 1: each term's range of postings
    postings: np.ndarray  # int32 record numbers, ascending within a term
    tf: np.ndarray  # count of the term in the record (uint16 on disk)
    dl: np.ndarray  # int32 number of terms of each record (its length for BM25)
    doc_words: list[list[str]]  # each document's vocabulary words
    words: dict[str, int]  # the union of the documents' words with their jieba frequencies
    _ids: dict[str, int] | None = field(default=None, repr=False)

    @classmethod
    def empty(cls) -> "Lexicon":
        z = np.zeros(0, dtype=np.int32)
        return cls([], np.zeros(1, dtype=np.int64), [], np.zeros(1, dtype=np.int64), z, z, z, [], {})

    # --- reading -------------------------------------------------------------------------------

    @property
    def n_records(self) -> int:
        return len(self.dl)

    def term_id(self, term: str) -> int | None:
        if self._ids is None:
            self._ids = {t: i for i, t in enumerate(self.vocab)}
        return self._ids.get(term)

    def doc_freq(self, term: str) -> int:
        """How many records contain `term` (a column's length: no scan)."""
        i = self.term_id(term)
        return 0 if i is None else int(self.indptr[i + 1] - self.indptr[i])

    def doc_freq_within(self, term: str, key: str) -> int:
        """How many records of one document version contain `term` (postings are ascending: two bisections)."""
        i = self.term_id(term)
        if i is None or key not in self.keys:
            return 0
        j = self.keys.index(key)
        col = self.postings[int(self.indptr[i]):int(self.indptr[i + 1])]
        lo, hi = np.searchsorted(col, [self.starts[j], self.starts[j + 1]])
        return int(hi - lo)

    def scores(self, tokens: list[str]) -> np.ndarray:
        """BM25 score of every record for a tokenised question (repeated tokens count again, as in bm25s)."""
        n = self.n_records
        out = np.zeros(n, dtype=np.float32)
        if n == 0:
            return out
        avgdl = float(self.dl.mean()) or 1.0
        for t in tokens:
            i = self.term_id(t)
            if i is None:
                continue
            s, e = int(self.indptr[i]), int(self.indptr[i + 1])
            recs = self.postings[s:e]
            f = self.tf[s:e].astype(np.float32)
            idf = math.log(1 + (n - (e - s) + 0.5) / ((e - s) + 0.5))
            w = idf * f / (K1 * ((1 - B) + B * self.dl[recs] / avgdl) + f)
            out += np.bincount(recs, weights=w, minlength=n).astype(np.float32)
        return out

    # --- writing -------------------------------------------------------------------------------

    def update(self, remove: set[str], add: list[DocTerms]) -> "Lexicon":
        """A new lexicon without the `remove` documents and with the `add` ones; self is unchanged.

        Linear in the size of the index: kept postings are moved, not re-sorted, because each term's
        old postings stay in order and the new records are numbered after all kept ones.
        """
        keep_doc = np.array([k not in remove for k in self.keys], dtype=bool)
        keep_rec = np.repeat(keep_doc, np.diff(self.starts))
        n_kept = int(keep_rec.sum())
        # Adding only (an upload): every kept posting stays where it is, so the new ones are inserted
        # into the arrays in one pass instead of every posting being moved one by one (a second at
        # 10,000 documents). The result is the same arrays.
        adding_only = bool(keep_doc.all()) and bool((np.diff(self.indptr) > 0).all())
        if not adding_only:
            renumber = np.cumsum(keep_rec, dtype=np.int64) - 1
            col_of = np.repeat(np.arange(len(self.vocab), dtype=np.int32), np.diff(self.indptr))
            mask = keep_rec[self.postings] if len(self.postings) else np.zeros(0, dtype=bool)
            o_term, o_rec, o_tf = col_of[mask], renumber[self.postings[mask]], self.tf[mask].astype(np.int32)

        vocab = list(self.vocab)
        ids = dict(self._ids) if self._ids is not None else {t: i for i, t in enumerate(vocab)}
        n_term: list[int] = []
        n_rec: list[int] = []
        n_tf: list[int] = []
        n_dl: list[int] = []
        rec = n_kept
        for d in add:
            for counts in d.records:
                for t, c in counts.items():
                    i = ids.get(t)
                    if i is None:
                        i = ids[t] = len(vocab)
                        vocab.append(t)
                    n_term.append(i)
                    n_rec.append(rec)
                    n_tf.append(c)
                n_dl.append(sum(counts.values()))
                rec += 1
        nt = np.asarray(n_term, dtype=np.int64)
        nr = np.asarray(n_rec, dtype=np.int64)
        nf = np.asarray(n_tf, dtype=np.int32)
        order = np.lexsort((nr, nt))  # the new postings are few: sorting them is cheap
        nt, nr, nf = nt[order], nr[order], nf[order]

        v = len(vocab)
        if adding_only:
            # Each new posting goes at the end of its term's column (a new term's column is at the end).
            ends = np.concatenate([np.asarray(self.indptr[1:], dtype=np.int64), np.full(v - len(self.vocab), len(self.postings), np.int64)])
            at = ends[nt]
            counts = np.concatenate([np.diff(np.asarray(self.indptr, dtype=np.int64)), np.zeros(v - len(self.vocab), np.int64)])
            counts += np.bincount(nt, minlength=v)
            indptr = np.zeros(v + 1, dtype=np.int64)
            np.cumsum(counts, out=indptr[1:])
            postings = np.insert(np.asarray(self.postings, dtype=np.int32), at, nr.astype(np.int32))
            tf = np.insert(np.asarray(self.tf, dtype=np.int32), at, nf)
            kept_vocab = vocab
        else:
            indptr, postings, tf, kept_vocab = self._merged(vocab, o_term, o_rec, o_tf, nt, nr, nf)

        keys = [k for k, keep in zip(self.keys, keep_doc) if keep] + [d.key for d in add]
        sizes = [int(s) for s, keep in zip(np.diff(self.starts), keep_doc) if keep] + [len(d.records) for d in add]
        starts = np.zeros(len(keys) + 1, dtype=np.int64)
        np.cumsum(sizes, out=starts[1:])
        doc_words = [w for w, keep in zip(self.doc_words, keep_doc) if keep] + [sorted(d.words) for d in add]
        freqs = dict(self.words)
        for d in add:
            freqs.update(d.words)
        used = {w for ws in doc_words for w in ws}
        dl = np.concatenate([self.dl[keep_rec], np.asarray(n_dl, dtype=np.int32)]).astype(np.int32)
        return Lexicon(keys, starts, kept_vocab, indptr, postings, tf, dl,
                       doc_words, {w: f for w, f in freqs.items() if w in used})

    @staticmethod
    def _merged(vocab: list[str], o_term, o_rec, o_tf, nt, nr, nf) -> tuple:
        """indptr, postings, tf and vocabulary of the kept postings (in their old order) followed, term
        by term, by the new ones; terms left without postings are dropped."""
        v = len(vocab)
        old_count = np.bincount(o_term, minlength=v)
        new_count = np.bincount(nt, minlength=v)
        alive = (old_count + new_count) > 0  # terms only removed documents had are dropped
        column = np.cumsum(alive) - 1
        indptr = np.zeros(int(alive.sum()) + 1, dtype=np.int64)
        np.cumsum((old_count + new_count)[alive], out=indptr[1:])
        # Within a column: the kept postings in their old order, then the new ones.
        old_first = np.concatenate([[0], np.cumsum(old_count)])[:-1]
        new_first = np.concatenate([[0], np.cumsum(new_count)])[:-1]
        pos_old = indptr[column[o_term]] + (np.arange(len(o_term)) - old_first[o_term])
        pos_new = indptr[column[nt]] + old_count[nt] + (np.arange(len(nt)) - new_first[nt])
        postings = np.empty(int(indptr[-1]), dtype=np.int32)
        tf = np.empty(int(indptr[-1]), dtype=np.int32)
        postings[pos_old], tf[pos_old] = o_rec, o_tf
        postings[pos_new], tf[pos_new] = nr, nf
        return indptr, postings, tf, [t for t, a in zip(vocab, alive) if a]

    def save(self, folder: Path) -> None:
        """Write into `folder` (which the caller then renames into place: readers never see a half-written one)."""
        folder.mkdir(parents=True, exist_ok=True)
        # Counts fit in 16 bits (a record is a few hundred terms long): half the bytes to write and map.
        tf = np.minimum(self.tf, np.iinfo(np.uint16).max).astype(np.uint16)
        for name, arr in (("indptr", self.indptr), ("postings", self.postings), ("tf", tf), ("dl", self.dl)):
            with open(folder / f"{name}.npy", "wb") as f:
                np.save(f, arr)
        meta = {"keys": self.keys, "starts": self.starts.tolist(), "vocab": self.vocab,
                "doc_words": self.doc_words, "words": self.words}
        body = marshal.dumps(meta)
        # A CRC-32 of the rest after a magic word: a damaged file is told apart before it is decoded.
        (folder / META).write_bytes(_MAGIC + zlib.crc32(body).to_bytes(4, "little") + body)

    @classmethod
    def load(cls, folder: Path) -> "Lexicon":
        """Read a saved lexicon; raises ValueError naming the damaged file."""
        path = folder / META
        try:
            data = path.read_bytes()
            if data[:4] != _MAGIC or int.from_bytes(data[4:8], "little") != zlib.crc32(data[8:]):
                raise ValueError("not a complete lexicon file (truncated or overwritten)")
            meta = marshal.loads(data[8:])
            arrays = {}
            for name in ("indptr", "postings", "tf", "dl"):
                path = folder / f"{name}.npy"
                arrays[name] = np.load(path, mmap_mode="r")
        except (OSError, ValueError, EOFError, TypeError) as e:
            raise ValueError(f"{path}: {type(e).__name__}: {e}") from e
        lex = cls(meta["keys"], np.asarray(meta["starts"], dtype=np.int64), meta["vocab"], arrays["indptr"],
                  arrays["postings"], arrays["tf"], arrays["dl"], meta["doc_words"], meta["words"])
        lex.check(folder)
        return lex

    def check(self, folder: Path) -> None:
        """The arrays agree with each other (a truncated file fails here, not in a query)."""
        n = int(self.starts[-1]) if len(self.starts) else 0
        problems = []
        if len(self.indptr) != len(self.vocab) + 1:
            problems.append("indptr.npy does not match the vocabulary")
        elif len(self.postings) != int(self.indptr[-1]) or len(self.tf) != len(self.postings):
            problems.append("postings.npy / tf.npy are shorter than indptr.npy says")
        if len(self.dl) != n or len(self.doc_words) != len(self.keys):
            problems.append("dl.npy does not match the documents")
        if not problems and len(self.postings) and int(self.postings.max()) >= n:
            problems.append("postings.npy names records that do not exist")
        if problems:
            raise ValueError(f"{folder}: {'; '.join(problems)}")
