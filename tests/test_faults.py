"""Faults: a build killed half way, damaged index files, a Chroma server that goes away, a full disk.

In each case the previous index keeps answering, the user gets a message that names the file or
server and the fix, and the next run repairs or finishes the job without a restart loop.
"""
import errno
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path

import pytest

from assistant.answer import Answerer
from assistant.config import Settings
from assistant.errors import IndexCorruptError, PolicyQAError, StoreUnavailableError
from assistant.index import build_index, open_index, read_manifest
from assistant.service import Service

from .conftest import GESHUI, JIUYE, SEED, SHANGHAI, TIYU
from .indexkit import ROOT, CachedEmbedder, ChromaServer, tree_digest

SEED_Q = "新认定的省级新经济示范企业能获得多少资金奖励？"
SHANGHAI_Q = "临港地区专项发展资金怎么设立？"


@pytest.fixture
def emb(embedder):
    return CachedEmbedder(embedder)


def _corpus(tmp_path: Path, *docs: Path) -> Settings:
    corpus = tmp_path / "corpus"
    corpus.mkdir(exist_ok=True)
    for d in docs:
        shutil.copy(d, corpus / d.name)
    return Settings(corpus_dir=corpus, index_dir=tmp_path / "index")


def _answers_seed(settings, emb) -> bool:
    a = Answerer(open_index(settings, embedder=emb)).ask(SEED_Q)
    return a.found and "100万元" in a.answer


# --- a build killed half way ----------------------------------------------------------------------

_BUILD = """
import sys
from pathlib import Path
from assistant.config import Settings
from assistant.index import build_index
build_index(Settings(corpus_dir=Path(sys.argv[1]), index_dir=Path(sys.argv[2])), progress=False)
"""


