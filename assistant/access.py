"""Who may change the corpus, failed-login throttling, and the HTTP guard in front of the app.

The rules (README, "Security"), checked by `refusal` for every upload and removal:
- POLICYQA_UPLOADS=off: nobody changes the corpus in the app (`python -m assistant index` still does).
- Logins on (POLICYQA_USERS / POLICYQA_ADMINS): the accounts in POLICYQA_ADMINS; nobody while none
  is named.
- No login: a request from this machine, i.e. from a loopback address and not passed on by a proxy
  (a reverse proxy on the same machine connects from 127.0.0.1 on behalf of anyone, and says so in
  X-Forwarded-For, Forwarded or X-Real-IP).
- A script or the CLI (not a web request, `OPERATOR`) already has the files: it may.

`Service.submit` and `Service.remove` call `refusal` themselves, so no handler, whatever the page
shows and whatever an endpoint's visibility, changes the corpus without it. `Guard` (ASGI
middleware) adds what the handlers cannot do: Gradio stores a posted file before any handler
runs, so its upload route is refused to callers who may not change the corpus and to files over
the size limit (in Chinese, not Gradio's English 413); and failed logins are counted per account
and per address by `LoginThrottle`.
"""
from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from urllib.parse import parse_qs

from .config import Settings

log = logging.getLogger("policyqa.access")

# Headers a proxy adds when it passes a request on: the peer address is then the proxy's, not the client's.
FORWARD_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


@dataclass(frozen=True)
class Caller:
    """Who asks to change the corpus: the login name (None without login) and where the request came from."""

    username: str | None = None
    address: str | None = None  # the client's IP address as the server saw it
    forwarded: bool = False  # the request carries a proxy's forwarding header
    web: bool = True  # False: a script or the CLI on this machine, not a web request


OPERATOR = Caller(web=False)


def caller_from(username: str | None, address: str | None, headers) -> Caller:
    """A web request's caller; `headers` maps lower-case header names (Starlette's Headers or a dict)."""
    return Caller(username or None, address, any(headers.get(h) for h in FORWARD_HEADERS))


def is_loopback(address: str | None) -> bool:
    try:
        ip = ipaddress.ip_address((address or "").strip("[]"))
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def is_local_host(host: str) -> bool:
    """Whether binding to `host` serves this machine only."""
    return host.strip().lower() == "localhost" or is_loopback(host)


NO_ADMIN = "尚未指定管理员（POLICYQA_ADMINS），目前任何账号都不能上传或删除文件：请联系管理员。"
NOT_ADMIN = "上传和删除文件需要管理员账号：请用管理员账号登录。"
NOT_LOCAL = ("未开启登录时，只能在服务器本机（127.0.0.1）上传和删除文件：请在服务器上打开本页，"
             "或由管理员开启登录（POLICYQA_USERS、POLICYQA_ADMINS）。")
TURNED_OFF = "本应用已关闭上传和删除（POLICYQA_UPLOADS=off）：请由管理员把文件放入文件夹后运行 python -m assistant index。"


def refusal(settings: Settings, caller: Caller) -> str | None:
    """None when `caller` may upload and remove documents; otherwise why not, in Chinese, naming the setting."""
    if not caller.web:
        return None
    if not settings.uploads:
        return TURNED_OFF
    if settings.logins:
        admins = {name for name, _ in settings.admins}
        if not admins:
            return NO_ADMIN
        return None if caller.username in admins else NOT_ADMIN
    return None if is_loopback(caller.address) and not caller.forwarded else NOT_LOCAL


def startup_problem(settings: Settings) -> str | None:
    """Why the app must not start with these settings (None: it may)."""
    if not is_local_host(settings.host) and not settings.logins and not settings.allow_no_login:
        return (f"POLICYQA_HOST={settings.host} serves other machines, but no login is set: set POLICYQA_USERS and "
                "POLICYQA_ADMINS, or set POLICYQA_ALLOW_NO_LOGIN=1 if everyone who reaches the port may ask "
                "(uploads and removals then stay with this machine)")
    return None


