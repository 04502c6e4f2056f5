"""Uploads as jobs: bounded reading, one at a time behind a bounded queue, committed or not there.

- Limits: a PDF's pages and an image's pixels are refused from the header; OCR stops at its time
  limit; a blank page is not sent to OCR. Each refusal names the limit and its setting.
- The queue: one job read at a time (in a child process, outside the index's write lock: the lock
  is free and questions are answered while a scan is read), a full queue refuses, the uploader
  sees the place in the queue and the pages read.
- Crashes: a process SIGKILLed at each stage of an upload or a removal leaves the corpus and the
  index in step once anything next touches them (`ask` here), which says what it did; the app
  killed while a scan is read kills its reader too and discards the upload at the next start.
- An index folder copied elsewhere with its corpus keeps working.
"""
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from assistant.access import OPERATOR, Caller
from assistant.config import Settings
from assistant.errors import NotAllowedError, TooCostlyError
from assistant.extract import Limits, check_limits, read_pdf
from assistant.index import _sha256, build_index, open_index, read_manifest, writer_lock
from assistant.manage import add_document
from assistant.service import Service
from eval.formats import FONT_FILE, save_images_as_pdf

from .conftest import ROOT, SEED
from .indexkit import CachedEmbedder, free_port, run_python
from .test_exposed import _blank_pdf, _huge_png
from .test_formats import _need, render_pages, txt_lines

POLICY = "某某市关于支持企业发展的若干措施\n一、支持措施\n（一）设立算力补贴。给予最高50万元补贴。（责任单位：市科技局，市财政局）\n（二）支持人才。给予安家支持。（责任单位：市人社局）\n"


@pytest.fixture(scope="module")
def scan(tmp_path_factory) -> Path:
    """Four pages of the seed policy as a scan (images only, no text layer)."""
    _need(FONT_FILE, "Debian's fonts-wqy-zenhei")
    folder = tmp_path_factory.mktemp("scan")
    return save_images_as_pdf(render_pages(txt_lines(SEED))[:4], folder / "sichuan_scan.pdf", 150)


# --- limits --------------------------------------------------------------------------------------


def test_pages_and_pixels_are_refused_from_the_header(tmp_path):
    limits = Limits(max_pages=100, max_pixels=40_000_000)
    with pytest.raises(TooCostlyError) as e:
        check_limits(_blank_pdf(tmp_path / "x.tmp", 200), limits, "blank.pdf")
    assert "200 页" in e.value.zh and "100 页" in e.value.zh and "POLICYQA_MAX_PAGES" in e.value.zh
    with pytest.raises(TooCostlyError) as e:
        check_limits(_huge_png(tmp_path / "huge.png"), limits)
    assert "13000×13000" in e.value.zh and "POLICYQA_MAX_IMAGE_MEGAPIXELS" in e.value.zh
    with pytest.raises(TooCostlyError, match="POLICYQA_MAX_IMAGE_MEGAPIXELS"):  # past PIL's own bomb limit too
        check_limits(_huge_png(tmp_path / "huger.png", 20000), limits)
    check_limits(_blank_pdf(tmp_path / "ok.pdf", 100), limits)  # at the limit: allowed


def test_blank_pages_are_not_sent_to_ocr(tmp_path, monkeypatch):
    import assistant.extract as extract

    def no_ocr(image):
        raise AssertionError("a blank page was sent to OCR")

    monkeypatch.setattr(extract, "ocr_image", no_ocr)
    seen = []
    got = read_pdf(_blank_pdf(tmp_path / "blank.pdf", 30), progress=False, on_page=lambda d, n: seen.append((d, n)))
    assert got.ocr_pages == 30 and len(got.warnings) == 30 and seen[-1] == (30, 30)


def test_ocr_stops_at_its_time_limit(scan):
    start = time.monotonic()
    with pytest.raises(TooCostlyError) as e:
        read_pdf(scan, progress=False, limits=Limits(ocr_seconds=1))
    assert "POLICYQA_OCR_SECONDS" in e.value.zh and "1 秒" in e.value.zh and "/4 页停止" in e.value.zh
    assert "第 4/4" not in e.value.zh  # stopped before the last page
    print(f"stopped after {time.monotonic() - start:.1f} s")


# --- the queue -----------------------------------------------------------------------------------


def _service(tmp_path: Path, embedder, **settings) -> Service:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    s = Settings(corpus_dir=corpus, index_dir=tmp_path / "index", **settings)
    build_index(s, embedder=CachedEmbedder(embedder), progress=False)
    return Service(s, build=False)