def test_sigkill_during_build_keeps_the_old_index_and_the_next_run_finishes(tmp_path, emb):
    s = _corpus(tmp_path, SEED)
    build_index(s, embedder=emb, progress=False)
    before = (s.index_dir / "manifest.json").read_bytes()
    seed_dirs = {p.name for p in (s.index_dir / "docs").iterdir()}
    for d in (SHANGHAI, JIUYE, GESHUI, TIYU):
        shutil.copy(d, s.corpus_dir / d.name)
    proc = subprocess.Popen([sys.executable, "-c", _BUILD, str(s.corpus_dir), str(s.index_dir)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 600
        # Kill it once it has written at least one new document and is busy embedding the next one.
        while time.time() < deadline and proc.poll() is None:
            if len({p.name for p in (s.index_dir / "docs").iterdir()} - seed_dirs) >= 1:
                break
            time.sleep(0.05)
        assert proc.poll() is None, f"the build finished before it could be killed: {proc.stderr.read().decode()[-2000:]}"
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert (s.index_dir / "manifest.json").read_bytes() == before
    assert _answers_seed(s, emb)  # the previous index serves
    assert set(open_index(s, embedder=emb).documents) == {"sichuan_new_economy_2021_93"}

    rep = build_index(s, embedder=emb, progress=False)
    assert rep.documents == 5 and rep.parsed < 4  # what the killed run finished is reused
    idx = open_index(s, embedder=emb)
    assert len(idx.documents) == 5
    a = Answerer(idx).ask(SHANGHAI_Q)
    assert a.found and a.citations[0].doc_id == "shanghai_lingang_shuangte"
    assert not (s.index_dir / "tmp").exists()
    col = idx._chroma()
    assert col.count() == read_manifest(s.index_dir)["records"]  # rows of the killed run were reconciled, none twice


def test_leftovers_are_cleaned_up(tmp_path, emb):
    s = _corpus(tmp_path, SEED)
    build_index(s, embedder=emb, progress=False)
    m = read_manifest(s.index_dir)
    for junk in (s.index_dir / "docs" / "0123456789abcdef0123", s.index_dir / "lexicon" / "lex-orphan",
                 s.index_dir / "tmp" / "doc-half-written", s.index_dir / "gen-20260101000000-abcdef"):
        junk.mkdir(parents=True)
        (junk / "records.jsonl").write_text("{", encoding="utf-8")
    (s.index_dir / "manifest.json.123abc.tmp").write_text("{", encoding="utf-8")
    idx = open_index(s, embedder=emb)
    col = idx._chroma()
    col.add(ids=["deadbeefdeadbeefdead:0", "deadbeefdeadbeefdead:1"], embeddings=[[0.1] * 384, [0.2] * 384])
    assert build_index(s, embedder=emb, progress=False).up_to_date
    assert {p.name for p in (s.index_dir / "docs").iterdir()} == {m["live"][0]["key"]}
    assert {p.name for p in (s.index_dir / "lexicon").iterdir()} == {m["lexicon"]["id"]}
    assert not (s.index_dir / "tmp").exists() and not list(s.index_dir.glob("gen-*")) and not list(s.index_dir.glob("*.tmp"))
    # Orphan vector rows cost readers nothing (they are skipped) and go with the next build that writes.
    assert _answers_seed(s, emb)
    shutil.copy(SHANGHAI, s.corpus_dir / SHANGHAI.name)
    rep = build_index(s, embedder=emb, progress=False)
    assert any("no index version names" in p for p in rep.problems)
    assert col.count() == read_manifest(s.index_dir)["records"] + read_manifest(s.index_dir)["stale_rows"]


# --- damaged files inside index/ ------------------------------------------------------------------


def _truncate(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def _doc_file(s: Settings, name: str, file: str) -> Path:
    key = next(d["key"] for d in read_manifest(s.index_dir)["live"] if d["file"] == name)
    return s.index_dir / "docs" / key / file


def _lexicon_file(s: Settings, file: str) -> Path:
    return s.index_dir / "lexicon" / read_manifest(s.index_dir)["lexicon"]["id"] / file


DAMAGE = [
    # what to damage, how, whether open_index notices (and then names this file)
    ("entry truncated", lambda s: _doc_file(s, SHANGHAI.name, "entry.marshal"), _truncate, True),
    ("entry missing", lambda s: _doc_file(s, SHANGHAI.name, "entry.marshal"), lambda p: p.unlink(), True),
    ("vectors", lambda s: _doc_file(s, SHANGHAI.name, "vectors.npy"), lambda p: p.unlink(), False),
    ("postings", lambda s: _lexicon_file(s, "postings.npy"), _truncate, True),
    ("vocabulary", lambda s: _lexicon_file(s, "lexicon.marshal"), lambda p: p.write_text("[", encoding="utf-8"), True),
    ("manifest", lambda s: s.index_dir / "manifest.json", _truncate, True),
]


@pytest.mark.parametrize("what, where, damage, noticed", DAMAGE, ids=[d[0] for d in DAMAGE])
def test_damaged_index_file_is_named_and_repaired(tmp_path, emb, what, where, damage, noticed):
    s = _corpus(tmp_path, SEED, SHANGHAI)
    build_index(s, embedder=emb, progress=False)
    path = where(s)
    damage(path)
    if noticed:
        with pytest.raises(IndexCorruptError) as e:
            open_index(s, embedder=emb)
        named = path if what != "postings" else path.parent  # the lexicon is named as a folder, with the file inside the reason
        assert str(named) in str(e.value) and "python -m assistant index" in str(e.value) and e.value.zh != str(e.value)
        if what == "manifest":
            assert "corrupt" in str(e.value)  # not mistaken for "no index"
    rep = build_index(s, embedder=emb, progress=False)
    assert not rep.up_to_date and any(path.name in p or str(path.parent) in p for p in rep.problems), rep.problems
    idx = open_index(s, embedder=emb)
    a = Answerer(idx).ask(SHANGHAI_Q)
    assert a.found and a.citations[0].doc_id == "shanghai_lingang_shuangte" and _answers_seed(s, emb)
    assert build_index(s, embedder=emb, progress=False).up_to_date  # repaired for good, no rebuild loop


def test_service_starts_on_a_damaged_index(tmp_path, emb, monkeypatch):
    """A damage the size check cannot see (same length, garbage inside) is repaired once at start-up."""
    s = _corpus(tmp_path, SEED, SHANGHAI)
    build_index(s, embedder=emb, progress=False)
    path = _doc_file(s, SHANGHAI.name, "entry.marshal")
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0xFF  # one byte changed, same size: only the file's checksum tells
    path.write_bytes(bytes(data))
    import assistant.service

    monkeypatch.setattr(assistant.service, "build_index", lambda settings, **kw: build_index(settings, embedder=emb, **{"progress": False, **kw}))
    service = Service(s)
    a = service.ask(SHANGHAI_Q)
    assert a.found and a.citations[0].doc_id == "shanghai_lingang_shuangte"
    assert service.report.parsed >= 1


def test_chroma_store_deleted_is_rebuilt_from_the_cached_vectors(tmp_path):
    """Embedded mode, in fresh processes (as `index` and `ask` are run): no passage is embedded again."""
    s = _corpus(tmp_path, SEED)
    env = {"POLICYQA_CORPUS": str(s.corpus_dir), "POLICYQA_INDEX": str(s.index_dir)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "assistant", *args], cwd=ROOT, env={**os.environ, **env},  # noqa: E731
                                       capture_output=True, text=True, timeout=900)
    assert run("index", "--quiet").returncode == 0
    shutil.rmtree(s.index_dir / "chroma")
    p = run("index", "--quiet")
    assert p.returncode == 0 and "chroma was missing" in p.stderr and "embedded 0" in p.stdout, p.stdout + p.stderr
    p = run("ask", SEED_Q)
    assert p.returncode == 0 and "100万元" in p.stdout


# --- the Chroma server goes away and comes back ----------------------------------------------------


def test_chroma_server_outage_gives_a_clear_error_and_recovers(tmp_path, emb):
    server = ChromaServer(tmp_path / "chroma-server")
    server.start()
    try:
        s = replace(_corpus(tmp_path, SEED), chroma_host="127.0.0.1", chroma_port=server.port)
        build_index(s, embedder=emb, progress=False)
        service = Service(s, build=False)
        assert "100万元" in service.ask(SEED_Q).answer
        server.stop()
        with pytest.raises(StoreUnavailableError) as e:
            service.ask(SEED_Q)
        assert f"127.0.0.1:{server.port}" in str(e.value) and "chroma run" in str(e.value)
        assert "检索服务暂时不可用" in e.value.zh and isinstance(e.value, PolicyQAError)
        # Questions that do not need vectors are still answered during the outage.
        a = service.ask("第（十三）条由哪个单位牵头？")
        assert a.found and "省发展改革委" in a.answer
        server.start()
        assert "100万元" in service.ask(SEED_Q).answer  # the same service, no restart
    finally:
        server.stop()


# --- a full disk --------------------------------------------------------------------------------


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """A 24 MB tmpfs when the machine lets tests mount one (root); otherwise None, and the test
    simulates ENOSPC at the write call instead."""
    mnt = tmp_path / "disk"
    mnt.mkdir()
    p = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", str(mnt)], capture_output=True, text=True)
    if p.returncode != 0:
        yield None
        return
    try:
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def test_disk_full_keeps_the_old_index(tmp_path, emb, small_disk, monkeypatch):
    s = _corpus(tmp_path, SEED)
    if small_disk is not None:
        s = replace(s, index_dir=small_disk / "index")
    build_index(s, embedder=emb, progress=False)
    before = (s.index_dir / "manifest.json").read_bytes()
    kept = tree_digest(s.index_dir / "docs")
    shutil.copy(SHANGHAI, s.corpus_dir / SHANGHAI.name)
    filler = None
    if small_disk is not None:
        filler = small_disk / "filler"
        free = os.statvfs(small_disk).f_bavail * os.statvfs(small_disk).f_frsize
        with open(filler, "wb") as f:
            f.write(b"\0" * (free - 16 * 1024))  # 16 KB left: less than the new document needs
    else:
        import assistant.index

        real = assistant.index._write_entry

        def full(index_dir, e):
            raise OSError(errno.ENOSPC, "No space left on device", str(index_dir / "tmp" / e.key))

        monkeypatch.setattr(assistant.index, "_write_entry", full)
    with pytest.raises(PolicyQAError) as err:
        build_index(s, embedder=emb, progress=False)
    assert "no space left" in str(err.value) and "磁盘空间已满" in err.value.zh
    assert (s.index_dir / "manifest.json").read_bytes() == before
    assert tree_digest(s.index_dir / "docs") == kept
    assert _answers_seed(s, emb)
    if filler is not None:
        filler.unlink()
    else:
        monkeypatch.setattr(assistant.index, "_write_entry", real)
    rep = build_index(s, embedder=emb, progress=False)
    assert rep.added == [SHANGHAI.name]
    a = Answerer(open_index(s, embedder=emb)).ask(SHANGHAI_Q)
    assert a.found and a.citations[0].doc_id == "shanghai_lingang_shuangte"


def test_corrupt_manifest_is_not_read_as_no_index(tmp_path, emb):
    s = _corpus(tmp_path, SEED)
    build_index(s, embedder=emb, progress=False)
    (s.index_dir / "manifest.json").write_text(json.dumps(["not", "a", "manifest"]), encoding="utf-8")
    with pytest.raises(IndexCorruptError, match="manifest.json is corrupt"):
        read_manifest(s.index_dir)
    rep = build_index(s, embedder=emb, progress=False)
    assert any("manifest was corrupt" in p for p in rep.problems) and rep.embedded == 0 and rep.parsed == 0
    assert _answers_seed(s, emb)

