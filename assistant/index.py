"""Index: measure records in Chroma (vectors) and in a BM25 lexicon, updated by the document.

Layout of the index folder:
  manifest.json   the switch: settings, the live document versions, the live lexicon, problems
  index_id        a random id minted once: names this index's collections on a Chroma server
  .lock           held by every writer (build, upload, removal), across processes
  docs/<key>/     one parsed document version, named by a hash of its file name and bytes, the
                  parser's source code and the settings: entry.marshal (metadata, vocabulary,
                  records, support items: one file, in Python's marshal format, that 10,000
                  documents open from in about a second), terms.json (BM25 term counts), vectors.npy
                  (one vector per record), sentences.npy (one float16 vector per sentence of each
                  record, clauses.py: read only for the documents a question's evidence comes from)
  lexicon/<id>/   the BM25 lexicon over the live documents (assistant/lexicon.py)
  jieba-*         a copy of jieba's general dictionary that loads in a third of the time (assistant/terms.py)
  chroma/         the embedded Chroma store: one collection, updated in place; with CHROMA_HOST
                  the collection lives on the server instead
  tmp/            work in progress; whatever an interrupted build left there is removed

How a change is applied. Only added or changed files are read and parsed; an unchanged file is
never re-read. Each new document version is written to tmp/ and renamed into docs/ (a folder there
is complete, or absent); its rows are added to Chroma under ids that carry the version key; the
new lexicon is merged from the previous one and renamed into lexicon/; then manifest.json is
replaced by one atomic rename. That rename is the moment a change becomes visible: readers use
only what the manifest names, and skip Chroma rows of any other version. After the switch, data
that neither the new nor the previous manifest names is deleted (the previous generation is kept,
so a reader that opened it a moment ago can finish). A crash at any point therefore leaves the old
index serving, and the next build reuses every complete docs/ folder and finishes the job.

Several processes: writers take `.lock` (a file lock, so an `index` run and app processes exclude
each other, not only threads); readers check the manifest's file identity before each question
(`PolicyIndex.is_current`, one stat call) and reopen, reusing the documents they already hold.
"""
from __future__ import annotations

import contextlib
import errno
import gc
import hashlib
import importlib.util
import json
import marshal
import math
import os
import shutil
import socket
import sys
import threading
import time
import uuid
import zlib
from collections import Counter
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .config import Settings
from .embed import BATCH, Embedder, embed_texts, make_embedder, model_id_for, text_key
from .errors import BadDocumentError, IndexCorruptError, IndexMissingError, IndexStaleError, PolicyQAError, StoreUnavailableError
from .lexicon import FILES as LEXICON_FILES, DocTerms, Lexicon
from .load import corpus_files, doc_id_for
from .records import Figure, Record, SupportItem

INDEX_VERSION = 5  # bump when parsing or the index layout changes: an index of the old kind is rebuilt
MANIFEST = "manifest.json"
LOCK = ".lock"
# Modules whose code decides what a file parses into; their source is part of each document's cache key.
PARSER_MODULES = ("load", "extract", "structure", "units", "numerals", "items", "records", "corpus", "terms", "clauses")
ENTRY_FILE = "entry.marshal"
SENTENCES_FILE = "sentences.npy"
# What a document's folder must hold to serve it. Its sentence vectors (SENTENCES_FILE) may follow
# later: an upload is published once its passages are embedded, and `complete_sentences` adds them.
CORE_FILES = (ENTRY_FILE, "terms.json", "vectors.npy")
DOC_FILES = (*CORE_FILES, SENTENCES_FILE)
LOCK_TIMEOUT_S = 900  # a writer waits this long for another one (an upload waits for a running `index`)


@dataclass
class IndexReport:
    up_to_date: bool
    documents: int = 0
    records: int = 0
    embedded: int = 0  # passages embedded in this run
    reused: int = 0  # passages whose cached vector was reused
    sentences_embedded: int = 0  # sentences embedded in this run (clauses.py; one vector each)
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0
    parsed: int = 0  # files read and parsed in this run (the others came from the cache)


def passage_text(r: Record) -> str:
    """What gets embedded: the section title gives a measure its context."""
    head = " ".join(x for x in (r.section_title, r.title) if x)
    return f"{head}\n{r.text}" if head else r.text


def sentence_count(records: Sequence[Record]) -> int:
    """How many sentence vectors a document's records have (one per clauses.sentence_spans span)."""
    from .clauses import sentence_spans

    return sum(len(sentence_spans(r.text)) for r in records)


def sentence_texts(r: Record) -> list[str]:
    """What gets embedded for each sentence of a record, in order (clauses.sentence_spans)."""
    from .clauses import embed_text, sentences

    return [embed_text(r.title, x) for x in sentences(r.text)]


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def file_hashes(corpus_dir: Path, known: dict | None = None) -> dict[str, str]:
    """sha256 of every corpus file. With `known` (a manifest), a file whose size, times and inode
    are those the manifest recorded keeps its recorded hash instead of being read (as git does);
    a file changed less than 2 s before the manifest was written is always read again."""
    return _hash_files(corpus_files(corpus_dir), known or {}, [])[0]


def _hash_files(paths: list[Path], known: dict, problems: list[str]) -> tuple[dict[str, str], dict[str, list[int]]]:
    hashes, stats = {}, {}
    recorded, sums = known.get("stat", {}), known.get("files", {})
    trusted_before = known.get("written_ns", 0) - 2_000_000_000
    for p in paths:
        try:
            st = os.stat(p)
            # ctime cannot be set back by a copy that keeps old times (cp -p, tar), unlike mtime.
            stat = [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]
            same = recorded.get(p.name) == stat and st.st_ctime_ns < trusted_before and p.name in sums
            hashes[p.name] = sums[p.name] if same else _sha256(p)
            stats[p.name] = stat
        except OSError as e:
            problems.append(f"{p.name}: cannot read the file ({e.strerror}): check its permissions")
    return hashes, stats


_FINGERPRINT: str | None = None


def parser_fingerprint() -> str:
    """A hash of the code that turns a file into records and terms (and of jieba's version).

    Part of every document's cache key: after the parser changes, `index` parses every file again
    instead of serving records an older parser made (vectors of unchanged passages are reused).
    """
    global _FINGERPRINT
    if _FINGERPRINT is None:
        import jieba

        # The Python version too: entry.marshal is in the marshal format of the Python that wrote it.
        h = hashlib.sha1(f"cache-format-{INDEX_VERSION}\0jieba-{jieba.__version__}\0python-{sys.version_info[:2]}".encode())
        for name in PARSER_MODULES:
            spec = importlib.util.find_spec(f"{__package__}.{name}")
            if spec and spec.origin:
                h.update(name.encode() + b"\0" + Path(spec.origin).read_bytes())
        _FINGERPRINT = h.hexdigest()[:16]
    return _FINGERPRINT


def doc_key(name: str, sha256: str, fingerprint: str, chunk_tokens: int, model_id: str) -> str:
    """The cache key of one document version (the name counts: the doc_id comes from it)."""
    raw = f"{name}\0{sha256}\0{fingerprint}\0{chunk_tokens}\0{model_id}"
    return hashlib.sha1(raw.encode("utf-8")).hexdigest()[:20]


# --- the manifest and the lock ------------------------------------------------------------------


def read_manifest(index_dir: Path) -> dict | None:
    """The live manifest; None when there is none. A damaged one raises IndexCorruptError."""
    path = index_dir / MANIFEST
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as e:
        raise IndexCorruptError(f"{path}: cannot read the index manifest ({e.strerror}): check its permissions",
                                zh=f"无法读取索引清单 {path}（{e.strerror}）：请检查文件权限", path=str(path)) from e
    try:
        manifest = json.loads(raw.decode("utf-8"))
        if not isinstance(manifest, dict) or "settings" not in manifest:
            raise ValueError("not an index manifest")
    except (ValueError, UnicodeDecodeError) as e:
        raise IndexCorruptError(
            f"{path} is corrupt ({e}): run `python -m assistant index` to rebuild it from the corpus "
            "(cached documents and vectors are reused)",
            zh=f"索引清单 {path} 已损坏：请运行 `python -m assistant index` 重建索引（已缓存的文档和向量会被复用）",
            path=str(path)) from e
    return manifest