@pytest.fixture
def service(tmp_path, embedder):
    return _service(tmp_path, embedder, upload_queue=1)


def test_one_upload_read_at_a_time_outside_the_lock_behind_a_bounded_queue(service, scan, tmp_path):
    txt = tmp_path / "city.tmp"
    txt.write_text(POLICY, encoding="utf-8")
    first = service.submit(scan, scan.name, OPERATOR)
    deadline = time.monotonic() + 60
    while first.state == "queued" and time.monotonic() < deadline:  # the worker takes it out of the queue
        time.sleep(0.05)
    second = service.submit(txt, "city_ai.txt", OPERATOR)
    with pytest.raises(TooCostlyError) as e:  # one reading, one waiting: the queue of one is full
        service.submit(txt, "another.txt", OPERATOR)
    assert "上传队列已满" in e.value.zh and "POLICYQA_UPLOAD_QUEUE" in e.value.zh
    lines_first, lines_second = [], []
    watcher = threading.Thread(target=lambda: lines_second.extend(second.watch(every=0.2)))
    watcher.start()
    lock_waits, answered = [], []
    for line in first.watch(every=0.2):
        lines_first.append(line)
        if first.state == "reading" and "页" in line and len(lock_waits) < 3:
            # While the scan is read, the write lock is free and questions are answered.
            t = time.monotonic()
            with writer_lock(service.settings.index_dir):
                lock_waits.append(time.monotonic() - t)
            answered.append(service.ask("新认定的省级新经济示范企业能获得多少资金奖励？").found)
    added = first.wait(600)
    assert added.doc_id == "sichuan_scan" and added.measures > 0
    assert second.wait(600).doc_id == "city_ai"
    watcher.join()
    assert any("第 1/4 页" in x for x in lines_first) and any("前面还有 1 个文件" in x for x in lines_second)
    assert lock_waits and max(lock_waits) < 1 and answered and all(answered)
    assert {"sichuan_scan", "city_ai"} <= set(service.index.documents)
    assert sorted(p.name for p in service.settings.corpus_dir.iterdir()) == ["city_ai.txt", SEED.name, "sichuan_scan.pdf"]
    assert not any(p.is_dir() for p in (service.settings.index_dir / "staging").iterdir())


def test_a_refused_job_leaves_nothing_and_the_next_one_goes_on(scan, tmp_path, embedder):
    service = _service(tmp_path, embedder, ocr_seconds=1)
    s = service.settings
    before = sorted(p.name for p in s.corpus_dir.iterdir()), (s.index_dir / "manifest.json").read_bytes()
    slow = service.submit(scan, scan.name, OPERATOR)
    txt = tmp_path / "city.tmp"
    txt.write_text(POLICY, encoding="utf-8")
    with pytest.raises(TooCostlyError) as e:
        slow.wait(600)
    assert "POLICYQA_OCR_SECONDS" in e.value.zh
    assert (sorted(p.name for p in s.corpus_dir.iterdir()), (s.index_dir / "manifest.json").read_bytes()) == before
    added = service.submit(txt, "city_ai.txt", OPERATOR).wait(600)
    assert added.doc_id == "city_ai"
    assert not any(p.is_dir() for p in (s.index_dir / "staging").iterdir())
    # Published with its passages' vectors; the worker adds its sentences' right after.
    deadline = time.monotonic() + 120
    while not (s.index_dir / "docs" / added.key / "sentences.npy").exists() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert (s.index_dir / "docs" / added.key / "sentences.npy").exists()


def test_the_app_start_adds_sentence_vectors_an_upload_did_not_get_to(tmp_path, embedder):
    service = _service(tmp_path, embedder)
    txt = tmp_path / "city.tmp"
    txt.write_text(POLICY, encoding="utf-8")
    added = add_document(service.settings, txt, "city_ai.txt", embedder=CachedEmbedder(embedder), sentences=False)
    sentences = service.settings.index_dir / "docs" / added.key / "sentences.npy"
    assert not sentences.exists()  # as if the app had stopped right after publishing it
    Service(service.settings)
    assert sentences.exists()


