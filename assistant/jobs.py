"""Uploads as jobs: one read at a time, in a child process, behind a queue of bounded length.

An upload is checked at once (`manage.check_upload`: name, type, size, a PDF's pages, an image's
pixels, duplicates), copied into a staging folder and queued; a full queue (POLICYQA_UPLOAD_QUEUE
waiting) refuses it. One worker thread takes the jobs in turn. It reads and parses the file in a
child process (`python -m assistant.jobs`) running at a lower priority than the app, so OCR holds
neither the index's write lock nor the CPU that questions need, and the memory it takes is given
back when the child exits; OCR stops after POLICYQA_OCR_SECONDS, and the child is killed if it runs
READ_GRACE_S longer than that. The worker then embeds the passages and commits (`manage.commit`):
only the switch takes the write lock. Once the uploader is told, it embeds the new document's
sentences (`index.complete_sentences`) before taking the next job. A Job tells its uploader where it is — waiting (and behind how
many), reading page k of n, indexing, added or refused — in Chinese.
"""
from __future__ import annotations

import json
import logging
import os
import pickle
import subprocess
import sys
import threading
import time
import traceback
import uuid
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator

from .config import Settings
from .embed import Embedder
from .errors import BadDocumentError, PolicyQAError, TooCostlyError
from .index import complete_sentences
from .manage import Added, Prepared, Stage, check_upload, commit, limits_of, prepare, stage_upload

log = logging.getLogger("policyqa.jobs")

READ_GRACE_S = 120  # reading and parsing besides OCR (text layers, structure) of the largest file allowed
CHILD_NICE = 10  # the child's priority below the app's: questions first, OCR with what is left


@dataclass(eq=False)
class Job:
    """One upload on its way: its state and a Chinese line saying where it is."""

    name: str
    stage: Stage
    state: str = "queued"  # queued | reading | indexing | done | failed
    detail: str = ""
    result: Added | None = None
    error: PolicyQAError | None = None
    started: float = field(default_factory=time.monotonic)
    _cv: threading.Condition = field(default_factory=threading.Condition, repr=False)

    @property
    def finished(self) -> bool:
        return self.state in ("done", "failed")

    def _update(self, state: str | None = None, detail: str | None = None) -> None:
        with self._cv:
            if state:
                self.state = state
            if detail is not None:
                self.detail = detail
            self._cv.notify_all()

    def watch(self, every: float = 1.0) -> Iterator[str]:
        """The progress line whenever it changes (at most every `every` seconds), until the job ends."""
        shown = None
        while True:
            with self._cv:
                if not self.finished and self.detail == shown:
                    self._cv.wait(every)
                line, finished = self.detail, self.finished
            if finished:
                return
            if line != shown:
                shown = line
                yield line

    def wait(self, timeout: float | None = None) -> Added:
        """The result, or the job's error raised."""
        with self._cv:
            if not self._cv.wait_for(lambda: self.finished, timeout):
                raise TimeoutError(f"upload of {self.name} still running after {timeout} s")
        if self.error is not None:
            raise self.error
        assert self.result is not None
        return self.result