def _write_json_atomic(path: Path, data) -> None:
    tmp = path.with_name(path.name + f".{uuid.uuid4().hex[:6]}.tmp")
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            # dumps, not dump: only the one-shot encoder is the C one (a 10,000-document manifest
            # is written in a tenth of the time)
            f.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)  # the switch: atomic on POSIX
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(folder: Path) -> None:
    # A rename is durable once the folder's entry is on disk; not every filesystem lets us open a folder.
    fd = os.open(folder, os.O_RDONLY)
    try:
        # Some filesystems cannot fsync a folder (EINVAL); the rename is atomic either way, only its
        # durability across a power cut depends on this.
        with contextlib.suppress(OSError):
            os.fsync(fd)
    finally:
        os.close(fd)


_WRITER_LOCKS: dict[str, tuple] = {}
_WRITER_LOCKS_GUARD = threading.Lock()


@contextmanager
def writer_lock(index_dir: Path):
    """Exclusive right to change the corpus and the index: across threads (an RLock, so a writer
    may call another writer, as an upload calls a build) and across processes (a file lock on
    index/.lock, released by the kernel if the holder dies, so a killed build leaves no stale lock)."""
    from filelock import FileLock, Timeout

    index_dir.mkdir(parents=True, exist_ok=True)
    path = str((index_dir / LOCK).resolve())
    with _WRITER_LOCKS_GUARD:
        if path not in _WRITER_LOCKS:
            # One FileLock object per path, shared by the threads that take the RLock in turn: a second
            # FileLock object on the same file would wait for the first one, even in the same thread.
            _WRITER_LOCKS[path] = (threading.RLock(), FileLock(path, timeout=LOCK_TIMEOUT_S, thread_local=False))
        rlock, flock = _WRITER_LOCKS[path]
    with rlock:
        try:
            with flock:
                yield
        except Timeout as e:
            raise PolicyQAError(f"{path} is held by another writer for more than {LOCK_TIMEOUT_S} s: "
                                "wait for the running `python -m assistant index` or upload to finish",
                                zh="另一个索引更新正在进行，请稍后再试") from e


def _index_id(index_dir: Path) -> str:
    path = index_dir / "index_id"
    value = path.read_bytes().decode("ascii", "replace").strip() if path.exists() else ""
    if value.isalnum() and len(value) == 8:
        return value
    # Missing or damaged: a new id. Collections under a lost id stay on a Chroma server until removed by hand.
    value = uuid.uuid4().hex[:8]
    tmp = path.with_suffix(".tmp")
    tmp.write_text(value, encoding="ascii")
    os.replace(tmp, path)
    return value


# Who wrote a manifest: a process, identified beyond its pid (pids are reused).
_PROCESS = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"
_EMBEDDED_VIEW: dict[str, str] = {}  # embedded store → the generation this process's Chroma view includes


def _fresh_embedded_view(settings: Settings, index_dir: Path, manifest: dict | None) -> None:
    """Make this process's embedded Chroma client see rows another process wrote.

    The embedded client keeps its vector index in memory and does not notice rows added by another
    process (an `index` run while the app is up); a new client after clearing chromadb's client
    cache reads the store from disk. Handles taken before keep working.
    """
    if settings.chroma_host or not manifest or manifest.get("writer") == _PROCESS:
        return
    path = str((index_dir / "chroma").resolve())
    if _EMBEDDED_VIEW.get(path) == manifest.get("generation"):
        return
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()
    _EMBEDDED_VIEW[path] = manifest.get("generation")


def _settings_key(settings: Settings, model_id: str) -> dict:
    return {
        "version": INDEX_VERSION,
        "embed_model": model_id,
        "chunk_tokens": settings.chunk_tokens,
        "chroma": _chroma_mode(settings),
    }


def _chroma_mode(settings: Settings) -> str:
    return f"server:{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded"


def _collection_name(index_id: str, model_id: str) -> str:
    # One collection per index folder and embedding model (vector sizes differ between models).
    return f"policyqa-{index_id}-{hashlib.sha1(model_id.encode()).hexdigest()[:8]}"


# --- Chroma -------------------------------------------------------------------------------------


def chroma_client(settings: Settings, index_dir: Path):
    """A Chroma client: the server named by CHROMA_HOST, or the embedded store in index/chroma."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # Telemetry would try the network; this project runs offline.
    cs = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=cs)
            client.heartbeat()
        except Exception as e:  # httpx, chromadb and OS errors alike mean the same to the user
            raise _server_down(settings, e) from e
        return client
    try:
        return chromadb.PersistentClient(path=str(index_dir / "chroma"), settings=cs)
    except Exception as e:
        raise StoreUnavailableError(
            f"{index_dir / 'chroma'}: the embedded Chroma store cannot be opened ({type(e).__name__}: {e}): "
            "run `python -m assistant index` to rebuild it from the cached vectors",
            zh=f"向量库 {index_dir / 'chroma'} 无法打开：请运行 `python -m assistant index` 从缓存重建") from e


def _server_down(settings: Settings, e: BaseException) -> StoreUnavailableError:
    where = f"{settings.chroma_host}:{settings.chroma_port}"
    return StoreUnavailableError(
        f"Chroma server {where} is unreachable ({type(e).__name__}: {e}): start it with `chroma run` "
        "or unset CHROMA_HOST; questions work again as soon as it is back",
        zh=f"检索服务暂时不可用（Chroma 服务器 {where} 无法连接），请稍后再试；管理员请检查 `chroma run` 是否在运行")


def _flat_metadata(r: Record, key: str) -> dict:
    """Every record field as Chroma metadata (lists joined, since Chroma wants scalars)."""
    d = r.to_dict()
    d.pop("text")
    d["doc_key"] = key
    return {k: ("、".join(v) if isinstance(v, list) else v) for k, v in d.items()}


def _row_id(key: str, i: int) -> str:
    return f"{key}:{i}"


def _add_rows(collection, batch: list[tuple[str, list[Record], np.ndarray]]) -> None:
    """Rows of document versions, (key, records, vectors) each, through llama-index's ChromaVectorStore.

    Vectors are passed in. The node's source is the policy doc_id, which llama-index writes as the
    `doc_id` metadata that a document filter matches. Adding ids that exist already is a no-op in
    Chroma, which makes a build that redoes the work of an interrupted one safe.
    """
    if not any(records for _, records, _ in batch):
        return
    from llama_index.core.schema import NodeRelationship, RelatedNodeInfo, TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    store = ChromaVectorStore(chroma_collection=collection)
    nodes = [TextNode(id_=_row_id(key, i), text=r.text, metadata=_flat_metadata(r, key), embedding=vectors[i].tolist(),
                      relationships={NodeRelationship.SOURCE: RelatedNodeInfo(node_id=r.doc_id)})
             for key, records, vectors in batch for i, r in enumerate(records)]
    for i in range(0, len(nodes), 5000):  # Chroma refuses batches above ~5,461 rows
        store.add(nodes[i:i + 5000])


def _delete_rows(collection, rows: dict[str, int]) -> None:
    """Rows of document versions no manifest names any more, by id (ChromaVectorStore.delete_nodes)."""
    from llama_index.vector_stores.chroma import ChromaVectorStore

    ids = [_row_id(k, i) for k, n in rows.items() for i in range(n)]
    store = ChromaVectorStore(chroma_collection=collection)
    for i in range(0, len(ids), 5000):
        store.delete_nodes(node_ids=ids[i:i + 5000])


# --- one document version on disk ---------------------------------------------------------------


class StoredItems(Sequence):
    """A loaded document's support items, built from their stored rows when first read: opening an
    index of 10,000 documents builds none of their 250,000 items; a question builds its documents'."""

    def __init__(self, stored: bytes) -> None:
        self._stored, self._items = stored, None

    def _all(self) -> list[SupportItem]:
        if self._items is None:
            self._items = [_item(row) for row in marshal.loads(self._stored)]
            self._stored = None
        return self._items

    def __getitem__(self, i):
        return self._all()[i]

    def __len__(self) -> int:
        return len(self._all())


