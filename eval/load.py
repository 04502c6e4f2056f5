"""Load test of the running app over its API: many users at once, every answer checked.

python -m eval.load --start --users 20 --seconds 60 --upload   # app.py over a temporary copy of the seed
python -m eval.load --url http://127.0.0.1:7860/ --users 20 --seconds 60

Each simulated user is its own gradio_client session (as a browser tab is) in a thread of this
process; the app runs in another process. A user keeps choosing between a one-shot question on
`/ask` and a conversation on `/chat`: a question about a measure, then the follow-up
「那它的牵头单位呢？」, which must come back with THAT measure and its lead units, whatever the
other users asked meanwhile (a follow-up citing another measure is reported as cross-talk).
Questions and gold facts come from eval/questions.jsonl (scored by eval.score, like `python -m
eval`); each is first asked alone, and only those answered correctly alone are used, so a failure
under load is a failure of load, not of answer quality (those go to `python -m eval`). Until an
upload starts, an answer must also be word for word the one given alone (a race shows up here).

With --upload a small policy is uploaded through the app's upload handler a third of the way in,
which re-indexes while the users keep asking; the report gives latency during the upload apart,
and the new document must be answerable afterwards. --upload against --url adds that document to
the app's corpus for good, so it is refused there unless --upload-anyway is given.

Exit status 0 only when every request succeeded and every answer was right. Figures, not a
benchmark: the queue's concurrency (POLICYQA_CONCURRENCY) and the machine's load decide them.
"""
from __future__ import annotations

import argparse
import contextlib
import html
import json
import os
import random
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterator

from assistant.numerals import to_int

from .score import Question, norm, parse_questions, percentile, score_answer

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests" / "data" / "sichuan_new_economy_2021_93.txt"
FOLLOW_UP = "那它的牵头单位呢？"
# The document uploaded mid-run (invented; two measures), and a question only it answers. Its title's
# words (算力券, 实施细则) occur in no question of questions.jsonl: a question that uses a word
# only one title has is confined to that document (query.named_documents), so a title such as
# 「…支持人工智能企业发展的若干措施」 would take over every question saying 企业 or 措施 — a scoping
# bug of its own (tests/test_load_app.py, xfail), not what this run measures.
UPLOAD_TEXT = """某某市关于算力券的实施细则
一、支持内容
（一）发放算力券。对租用公共算力平台的企业，按实际费用给予最高50万元算力补贴。（责任单位：市科技局，市财政局）
（二）支持人才引进。对引进的人工智能领军人才给予安家支持。（责任单位：市人社局，市科技局）
"""
UPLOAD_QUESTION, UPLOAD_FACT = "租用公共算力平台的企业能获得多少算力补贴？", "50万元"
# A measure's label in a citation label, as the document prints it: (三十), （十三）, 第十三条, 第13条,
# （一）3. (the app prints 第…条 only where the document writes 条).
_N = r"[零〇一二两三四五六七八九十百]+|\d+"
_LABEL = re.compile(rf"第[(（]?({_N})[)）]?条|[(（]({_N})[)）](?!\d)|(?<=[\s)）])(\d+)[.．、](?!\d)")
_TEXT = re.compile(r'<div class="pqa-text">(.*?)</div>', re.S)


# --- the workload ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Pair:
    """A conversation: `first` asks about `measure`; the follow-up must name that measure's `lead` units."""

    first: Question
    measure: int
    lead: tuple[str, ...]


@dataclass
class Workload:
    asks: list[Question]
    pairs: list[Pair]
    # Answers given alone, by request key: an answer under load must be the same (until an upload).
    alone: dict[str, str] = field(default_factory=dict)
    dropped: list[str] = field(default_factory=list)  # questions not used, with why
    alone_ms: list[float] = field(default_factory=list)  # /ask latency with one user, no one else asking


def workload(questions: list[Question]) -> Workload:
    """One-shot questions with known answers (gold facts and measures, or a known refusal) and
    conversations built from the file's lead-unit questions: for a measure whose lead units are
    known, each other question that cites only that measure opens a conversation about it."""
    asks = [q for q in questions if not q.doc and ((q.answerable and q.facts and q.cites_any) or not q.answerable)]
    lead: dict[int, tuple[str, ...]] = {}
    for q in questions:
        if q.kind == "lead_unit" and q.facts and len(q.cites_any) == 1 and q.cites_any[0].number and not q.doc:
            lead.setdefault(q.cites_any[0].number, q.facts)
    pairs = [Pair(q, q.cites_any[0].number, lead[q.cites_any[0].number]) for q in questions
             if q.answerable and q.facts and not q.doc and q.kind != "lead_unit" and not (q.lead or q.co or q.listed)
             and len(q.cites_any) == 1 and q.cites_any[0].number in lead]
    return Workload(asks, pairs)