def startup_warnings(settings: Settings) -> list[str]:
    """What the operator should know about who may change the corpus."""
    out = []
    if settings.logins and not settings.admins and settings.uploads:
        out.append("POLICYQA_USERS is set but POLICYQA_ADMINS is not: nobody can upload or remove documents in the app "
                   "until an admin is named in POLICYQA_ADMINS")
    if not settings.uploads:
        out.append("POLICYQA_UPLOADS=off: nobody can upload or remove documents in the app; "
                   "change corpus/ and run `python -m assistant index`")
    if not is_local_host(settings.host) and not settings.logins:
        out.append(f"serving {settings.host} without a login (POLICYQA_ALLOW_NO_LOGIN=1): anyone who reaches the port "
                   "can ask; uploads and removals only from this machine")
    return out


# --- failed logins -------------------------------------------------------------------------------


class LoginThrottle:
    """Failed logins per account and per address over the last `lock_seconds`.

    An account with `per_account` failures in that time, or an address with `per_address`, is
    locked until the oldest of those failures is `lock_seconds` old: even the right password is
    refused meanwhile. Each failure after the third is answered one second later than the one
    before, up to five. An attempt counts as a failure from the moment it starts (and is taken back
    if it succeeds), so parallel guesses cannot slip in before the count catches up.
    """

    SLOW_AFTER, SLOW_MAX = 3, 5.0
    MAX_KEYS = 10_000  # accounts and addresses tracked at most (names an attacker invents must not fill memory)

    def __init__(self, per_account: int, per_address: int, lock_seconds: float, clock=time.monotonic) -> None:
        self.per_account, self.per_address, self.lock_seconds = per_account, per_address, lock_seconds
        self._clock = clock
        self._fails: OrderedDict[tuple[str, str], list[float]] = OrderedDict()
        self._guard = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> "LoginThrottle":
        return cls(settings.login_failures, settings.login_failures_per_address, settings.login_lock_minutes * 60)

    def _recent(self, key: tuple[str, str], now: float) -> list[float]:
        times = [t for t in self._fails.get(key, ()) if t > now - self.lock_seconds]
        if times:
            self._fails[key] = times
        else:
            self._fails.pop(key, None)
        return times

    def _keys(self, account: str, address: str) -> tuple[tuple[tuple[str, str], int], ...]:
        return ((("account", account), self.per_account), (("address", address), self.per_address))

    def _wait(self, account: str, address: str, now: float) -> float:
        wait = 0.0
        for key, limit in self._keys(account, address):
            times = self._recent(key, now)
            if len(times) >= limit:
                wait = max(wait, times[-limit] + self.lock_seconds - now)
        return wait

    def locked_for(self, account: str, address: str) -> float:
        """Seconds until this account and address may try again; 0 when they may now."""
        with self._guard:
            return self._wait(account, address, self._clock())

    def begin(self, account: str, address: str) -> float:
        """Start an attempt: 0 and counted as a failure until `succeeded`, or the seconds it is still locked."""
        with self._guard:
            now = self._clock()
            wait = self._wait(account, address, now)
            if wait > 0:
                return wait
            for key, _ in self._keys(account, address):
                self._fails.setdefault(key, []).append(now)
                self._fails.move_to_end(key)
            while len(self._fails) > self.MAX_KEYS:
                self._fails.popitem(last=False)
            return 0.0

    def succeeded(self, account: str, address: str) -> None:
        """The attempt was right: the account starts afresh; the address keeps its other failures."""
        with self._guard:
            self._fails.pop(("account", account), None)
            times = self._fails.get(("address", address))
            if times:
                times.pop()

    def failed(self, account: str, address: str) -> float:
        """The attempt was wrong (already counted): the delay before answering it. Logged."""
        with self._guard:
            now = self._clock()
            counts = [(len(self._recent(key, now)), limit) for key, limit in self._keys(account, address)]
        n = max(c for c, _ in counts)
        if any(c >= limit for c, limit in counts):  # the account, or the address, is locked now
            log.warning("failed login %d for account %r from %s: locked for %d minutes", n, account, address,
                        self.lock_seconds // 60)
        else:
            log.warning("failed login %d for account %r from %s", n, account, address)
        return min(self.SLOW_MAX, max(0.0, n - self.SLOW_AFTER))


def locked_message(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"登录失败次数过多，该账号或地址已被暂时锁定：请约 {minutes} 分钟后再试。"


# --- the HTTP guard ------------------------------------------------------------------------------


class Guard:
    """ASGI middleware: login throttling, and Gradio's upload route kept to those who may change the corpus."""

    def __init__(self, app, settings: Settings, throttle: LoginThrottle | None = None) -> None:
        self.app, self.settings = app, settings
        self.throttle = throttle or LoginThrottle.from_settings(settings)
        self.max_bytes = settings.max_upload_mb * 2**20

    async def __call__(self, scope, receive, send):
        if scope.get("type") == "http" and scope.get("method") == "POST":
            path = scope.get("path", "").rstrip("/")
            if path.endswith("/gradio_api/upload"):
                return await self._upload(scope, receive, send)
            if path.endswith("/login") and self.settings.logins:
                return await self._login(scope, receive, send)
        return await self.app(scope, receive, send)

    # -- uploads --

    def _too_large(self) -> str:
        return f"文件过大：每个文件不能超过 {self.settings.max_upload_mb} MB（POLICYQA_MAX_UPLOAD_MB）。"

    async def _upload(self, scope, receive, send):
        headers = _headers(scope)
        why = refusal(self.settings, caller_from(_user(scope, headers), _address(scope), headers))
        if why:
            return await _reply(send, 403, why)
        try:
            length = int(headers.get("content-length") or 0)
        except ValueError:
            length = 0
        # The form around a file adds a few hundred bytes; refuse before reading what cannot fit.
        if length > self.max_bytes + 64 * 1024:
            return await _reply(send, 413, self._too_large())
        replaced = False

        async def send_413_in_chinese(message):
            # Gradio answers a file over max_file_size with its own English 413 text.
            nonlocal replaced
            if message["type"] == "http.response.start" and message["status"] == 413:
                replaced = True
                return await _reply(send, 413, self._too_large())
            if replaced:
                return None
            return await send(message)

        return await self.app(scope, receive, send_413_in_chinese)

    # -- logins --

    async def _login(self, scope, receive, send):
        body, more = b"", True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                return None  # the client went away
            body += message.get("body", b"")
            more = message.get("more_body", False)
            if len(body) > 64 * 1024:
                return await _reply(send, 413, "登录请求过大。")
        form = parse_qs(body.decode("utf-8", "replace"))
        account = (form.get("username") or [""])[0].strip()
        address = _address(scope) or "?"
        wait = self.throttle.begin(account, address)
        if wait > 0:
            log.warning("login refused for account %r from %s: locked for %.0f s more", account, address, wait)
            # 400 as for a wrong password (the login page shows its "incorrect" text and the
            # auth message explains locking); the detail says it, for scripts.
            return await _reply(send, 400, locked_message(wait), json_detail=True)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        status = None
        held: list[dict] = []

        async def watch(message):
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            if status == 200:
                return await send(message)
            held.append(message)  # a refusal is sent after the delay, below
            return None

        await self.app(scope, replay, watch)
        if status == 200:
            self.throttle.succeeded(account, address)
            return None
        delay = self.throttle.failed(account, address)
        if delay:
            await asyncio.sleep(delay)
        for message in held:
            await send(message)
        return None


def _headers(scope) -> dict[str, str]:
    return {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}


def _address(scope) -> str | None:
    client = scope.get("client")
    return client[0] if client else None


def _user(scope, headers: dict[str, str]) -> str | None:
    """The logged-in user of a request to a Gradio app, from its session cookie."""
    app = scope.get("app")
    tokens, cookie_id = getattr(app, "tokens", None), getattr(app, "cookie_id", None)
    if not tokens or not cookie_id:
        return None
    from http.cookies import SimpleCookie

    jar = SimpleCookie()
    try:
        jar.load(headers.get("cookie", ""))
    except Exception:  # a malformed cookie header is no login
        return None
    for name in (f"access-token-{cookie_id}", f"access-token-unsecure-{cookie_id}"):
        if name in jar and jar[name].value in tokens:
            return tokens[jar[name].value]
    return None


async def _reply(send, status: int, text: str, json_detail: bool = False) -> None:
    if json_detail:
        body, kind = json.dumps({"detail": text}, ensure_ascii=False).encode("utf-8"), b"application/json"
    else:
        body, kind = text.encode("utf-8"), b"text/plain; charset=utf-8"
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})