_RECORD_FIELDS = tuple(Record.__dataclass_fields__)
# A stored record row: its fields, then what readers compute from them for every record at opening.
_RECORD_ROW = _RECORD_FIELDS + ("record_id", "measure_key")
_ITEM_FIELDS = tuple(SupportItem.__dataclass_fields__)
_FIGURE_FIELDS = tuple(Figure.__dataclass_fields__)
_ENTRY_MAGIC = b"PQA5"


def _record(row: tuple) -> Record:
    """A frozen Record from its stored field values, set as pickle sets them (no __init__: opening
    10,000 documents builds 130,000 records, and a frozen dataclass's __init__ is most of that time)."""
    r = object.__new__(Record)
    r.__dict__.update(zip(_RECORD_ROW, row))
    return r


def _item(row: tuple) -> SupportItem:
    fields = dict(zip(_ITEM_FIELDS, row))
    fields["figures"] = tuple(Figure(*f) for f in fields["figures"])
    return SupportItem(**fields)


def _entry_bytes(e: "DocEntry") -> bytes:
    """entry.marshal: a magic word, the CRC-32 of the rest (a truncated or overwritten file is told
    from a good one before it is read), then the entry as plain tuples, lists and dicts. What a
    reader does not need at opening (the support items, the vocabulary) is kept as marshalled
    bytes inside, decoded when first used."""
    records = [tuple(getattr(r, n) for n in _RECORD_ROW) for r in e.records]
    items = [tuple(tuple(tuple(getattr(f, m) for m in _FIGURE_FIELDS) for f in it.figures) if n == "figures" else getattr(it, n)
                   for n in _ITEM_FIELDS) for it in e.items]
    body = marshal.dumps((e.file, e.document, sentence_count(e.records), _RECORD_ROW, records,
                          _ITEM_FIELDS, _FIGURE_FIELDS, marshal.dumps(items), marshal.dumps(e.words)))
    return _ENTRY_MAGIC + zlib.crc32(body).to_bytes(4, "little") + body


@dataclass
class DocEntry:
    """A parsed document version: what the cache folder docs/<key>/ holds."""

    key: str
    file: str
    document: dict  # Document.metadata()
    records: list[Record]
    items: Sequence[SupportItem]  # a list when parsed; StoredItems when loaded
    stored_words: dict[str, int] | bytes  # the document's vocabulary; marshalled bytes until a writer needs it
    terms: list[dict[str, int]] | None = None  # BM25 term counts per record (writers only)
    vectors: np.ndarray | None = None  # writers only
    sentence_vectors: np.ndarray | None = None  # writers only; readers map sentences.npy when needed
    scan: object | None = field(default=None, repr=False, compare=False)  # textscan.DocText, computed when a question first needs it

    @property
    def doc_id(self) -> str:
        return self.document["doc_id"]

    @property
    def words(self) -> dict[str, int]:
        if isinstance(self.stored_words, bytes):
            self.stored_words = marshal.loads(self.stored_words)
        return self.stored_words


def entry_for(doc, key: str, chunk_tokens: int) -> DocEntry:
    """A loaded Document parsed into what docs/<key>/ holds, without vectors (an upload parses its
    file with this outside the write lock, so that the build that commits it only reuses it)."""
    from .corpus import parse_documents
    from .items import extract_items
    from .terms import document_tokens, document_vocabulary, word_frequencies

    docs, records, _ = parse_documents([doc], chunk_tokens)
    words = word_frequencies(document_vocabulary(records))
    tokens = document_tokens([passage_text(r) for r in records], words)
    return DocEntry(key, doc.path, docs[0].metadata(), records, extract_items(records), words,
                    terms=[dict(Counter(t)) for t in tokens])


def _doc_dir(index_dir: Path, key: str) -> Path:
    return index_dir / "docs" / key


def _corrupt(path: Path, e: BaseException) -> IndexCorruptError:
    reason = getattr(e, "strerror", None) or str(e)
    return IndexCorruptError(
        f"{path} is missing or damaged ({type(e).__name__}: {reason}): run `python -m assistant index` "
        "to rebuild that part of the index",
        zh=f"索引文件 {path} 缺失或已损坏：请运行 `python -m assistant index` 修复索引", path=str(path))


def load_entry(index_dir: Path, key: str, terms: bool = False, vectors: bool = False) -> DocEntry:
    """Read docs/<key>/; raises IndexCorruptError naming the damaged file."""
    folder = os.path.join(index_dir, "docs", key)  # strings, not Paths: an index of 10,000 documents opens 10,000 of them
    path = os.path.join(folder, ENTRY_FILE)
    try:
        with open(path, "rb") as f:
            data = f.read()
        if data[:4] != _ENTRY_MAGIC or int.from_bytes(data[4:8], "little") != zlib.crc32(data[8:]):
            raise ValueError("not a complete entry file (truncated or overwritten)")
        file, document, sentences, rnames, rows, inames, fnames, items, words = marshal.loads(data[8:])
        if (rnames, inames, fnames) != (_RECORD_ROW, _ITEM_FIELDS, _FIGURE_FIELDS):
            raise ValueError("written for records of other fields")
        entry = DocEntry(key, file, document, [_record(row) for row in rows], StoredItems(items), words)
        if terms:
            path = os.path.join(folder, "terms.json")
            entry.terms = json.loads(Path(path).read_text(encoding="utf-8"))
            if len(entry.terms) != len(rows):
                raise ValueError("one term list per record expected")
        if vectors:
            path = os.path.join(folder, "vectors.npy")
            entry.vectors = np.load(path)
            if len(entry.vectors) != len(rows):
                raise ValueError("one vector per record expected")
            entry.sentence_vectors = _sentence_file(folder, sentences)
    except (OSError, ValueError, KeyError, TypeError, EOFError) as e:
        raise _corrupt(Path(path), e) from e
    return entry


def _sentence_file(folder: str, count: int, mmap: bool = False) -> np.ndarray | None:
    """A folder's sentence vectors, or None when they are not there yet (an upload's, until
    `complete_sentences` writes them) or cannot be used: answers then rank sentences by words alone."""
    try:
        vectors = np.load(os.path.join(folder, SENTENCES_FILE), mmap_mode="r" if mmap else None)
    except (OSError, ValueError, EOFError):
        return None
    return vectors if len(vectors) == count else None


def _write_entry(index_dir: Path, e: DocEntry) -> int:
    """Write docs/<key>/ in one rename; returns the size in bytes of its CORE_FILES (recorded in the
    manifest). Without sentence vectors (an upload's), the folder holds none until `complete_sentences`."""
    tmp = index_dir / "tmp" / f"doc-{e.key}-{uuid.uuid4().hex[:6]}"
    tmp.mkdir(parents=True)
    try:
        (tmp / ENTRY_FILE).write_bytes(_entry_bytes(e))
        (tmp / "terms.json").write_text(json.dumps(e.terms, ensure_ascii=False), encoding="utf-8")
        with open(tmp / "vectors.npy", "wb") as f:
            np.save(f, np.asarray(e.vectors, dtype=np.float32))
        if e.sentence_vectors is not None:
            _save_sentences(tmp / SENTENCES_FILE, e.sentence_vectors)
        size = _core_bytes(tmp)
        target = _doc_dir(index_dir, e.key)
        target.parent.mkdir(exist_ok=True)
        if target.exists():  # a damaged copy (the manifest's sizes did not match): replace it
            shutil.rmtree(target)
        os.rename(tmp, target)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return size


def _save_sentences(path: Path, vectors: np.ndarray) -> None:
    with open(path, "wb") as f:
        # float16: cosines to three decimals, half the disk of float32 for the largest file
        np.save(f, np.asarray(vectors, dtype=np.float16))