# --- checking answers -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ChatReply:
    """What the chat endpoint returned, read back from its HTML."""

    text: str  # the answer text, tags removed
    found: bool
    measures: tuple[int, ...]  # the cited measures, in citation order
    history: list


def read_chat(outputs: tuple) -> ChatReply:
    """The last bubble of the chat's outputs (box, chatbot, picker, source, hint)."""
    history = outputs[1]
    bubble = history[-1]["content"]
    raw = bubble[0]["text"] if isinstance(bubble, list) else str(bubble)
    m = _TEXT.search(raw)
    text = html.unescape(re.sub(r"<[^>]+>", "", m.group(1) if m else raw))
    picker = outputs[2] if isinstance(outputs[2], dict) else {}
    labels = [c[0] if isinstance(c, (list, tuple)) else str(c) for c in picker.get("choices") or []]
    measures = tuple(to_int(next(g for g in x.groups() if g)) for x in (_LABEL.search(lbl) for lbl in labels) if x)
    return ChatReply(text, "pqa-refused" not in raw and "pqa-answer" in raw, measures, history)


def check_ask(q: Question, answer: dict) -> str:
    """"" when the /ask answer is right (eval.score's definition), else what is wrong."""
    s = score_answer(q, answer)
    return "" if s.correct else f"wrong answer to {q.question!r}: {'; '.join(s.notes) or 'not cited as expected'}"


def check_first(pair: Pair, r: ChatReply) -> str:
    """The conversation's opening answer states its facts and cites its measure first."""
    d = {"answer": r.text, "found": r.found, "citations": [{"measure": n} for n in r.measures]}
    if problem := check_ask(pair.first, d):
        return problem
    if not r.measures or r.measures[0] != pair.measure:
        return f"{pair.first.question!r} cited {list(r.measures)} first, expected ({pair.measure})"
    return ""


def check_follow_up(pair: Pair, r: ChatReply) -> str:
    """The follow-up resolves against this user's previous answer: same measure, its lead units."""
    if not r.measures:
        return f"wrong: follow-up after {pair.first.question!r} cited nothing: {r.text[:80]}"
    if r.measures[0] != pair.measure:
        return (f"cross-talk: follow-up after {pair.first.question!r} (measure {pair.measure}) "
                f"answered measure {r.measures[0]}: {r.text[:80]}")
    missing = [u for u in pair.lead if norm(u) not in norm(r.text)]
    return f"wrong: follow-up for measure {pair.measure} lacks lead units {missing}: {r.text[:80]}" if missing else ""


# --- one run -----------------------------------------------------------------------------------------


@dataclass
class Request:
    kind: str  # "ask" | "chat" | "follow-up" | "upload" | "after-upload"
    user: int
    start: float  # seconds since the run started
    seconds: float
    problem: str = ""  # "" when it succeeded and was right


def _key(kind: str, question: str) -> str:
    return f"{kind}:{question}"


def _client(url: str):
    from gradio_client import Client

    return Client(url, verbose=False)


def _follow_key(pair: Pair) -> str:
    return _key("follow-up", f"{pair.measure}:{pair.first.question}")


def upload(client, text: str) -> tuple[str, str]:
    """Upload `text` as a .txt policy through the app's upload handler: (its doc_id, the status line)."""
    from gradio_client import handle_file

    with tempfile.TemporaryDirectory(prefix="policyqa-load-") as folder:
        path = Path(folder) / f"loadtest_{uuid.uuid4().hex[:8]}.txt"  # a new doc_id each time
        path.write_text(text, encoding="utf-8")
        status = str(client.predict(handle_file(str(path)), api_name="/upload")[0])
    return path.stem, html.unescape(re.sub(r"<[^>]+>", "", status))


