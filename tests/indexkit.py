"""Helpers shared by the index, upload, fault and multi-process tests (not a test module)."""
from __future__ import annotations

import hashlib
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

_VECTORS: dict[str, object] = {}


class CachedEmbedder:
    """The real embedder; a passage already embedded in this test session is not embedded again.

    The vectors are the model's own; the cache only saves the 2-core machine from recomputing them
    for every temporary index the tests build.
    """

    def __init__(self, inner):
        self.inner = inner
        self.model_id = inner.model_id

    def passages(self, texts):
        import numpy as np

        todo = [t for t in dict.fromkeys(texts) if t not in _VECTORS]
        if todo:
            for t, v in zip(todo, self.inner.passages(todo)):
                _VECTORS[t] = v
        return np.vstack([_VECTORS[t] for t in texts]) if texts else self.inner.passages([])

    def query(self, text):
        return self.inner.query(text)


class CountingEmbedder:
    """An embedder that counts the passages it is asked to embed and can fail on purpose."""

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


def answerer_over(root: Path, documents: dict[str, str], embedder):
    """An Answerer over policies written for a test ({file name: text}), indexed under `root`."""
    from assistant.answer import Answerer
    from assistant.config import Settings
    from assistant.index import build_index, open_index

    corpus = root / "corpus"
    corpus.mkdir()
    for name, text in documents.items():
        (corpus / name).write_text(text, encoding="utf-8")
    settings = Settings(corpus_dir=corpus, index_dir=root / "index")
    cached = CachedEmbedder(embedder)
    build_index(settings, embedder=cached, progress=False)
    return Answerer(open_index(settings, embedder=cached))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_port(port: int, seconds: float = 60, proc: subprocess.Popen | None = None) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc is not None and proc.poll() is not None:
            pytest.fail(f"the process serving port {port} exited with {proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.3)
    pytest.fail(f"nothing listens on 127.0.0.1:{port} after {seconds:.0f} s")


class ChromaServer:
    """A real `chroma run` on 127.0.0.1 that a test can stop and start again (same data folder)."""

    def __init__(self, path: Path):
        self.exe = Path(sys.executable).parent / "chroma"
        if not self.exe.exists():
            pytest.fail("the chroma CLI is missing from the virtual environment: reinstall with `make test`")
        self.path, self.port, self.proc = path, free_port(), None

    def start(self) -> None:
        self.proc = subprocess.Popen([str(self.exe), "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
                                     stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for_port(self.port, 60, self.proc)

    def stop(self) -> None:
        if self.proc:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None


def tree_digest(folder: Path) -> dict[str, str]:
    """Every file under `folder` with a hash of its bytes (to show a folder is byte-identical)."""
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != ".lock"}


def run_python(code: str, *args: str, env: dict | None = None, timeout: float = 600) -> subprocess.CompletedProcess:
    """Run `code` in a fresh interpreter with the worktree first on sys.path."""
    full = {**os.environ, **(env or {})}
    return subprocess.run([sys.executable, "-c", code, *args], cwd=ROOT, env=full, capture_output=True, text=True, timeout=timeout)