def test_the_service_checks_the_right_itself(service, tmp_path):
    txt = tmp_path / "city.tmp"
    txt.write_text(POLICY, encoding="utf-8")
    for caller in (Caller(None, "192.0.2.7"), Caller("someone", "127.0.0.1", forwarded=True)):
        with pytest.raises(NotAllowedError):
            service.submit(txt, "city_ai.txt", caller)
        with pytest.raises(NotAllowedError):
            service.remove(SEED.stem, caller)
    assert sorted(p.name for p in service.settings.corpus_dir.iterdir()) == [SEED.name]


# --- SIGKILL at every stage -----------------------------------------------------------------------

_KILLED = """
import os, signal, sys
from pathlib import Path
import assistant.index as index
import assistant.manage as manage
from assistant.config import Settings

corpus, index_dir, where, action, arg = sys.argv[1:6]
def die(*args, **kwargs):
    os.kill(os.getpid(), signal.SIGKILL)
if where == "reading":
    manage.load_document = die      # while the upload is read and parsed
elif where == "switch":
    index._write_json_atomic = die  # as the new manifest is written: before the switch
elif where == "after-switch":
    manage._publish = die           # the manifest names the upload; it is not in the corpus yet
    manage._settle = die            # (a removal: the manifest no longer names the file)
s = Settings(corpus_dir=Path(corpus), index_dir=Path(index_dir))
if action == "add":
    manage.add_document(s, Path(arg), "city_ai.txt")
else:
    manage.remove_document(s, arg)
print("not killed")
"""


def _in_step(s: Settings) -> dict:
    """The corpus folder and the live manifest agree, file by file and byte for byte."""
    corpus = {p.name: _sha256(p) for p in s.corpus_dir.iterdir() if p.is_file()}
    assert read_manifest(s.index_dir)["files"] == corpus
    return corpus


@pytest.mark.parametrize("where, action, outcome, present", [
    ("reading", "add", "upload of city_ai.txt: discarded", False),
    ("switch", "add", "upload of city_ai.txt: discarded", False),
    ("after-switch", "add", "upload of city_ai.txt: published", True),
    ("switch", "remove", f"removal of {SEED.name}: undone", True),
    ("after-switch", "remove", f"removal of {SEED.name}: finished", False),
])
def test_sigkill_during_an_upload_or_removal_leaves_corpus_and_index_in_step(tmp_path, embedder, where, action, outcome,
                                                                              present):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(SEED, corpus / SEED.name)
    s = Settings(corpus_dir=corpus, index_dir=tmp_path / "index")
    build_index(s, embedder=CachedEmbedder(embedder), progress=False)
    if action == "remove":  # a second document, so that removing the seed leaves an index
        (corpus / "city_ai.txt").write_text(POLICY, encoding="utf-8")
        build_index(s, embedder=CachedEmbedder(embedder), progress=False)
    up = tmp_path / "upload.tmp"
    up.write_text(POLICY.replace("50万元", "77万元"), encoding="utf-8")
    killed = run_python(_KILLED, str(corpus), str(s.index_dir), where, action, str(up) if action == "add" else SEED.stem)
    assert killed.returncode == -signal.SIGKILL, killed.stdout + killed.stderr[-2000:]

    # The next thing to touch the index (here `ask`, which checks the corpus against it) settles it.
    env = {"POLICYQA_CORPUS": str(corpus), "POLICYQA_INDEX": str(s.index_dir)}
    asked = run_python("from assistant.cli import main; raise SystemExit(main())", "ask", "算力补贴给多少？", env=env)
    assert asked.returncode == 0, asked.stderr[-2000:]
    assert f"after an interruption: {outcome}" in asked.stderr
    files = _in_step(s)
    name = "city_ai.txt" if action == "add" else SEED.name
    assert (name in files) == present
    assert not any(p.is_dir() for p in (s.index_dir / "staging").iterdir())
    docs = set(open_index(s, embedder=embedder, check_corpus=True).documents)
    assert ((Path(name).stem) in docs) == present
    if action == "add" and present:
        assert "某某市关于支持企业发展的若干措施" in asked.stdout  # the published upload answers


