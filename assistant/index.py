"""Index: measure records in Chroma (through llama-index) plus a BM25 index over jieba terms.

Layout of the index folder:
  manifest.json        settings, embedding model, corpus file hashes, the live generation
  gen-…/records.jsonl  every record; documents.json; vectors.npy + vector_keys.json (vector cache);
        bm25/          the bm25s index;  chroma/  the embedded Chroma store
A build writes a new generation folder and switches manifest.json to it in one atomic
rename, so a failed or interrupted build never replaces a good index. Unchanged passages
reuse their cached vectors; a change of embedding model or settings forces a full rebuild.
With a Chroma server (CHROMA_HOST) each generation is a collection on the server instead.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import sys
import time
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from .config import Settings
from .corpus import parse_documents
from .embed import Embedder, make_embedder, model_id_for, text_key
from .errors import IndexMissingError, IndexStaleError, PolicyQAError
from .load import corpus_files, fold, load_corpus
from .records import Document, Record
from .terms import Terms
from .units import unit_surface_forms

INDEX_VERSION = 2  # bump when parsing changes what records hold: an index of the old records is rebuilt
MANIFEST = "manifest.json"


@dataclass
class IndexReport:
    up_to_date: bool
    documents: int = 0
    records: int = 0
    embedded: int = 0  # passages embedded in this run
    reused: int = 0  # passages whose cached vector was reused
    added: list[str] = field(default_factory=list)
    changed: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seconds: float = 0.0


def passage_text(r: Record) -> str:
    """What gets embedded: the section title gives a measure its context."""
    head = " ".join(x for x in (r.section_title, r.title) if x)
    return f"{head}\n{r.text}" if head else r.text


def file_hashes(corpus_dir: Path) -> dict[str, str]:
    import hashlib

    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in corpus_files(corpus_dir)}


def read_manifest(index_dir: Path) -> dict | None:
    path = index_dir / MANIFEST
    if not path.exists():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def _settings_key(settings: Settings, model_id: str) -> dict:
    return {
        "version": INDEX_VERSION,
        "embed_model": model_id,
        "chunk_tokens": settings.chunk_tokens,
        "chroma": _chroma_mode(settings),
    }


def _chroma_mode(settings: Settings) -> str:
    return f"server:{settings.chroma_host}:{settings.chroma_port}" if settings.chroma_host else "embedded"


def chroma_client(settings: Settings, gen_dir: Path):
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    # Telemetry would try the network; this project runs offline.
    cs = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_host:
        try:
            client = chromadb.HttpClient(host=settings.chroma_host, port=settings.chroma_port, settings=cs)
            client.heartbeat()
        except Exception as e:
            raise PolicyQAError(f"Chroma server {settings.chroma_host}:{settings.chroma_port} is unreachable ({e}): "
                                "start it with `chroma run` or unset CHROMA_HOST") from e
        return client
    return chromadb.PersistentClient(path=str(gen_dir / "chroma"), settings=cs)


def _collection_name(generation: str) -> str:
    return f"policyqa-{generation}"


def _flat_metadata(r: Record) -> dict:
    """Every record field as Chroma metadata (lists joined, since Chroma wants scalars)."""
    d = r.to_dict()
    d.pop("text")
    return {k: ("、".join(v) if isinstance(v, list) else v) for k, v in d.items()}


_LIST_ITEM = re.compile(r"[\u4e00-\u9fff]{2,8}")


def vocabulary(records: list[Record]) -> list[str]:
    """Unit names (with aliases), measure titles and list items, for jieba's dictionary.

    Policy texts enumerate their subjects between 、 and quotes (瞪羚企业、独角兽企业、“专精特新”);
    as dictionary words they survive colloquial questions that jieba would otherwise cut badly.
    """
    words: set[str] = set()
    for r in records:
        for piece in re.split(r"[、，,；;。：:（）()“”\s]", fold(r.text)):
            if _LIST_ITEM.fullmatch(piece) and len(piece) <= 6:
                words.add(piece)
        for u in r.all_units:
            words.update(unit_surface_forms(u))
        words.update(r.units_printed)
        if r.title and len(r.title) <= 12:
            words.add(r.title)
    return sorted(words)


def build_index(settings: Settings, embedder: Embedder | None = None, progress: bool = True, force: bool = False) -> IndexReport:
    """Bring the index up to date with the corpus folder.

    Example: python -m assistant index --corpus corpus --index index
    """
    t0 = time.perf_counter()
    index_dir = settings.index_dir
    model_id = embedder.model_id if embedder else model_id_for(settings)
    hashes = file_hashes(settings.corpus_dir)
    old = read_manifest(index_dir)
    same_settings = bool(old) and old.get("settings") == _settings_key(settings, model_id)
    if not force and same_settings and old.get("files") == hashes and (index_dir / old["generation"]).is_dir():
        return IndexReport(True, old.get("documents", 0), old.get("records", 0), problems=old.get("problems", []),
                           seconds=time.perf_counter() - t0)

    docs, problems = load_corpus(settings.corpus_dir)
    docs, records, more = parse_documents(docs, settings.chunk_tokens)
    problems += more
    embedder = embedder or make_embedder(settings)

    # Vector cache of the live generation, when it was made with the same model.
    cache: dict[str, np.ndarray] = {}
    if same_settings:
        cache = _load_vectors(index_dir / old["generation"])
    keys = [text_key(model_id, passage_text(r)) for r in records]
    # Identical passages (a document added twice, a repeated clause) are embedded once.
    first_of = {k: i for i, k in reversed(list(enumerate(keys)))}
    missing = [i for k, i in first_of.items() if k not in cache]
    vectors = _embed_missing(embedder, [passage_text(records[i]) for i in missing], progress)
    for i, v in zip(missing, vectors):
        cache[keys[i]] = v

    generation = "gen-" + datetime.now(timezone.utc).strftime("%Y%m%d%H%M%S") + "-" + uuid.uuid4().hex[:6]
    index_dir.mkdir(parents=True, exist_ok=True)
    gen_dir = index_dir / generation
    gen_dir.mkdir()
    try:
        matrix = np.vstack([cache[k] for k in keys]) if keys else np.zeros((0, 1), dtype=np.float32)
        _write_generation(gen_dir, docs, records, keys, matrix)
        _write_chroma(settings, gen_dir, generation, records, matrix)
        old_files = (old or {}).get("files", {})
        manifest = {
            "settings": _settings_key(settings, model_id),
            "generation": generation,
            "collection": _collection_name(generation),
            "corpus_dir": str(settings.corpus_dir.resolve()),
            "files": hashes,
            "documents": len(docs),
            "records": len(records),
            "problems": problems,
            "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        }
        tmp = index_dir / (MANIFEST + ".tmp")
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
        os.replace(tmp, index_dir / MANIFEST)  # the switch: atomic on POSIX
    except BaseException:
        shutil.rmtree(gen_dir, ignore_errors=True)
        _drop_collection(settings, generation)
        raise
    if old and old.get("generation") != generation:
        _remove_generation(settings, index_dir, old)
    return IndexReport(
        False, len(docs), len(records), embedded=len(missing), reused=len(records) - len(missing),
        added=sorted(set(hashes) - set(old_files)),
        changed=sorted(k for k in hashes if k in old_files and old_files[k] != hashes[k]),
        removed=sorted(set(old_files) - set(hashes)),
        problems=problems, seconds=time.perf_counter() - t0,
    )


def _embed_missing(embedder: Embedder, texts: list[str], progress: bool) -> list[np.ndarray]:
    if not texts:
        return []
    from tqdm import tqdm

    out: list[np.ndarray] = []
    bar = tqdm(total=len(texts), desc="embedding", unit="passage", disable=not progress, file=sys.stderr)
    for i in range(0, len(texts), 8):
        batch = embedder.passages(texts[i:i + 8])
        out.extend(batch)
        bar.update(len(batch))
    bar.close()
    return out


def _write_generation(gen_dir: Path, docs: list[Document], records: list[Record], keys: list[str], matrix: np.ndarray) -> None:
    import bm25s

    (gen_dir / "documents.json").write_text(
        json.dumps([d.metadata() for d in docs], ensure_ascii=False, indent=1), encoding="utf-8")
    with open(gen_dir / "records.jsonl", "w", encoding="utf-8") as f:
        for r in records:
            f.write(json.dumps(r.to_dict(), ensure_ascii=False) + "\n")
    np.save(gen_dir / "vectors.npy", matrix.astype(np.float32))
    (gen_dir / "vector_keys.json").write_text(json.dumps(keys), encoding="utf-8")
    terms = Terms(vocabulary(records))
    bm25 = bm25s.BM25()
    bm25.index([terms.tokens(passage_text(r)) or ["_"] for r in records] or [["_"]], show_progress=False)
    bm25.save(str(gen_dir / "bm25"), show_progress=False)


def _write_chroma(settings: Settings, gen_dir: Path, generation: str, records: list[Record], matrix: np.ndarray) -> None:
    from llama_index.core.schema import TextNode
    from llama_index.vector_stores.chroma import ChromaVectorStore

    client = chroma_client(settings, gen_dir)
    # embedding_function=None: Chroma's default would download a model; vectors are passed in.
    collection = client.get_or_create_collection(_collection_name(generation), embedding_function=None,
                                                 metadata={"hnsw:space": "cosine"})
    store = ChromaVectorStore(chroma_collection=collection)
    nodes = [TextNode(id_=r.record_id, text=r.text, metadata=_flat_metadata(r), embedding=matrix[i].tolist())
             for i, r in enumerate(records)]
    # Chroma refuses a batch above its limit (5,461 rows here): 1,000 documents are ~34,000 records.
    step = max(1, int(getattr(client, "get_max_batch_size", lambda: 5000)()))
    for i in range(0, len(nodes), step):
        store.add(nodes[i:i + step])


def _load_vectors(gen_dir: Path) -> dict[str, np.ndarray]:
    try:
        keys = json.loads((gen_dir / "vector_keys.json").read_text(encoding="utf-8"))
        matrix = np.load(gen_dir / "vectors.npy")
    except (OSError, ValueError):
        return {}
    return {k: matrix[i] for i, k in enumerate(keys)} if len(keys) == len(matrix) else {}


def _drop_collection(settings: Settings, generation: str) -> None:
    if not settings.chroma_host:
        return
    try:
        chroma_client(settings, Path(".")).delete_collection(_collection_name(generation))
    except Exception:
        pass  # best effort: an orphan collection is harmless


def _remove_generation(settings: Settings, index_dir: Path, old: dict) -> None:
    shutil.rmtree(index_dir / old["generation"], ignore_errors=True)
    if str(old.get("settings", {}).get("chroma", "")).startswith("server:") and settings.chroma_host:
        _drop_collection(settings, old["generation"])


# --- reading an index ---------------------------------------------------------------------


class PolicyIndex:
    """A built index opened for querying: records, documents, BM25, the Chroma store, the embedder."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, check_corpus: bool = False) -> None:
        import bm25s

        index_dir = settings.index_dir
        manifest = read_manifest(index_dir)
        if not manifest or not (index_dir / manifest.get("generation", "?")).is_dir():
            raise IndexMissingError(f"no index in {index_dir}: run `python -m assistant index --index {index_dir}`")
        model_id = embedder.model_id if embedder else model_id_for(settings)
        want = _settings_key(settings, model_id)
        have = manifest.get("settings", {})
        if have.get("embed_model") != want["embed_model"]:
            raise IndexStaleError(f"index built with model {have.get('embed_model')}, settings say {want['embed_model']}: "
                                  "run `python -m assistant index` to rebuild it")
        if have != want:
            raise IndexStaleError(f"index in {index_dir} was built with other settings ({have}): run `python -m assistant index`")
        if check_corpus:
            corpus_dir = Path(manifest.get("corpus_dir", settings.corpus_dir))
            if corpus_dir.is_dir() and file_hashes(corpus_dir) != manifest.get("files"):
                raise IndexStaleError(f"the corpus in {corpus_dir} changed since the index was built: run `python -m assistant index`")
        self.settings = settings
        self.manifest = manifest
        gen_dir = index_dir / manifest["generation"]
        with open(gen_dir / "records.jsonl", encoding="utf-8") as f:
            self.records = [Record.from_dict(json.loads(line)) for line in f if line.strip()]
        self.by_id = {r.record_id: r for r in self.records}
        self.units = {u for r in self.records for u in r.all_units}  # canonical names in the corpus
        self.position = {r.record_id: i for i, r in enumerate(self.records)}
        self.documents = {d["doc_id"]: d for d in json.loads((gen_dir / "documents.json").read_text(encoding="utf-8"))}
        self.bm25 = bm25s.BM25.load(str(gen_dir / "bm25"), show_progress=False, verbosity=0) if self.records else None
        self.terms = Terms(vocabulary(self.records))
        self._gen_dir = gen_dir
        self._embedder = embedder
        self._store = None

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = make_embedder(self.settings)
        return self._embedder

    @property
    def store(self):
        """The llama-index ChromaVectorStore over this generation's collection (opened on first use)."""
        if self._store is None:
            from llama_index.vector_stores.chroma import ChromaVectorStore

            client = chroma_client(self.settings, self._gen_dir)
            collection = client.get_collection(self.manifest["collection"], embedding_function=None)
            self._store = ChromaVectorStore(chroma_collection=collection)
        return self._store

    def dense(self, query_vector: np.ndarray, k: int, doc_id: str | None = None) -> list[tuple[Record, float]]:
        """Nearest records by cosine similarity, through Chroma."""
        from llama_index.core.vector_stores import MetadataFilter, MetadataFilters, VectorStoreQuery

        filters = MetadataFilters(filters=[MetadataFilter(key="doc_id", value=doc_id)]) if doc_id else None
        res = self.store.query(VectorStoreQuery(query_embedding=query_vector.tolist(), similarity_top_k=k, filters=filters))
        out = []
        for rid, sim in zip(res.ids or [], res.similarities or []):
            if rid in self.by_id:
                out.append((self.by_id[rid], float(sim)))
        return out

    def lexical(self, question: str, k: int, doc_id: str | None = None) -> list[tuple[Record, float]]:
        """Best records by BM25 over jieba terms."""
        if self.bm25 is None:
            return []
        tokens = self.terms.tokens(question)
        if not tokens:
            return []
        scores = self.bm25.get_scores(tokens)
        order = np.argsort(-scores)
        out = []
        for i in order:
            if scores[i] <= 0 or len(out) >= k:
                break
            r = self.records[int(i)]
            if doc_id is None or r.doc_id == doc_id:
                out.append((r, float(scores[i])))
        return out


def open_index(settings: Settings, embedder: Embedder | None = None, check_corpus: bool = False) -> PolicyIndex:
    """Open the index the settings point at; raises IndexMissingError / IndexStaleError with the fix."""
    return PolicyIndex(settings, embedder, check_corpus)
