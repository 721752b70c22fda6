"""A fake model provider for tests: a real HTTP server on 127.0.0.1 speaking the chat-completions API.

The ``fake_llm`` fixture (root ``conftest.py``) starts one per test on an ephemeral port, points
``LLM_BASE_URL``/``LLM_MODEL`` at it, and replaces the client's retry sleep with a recorder so no
test waits. Script the replies in the order the requests will come::

    fake_llm.reply_json({"sentences": [...]})          # JSON content (streamed if the request streams)
    fake_llm.reply_text("Hola")                         # plain text content
    fake_llm.reply_malformed()                          # content that is not JSON
    fake_llm.reply_delay()                              # no answer until the client's timeout has passed
    fake_llm.reply_status(429, retry_after="7")         # an error status, with Retry-After
    fake_llm.reply_status(500)

Each request is recorded (``fake_llm.requests``: path, headers, parsed JSON body). With no scripted
reply left, it answers 500 with a body saying so, which the test then sees in the error message.
``fake_llm.responder`` may be set to a function ``(body) -> Reply`` used when the queue is empty.
"""

from __future__ import annotations

import json
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    status: int = 200
    content: str | None = None  # the assistant message's text
    headers: dict[str, str] = field(default_factory=dict)
    body: str | None = None  # a whole raw body instead of a completion
    delay: bool = False  # hold the request until the server stops (longer than any client timeout)
    prompt_tokens: int = 11
    completion_tokens: int = 7
    stream_chunks: list[str] | None = None  # how to cut ``content`` when streaming (default: by words)
    stream_break: bool = False  # streaming: send a broken chunk after the first one


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    body: Any


class FakeLLMServer:
    model = "fake-model"

    def __init__(self) -> None:
        self.replies: deque[Reply] = deque()
        self.requests: list[RecordedRequest] = []
        self.responder: Callable[[Any], Reply] | None = None
        self.sleeps: list[float] = []  # the waits the client asked for between retries
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._counter = 0
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler_class())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="fake-llm", daemon=True)

    # --- lifecycle ----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}/v1"

    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()  # releases delayed replies
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    # --- scripting ----------------------------------------------------------------------------

    def reply(self, reply: Reply) -> None:
        with self._lock:
            self.replies.append(reply)

    def reply_text(self, text: str, **kwargs: Any) -> None:
        self.reply(Reply(content=text, **kwargs))

    def reply_json(self, data: Any, **kwargs: Any) -> None:
        self.reply(Reply(content=json.dumps(data, ensure_ascii=False), **kwargs))

    def reply_malformed(self, text: str = '{"sentences": [{"text": "Hola", ', **kwargs: Any) -> None:
        self.reply(Reply(content=text, **kwargs))

    def reply_delay(self) -> None:
        self.reply(Reply(delay=True))

    def reply_status(self, status: int, *, retry_after: str | None = None, body: str | None = None) -> None:
        headers = {"Retry-After": retry_after} if retry_after is not None else {}
        error = {"error": {"message": f"fake error {status}", "type": "fake", "code": status}}
        self.reply(Reply(status=status, headers=headers, body=body if body is not None else json.dumps(error)))

    def chat_requests(self) -> list[RecordedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions")]

    # --- serving ------------------------------------------------------------------------------

    def _next(self, body: Any) -> Reply:
        with self._lock:
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return Reply(status=500, body=json.dumps({"error": {"message": "fake LLM: no scripted reply left"}}))

    def _response_id(self) -> str:
        with self._lock:
            self._counter += 1
            return f"chatcmpl-fake-{self._counter}"

    def _handler_class(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length).decode("utf-8")
                try:
                    body: Any = json.loads(raw)
                except ValueError:
                    body = raw
                with server._lock:
                    server.requests.append(RecordedRequest("POST", self.path, dict(self.headers.items()), body))
                if not self.path.endswith("/chat/completions"):
                    self._send(404, json.dumps({"error": {"message": f"no route {self.path}"}}))
                    return
                reply = server._next(body)
                if reply.delay:
                    server._stop.wait(timeout=60)
                    self.close_connection = True
                    return
                if reply.body is not None or reply.status != 200:
                    self._send(reply.status, reply.body or "", reply.headers)
                    return
                response_id = server._response_id()
                model = body.get("model") if isinstance(body, dict) else None
                if isinstance(body, dict) and body.get("stream"):
                    self._stream(reply, response_id, model or server.model, body)
                    return
                completion = {
                    "id": response_id,
                    "object": "chat.completion",
                    "created": 1_700_000_000,
                    "model": model or server.model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply.content or ""},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    },
                }
                self._send(200, json.dumps(completion), reply.headers)

            def _send(self, status: int, text: str, headers: dict[str, str] | None = None) -> None:
                data = text.encode("utf-8")
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _stream(self, reply: Reply, response_id: str, model: str, body: dict) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                content = reply.content or ""
                chunks = reply.stream_chunks
                if chunks is None:
                    words = content.split(" ")
                    chunks = [w if i == 0 else " " + w for i, w in enumerate(words)] if content else []

                def event(payload: str) -> None:
                    self.wfile.write(f"data: {payload}\n\n".encode())
                    self.wfile.flush()

                base = {"id": response_id, "object": "chat.completion.chunk", "created": 1_700_000_000, "model": model}
                event(json.dumps({**base, "choices": [{"index": 0, "delta": {"role": "assistant", "content": ""}}]}))
                for i, chunk in enumerate(chunks):
                    event(json.dumps({**base, "choices": [{"index": 0, "delta": {"content": chunk}}]}))
                    if reply.stream_break and i == 0:
                        event("{not json")
                event(json.dumps({**base, "choices": [{"index": 0, "delta": {}, "finish_reason": "stop"}]}))
                if (body.get("stream_options") or {}).get("include_usage"):
                    usage = {
                        "prompt_tokens": reply.prompt_tokens,
                        "completion_tokens": reply.completion_tokens,
                        "total_tokens": reply.prompt_tokens + reply.completion_tokens,
                    }
                    event(json.dumps({**base, "choices": [], "usage": usage}))
                event("[DONE]")

        return Handler