def _folder_bytes(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.iterdir() if p.is_file())


def _core_bytes(folder: Path) -> int:
    """The size of a document folder's CORE_FILES: its sentence vectors may be added after the
    manifest recording it was written, and are checked by their count when read instead."""
    return sum(os.stat(os.path.join(folder, name)).st_size for name in CORE_FILES)


def _damaged(folder: Path | str, files: tuple[str, ...], expected: int | None) -> str | None:
    """Why a cache folder cannot be trusted (a file missing, or sizes that differ from the manifest)."""
    base = str(folder)
    try:
        sizes = {name: os.stat(os.path.join(base, name)).st_size for name in files}
    except FileNotFoundError as e:
        return f"{e.filename} is missing"
    except OSError as e:
        return f"{e.filename}: {e.strerror}"
    if expected is not None and sum(sizes.values()) != expected:
        return f"{folder} holds {sum(sizes.values())} bytes, the manifest recorded {expected} (a file was truncated or changed)"
    return None


# --- building -----------------------------------------------------------------------------------


def build_index(settings: Settings, embedder: Embedder | None = None, progress: bool = True, force: bool = False,
                staged: tuple[Path, ...] = ()) -> IndexReport:
    """Bring the index up to date with the corpus folder, parsing only added or changed files.

    `force` re-parses every file and rewrites every cache file (vectors that still load are reused).
    `staged`: files outside the corpus folder indexed as if they were in it (an upload being
    committed: assistant/manage.py moves it into the corpus after this switch).
    Example: python -m assistant index --corpus corpus --index index
    """
    t0 = time.perf_counter()
    with writer_lock(settings.index_dir):
        try:
            report = _Build(settings, embedder, progress, force, staged).run()
        except OSError as e:
            if e.errno != errno.ENOSPC:
                raise
            raise _disk_full(settings.index_dir, e) from e
    report.seconds = time.perf_counter() - t0
    return report


def complete_sentences(settings: Settings, embedder: Embedder | None = None, keys: Sequence[str] | None = None) -> int:
    """Embed the sentences of live documents whose folder holds no usable sentence vectors, and add
    them; returns how many documents were completed. An upload is published as soon as its passages
    are embedded (its sentences are as many again: the model's time would double the wait), and this
    follows it (assistant/manage.py); `python -m assistant index` and the app's start call it too, so a
    process killed in between leaves nothing missing for long. Until then that document's sentences
    are ranked by their words alone. The model runs outside the write lock; only the rename takes it.
    `keys`: only these document versions (an upload's); by default every live one."""
    try:
        manifest = read_manifest(settings.index_dir) or {}
    except IndexCorruptError:
        return 0  # the next build repairs the manifest and embeds what it writes
    live = {d["key"] for d in manifest.get("live", [])}
    done = 0
    for key in (keys if keys is not None else sorted(live)):
        folder = str(_doc_dir(settings.index_dir, key))
        if key not in live:
            continue
        if keys is None:
            try:  # a quick look first: reading 10,000 entries to count their sentences would take seconds
                np.load(os.path.join(folder, SENTENCES_FILE), mmap_mode="r")
                continue
            except (OSError, ValueError, EOFError):
                pass
        try:
            entry = load_entry(settings.index_dir, key)
        except IndexCorruptError:
            continue  # the next build repairs it
        count = sentence_count(entry.records)
        if _sentence_file(folder, count, mmap=True) is not None:
            continue
        embedder = embedder or make_embedder(settings)
        vectors = embed_texts(embedder, [t for r in entry.records for t in sentence_texts(r)])
        with writer_lock(settings.index_dir):
            try:
                still = {d["key"] for d in (read_manifest(settings.index_dir) or {}).get("live", [])}
            except IndexCorruptError:
                still = set()
            if key not in still or not os.path.isdir(folder):
                continue  # removed meanwhile
            tmp = Path(folder) / f"{SENTENCES_FILE}.{uuid.uuid4().hex[:6]}.tmp"
            try:
                _save_sentences(tmp, vectors)
                os.replace(tmp, Path(folder) / SENTENCES_FILE)
            except BaseException:
                tmp.unlink(missing_ok=True)
                raise
        done += 1
    return done


def _relative(folder: Path, base: Path) -> str:
    try:
        return os.path.relpath(folder.resolve(), base.resolve())
    except ValueError:  # another drive (Windows): only an absolute path can name it
        return str(folder.resolve())


def _disk_full(index_dir: Path, e: BaseException) -> PolicyQAError:
    return PolicyQAError(
        f"no space left on the device holding {index_dir} ({e}): the previous index is unchanged and keeps serving; "
        "free some space and run `python -m assistant index` again",
        zh=f"索引所在磁盘空间已满（{index_dir}）：原有索引未受影响、仍可使用；请清理磁盘后重新运行 `python -m assistant index`")


def _is_disk_full(e: BaseException) -> bool:
    text = str(e).lower()
    return getattr(e, "errno", None) == errno.ENOSPC or "no space left" in text or "disk is full" in text


