"""Who may change the corpus, failed-login throttling and the HTTP guard, without a running app.

The same rules are attacked over raw HTTP against the real app in tests/test_exposed.py.
"""
import asyncio
import json

import pytest

from assistant.access import (NO_ADMIN, NOT_ADMIN, NOT_LOCAL, OPERATOR, TURNED_OFF, Caller, Guard, LoginThrottle,
                              caller_from, is_local_host, is_loopback, refusal, startup_problem, startup_warnings)
from assistant.config import Settings

NO_LOGIN = Settings.from_env({})
WITH_ADMIN = Settings.from_env({"POLICYQA_USERS": "reader:pw", "POLICYQA_ADMINS": "chief:pw2"})
NO_ADMIN_NAMED = Settings.from_env({"POLICYQA_USERS": "reader:pw,boss:pw3"})
OFF = Settings.from_env({"POLICYQA_UPLOADS": "off"})


def test_who_may_change_the_corpus():
    local, remote = Caller(None, "127.0.0.1"), Caller(None, "192.0.2.7")
    proxied = caller_from(None, "127.0.0.1", {"x-forwarded-for": "203.0.113.9"})  # a proxy on this machine
    assert refusal(NO_LOGIN, local) is None and refusal(NO_LOGIN, Caller(None, "::1")) is None
    assert refusal(NO_LOGIN, Caller(None, "::ffff:127.0.0.1")) is None
    for other in (remote, proxied, Caller(None, None), Caller(None, "testclient"), caller_from(None, "127.0.0.1", {"forwarded": "for=x"})):
        assert refusal(NO_LOGIN, other) == NOT_LOCAL
    assert "127.0.0.1" in NOT_LOCAL and "POLICYQA_USERS" in NOT_LOCAL
    # Logins on: the admins, wherever they are; nobody else, not even from this machine.
    assert refusal(WITH_ADMIN, Caller("chief", "192.0.2.7")) is None
    assert refusal(WITH_ADMIN, Caller("reader", "127.0.0.1")) == NOT_ADMIN
    assert refusal(WITH_ADMIN, Caller(None, "127.0.0.1")) == NOT_ADMIN
    # Logins without POLICYQA_ADMINS: nobody until an admin is named.
    assert refusal(NO_ADMIN_NAMED, Caller("boss", "127.0.0.1")) == NO_ADMIN and "POLICYQA_ADMINS" in NO_ADMIN
    # Off: nobody in the app; a script or the CLI on the machine still may.
    assert refusal(OFF, local) == TURNED_OFF and "POLICYQA_UPLOADS=off" in TURNED_OFF
    assert all(refusal(s, OPERATOR) is None for s in (NO_LOGIN, WITH_ADMIN, NO_ADMIN_NAMED, OFF))


def test_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("127.8.9.10") and is_loopback("::1") and is_loopback("[::1]")
    assert not is_loopback("192.0.2.7") and not is_loopback("0.0.0.0") and not is_loopback("") and not is_loopback(None)
    assert is_local_host("127.0.0.1") and is_local_host("localhost") and is_local_host("::1")
    assert not is_local_host("0.0.0.0") and not is_local_host("::") and not is_local_host("192.0.2.7")


def test_startup_rules():
    public = Settings.from_env({"POLICYQA_HOST": "0.0.0.0"})
    problem = startup_problem(public)
    assert problem and "POLICYQA_ALLOW_NO_LOGIN=1" in problem and "POLICYQA_USERS" in problem
    assert startup_problem(NO_LOGIN) is None
    assert startup_problem(Settings.from_env({"POLICYQA_HOST": "0.0.0.0", "POLICYQA_USERS": "a:b"})) is None
    intended = Settings.from_env({"POLICYQA_HOST": "0.0.0.0", "POLICYQA_ALLOW_NO_LOGIN": "1"})
    assert startup_problem(intended) is None and any("without a login" in w for w in startup_warnings(intended))
    assert any("nobody can upload" in w and "POLICYQA_ADMINS" in w for w in startup_warnings(NO_ADMIN_NAMED))
    assert startup_warnings(WITH_ADMIN) == [] and startup_warnings(NO_LOGIN) == []
    assert any("POLICYQA_UPLOADS=off" in w for w in startup_warnings(OFF))


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def _fail(t: LoginThrottle, account: str, address: str) -> float:
    wait = t.begin(account, address)
    return wait if wait else -t.failed(account, address)  # negative: a failure answered after that delay


def test_throttle_locks_an_account_then_lets_it_in_again():
    clock = Clock()
    t = LoginThrottle(per_account=10, per_address=30, lock_seconds=900, clock=clock)
    delays = [_fail(t, "chief", "192.0.2.7") for _ in range(10)]
    assert delays == [0, 0, 0, -1, -2, -3, -4, -5, -5, -5]  # slower after the third failure, up to 5 s
    wait = t.begin("chief", "192.0.2.7")  # the 11th attempt, right password or not: locked
    assert 899 <= wait <= 900
    clock.now += 10
    assert 889 <= t.begin("chief", "198.51.100.1") <= 890  # the account is locked from any address
    assert t.begin("reader", "198.51.100.1") == 0  # another account is not
    t.succeeded("reader", "198.51.100.1")
    clock.now += 900
    assert t.begin("chief", "192.0.2.7") == 0  # the lock is over
    t.succeeded("chief", "192.0.2.7")
    assert t.locked_for("chief", "192.0.2.7") == 0 and _fail(t, "chief", "192.0.2.7") == 0  # and starts afresh