def calibrate(url: str, work: Workload) -> Workload:
    """Ask every question alone, once; keep those answered right, remember their answers."""
    c = _client(url)
    asks, pairs = [], []
    for q in work.asks:
        start = time.perf_counter()
        a = c.predict(q.question, api_name="/ask")
        work.alone_ms.append((time.perf_counter() - start) * 1000)
        if problem := check_ask(q, a):
            work.dropped.append(f"/ask alone: {problem}")
            continue
        asks.append(q)
        work.alone[_key("ask", q.question)] = a["answer"]
    for p in work.pairs:
        c.reset_session()  # a fresh conversation
        first = read_chat(c.predict(p.first.question, [], "", api_name="/chat"))
        follow = read_chat(c.predict(FOLLOW_UP, first.history, "", api_name="/chat"))
        problem = check_first(p, first) or check_follow_up(p, follow)
        if problem:
            work.dropped.append(f"/chat alone: {problem}")
            continue
        pairs.append(p)
        work.alone[_key("chat", p.first.question)] = first.text
        work.alone[_follow_key(p)] = follow.text
    return Workload(asks, pairs, work.alone, work.dropped, work.alone_ms)


def run_load(url: str, work: Workload, users: int, seconds: float, upload_at: float | None = None,
             seed: int = 0, ask_share: float = 0.5) -> dict:
    """`users` sessions asking for `seconds`; an upload at `upload_at` seconds if given. The report."""
    if not work.asks or not work.pairs:
        raise SystemExit("nothing to ask: no question was answered correctly alone (run `python -m eval`)")
    clients = [_client(url) for _ in range(users)]  # connected before the clock starts
    results: list[Request] = []
    lock = threading.Lock()
    upload_window: list[float] = []  # [start, end] once an upload ran
    t0 = time.perf_counter()
    deadline = t0 + seconds

    def record(kind: str, user: int, start: float, problem: str = "") -> None:
        with lock:
            results.append(Request(kind, user, start - t0, time.perf_counter() - start, problem))

    def same_as_alone(key: str, text: str, start: float) -> str:
        # Before an upload the corpus is the one the answers were calibrated on: any difference is a race.
        if upload_window and start - t0 >= upload_window[0]:
            return ""
        want = work.alone.get(key)
        return "" if want is None or want == text else f"answer differs from the one given alone: {text[:80]!r} ≠ {want[:80]!r}"

    def user_loop(i: int) -> None:
        rng = random.Random(seed * 1000 + i)
        c = clients[i]
        n = 0
        while time.perf_counter() < deadline:
            if rng.random() < ask_share:
                q = rng.choice(work.asks)
                start = time.perf_counter()
                try:
                    a = c.predict(q.question, api_name="/ask")
                    problem = check_ask(q, a) or same_as_alone(_key("ask", q.question), a["answer"], start)
                except Exception as e:  # any failure of a request is a finding, reported with the question
                    problem = f"error on /ask {q.question!r}: {type(e).__name__}: {e}"
                record("ask", i, start, problem)
                continue
            # Users walk the conversations from different places, so different measures are open at once.
            p = work.pairs[(i * 7 + n) % len(work.pairs)]
            n += 1
            start = time.perf_counter()
            try:
                first = read_chat(c.predict(p.first.question, [], "", api_name="/chat"))
                problem = check_first(p, first) or same_as_alone(_key("chat", p.first.question), first.text, start)
            except Exception as e:
                first, problem = None, f"error on /chat {p.first.question!r}: {type(e).__name__}: {e}"
            record("chat", i, start, problem)
            if first is None or problem:
                continue
            start = time.perf_counter()
            try:
                follow = read_chat(c.predict(FOLLOW_UP, first.history, "", api_name="/chat"))
                problem = check_follow_up(p, follow) or same_as_alone(_follow_key(p), follow.text, start)
            except Exception as e:
                problem = f"error on /chat follow-up after {p.first.question!r}: {type(e).__name__}: {e}"
            record("follow-up", i, start, problem)

    def uploader() -> None:
        time.sleep(max(0.0, t0 + upload_at - time.perf_counter()))
        c = _client(url)
        start = time.perf_counter()
        upload_window.append(start - t0)
        try:
            doc_id, status = upload(c, UPLOAD_TEXT)
            problem = "" if "已加入" in status else f"upload refused: {status}"
        except Exception as e:
            doc_id, problem = "", f"error on /upload: {type(e).__name__}: {e}"
        upload_window.append(time.perf_counter() - t0)
        record("upload", -1, start, problem)
        start = time.perf_counter()
        try:  # askable at once, from another session
            a = c.predict(UPLOAD_QUESTION, api_name="/ask")
            cites = a.get("citations") or []
            ok = a.get("found") and UPLOAD_FACT in a.get("answer", "") and cites and cites[0]["doc_id"] == doc_id
            problem = "" if ok else f"uploaded document not answered: {a.get('answer', '')[:80]}"
        except Exception as e:
            problem = f"error on /ask after the upload: {type(e).__name__}: {e}"
        record("after-upload", -1, start, problem)

    load_before, cpu_before = os.getloadavg(), time.process_time()
    threads = [threading.Thread(target=user_loop, args=(i,), daemon=True) for i in range(users)]
    if upload_at is not None:
        threads.append(threading.Thread(target=uploader, daemon=True))
    for t in threads:
        t.start()
    for t in threads:  # a request still running at the deadline gets a minute to finish
        t.join(timeout=max(0.0, deadline + 60 - time.perf_counter()))
    wall = time.perf_counter() - t0
    hung = sum(t.is_alive() for t in threads)
    with lock:
        done = list(results)
    for c in clients:
        with contextlib.suppress(Exception):
            c.close()
    out = report(done, users, seconds, wall, hung, upload_window, load_before, os.getloadavg(), work)
    # The simulated users share the machine with the app: their own CPU time says how much of it they took.
    out["client_cpu_s"] = round(time.process_time() - cpu_before, 1)
    return out