class _Build:
    def __init__(self, settings: Settings, embedder: Embedder | None, progress: bool, force: bool,
                 staged: tuple[Path, ...] = ()) -> None:
        self.s = settings
        self.staged = tuple(staged)
        self.dir = settings.index_dir
        self.embedder = embedder
        self.model_id = embedder.model_id if embedder else model_id_for(settings)
        self.progress = progress
        self.force = force
        self.problems: list[str] = []  # files that could not be used (kept in the manifest)
        self.repairs: list[str] = []  # what this run found damaged or left over and fixed (reported once)
        self._col = None  # the Chroma collection being written
        self._client = None
        self._old: dict | None = None
        self._collection_name = ""
        self._rows_added: set[str] = set()
        self._pending: list[tuple] = []  # rows not yet sent to Chroma: (key, records, vectors)
        self._pending_rows = 0

    def run(self) -> IndexReport:
        from .terms import use_dictionary_cache

        use_dictionary_cache(self.dir)
        try:
            old = read_manifest(self.dir)
        except IndexCorruptError as e:
            self.repairs.append(f"{e.path}: the index manifest was corrupt; the index was rebuilt from the corpus "
                                "and the cached documents")
            old = None
        self._old = old
        key = _settings_key(self.s, self.model_id)
        same = bool(old) and old.get("settings") == key
        index_id = _index_id(self.dir)
        collection = _collection_name(index_id, self.model_id)
        fp = parser_fingerprint()
        files = sorted([*corpus_files(self.s.corpus_dir), *self.staged], key=lambda p: p.name)
        hashes, stats = _hash_files(files, old if (old and not self.force) else {}, self.problems)

        old_live = {d["file"]: d for d in old["live"]} if same else {}
        damaged = self._check(old) if same else {}
        if (not self.force and same and not damaged and old.get("parser") == fp and old.get("files") == hashes
                and old.get("collection") == collection and not self.problems):
            self._clean_folders(old)  # what an interrupted build left behind
            return IndexReport(True, old.get("documents", 0), old.get("records", 0),
                               problems=old.get("problems", []) + self.repairs)

        # Decide, file by file, what to reuse and what to parse.
        skipped_old = old.get("skipped", {}) if same else {}
        live: list[dict] = []  # manifest entries, in file name order
        entries: dict[str, DocEntry] = {}  # entries parsed or read in this run, by key
        skipped: dict[str, dict] = {}
        to_parse: list[tuple[Path, str]] = []
        seen: dict[str, str] = {}
        for p in files:
            name = p.name
            if name not in hashes:
                continue
            did = old_live[name]["doc_id"] if name in old_live else doc_id_for(name)
            if did in seen:
                # Not reused by later builds: it depends on the other file, not on this one.
                skipped[name] = {"sha256": hashes[name], "fingerprint": fp, "collision": True,
                                 "problem": f"{name}: same document id as {seen[did]}: rename one of the files"}
                continue
            seen[did] = name
            k = doc_key(name, hashes[name], fp, self.s.chunk_tokens, self.model_id)
            o = old_live.get(name)
            if not self.force and o and o["key"] == k and k not in damaged:
                live.append(dict(o))
                continue
            so = skipped_old.get(name)
            if not self.force and so and so["sha256"] == hashes[name] and so.get("fingerprint") == fp and not so.get("collision"):
                skipped[name] = so
                continue
            cached = None if self.force else self._cached(k)
            if cached is not None:
                entries[k] = cached
                live.append(self._live_entry(cached, hashes[name]))
                continue
            to_parse.append((p, k))
            live.append({"file": name, "key": k, "sha256": hashes[name]})  # completed below

        parsed = self._parse(to_parse, skipped, hashes, fp)
        self._collection_name = collection
        same_model = bool(old) and old.get("settings", {}).get("embed_model") == self.model_id
        embedded, sentences = self._embed_and_write(parsed, {d["file"]: d for d in old.get("live", [])} if same_model else {})
        entries.update({e.key: e for e in parsed})
        live = [d if "records" in d else self._live_entry(entries[d["key"]], d["sha256"])
                for d in live if "records" in d or d["key"] in entries]

        # Chroma: rows for every live version the collection may not have yet, then a count check.
        prev_keys = {d["key"]: d["records"] for d in old["live"]} if old and old.get("collection") == collection else {}
        older = (old.get("previous") or {}).get("keys", {}) if old and old.get("collection") == collection else {}
        expected = {**older, **prev_keys, **{d["key"]: d["records"] for d in live}}
        new_rows = [d for d in live if d["key"] not in prev_keys and d["key"] not in self._rows_added]
        with self._chroma_errors():
            self._write_chroma(new_rows, entries, expected, live)

        lex_id, lex_bytes = self._lexicon(old if same else None, live, entries, damaged)

        total = sum(d["records"] for d in live)
        live_keys = {d["key"] for d in live}
        problems = [p for p in self.problems] + [x["problem"] for x in skipped.values()]
        problems += [w for d in live for w in d.get("warnings", [])]
        manifest = {
            "settings": key,
            "index_id": index_id,
            "generation": f"g{int(time.time() * 1000)}-{uuid.uuid4().hex[:6]}",
            "collection": collection,
            # Relative to the index folder: a copy of both folders elsewhere still names its own corpus.
            "corpus_dir": _relative(self.s.corpus_dir, self.dir),
            "parser": fp,
            "files": hashes,
            "stat": stats,  # size and modification time of each file, to skip hashing unchanged ones
            "documents": len(live),
            "records": total,
            "live": live,
            "skipped": skipped,
            "lexicon": {"id": lex_id, "bytes": lex_bytes},
            "previous": {"keys": prev_keys, "lexicon": (old.get("lexicon") or {}).get("id") if old else None,
                         "collection": old.get("collection") if old else None},
            # Rows in the collection that readers of this manifest must skip: they ask Chroma for that many more.
            "stale_rows": sum(n for k, n in prev_keys.items() if k not in live_keys),
            "problems": problems,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "writer": _PROCESS,
            "written_ns": time.time_ns(),
        }
        _write_json_atomic(self.dir / MANIFEST, manifest)
        self._clean(manifest, older)

        old_files = (old or {}).get("files", {})
        return IndexReport(
            False, len(live), total, embedded=embedded, reused=total - embedded, sentences_embedded=sentences,
            added=sorted(set(hashes) - set(old_files)),
            changed=sorted(k for k in hashes if k in old_files and old_files[k] != hashes[k]),
            removed=sorted(set(old_files) - set(hashes)),
            problems=problems + self.repairs, parsed=len(to_parse),
        )

    # -- steps --

    def _check(self, old: dict) -> dict[str, str]:
        """Live cache folders that are missing or whose size differs from the manifest's record."""
        bad = {}
        docs = os.path.join(self.dir, "docs")  # strings, not Paths: 10,000 folders are checked at every upload
        for d in old.get("live", []):
            # "core_bytes": the CORE_FILES (this code's manifests); "bytes": every file of DOC_FILES (earlier ones).
            if "core_bytes" in d:
                why = _damaged(os.path.join(docs, d["key"]), CORE_FILES, d["core_bytes"])
            else:
                why = _damaged(os.path.join(docs, d["key"]), DOC_FILES, d.get("bytes"))
            if why:
                bad[d["key"]] = why
                self.repairs.append(f"{why}: rebuilt that document's part of the index")
        lex = old.get("lexicon") or {}
        why = _damaged(self.dir / "lexicon" / str(lex.get("id")), LEXICON_FILES, lex.get("bytes")) if lex.get("id") else None
        if why:
            bad["lexicon"] = why
            self.repairs.append(f"{why}: rebuilt the BM25 lexicon from the cached terms")
        if not self.s.chroma_host and old.get("live") and not (self.dir / "chroma" / "chroma.sqlite3").exists():
            bad["chroma"] = "missing"
            self.repairs.append(f"{self.dir / 'chroma'} was missing: vectors were written again from the cache")
        return bad

    def _cached(self, key: str) -> DocEntry | None:
        """A complete docs/<key>/ left by an earlier run (an interrupted build, a file renamed back)."""
        if not _doc_dir(self.dir, key).is_dir():
            return None
        try:
            return load_entry(self.dir, key, terms=True, vectors=True)
        except IndexCorruptError as e:
            self.repairs.append(f"{e.path}: a cached document was damaged; it was parsed again")
            return None

    def _live_entry(self, e: DocEntry, sha: str) -> dict:
        return {"file": e.file, "doc_id": e.doc_id, "sha256": sha, "key": e.key, "records": len(e.records),
                "core_bytes": _core_bytes(_doc_dir(self.dir, e.key)), "warnings": list(e.document.get("warnings", []))}

    def _parse(self, todo: list[tuple[Path, str]], skipped: dict, hashes: dict, fp: str) -> list[DocEntry]:
        from .load import load_document

        out = []
        for path, key in todo:
            try:
                doc = load_document(path)
            except BadDocumentError as e:
                skipped[path.name] = {"sha256": hashes[path.name], "fingerprint": fp, "problem": str(e)}
                continue
            except OSError as e:
                self.problems.append(f"{path.name}: cannot read the file ({e.strerror}): check its permissions")
                continue
            try:
                out.append(entry_for(doc, key, self.s.chunk_tokens))
            except Exception as e:  # a parser bug on one odd file must not stop the corpus from being indexed
                skipped[path.name] = {"sha256": hashes[path.name], "fingerprint": fp,
                                      "problem": f"{path.name}: could not be parsed ({type(e).__name__}: {e}): "
                                                 "left out of the index; please report this file"}
                continue
        return out

    def _embed_and_write(self, parsed: list[DocEntry], old_live: dict) -> tuple[int, int]:
        """Vectors for the parsed documents (reusing identical passages and sentences), each folder
        written when ready; returns how many passages and how many sentences were embedded."""
        known: dict[str, np.ndarray] = {}
        for e in parsed:  # the previous version of the same file: its unchanged passages keep their vectors
            o = old_live.get(e.file)
            if o and _doc_dir(self.dir, o["key"]).is_dir():
                try:
                    prev = load_entry(self.dir, o["key"], vectors=True)
                except IndexCorruptError as err:
                    self.repairs.append(f"{err.path}: damaged, so its vectors were computed again")
                    continue
                for r, v in zip(prev.records, prev.vectors):
                    known[text_key(self.model_id, passage_text(r))] = v
                if prev.sentence_vectors is not None:
                    for t, v in zip((t for r in prev.records for t in sentence_texts(r)), prev.sentence_vectors):
                        known[text_key(self.model_id, t)] = np.asarray(v, dtype=np.float32)
        texts: dict[str, str] = {}
        keys, skeys = {}, {}
        for e in parsed:
            passages = [passage_text(r) for r in e.records]
            keys[e.key] = [text_key(self.model_id, t) for t in passages]
            texts.update(zip(keys[e.key], passages))
            sents = [t for r in e.records for t in sentence_texts(r)]
            skeys[e.key] = [text_key(self.model_id, t) for t in sents]
            texts.update(zip(skeys[e.key], sents))
        missing = len({k for e in parsed for k in keys[e.key] + skeys[e.key] if k not in known})
        bar = None
        if missing:
            from tqdm import tqdm

            bar = tqdm(total=missing, desc="embedding", unit="passage", disable=not self.progress, file=sys.stderr)
        embedded = sentences = 0
        passage_keys = {k for ks in keys.values() for k in ks}
        try:
            for e in parsed:
                # Shortest first, a few at a time: the model pads a call's texts to its longest (embed.BATCH).
                todo = sorted(dict.fromkeys(k for k in keys[e.key] + skeys[e.key] if k not in known), key=lambda k: len(texts[k]))
                if todo:
                    self.embedder = self.embedder or make_embedder(self.s)
                    for i in range(0, len(todo), BATCH):
                        batch = todo[i:i + BATCH]
                        for k, v in zip(batch, self.embedder.passages([texts[k] for k in batch])):
                            known[k] = np.asarray(v, dtype=np.float32)
                        if bar:
                            bar.update(len(batch))
                    embedded += sum(k in passage_keys for k in todo)
                    sentences += sum(k not in passage_keys for k in todo)
                e.vectors = np.vstack([known[k] for k in keys[e.key]]) if e.records else np.zeros((0, 0), np.float32)
                e.sentence_vectors = np.vstack([known[k] for k in skeys[e.key]]) if skeys[e.key] else np.zeros((0, 0), np.float32)
                _write_entry(self.dir, e)  # complete and reusable even if this build is interrupted later
                self._add_to_chroma(e)
            self._add_to_chroma(None, flush=True)
            for e in parsed:
                e.vectors = e.sentence_vectors = None  # on disk and in Chroma now: a build of thousands of documents need not hold them all
        finally:
            if bar:
                bar.close()
        return embedded, sentences

    def _collection(self, name: str, create: bool):
        if self._client is None:
            self._client = chroma_client(self.s, self.dir)
        client = self._client
        if create:
            # embedding_function=None: Chroma's default would download a model; vectors are passed in.
            return client, client.get_or_create_collection(name, embedding_function=None, metadata={"hnsw:space": "cosine"})
        return client, client.get_collection(name, embedding_function=None)

    @contextmanager
    def _chroma_errors(self):
        try:
            yield
        except PolicyQAError:
            raise
        except Exception as e:  # chromadb reports a full disk or a lost server as its own error types
            if _is_disk_full(e):
                raise _disk_full(self.dir, e) from e
            if self.s.chroma_host:
                raise _server_down(self.s, e) from e
            raise StoreUnavailableError(
                f"{self.dir / 'chroma'}: writing vectors failed ({type(e).__name__}: {e}); the previous index is "
                "unchanged: run `python -m assistant index` again", zh="写入向量库失败，原有索引未受影响：请重新运行 `python -m assistant index`") from e

    def _target(self):
        if self._col is None:
            _fresh_embedded_view(self.s, self.dir, self._old)
            _, self._col = self._collection(self._collection_name, create=True)
        return self._col

    def _add_to_chroma(self, e: DocEntry, flush: bool = False) -> None:
        """A new version's rows, added soon after it is written (readers skip them until the switch).

        Rows are sent in batches of a few thousand: each call to Chroma's embedded store costs about
        as much as a thousand rows, so one call per document would dominate a large build.
        """
        if e is not None:
            self._pending.append((e.key, e.records, e.vectors))
            self._pending_rows += len(e.records)
        if self._pending and (flush or self._pending_rows >= 4000):
            with self._chroma_errors():
                _add_rows(self._target(), self._pending)
            self._rows_added.update(k for k, _, _ in self._pending)
            self._pending, self._pending_rows = [], 0

    def _write_chroma(self, new_rows: list[dict], entries: dict[str, DocEntry], expected: dict[str, int],
                      live: list[dict]) -> None:
        col = self._target()

        def with_vectors(key: str) -> DocEntry:
            e = entries.get(key)
            return e if e is not None and e.vectors is not None else load_entry(self.dir, key, vectors=True)

        for d in new_rows:
            e = with_vectors(d["key"])
            _add_rows(col, [(e.key, e.records, e.vectors)])
        count = col.count()
        if count == sum(expected.values()):
            return
        # Rows no manifest names (an interrupted build) or rows missing (a damaged store): reconcile by id.
        have: set[str] = set()
        for offset in range(0, count, 5000):
            have.update(col.get(include=[], limit=5000, offset=offset)["ids"])
        want = {_row_id(k, i) for k, n in expected.items() for i in range(n)}
        extra = sorted(have - want)
        if extra:
            col.delete(ids=extra)
            self.repairs.append(f"removed {len(extra)} vector rows that no index version names (left by an interrupted build)")
        live_keys = {d["key"] for d in live}
        gaps = {rid.rpartition(":")[0] for rid in want - have} & live_keys
        for d in live:
            if d["key"] in gaps:
                e = with_vectors(d["key"])
                _add_rows(col, [(e.key, e.records, e.vectors)])
        if gaps:
            self.repairs.append(f"{len(gaps)} documents had vectors missing from Chroma: written again from the cache")

    def _lexicon(self, old: dict | None, live: list[dict], entries: dict[str, DocEntry], damaged: dict) -> tuple[str, int]:
        keys = [d["key"] for d in live]
        base, lex_id = None, (old or {}).get("lexicon", {}).get("id")
        if lex_id and "lexicon" not in damaged:
            try:
                base = Lexicon.load(self.dir / "lexicon" / lex_id)
            except (OSError, ValueError) as e:
                self.repairs.append(f"{e}: the BM25 lexicon was rebuilt from the cached terms")
        if base is not None and set(base.keys) != {d["key"] for d in old["live"]}:
            self.repairs.append(f"{self.dir / 'lexicon' / lex_id} did not match the manifest: the BM25 lexicon was rebuilt")
            base = None
        if base is not None and set(keys) == set(base.keys):
            return lex_id, old["lexicon"]["bytes"]
        if base is None:
            base = Lexicon.empty()
        have = set(base.keys)
        removed, lex = have - set(keys), base
        todo = [k for k in keys if k not in have]
        # Merged 500 documents at a time: a build from scratch then never holds the postings of
        # the whole corpus as Python lists (a few GB at 10,000 documents), only as arrays.
        for i in range(0, len(todo), 500):
            add = []
            for k in todo[i:i + 500]:
                e = entries.get(k)
                if e is None or e.terms is None:
                    e = load_entry(self.dir, k, terms=True)
                add.append(DocTerms(k, e.terms, e.words))
                if k in entries:
                    entries[k].terms = None  # merged: not needed again in this build
            lex = lex.update(removed, add)  # each update is a pass over every posting: removals go with the first
            removed = set()
        if removed:
            lex = lex.update(removed, [])
        new_id = f"lex-{uuid.uuid4().hex[:10]}"
        tmp = self.dir / "tmp" / new_id
        try:
            lex.save(tmp)
            size = _folder_bytes(tmp)
            (self.dir / "lexicon").mkdir(exist_ok=True)
            os.rename(tmp, self.dir / "lexicon" / new_id)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
        return new_id, size

    def _clean_folders(self, manifest: dict) -> None:
        keep = {d["key"] for d in manifest.get("live", [])} | set((manifest.get("previous") or {}).get("keys", {}))
        lex_keep = {(manifest.get("lexicon") or {}).get("id"), (manifest.get("previous") or {}).get("lexicon")}
        try:
            for folder, kept in ((self.dir / "docs", keep), (self.dir / "lexicon", lex_keep)):
                if folder.is_dir():
                    for p in folder.iterdir():
                        if p.name not in kept:
                            shutil.rmtree(p)
            if (self.dir / "tmp").is_dir():
                shutil.rmtree(self.dir / "tmp")
            for p in self.dir.glob("gen-*"):  # the layout of index version 1
                shutil.rmtree(p)
            for p in self.dir.glob(MANIFEST + ".*.tmp"):
                p.unlink()
            from .terms import dictionary_files

            current = {p.name for p in dictionary_files(self.dir)}
            for p in self.dir.glob("jieba-*"):  # a copy of another jieba version's dictionary, or a half-written one
                if p.name not in current:
                    p.unlink()
        except OSError as e:
            self.repairs.append(f"could not remove old index data ({e.filename}: {e.strerror}): the next build retries")

    def _clean(self, manifest: dict, older: dict[str, int]) -> None:
        """Delete what neither this manifest nor the previous one names. Failures are reported, not fatal:
        the new index is already live, and the next build tries again."""
        self._clean_folders(manifest)
        keep = {d["key"] for d in manifest["live"]} | set(manifest["previous"]["keys"])
        gone = {k: n for k, n in older.items() if k not in keep}
        try:
            client, col = self._collection(manifest["collection"], create=True)
            if gone:
                _delete_rows(col, gone)
            mine = f"policyqa-{manifest['index_id']}-"
            names = {manifest["collection"], manifest["previous"]["collection"]}
            for c in client.list_collections():
                cname = c if isinstance(c, str) else c.name
                if cname.startswith(mine) and cname not in names:
                    client.delete_collection(cname)
        except Exception as e:  # the new index is live already: report, and let the next build retry
            self.repairs.append(f"could not remove old vector rows ({type(e).__name__}: {e}): the next build retries")