class UploadQueue:
    """The bounded queue and its one worker thread (started with the first job)."""

    def __init__(self, settings: Settings, embedder: Callable[[], Embedder], committed: Callable[[Added], None]) -> None:
        self.settings = settings
        self._embedder, self._committed = embedder, committed
        self._waiting: deque[Job] = deque()
        self._running: Job | None = None
        self._guard = threading.Lock()
        self._wake = threading.Condition(self._guard)
        self._worker: threading.Thread | None = None

    def submit(self, upload: Path, original_name: str) -> Job:
        """Check, stage and queue an upload; raises BadDocumentError (TooCostlyError when the queue is full)."""
        name = check_upload(self.settings, upload, original_name)
        self._check_room()
        stage = stage_upload(self.settings, upload, name)
        job = Job(name, stage)
        with self._guard:
            if len(self._waiting) >= self.settings.upload_queue:  # filled while this one was copied
                stage.close()
                raise self._full()
            self._waiting.append(job)
            self._renumber()
            if self._worker is None or not self._worker.is_alive():
                self._worker = threading.Thread(target=self._work, name="policyqa-uploads", daemon=True)
                self._worker.start()
            self._wake.notify()
        return job

    def _check_room(self) -> None:
        with self._guard:
            if len(self._waiting) >= self.settings.upload_queue:
                raise self._full()

    def _full(self) -> TooCostlyError:
        n = self.settings.upload_queue
        return TooCostlyError(f"the upload queue is full ({n} files waiting, POLICYQA_UPLOAD_QUEUE): try again in a few minutes",
                              zh=f"上传队列已满（已有 {n} 个文件等待处理，上限见 POLICYQA_UPLOAD_QUEUE）：请几分钟后再试")

    def _renumber(self) -> None:
        """Each waiting job's line says how many are ahead of it (called under the guard)."""
        ahead = 1 if self._running else 0
        for i, job in enumerate(self._waiting):
            job._update(detail=f"排队等待处理：前面还有 {ahead + i} 个文件。" if ahead + i else "即将开始处理……")

    def _work(self) -> None:
        while True:
            with self._guard:
                while not self._waiting:
                    self._wake.wait()
                job = self._running = self._waiting.popleft()
                self._renumber()
            try:
                self._run(job)
            finally:
                with self._guard:
                    self._running = None
                    self._renumber()

    def _run(self, job: Job) -> None:
        try:
            job._update("reading", f"正在读取 {job.name}……")
            prepared = self._read(job)
            job._update("indexing", f"正在为《{prepared.title}》建立索引……")
            added = commit(self.settings, job.stage, prepared, self._embedder(),
                           on_lock=lambda: job._update(detail=f"正在更新索引，加入《{prepared.title}》……"))
        except PolicyQAError as e:
            job.stage.close()
            job.error = e
            job._update("failed", "")
            return
        except Exception as e:  # a bug must fail this job, not the worker that serves the next ones
            log.exception("upload of %s failed", job.name)
            job.stage.close()
            job.error = BadDocumentError(f"{job.name}: internal error ({type(e).__name__}); corpus and index unchanged",
                                         zh=f"{job.name}：系统内部错误（{type(e).__name__}），文件库和索引保持不变。")
            job._update("failed", "")
            return
        # The switch has happened: the document is in the corpus and the index whatever follows. A
        # failure to reload this process's copy is logged, not reported as a refused upload (the
        # next question reopens the index, which notices the new manifest).
        try:
            self._committed(added)
        except Exception:
            log.exception("upload of %s was added as %s, but reloading the index in this process failed", job.name, added.doc_id)
        job.result = added
        job._update("done", "")
        log.info("upload of %s added as %s in %.1f s", job.name, added.doc_id, time.monotonic() - job.started)
        # Its sentence vectors follow, before the next upload is read: until they are written, answers
        # rank that document's sentences by their words alone (index.complete_sentences).
        try:
            t = time.monotonic()
            complete_sentences(self.settings, self._embedder(), keys=[added.key])
            log.info("sentence vectors of %s added in %.1f s", added.doc_id, time.monotonic() - t)
        except Exception:
            log.exception("sentence vectors of %s could not be added; the next start or `python -m assistant index` adds them",
                          added.doc_id)

    def _read(self, job: Job) -> Prepared:
        """Parse the staged file in a child process, relaying its pages read; killed past the time limit."""
        s = self.settings
        limits = limits_of(s)
        result = job.stage.folder / "prepared.pickle"
        params = {"file": str(job.stage.file), "result": str(result), "chunk_tokens": s.chunk_tokens, "parent": os.getpid(),
                  "max_pages": limits.max_pages, "max_pixels": limits.max_pixels, "ocr_seconds": limits.ocr_seconds}
        env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).resolve().parent.parent),
                                                              os.environ.get("PYTHONPATH", "")]).rstrip(os.pathsep)}
        errors = job.stage.folder / "child.log"
        with open(errors, "wb") as err:
            proc = subprocess.Popen([sys.executable, "-m", "assistant.jobs", json.dumps(params)], stdout=subprocess.PIPE,
                                    stderr=err, stdin=subprocess.DEVNULL, env=env, text=True)
            relay = threading.Thread(target=self._relay, args=(proc, job), daemon=True)
            relay.start()
            try:
                proc.wait(timeout=s.ocr_seconds + READ_GRACE_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
                raise TooCostlyError(
                    f"{job.name}: reading took longer than {s.ocr_seconds + READ_GRACE_S} s (POLICYQA_OCR_SECONDS "
                    f"{s.ocr_seconds} s of OCR + {READ_GRACE_S} s) and was stopped", zh=
                    f"{job.name}：读取时间超过上限（文字识别 {s.ocr_seconds} 秒，见 POLICYQA_OCR_SECONDS，另加解析 {READ_GRACE_S} 秒），"
                    "已停止：请上传带文字层的 PDF 或 Word 文件，或拆分后上传") from None
            finally:
                relay.join(timeout=5)
        try:
            with open(result, "rb") as f:
                outcome = pickle.load(f)  # written by our own child process from our own code
        except (OSError, EOFError, pickle.UnpicklingError):
            tail = errors.read_text(encoding="utf-8", errors="replace")[-2000:]
            log.error("reading %s: the child process exited with %s and no result:\n%s", job.name, proc.returncode, tail)
            raise BadDocumentError(f"{job.name}: reading the file failed (child exit status {proc.returncode})",
                                   zh=f"{job.name}：读取文件时出错（进程退出码 {proc.returncode}），文件未加入：请检查文件是否完好，或转换为 .txt/.docx 后上传") from None
        if outcome[0] == "ok":
            return outcome[1]
        _, kind, en, zh, trace = outcome
        if trace:
            log.error("reading %s failed in the child process:\n%s", job.name, trace)
        raise (TooCostlyError if kind == "TooCostlyError" else BadDocumentError)(en, zh=zh)

    @staticmethod
    def _relay(proc: subprocess.Popen, job: Job) -> None:
        for line in proc.stdout:
            try:
                done, total = json.loads(line)["page"]
            except (ValueError, KeyError, TypeError):
                continue
            job._update(detail=f"正在识别 {job.name} 的文字：第 {done}/{total} 页……")


# --- the child process ------------------------------------------------------------------------


def _die_with_parent(parent: int) -> None:
    """A killed app must not leave OCR running: on Linux the kernel kills this child with it."""
    if sys.platform.startswith("linux"):
        import ctypes
        import signal

        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, int(signal.SIGKILL))  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:  # the app died before the line above took effect
        os._exit(1)


