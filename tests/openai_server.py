"""A real OpenAI-compatible chat-completions server on 127.0.0.1 that replies from a script.

Used by the LLM tests and the app's browser test: plain JSON and SSE streaming, every request
recorded, so tests can check what the model was sent and what reaches the user.
"""
from __future__ import annotations

import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class ScriptedLLM:
    """Replies with the steps of `script` in order (the last one repeats); a step is a dict with
    `content` (text, or a function of the request body), optional `status`, `error` and `sleep`."""

    def __init__(self) -> None:
        self.script: list[dict] = []
        self.requests: list[dict] = []
        self.headers: list[dict] = []
        self._lock = threading.Lock()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self.httpd.daemon_threads = True
        self.httpd.scripted = self  # type: ignore[attr-defined]
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"

    def next_step(self, body: dict, headers: dict) -> dict:
        with self._lock:
            self.requests.append(body)
            self.headers.append(headers)
            return self.script.pop(0) if len(self.script) > 1 else self.script[0]


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:  # keep pytest output clean
        pass

    def do_POST(self) -> None:
        body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        if not self.path.endswith("/chat/completions"):
            return self._json(404, {"error": {"message": f"no route {self.path}"}})
        step = self.server.scripted.next_step(body, dict(self.headers))  # type: ignore[attr-defined]
        time.sleep(step.get("sleep", 0))
        try:
            status = step.get("status", 200)
            if status != 200:
                return self._json(status, {"error": {"message": step.get("error", f"scripted HTTP {status}"),
                                                     "type": "scripted", "code": status}})
            content = step["content"](body) if callable(step["content"]) else step["content"]
            if body.get("stream"):
                return self._sse(content)
            self._json(200, {
                "id": "chatcmpl-test", "object": "chat.completion", "created": int(time.time()), "model": body["model"],
                "choices": [{"index": 0, "message": {"role": "assistant", "content": content}, "finish_reason": "stop"}],
                "usage": {"prompt_tokens": 10, "completion_tokens": 10, "total_tokens": 20},
            })
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (the timeout test)

    def _json(self, status: int, obj: dict) -> None:
        data = json.dumps(obj, ensure_ascii=False).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _sse(self, content: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()  # HTTP/1.0: the stream ends when the connection closes
        pieces = [content[i:i + 4] for i in range(0, len(content), 4)]
        for n, piece in enumerate(pieces + [None]):
            delta = {"content": piece} if piece is not None else {}
            if n == 0:
                delta["role"] = "assistant"
            chunk = {"id": "chatcmpl-test", "object": "chat.completion.chunk", "created": int(time.time()),
                     "model": "test-model",
                     "choices": [{"index": 0, "delta": delta, "finish_reason": None if piece is not None else "stop"}]}
            self.wfile.write(f"data: {json.dumps(chunk, ensure_ascii=False)}\n\n".encode())
            self.wfile.flush()
        self.wfile.write(b"data: [DONE]\n\n")


def user_message(body: dict) -> str:
    return next(m["content"] for m in body["messages"] if m["role"] == "user")


def ref_for(body: dict, reference: str) -> str:
    """The reference id the request gave the record printed as `reference` (what a model would cite)."""
    m = re.search(rf"\[(R\d+)\][^\n]*{re.escape(reference)}", user_message(body))
    assert m, f"{reference} not in the context"
    return m.group(1)
