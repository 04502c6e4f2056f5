"""Several app processes, one Chroma server: what one instance uploads, the others answer, no restart.

Coordination under test: writers exclude each other with the file lock index/.lock (across
processes); readers notice a switched manifest before each question and reopen the index.
"""
import os
import shutil
import subprocess
import sys
from dataclasses import replace

import pytest

from assistant.access import OPERATOR
from assistant.config import Settings
from assistant.index import build_index, read_manifest
from assistant.service import Service

from .conftest import SEED
from .indexkit import ROOT, CachedEmbedder, ChromaServer, free_port, run_python, wait_for_port

CITY = "{city}关于支持{topic}发展的若干措施\n一、支持措施\n（一）设立{topic}专项补贴。对新落户的{topic}企业给予最高{amount}万元补贴。（责任单位：{city}科技局，{city}财政局）\n（二）支持人才引进。给予安家支持。（责任单位：{city}人社局）\n"


def _policy(path, city, topic, amount):
    path.write_text(CITY.format(city=city, topic=topic, amount=amount), encoding="utf-8")
    return path


@pytest.fixture
def server(tmp_path):
    s = ChromaServer(tmp_path / "chroma-server")
    s.start()
    try:
        yield s
    finally:
        s.stop()


@pytest.fixture
def settings(tmp_path, server, embedder):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    s = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", chroma_host="127.0.0.1", chroma_port=server.port)
    build_index(s, embedder=CachedEmbedder(embedder), progress=False)
    return s


def _env(s: Settings, port: int | None = None) -> dict:
    env = {**os.environ, "POLICYQA_CORPUS": str(s.corpus_dir), "POLICYQA_INDEX": str(s.index_dir),
           "CHROMA_HOST": s.chroma_host, "CHROMA_PORT": str(s.chroma_port), "GRADIO_ANALYTICS_ENABLED": "False"}
    if port:
        env["POLICYQA_PORT"] = str(port)
    return env


def _ask(port: int, question: str) -> dict:
    from gradio_client import Client

    return Client(f"http://127.0.0.1:{port}/", verbose=False).predict(question, api_name="/ask")


_ADD = """
import sys
from pathlib import Path
from assistant.access import OPERATOR
from assistant.config import Settings
from assistant.service import Service
s = Settings.from_env()
added = Service(s, build=False).add(Path(sys.argv[1]), sys.argv[2], OPERATOR)
print(added.doc_id)
"""


def test_two_app_processes_share_uploads_without_restart(settings, tmp_path):
    ports = [free_port(), free_port()]
    apps = [subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=_env(settings, p), stdout=subprocess.DEVNULL,
                             stderr=subprocess.PIPE) for p in ports]
    try:
        for p, proc in zip(ports, apps):
            wait_for_port(p, 300, proc)
        for p in ports:
            assert "100万元" in _ask(p, "新认定的省级新经济示范企业能获得多少资金奖励？")["answer"]
        q = "对新落户的氢能企业给予多少补贴？"
        assert not any("88万元" in _ask(p, q)["answer"] for p in ports)

        # An upload through another instance (its own process, its own Service) ...
        up = _policy(tmp_path / "upload.tmp", "青州市", "氢能", 88)
        done = run_python(_ADD, str(up), "qingzhou_hydrogen.txt", env=_env(settings))
        assert done.returncode == 0, done.stderr[-3000:]
        # ... is answered by both running apps, which were not restarted.
        for p in ports:
            a = _ask(p, q)
            assert a["found"] and "88万元" in a["answer"] and a["citations"][0]["doc_id"] == "qingzhou_hydrogen"

        # And the other way round: this process's Service uploads, the apps answer.
        service = Service(settings, build=False)
        service.add(_policy(tmp_path / "upload2.tmp", "白鹭市", "低空经济", 66), "bailu_lowalt.txt", OPERATOR)
        for p in ports:
            assert "66万元" in _ask(p, "对新落户的低空经济企业给予多少补贴？")["answer"]
        service.remove("qingzhou_hydrogen", OPERATOR)
        for p in ports:
            assert "88万元" not in _ask(p, q)["answer"]
        assert all(proc.poll() is None for proc in apps)
    finally:
        for proc in apps:
            proc.terminate()
        for proc in apps:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()


_WRITER = """
import sys
from pathlib import Path
from assistant.config import Settings
from assistant.manage import add_document
add_document(Settings.from_env(), Path(sys.argv[1]), sys.argv[2])
"""


def test_writers_in_two_processes_do_not_lose_an_update(settings, tmp_path):
    """Two processes upload at the same moment; the file lock serialises them and both documents land."""
    files = [_policy(tmp_path / f"up{i}.tmp", city, topic, amount)
             for i, (city, topic, amount) in enumerate((("东川市", "储能", 31), ("西林市", "卫星互联网", 42)))]
    names = ["dongchuan_storage.txt", "xilin_satellite.txt"]
    procs = [subprocess.Popen([sys.executable, "-c", _WRITER, str(f), n], cwd=ROOT, env=_env(settings),
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for f, n in zip(files, names)]
    outs = [p.communicate(timeout=900) for p in procs]
    assert [p.returncode for p in procs] == [0, 0], [o[1][-2000:] for o in outs]
    m = read_manifest(settings.index_dir)
    assert {d["file"] for d in m["live"]} == {SEED.name, *names}
    service = Service(replace(settings), build=False)
    for topic, amount in (("储能", 31), ("卫星互联网", 42)):
        assert f"{amount}万元" in service.ask(f"对新落户的{topic}企业给予多少补贴？").answer


def test_embedded_index_run_by_another_process_is_seen_with_its_vectors(tmp_path, embedder):
    """Embedded Chroma: an `index` run in another process while this one serves. The next question
    here sees the new document, its vectors included (Chroma's embedded client caches its vector
    index in memory; the reader opens a fresh one after another process wrote)."""
    from assistant.index import open_index

    from .conftest import SHANGHAI

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    s = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    emb = CachedEmbedder(embedder)
    build_index(s, embedder=emb, progress=False)
    idx = open_index(s, embedder=emb)
    assert idx.dense(emb.query("专项发展资金"), 3)  # this process's Chroma client is open and warm
    shutil.copy(SHANGHAI, corpus / SHANGHAI.name)
    env = {**os.environ, "POLICYQA_CORPUS": str(corpus), "POLICYQA_INDEX": str(s.index_dir)}
    p = subprocess.run([sys.executable, "-m", "assistant", "index", "--quiet"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert p.returncode == 0, p.stderr[-2000:]
    assert not idx.is_current()
    fresh = open_index(s, embedder=emb, previous=idx)
    hits = fresh.dense(emb.query("临港地区专项发展资金"), 5, doc_id="shanghai_lingang_shuangte")
    assert len(hits) == 5 and all(r.doc_id == "shanghai_lingang_shuangte" for r, _ in hits)
    # And a build in this process afterwards keeps them (its Chroma view is refreshed first).
    (corpus / SHANGHAI.name).write_text((corpus / SHANGHAI.name).read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build_index(s, embedder=emb, progress=False)
    again = open_index(s, embedder=emb, previous=fresh)
    assert len(again.dense(emb.query("临港地区专项发展资金"), 5, doc_id="shanghai_lingang_shuangte")) == 5