def _child(params: dict) -> int:
    """Read one staged file; progress as JSON lines on stdout, the outcome pickled to params["result"]."""
    from .extract import Limits

    _die_with_parent(params["parent"])
    try:
        os.nice(CHILD_NICE)
    except OSError:
        pass  # not allowed here: run at the app's priority
    limits = Limits(params["max_pages"], params["max_pixels"], params["ocr_seconds"])

    def on_page(done: int, total: int) -> None:
        print(json.dumps({"page": [done, total]}), flush=True)

    try:
        outcome = ("ok", prepare(Path(params["file"]), params["chunk_tokens"], limits, on_page))
    except PolicyQAError as e:
        outcome = ("error", type(e).__name__, str(e), e.zh, "")
    except Exception as e:  # noqa: BLE001 - reported to the parent, which refuses the file and logs this
        name = Path(params["file"]).name
        outcome = ("error", "internal", f"{name}: cannot be read ({type(e).__name__}: {e})",
                   f"{name}：无法读取该文件（{type(e).__name__}），文件可能已损坏：请重新保存或转换为 .txt 后上传",
                   traceback.format_exc())
    tmp = Path(params["result"] + f".{uuid.uuid4().hex[:6]}")
    with open(tmp, "wb") as f:
        pickle.dump(outcome, f)
    os.replace(tmp, params["result"])
    return 0


if __name__ == "__main__":
    sys.exit(_child(json.loads(sys.argv[1])))