def test_the_app_killed_while_reading_a_scan_discards_it_at_the_next_start(tmp_path, scan):
    """SIGKILL of the app during OCR: its reader dies with it, and the restarted app says what it did."""
    from gradio_client import Client, handle_file

    from .indexkit import wait_for_port

    (tmp_path / "corpus").mkdir()
    shutil.copy(SEED, tmp_path / "corpus" / SEED.name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYQA_")}
    env.update(POLICYQA_CORPUS=str(tmp_path / "corpus"), POLICYQA_INDEX=str(tmp_path / "index"),
               POLICYQA_PORT=str(port), GRADIO_TEMP_DIR=str(tmp_path / "gradio-tmp"))

    def start(log: Path) -> subprocess.Popen:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=open(log, "w"), stderr=subprocess.STDOUT)
        wait_for_port(port, 300, proc)
        return proc

    app = start(tmp_path / "app1.log")
    try:
        threading.Thread(target=lambda: _quietly(lambda: Client(f"http://127.0.0.1:{port}/", verbose=False).predict(
            handle_file(str(scan)), api_name="/upload")), daemon=True).start()
        staging, reader = tmp_path / "index" / "staging", None
        deadline = time.time() + 300
        while time.time() < deadline and reader is None:
            reader = next((pid for pid in _pids_with("assistant.jobs") if str(staging) in _cmdline(pid)), None)
            time.sleep(0.2)
        assert reader, "the upload never reached its reader process"
        os.kill(app.pid, signal.SIGKILL)
        app.wait(timeout=30)
        deadline = time.time() + 30
        while time.time() < deadline and os.path.exists(f"/proc/{reader}"):
            time.sleep(0.2)
        assert not os.path.exists(f"/proc/{reader}") or "zombie" in open(f"/proc/{reader}/status").read().lower(), \
            "the reader kept running after the app died"
    finally:
        if app.poll() is None:
            app.kill()
    app = start(tmp_path / "app2.log")
    try:
        log = (tmp_path / "app2.log").read_text()
        assert "after an interruption: upload of sichuan_scan.pdf: discarded" in log, log[-2000:]
        s = Settings(corpus_dir=tmp_path / "corpus", index_dir=tmp_path / "index")
        assert _in_step(s) == {SEED.name: _sha256(SEED)}
        assert not any(p.is_dir() for p in (tmp_path / "index" / "staging").iterdir())
    finally:
        app.terminate()
        app.wait(timeout=30)


def _quietly(fn):
    try:
        fn()
    except Exception:  # the app is killed under it
        pass


def _pids_with(word: str) -> list[int]:
    return [int(p) for p in os.listdir("/proc") if p.isdigit() and word in _cmdline(int(p))]


def _cmdline(pid: int) -> str:
    try:
        return open(f"/proc/{pid}/cmdline", "rb").read().replace(b"\0", b" ").decode("utf-8", "replace")
    except OSError:
        return ""


# --- an index folder copied elsewhere ----------------------------------------------------------------


def test_an_index_copied_elsewhere_with_its_corpus_keeps_working(tmp_path, embedder):
    a, b = tmp_path / "a", tmp_path / "b"
    (a / "corpus").mkdir(parents=True)
    shutil.copy(SEED, a / "corpus" / SEED.name)
    s = Settings(corpus_dir=a / "corpus", index_dir=a / "index")
    build_index(s, embedder=CachedEmbedder(embedder), progress=False)
    assert not os.path.isabs(read_manifest(s.index_dir)["corpus_dir"])
    shutil.copytree(a, b)
    (a / "corpus" / "city_ai.txt").write_text(POLICY, encoding="utf-8")  # the original corpus moves on
    env = {"POLICYQA_CORPUS": str(b / "corpus"), "POLICYQA_INDEX": str(b / "index")}
    asked = run_python("from assistant.cli import main; raise SystemExit(main())", "ask", "新认定的省级新经济示范企业能获得多少资金奖励？",
                       env=env)
    assert asked.returncode == 0 and "100万元" in asked.stdout, asked.stderr[-2000:]


def test_an_upload_switched_in_is_reported_added_even_if_this_process_cannot_reload(tmp_path, embedder):
    """The reload after the switch failing (a full disk, a bug) is logged; the uploader is not told
    "internal error, corpus and index unchanged" about a document that is in both."""
    from assistant.jobs import UploadQueue

    s = _service(tmp_path, embedder).settings
    reloads = []

    def committed(added):
        reloads.append(added.doc_id)
        raise RuntimeError("reload failed")

    txt = tmp_path / "city.tmp"
    txt.write_text(POLICY, encoding="utf-8")
    added = UploadQueue(s, lambda: CachedEmbedder(embedder), committed).submit(txt, "city_ai.txt").wait(600)
    assert added.doc_id == "city_ai" and reloads == ["city_ai"]
    assert (s.corpus_dir / "city_ai.txt").exists() and "city_ai" in open_index(s, embedder=CachedEmbedder(embedder)).documents