def test_throttle_per_address_and_parallel_guesses():
    clock = Clock()
    t = LoginThrottle(per_account=10, per_address=30, lock_seconds=900, clock=clock)
    for i in range(30):  # one address guessing many accounts
        assert t.begin(f"user{i}", "203.0.113.5") == 0
        t.failed(f"user{i}", "203.0.113.5")
    assert t.begin("someone", "203.0.113.5") > 0
    assert t.begin("someone", "203.0.113.6") == 0  # another address is not locked
    # Attempts count from the moment they start: 50 parallel guesses, none answered yet, let 10 through.
    started = [t.begin("chief", f"198.51.100.{i}") for i in range(50)]
    assert started.count(0) == 10


def test_throttle_success_keeps_the_address_failures():
    clock = Clock()
    t = LoginThrottle(per_account=10, per_address=3, lock_seconds=60, clock=clock)
    for name in ("a", "b"):
        t.begin(name, "203.0.113.5")
        t.failed(name, "203.0.113.5")
    t.begin("mine", "203.0.113.5")
    t.succeeded("mine", "203.0.113.5")  # a valid login of one's own does not clear the guesses at others
    t.begin("c", "203.0.113.5")
    t.failed("c", "203.0.113.5")
    assert t.begin("d", "203.0.113.5") > 0


# --- the guard as ASGI middleware around a stand-in app ----------------------------------------


def _run(app, method: str, path: str, body: bytes = b"", headers: dict | None = None, client=("192.0.2.7", 5000)):
    """One request through an ASGI app: (status, body, whether the inner app was reached)."""
    sent = []

    async def receive():
        return {"type": "http.request", "body": body, "more_body": False}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "method": method, "path": path, "client": client,
             "headers": [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]}
    asyncio.run(app(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    return start["status"], b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def _inner(status_for_login=400):
    reached = []

    async def app(scope, receive, send):
        message = await receive()
        reached.append(message.get("body", b""))
        status = 413 if scope["path"].endswith("upload") and b"big" in message.get("body", b"") else 200
        if scope["path"].endswith("login"):
            status = 200 if b"password=right" in message.get("body", b"") else status_for_login
        body = b"File size exceeded maximum allowed size" if status == 413 else b"{}"
        await send({"type": "http.response.start", "status": status, "headers": []})
        await send({"type": "http.response.body", "body": body})

    return app, reached


def test_guard_refuses_the_raw_upload_route_before_anything_is_stored():
    inner, reached = _inner()
    guard = Guard(inner, NO_LOGIN)
    status, body = _run(guard, "POST", "/gradio_api/upload", b"data")
    assert status == 403 and body.decode() == NOT_LOCAL and reached == []  # Gradio never saw the file
    status, body = _run(guard, "POST", "/gradio_api/upload", b"data", {"x-forwarded-for": "203.0.113.9"}, ("127.0.0.1", 1))
    assert status == 403 and reached == []
    status, _ = _run(guard, "POST", "/gradio_api/upload", b"data", client=("127.0.0.1", 1))
    assert status == 200 and reached == [b"data"]
    # Over the size limit: refused from the declared length, in Chinese, naming the setting.
    status, body = _run(guard, "POST", "/gradio_api/upload", b"x", {"content-length": str(30 * 2**20)}, ("127.0.0.1", 1))
    assert status == 413 and "POLICYQA_MAX_UPLOAD_MB" in body.decode() and "20 MB" in body.decode()
    # Gradio's own English 413 (a file over max_file_size in a form of undeclared length) is put in Chinese.
    status, body = _run(guard, "POST", "/gradio_api/upload", b"big", client=("127.0.0.1", 1))
    assert status == 413 and body.decode().startswith("文件过大")
    # Other routes pass untouched.
    assert _run(guard, "POST", "/gradio_api/queue/join", b"{}")[0] == 200


def test_guard_throttles_logins_per_account():
    inner, reached = _inner()
    guard = Guard(inner, WITH_ADMIN, LoginThrottle(per_account=3, per_address=30, lock_seconds=600))
    for _ in range(3):
        assert _run(guard, "POST", "/login", b"username=chief&password=wrong")[0] == 400
    n = len(reached)
    status, body = _run(guard, "POST", "/login", b"username=chief&password=right")
    assert status == 400 and "锁定" in json.loads(body)["detail"] and len(reached) == n  # refused before the password is checked
    assert _run(guard, "POST", "/login", b"username=reader&password=right")[0] == 200  # another account logs in


@pytest.mark.parametrize("settings", [NO_LOGIN, OFF])
def test_guard_leaves_login_alone_without_logins(settings):
    inner, reached = _inner()
    for _ in range(20):
        _run(Guard(inner, settings), "POST", "/login", b"username=x&password=y")
    assert len(reached) == 20