# --- reading an index -----------------------------------------------------------------------------


@contextmanager
def _gc_paused():
    """Python's cycle collector off while an index's records are read, and what was read moved out
    of its reach afterwards (gc.freeze). It would otherwise walk the hundreds of thousands of new
    objects again and again: at opening (half a second of opening 10,000 documents) and in every
    full collection during later questions (a few tenths of a second each). They hold no reference
    cycle, so reference counting frees them when the index is dropped, as before (a test checks
    that an index and its answerer need no collector to be freed)."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was:
            gc.enable()


def _stamp(path: Path) -> tuple | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return (st.st_ino, st.st_mtime_ns, st.st_size)


class PolicyIndex:
    """A built index opened for querying: records, documents, BM25, the Chroma store, the embedder.

    Lookups never scan every record: doc_freq, records_of, parts_of, with_measure and with_unit are
    answered from structures built once at opening.
    """

    def __init__(self, settings: Settings, embedder: Embedder | None = None, check_corpus: bool = False,
                 previous: "PolicyIndex | None" = None) -> None:
        index_dir = settings.index_dir
        self._stamp = _stamp(index_dir / MANIFEST)
        manifest = read_manifest(index_dir)
        from .terms import use_dictionary_cache

        use_dictionary_cache(index_dir)
        if not manifest:
            raise IndexMissingError(f"no index in {index_dir}: run `python -m assistant index --index {index_dir}`",
                                    zh=f"{index_dir} 中还没有索引：请运行 `python -m assistant index`")
        model_id = embedder.model_id if embedder else model_id_for(settings)
        want = _settings_key(settings, model_id)
        have = manifest.get("settings", {})
        if have.get("embed_model") != want["embed_model"]:
            raise IndexStaleError(f"index built with model {have.get('embed_model')}, settings say {want['embed_model']}: "
                                  "run `python -m assistant index` to rebuild it")
        if have != want:
            raise IndexStaleError(f"index in {index_dir} was built with other settings ({have}): run `python -m assistant index`")
        if check_corpus:
            # The corpus it was built from, recorded relative to the index folder: a copy of both folders
            # elsewhere checks its own corpus (a manifest of older versions holds an absolute path).
            corpus_dir = index_dir / manifest["corpus_dir"] if manifest.get("corpus_dir") else settings.corpus_dir
            if corpus_dir.is_dir() and file_hashes(corpus_dir, manifest) != manifest.get("files"):
                raise IndexStaleError(f"the corpus in {corpus_dir} changed since the index was built: run `python -m assistant index`")
        self.settings = settings
        self.manifest = manifest
        self.generation: str = manifest["generation"]
        self._dir = index_dir
        self._embedder = embedder
        self._collection = None
        self._client_lock = threading.Lock()
        self._sentences: dict[str, tuple[dict[str, tuple[int, int]], np.ndarray]] = {}  # doc key → (record → rows, vectors)
        self._qcache: dict[str, np.ndarray] = {}
        self._text_scan = None
        self._scan_lock = threading.Lock()

        held = previous._entries if previous is not None else {}
        self._entries: dict[str, DocEntry] = {}
        with _gc_paused():
            for d in manifest["live"]:
                self._entries[d["key"]] = held.get(d["key"]) or load_entry(index_dir, d["key"])
            lex = manifest["lexicon"]["id"]
            if previous is not None and previous.manifest["lexicon"]["id"] == lex:
                self.lexicon, self.terms = previous.lexicon, previous.terms
            else:
                try:
                    self.lexicon = Lexicon.load(index_dir / "lexicon" / lex)
                except (OSError, ValueError) as e:
                    raise _corrupt(index_dir / "lexicon" / lex, e) from e
                from .terms import Terms

                self.terms = Terms(self.lexicon.words)
            self._index_records(manifest)

    def _index_records(self, manifest: dict) -> None:
        self.records: list[Record] = []
        self.documents: dict[str, dict] = {}
        self._items: dict[str, Sequence[SupportItem]] = {}
        self._start: dict[str, int] = {}  # doc key → index of its first record
        self._range: dict[str, tuple[int, int]] = {}  # doc_id → record range
        self._key_of: dict[str, str] = {}  # doc_id → its live version's key
        for d in manifest["live"]:
            e = self._entries[d["key"]]
            self._start[e.key] = len(self.records)
            self._range[e.doc_id] = (len(self.records), len(self.records) + len(e.records))
            self._key_of[e.doc_id] = e.key
            self.records.extend(e.records)
            self._items[e.doc_id] = e.items
            self.documents[e.doc_id] = e.document
        # One pass over the records builds every lookup (at 10,000 documents each pass costs ~0.2 s).
        self.by_id: dict[str, Record] = {}
        self.position: dict[str, int] = {}
        self.units: set[str] = set()  # canonical names in the corpus
        self._measure: dict[int, list[Record]] = {}
        self._parts: dict[tuple, list[Record]] = {}
        self._unit: dict[str, list[Record]] = {}
        for i, r in enumerate(self.records):
            self.by_id[r.record_id] = r
            self.position[r.record_id] = i
            self.units.update(r.all_units)
            if r.kind != "measure":
                continue
            self._measure.setdefault(r.measure, []).append(r)
            self._parts.setdefault(r.measure_key, []).append(r)
            if r.part == r.parts - 1:  # units are stated once, at the end of a measure
                for u in dict.fromkeys(r.all_units):
                    self._unit.setdefault(u, []).append(r)
        # The lexicon numbers records in its own order (documents as they were added): map to ours.
        lex = self.lexicon
        if set(lex.keys) != set(self._start) or lex.n_records != len(self.records):
            raise _corrupt(self._dir / "lexicon" / manifest["lexicon"]["id"], ValueError("does not match the manifest"))
        self._lex_to_rec = np.empty(lex.n_records, dtype=np.int64)
        for i, k in enumerate(lex.keys):
            s, e = int(lex.starts[i]), int(lex.starts[i + 1])
            self._lex_to_rec[s:e] = np.arange(self._start[k], self._start[k] + e - s)
        self._stale = int(manifest.get("stale_rows", 0))

    # --- change detection -------------------------------------------------------------------------

    def is_current(self) -> bool:
        """False once another writer (this process or another) has switched the manifest."""
        return _stamp(self._dir / MANIFEST) == self._stamp

    # --- lookups ----------------------------------------------------------------------------------

    @property
    def n_records(self) -> int:
        return len(self.records)

    def doc_freq(self, term: str) -> int:
        """Number of records whose BM25 terms include `term` (a column length of the lexicon)."""
        return self.lexicon.doc_freq(term)

    def doc_freq_outside(self, term: str, doc_id: str) -> int:
        """Number of records of the other documents whose BM25 terms include `term`."""
        key = next((e.key for e in self._entries.values() if e.doc_id == doc_id), None)
        return self.doc_freq(term) - (self.lexicon.doc_freq_within(term, key) if key else 0)

    def records_with_term(self, term: str) -> list[Record]:
        """The records whose BM25 terms include `term` (its postings in the lexicon), in index order."""
        i = self.lexicon.term_id(term)
        if i is None:
            return []
        col = self.lexicon.postings[int(self.lexicon.indptr[i]):int(self.lexicon.indptr[i + 1])]
        return [self.records[int(j)] for j in np.sort(self._lex_to_rec[col])]

    def records_of(self, doc_id: str) -> list[Record]:
        """A document's records in document order."""
        s, e = self._range.get(doc_id, (0, 0))
        return self.records[s:e]

    def first_record(self, doc_id: str) -> Record | None:
        """A document's first record (its header), without copying its list of records."""
        s, e = self._range.get(doc_id, (0, 0))
        return self.records[s] if s < e else None

    @property
    def items(self) -> list[SupportItem]:
        """Every document's support items, in document order (the 惠企政策 tab; built on first use)."""
        return [it for d in self._items.values() for it in d]

    def items_of(self, doc_id: str) -> list[SupportItem]:
        """A document's support items (assistant/items.py), in text order."""
        return list(self._items.get(doc_id, []))

    def parts_of(self, record: Record) -> list[Record]:
        """Every part of the measure `record` belongs to (a record that is not a measure: its own parts)."""
        if record.kind == "measure":
            return list(self._parts.get(record.measure_key, [record]))
        i = self.position.get(record.record_id)
        if i is None:
            return [record]
        first = i - record.part
        return self.records[first:first + record.parts]

    def sentence_vectors(self, record: Record) -> np.ndarray | None:
        """The stored vector of each sentence of `record` (clauses.sentence_spans order), float16;
        None when the document's file of sentence vectors cannot be read. The file is memory-mapped
        on first use, so opening an index of thousands of documents reads none of them."""
        key = self._key_of.get(record.doc_id)
        if key is None or record.record_id not in self.position:
            return None
        if key not in self._sentences:
            from .clauses import sentence_spans

            rows, n = {}, 0
            for r in self._entries[key].records:
                first, n = n, n + len(sentence_spans(r.text))
                rows[r.record_id] = (first, n)
            vectors = _sentence_file(str(_doc_dir(self._dir, key)), n, mmap=True)
            if vectors is None:
                return None  # not written yet (an upload's): looked for again at the next question
            self._sentences[key] = (rows, vectors)
        rows, vectors = self._sentences[key]
        first, end = rows[record.record_id]
        return vectors[first:end]

    def text_scan(self):
        """Every record's folded text, searchable as runs of characters (assistant/textscan.py); built
        on first use from each document's text, which an index reopened after an upload reuses."""
        with self._scan_lock:
            if self._text_scan is None:
                from .textscan import TextScan, doc_text

                keys = [d["key"] for d in self.manifest["live"]]
                self._text_scan = TextScan([doc_text(self._entries[k]) for k in keys], [self._start[k] for k in keys],
                                           len(self.records))
            return self._text_scan

    def with_measure(self, number: int) -> list[Record]:
        """Every measure record numbered `number`, across documents, in document order."""
        return list(self._measure.get(number, []))

    def with_unit(self, canonical: str) -> list[Record]:
        """The last part of each measure that names `canonical` in any role (lead, co, joint, listed)."""
        return list(self._unit.get(canonical, []))

    # --- retrieval --------------------------------------------------------------------------------

    def query_vector(self, text: str) -> np.ndarray:
        """A question's vector, remembered for the few questions last asked (retrieval and evidence
        selection both need it; embedding it costs more than the rest of a warm question)."""
        with self._client_lock:
            v = self._qcache.get(text)
        if v is None:
            v = np.asarray(self.embedder.query(text), dtype=np.float32)
            with self._client_lock:
                if len(self._qcache) >= 64:
                    self._qcache.pop(next(iter(self._qcache)))
                self._qcache[text] = v
        return v

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    def _chroma(self):
        with self._client_lock:
            if self._collection is None:
                _fresh_embedded_view(self.settings, self._dir, self.manifest)
                client = chroma_client(self.settings, self._dir)
                try:
                    self._collection = client.get_collection(self.manifest["collection"], embedding_function=None)
                except Exception as e:
                    if self.settings.chroma_host:
                        raise _server_down(self.settings, e) from e
                    raise StoreUnavailableError(
                        f"{self._dir / 'chroma'}: collection {self.manifest['collection']} cannot be read "
                        f"({type(e).__name__}: {e}): run `python -m assistant index` to write the vectors again",
                        zh="向量库损坏或缺失：请运行 `python -m assistant index` 修复索引") from e
            return self._collection

    def dense(self, query_vector: np.ndarray, k: int, doc_id: str | None = None) -> list[tuple[Record, float]]:
        """Nearest records by cosine similarity, through Chroma (rows of other versions skipped)."""
        if not self.records:
            return []
        n = k + self._stale + 8
        while True:
            col = self._chroma()
            try:
                res = col.query(query_embeddings=[np.asarray(query_vector, dtype=np.float32).tolist()], n_results=n,
                                where={"doc_id": doc_id} if doc_id else None, include=["distances"])
            except Exception as e:
                with self._client_lock:
                    self._collection = None  # reconnect on the next question
                if self.settings.chroma_host:
                    raise _server_down(self.settings, e) from e
                raise StoreUnavailableError(f"{self._dir / 'chroma'}: query failed ({type(e).__name__}: {e}): "
                                            "run `python -m assistant index` to repair the store",
                                            zh="向量检索失败：请运行 `python -m assistant index` 修复索引") from e
            ids, dists = res["ids"][0], res["distances"][0]
            out = []
            for rid, dist in zip(ids, dists):
                key, _, i = rid.rpartition(":")
                start = self._start.get(key)
                if start is not None and i.isdigit():
                    # exp(-distance), as llama-index's ChromaVectorStore reports it (POLICYQA_MIN_DENSE is calibrated on it).
                    out.append((self.records[start + int(i)], math.exp(-dist)))
            # Rows of other versions (a build in progress elsewhere) may crowd the top: ask for more.
            if len(out) >= k or len(ids) < n or n >= 4096:
                return out[:k]
            n *= 4

    def lexical(self, question: str, k: int, doc_id: str | None = None) -> list[tuple[Record, float]]:
        """Best records by BM25 over jieba terms."""
        tokens = self.terms.tokens(question)
        if not tokens or not self.records:
            return []
        scores = np.zeros(len(self.records), dtype=np.float32)
        scores[self._lex_to_rec] = self.lexicon.scores(tokens)
        lo, hi = self._range.get(doc_id, (0, 0)) if doc_id else (0, len(scores))
        part = scores[lo:hi]
        cand = np.nonzero(part > 0)[0]
        if len(cand) > k:
            cand = cand[np.argpartition(-part[cand], k - 1)[:k]]
        cand = cand[np.lexsort((cand, -part[cand]))]  # best first; ties in document order
        return [(self.records[lo + int(i)], float(part[i])) for i in cand[:k]]


def open_index(settings: Settings, embedder: Embedder | None = None, check_corpus: bool = False,
               previous: PolicyIndex | None = None) -> PolicyIndex:
    """Open the index the settings point at; raises IndexMissingError / IndexStaleError /
    IndexCorruptError with the fix. `previous` (an index opened earlier) lends its unchanged documents."""
    for attempt in range(3):
        stamp = _stamp(settings.index_dir / MANIFEST)
        try:
            return PolicyIndex(settings, embedder, check_corpus, previous)
        except IndexCorruptError:
            # A writer switched the manifest and removed what we were reading: read the new one.
            if attempt == 2 or _stamp(settings.index_dir / MANIFEST) == stamp:
                raise
    raise AssertionError("unreachable")