def _stats(ms: list[float]) -> dict:
    return {"n": len(ms), "p50_ms": round(percentile(ms, 50)), "p95_ms": round(percentile(ms, 95)),
            "p99_ms": round(percentile(ms, 99)), "max_ms": round(max(ms)) if ms else 0}


def report(results: list[Request], users: int, seconds: float, wall: float, hung: int, window: list[float],
           load_before: tuple, load_after: tuple, work: Workload) -> dict:
    asked = [r for r in results if r.kind in ("ask", "chat", "follow-up")]
    problems = [f"{r.kind} (user {r.user}, t={r.start:.1f}s): {r.problem}" for r in results if r.problem]
    if hung:
        problems.append(f"{hung} users still waiting for an answer 60 s after the end")
    out = {
        "users": users, "seconds": seconds, "wall_s": round(wall, 1), "requests": len(asked),
        "throughput_rps": round(len(asked) / wall, 2) if wall else 0.0,
        "latency": _stats([r.seconds * 1000 for r in asked]),
        "alone": _stats(work.alone_ms),
        "by_kind": {k: _stats([r.seconds * 1000 for r in asked if r.kind == k]) for k in ("ask", "chat", "follow-up")},
        "errors": sum(r.problem.startswith("error") for r in results),
        "wrong": sum(bool(r.problem) and not r.problem.startswith(("error", "cross-talk")) for r in results),
        "cross_talk": sum(r.problem.startswith("cross-talk") for r in results),
        "conversations": sum(r.kind == "follow-up" for r in results),
        "questions": {"ask": len(work.asks), "conversations": len(work.pairs), "dropped": work.dropped},
        "load_average": {"before": [round(x, 2) for x in load_before], "after": [round(x, 2) for x in load_after]},
        "cpus": os.cpu_count(),
        "problems": problems,
    }
    if len(window) == 2:
        u0, u1 = window
        during = [r for r in asked if r.start < u1 and r.start + r.seconds > u0]
        rest = [r for r in asked if r not in during]
        up = next((r for r in results if r.kind == "upload"), None)
        out["upload"] = {"seconds": round(u1 - u0, 1), "ok": bool(up and not up.problem),
                         "during": _stats([r.seconds * 1000 for r in during]),
                         "outside": _stats([r.seconds * 1000 for r in rest])}
    return out


def summary(r: dict) -> str:
    lat = r["latency"]
    lines = [
        f"{r['users']} users for {r['seconds']:g} s (wall {r['wall_s']} s, {r['cpus']} CPUs, load average "
        f"{r['load_average']['before'][0]} before, {r['load_average']['after'][0]} after; "
        f"the simulated users used {r.get('client_cpu_s', '?')} CPU-seconds of it)",
        f"{r['requests']} requests ({r['conversations']} conversations), {r['throughput_rps']} requests/s; "
        f"latency p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms, p99 {lat['p99_ms']} ms, max {lat['max_ms']} ms",
    ]
    if r["alone"]["n"]:
        lines.append(f"  (one user alone, before the run: /ask p50 {r['alone']['p50_ms']} ms, p95 {r['alone']['p95_ms']} ms)")
    for k, s in r["by_kind"].items():
        lines.append(f"  {k:<9} n={s['n']:<5} p50 {s['p50_ms']} ms  p95 {s['p95_ms']} ms  p99 {s['p99_ms']} ms")
    if "upload" in r:
        u = r["upload"]
        lines.append(f"upload + re-index: {u['seconds']} s ({'ok' if u['ok'] else 'FAILED'}); latency meanwhile p50 "
                     f"{u['during']['p50_ms']} ms, p95 {u['during']['p95_ms']} ms, max {u['during']['max_ms']} ms "
                     f"(n={u['during']['n']}); otherwise p50 {u['outside']['p50_ms']} ms, p95 {u['outside']['p95_ms']} ms")
    lines.append(f"errors {r['errors']}, wrong answers {r['wrong']}, cross-talk {r['cross_talk']}")
    lines += [f"  {p}" for p in r["problems"][:20]]
    q = r["questions"]
    lines.append(f"questions: {q['ask']} one-shot, {q['conversations']} conversations "
                 f"({len(q['dropped'])} left out: not answered right even alone)")
    return "\n".join(lines)


# --- the app under test --------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def start_app(root: Path, corpus_files: tuple[Path, ...] = (SEED,), timeout: float = 300, **env_extra: str) -> Iterator[str]:
    """`python app.py` on a free 127.0.0.1 port over copies of `corpus_files` in `root`; yields its URL."""
    (root / "corpus").mkdir(parents=True, exist_ok=True)
    for f in corpus_files:
        shutil.copy(f, root / "corpus" / f.name)
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("POLICYQA_")}
    env.update(POLICYQA_CORPUS=str(root / "corpus"), POLICYQA_INDEX=str(root / "index"), POLICYQA_PORT=str(port),
               GRADIO_TEMP_DIR=str(root / "gradio-tmp"), **env_extra)
    log_path = root / "app.log"
    with open(log_path, "w") as log:
        proc = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
        url = f"http://127.0.0.1:{port}/"
        try:
            deadline = time.time() + timeout
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"app exited with {proc.returncode}: {log_path.read_text()[-2000:]}")
                if time.time() > deadline:
                    raise RuntimeError(f"app did not answer on {url} within {timeout:g} s (log: {log_path})")
                try:
                    urllib.request.urlopen(url, timeout=2)
                    break
                except OSError:
                    time.sleep(0.5)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m eval.load", description=__doc__.split("\n\n")[0])
    where = p.add_mutually_exclusive_group(required=True)
    where.add_argument("--url", help="a running app, e.g. http://127.0.0.1:7860/")
    where.add_argument("--start", action="store_true", help="start app.py over a temporary copy of the seed document")
    p.add_argument("--users", type=int, default=20)
    p.add_argument("--seconds", type=float, default=60)
    p.add_argument("--questions", type=Path, default=ROOT / "eval" / "questions.jsonl")
    p.add_argument("--sample", type=int, default=0, help="use at most this many one-shot questions and conversations (0: all)")
    p.add_argument("--upload", action="store_true", help="upload a small policy a third of the way in (re-indexes under load)")
    p.add_argument("--upload-anyway", action="store_true", help="allow --upload with --url (the document stays in that corpus)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--json", type=Path, help="also write the report as JSON here")
    args = p.parse_args(argv)
    if args.upload and args.url and not args.upload_anyway:
        p.error("--upload with --url adds a document to that app's corpus for good: add --upload-anyway, or use --start")
    work = workload(parse_questions(args.questions.read_text(encoding="utf-8"), args.questions.name))
    if args.sample:
        rng = random.Random(args.seed)
        work = Workload(rng.sample(work.asks, min(args.sample, len(work.asks))),
                        rng.sample(work.pairs, min(args.sample, len(work.pairs))))
    with contextlib.ExitStack() as stack:
        if args.start:
            tmp = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="policyqa-load-")))
            print("starting app.py over a copy of the seed (builds its index first) …", file=sys.stderr)
            url = stack.enter_context(start_app(tmp))
        else:
            url = args.url
        print(f"asking {len(work.asks)} questions and {len(work.pairs)} conversations alone first …", file=sys.stderr)
        work = calibrate(url, work)
        result = run_load(url, work, args.users, args.seconds, args.seconds / 3 if args.upload else None, args.seed)
    print(summary(result))
    if args.json:
        args.json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    return 0 if not result["problems"] else 1


if __name__ == "__main__":
    sys.exit(main())
