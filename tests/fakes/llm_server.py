"""A fake OpenAI-compatible server on 127.0.0.1 for tests.

It is a real HTTP server, so the real `openai` client (and its retries, SSE
parsing and connection pool) runs against it; only the model is fake.

Usage in a test::

    def test_something(fake_llm):
        fake_llm.configure(reply="Hello world", token_delay=0.01)
        ... base_url=fake_llm.base_url ...
        assert fake_llm.requests[0].json["model"] == "gpt-test"

Configuration (attributes, or `configure(**kwargs)`; `reset()` restores defaults):

- reply: str, or callable(request_json) -> str. Streamed as words with their spaces.
- token_delay / first_token_delay: seconds between chunks / before the first one.
- fail_status: 401, 403, 404, 429, 500, 503, ... answered with OpenAI's error JSON
  (applies to every endpoint, /models included); fail_code, fail_message override
  the body ("{api_key}" in fail_message is the bearer token the request carried, as
  servers that quote a refused key do); retry_after adds a Retry-After header
  (seconds, floats allowed: the openai client accepts them, which keeps retry tests fast).
- fail_times: fail only the first N requests, then succeed (None: always fail).
- drop_after_tokens: in a stream, close the connection after N content tokens.
- context_limit: prompt tokens (len(text) // 4 over all messages) above which a
  chat request gets 400 context_length_exceeded.
- reject_stream_options: answer 400 to requests carrying stream_options, as some
  OpenAI-compatible servers do.
- models: the ids served by GET /v1/models.
- rendezvous: hold the first N streams after their first event until all N are
  open at once (a barrier; later streams pass freely), so a test sees concurrency as
  an order of events instead of a duration. A stream left waiting in vain is dropped.

`requests` records every request (method, path, headers, json) for assertions; each
also tells how many content tokens went out (`tokens_sent`), whether its client went
away mid-answer (`client_gone`), and sets `answered` once its handler is done.
`peak_streams` is the most streams that were open at the same moment.
"""

from __future__ import annotations

import contextlib
import json
import re
import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

Reply = str | Callable[[dict[str, Any]], str]

_DEFAULTS: dict[str, Any] = {
    "reply": "Hello from the fake model.",
    "token_delay": 0.0,
    "first_token_delay": 0.0,
    "fail_status": None,
    "fail_code": None,
    "fail_message": None,
    "fail_times": None,
    "retry_after": None,
    "drop_after_tokens": None,
    "context_limit": None,
    "reject_stream_options": False,
    "models": ["fake-large", "fake-small"],
    "rendezvous": None,
}
# How long a stream waits at the rendezvous for the others: a hang guard only; a
# test that meets it fails on the dropped stream, not on the time it took.
_RENDEZVOUS_GUARD = 30.0

# Bodies shaped like OpenAI's, so error classification is tested against the real thing.
_FAILURES: dict[int, tuple[str, str | None, str]] = {
    400: ("invalid_request_error", None, "Bad request."),
    401: ("invalid_request_error", "invalid_api_key", "Incorrect API key provided."),
    403: (
        "invalid_request_error",
        "unsupported_country_region_territory",
        "Country, region, or territory not supported.",
    ),
    404: (
        "invalid_request_error",
        "model_not_found",
        "The model does not exist or you do not have access to it.",
    ),
    429: ("requests", "rate_limit_exceeded", "Rate limit reached for requests."),
    500: ("server_error", None, "The server had an error while processing your request."),
    502: ("server_error", None, "Bad gateway."),
    503: ("server_error", None, "The engine is currently overloaded, please try again later."),
}
_QUOTA = (
    "insufficient_quota",
    "insufficient_quota",
    "You exceeded your current quota, please check your plan and billing details.",
)

_TOKEN_RE = re.compile(r"\S+\s*|\s+")


def split_tokens(text: str) -> list[str]:
    """Words with their trailing spaces: joining the tokens gives the text back."""
    return _TOKEN_RE.findall(text)


def count_words(text: str) -> int:
    return len(text.split())


class Headers(dict[str, str]):
    """Header names are case-insensitive (httpx2 sends them lowercased)."""

    def __init__(self, items: Iterable[tuple[str, str]] = ()) -> None:
        super().__init__((name.lower(), value) for name, value in items)

    def __getitem__(self, name: str) -> str:
        return super().__getitem__(name.lower())

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and super().__contains__(name.lower())

    def get(self, name: str, default: Any = None) -> Any:
        return super().get(name.lower(), default)


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: Headers
    json: dict[str, Any] | None = field(default=None)
    # The client's (host, port): one connection kept alive shows as one peer.
    peer: tuple[str, int] | None = None
    tokens_sent: int = 0
    client_gone: bool = False
    answered: threading.Event = field(default_factory=threading.Event, repr=False)


class _Dropped(Exception):
    """The handler closes the connection without finishing the response."""


class FakeLLMServer:
    reply: Reply
    token_delay: float
    first_token_delay: float
    fail_status: int | None
    fail_code: str | None
    fail_message: str | None
    fail_times: int | None
    retry_after: float | None
    drop_after_tokens: int | None
    context_limit: int | None
    reject_stream_options: bool
    models: list[str]
    rendezvous: int | None

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._stopping = threading.Event()
        self._connections: set[socket.socket] = set()
        self.requests: list[RecordedRequest] = []
        self._failures_served = 0
        self._streams_open = 0
        self.peak_streams = 0
        self._barrier: threading.Barrier | None = None
        self._rendezvous_arrivals = 0
        self.reset()
        self._httpd = _HTTPServer(("127.0.0.1", 0), _Handler)
        self._httpd.fake = self
        self.port: int = self._httpd.server_address[1]
        self.base_url = f"http://127.0.0.1:{self.port}/v1"
        self._thread = threading.Thread(
            target=self._httpd.serve_forever,
            # How often serve_forever looks for a shutdown: each test's teardown waits for it.
            kwargs={"poll_interval": 0.01},
            name=f"fake-llm-{self.port}",
            daemon=True,
        )

    # configuration

    def reset(self) -> None:
        with self._lock:
            for name, value in _DEFAULTS.items():
                setattr(self, name, list(value) if isinstance(value, list) else value)
            self.requests = []
            self._failures_served = 0
            self.peak_streams = 0
            self._barrier = None
            self._rendezvous_arrivals = 0

    def configure(self, **settings: Any) -> FakeLLMServer:
        unknown = set(settings) - set(_DEFAULTS)
        if unknown:
            raise TypeError(f"unknown fake_llm settings: {sorted(unknown)}")
        for name, value in settings.items():
            setattr(self, name, value)
        if "rendezvous" in settings:
            count = settings["rendezvous"]
            with self._lock:
                self._barrier = threading.Barrier(count) if count else None
                self._rendezvous_arrivals = 0
        return self

    # lifecycle

    def start(self) -> FakeLLMServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()  # wakes handlers sleeping between tokens
        if self._barrier is not None:
            self._barrier.abort()  # and those waiting at the rendezvous
        self._httpd.shutdown()
        # Kept-alive client connections would otherwise block their handler
        # threads in readline() and make server_close() wait for them.
        with self._lock:
            connections = list(self._connections)
        for conn in connections:
            with contextlib.suppress(OSError):
                conn.shutdown(socket.SHUT_RDWR)
        self._httpd.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> FakeLLMServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    # used by the handler

    def _sleep(self, seconds: float) -> None:
        if seconds > 0:
            self._stopping.wait(seconds)

    def _stream_opened(self) -> None:
        with self._lock:
            self._streams_open += 1
            self.peak_streams = max(self.peak_streams, self._streams_open)

    def _stream_closed(self) -> None:
        with self._lock:
            self._streams_open -= 1

    def _meet_the_other_streams(self) -> bool:
        """Wait there if this is one of the first N streams; False when the rendezvous
        never filled up (or the server is stopping)."""
        with self._lock:
            barrier = self._barrier
            if barrier is None or self._rendezvous_arrivals >= barrier.parties:
                return True
            self._rendezvous_arrivals += 1
        try:
            barrier.wait(_RENDEZVOUS_GUARD)
        except threading.BrokenBarrierError:
            return False
        return True

    def _should_fail(self) -> bool:
        """Counts failures under the lock, so concurrent requests see fail_times exactly."""
        with self._lock:
            if self.fail_status is None:
                return False
            if self.fail_times is not None and self._failures_served >= self.fail_times:
                return False
            self._failures_served += 1
            return True


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    fake: FakeLLMServer


class _Handler(BaseHTTPRequestHandler):
    # HTTP/1.1 so the openai client's keep-alive pool is exercised for real. Every
    # response is then framed: Content-Length for JSON, chunked transfer for SSE.
    # Chunked (rather than "Connection: close" and end-of-body-at-EOF) is what makes
    # a dropped stream detectable: the client sees an incomplete chunked body and
    # raises, instead of taking the truncated answer for a complete one.
    protocol_version = "HTTP/1.1"
    server: _HTTPServer
    # An idle kept-alive connection frees its thread after this many seconds.
    timeout = 30

    def setup(self) -> None:
        super().setup()
        fake = self.server.fake
        with fake._lock:
            fake._connections.add(self.connection)

    def handle(self) -> None:
        # A client closing its kept-alive connection (or the server stopping) is
        # normal here, not an error worth a traceback in the test output.
        with contextlib.suppress(OSError):
            super().handle()

    def finish(self) -> None:
        fake = self.server.fake
        with fake._lock:
            fake._connections.discard(self.connection)
        with contextlib.suppress(OSError):
            super().finish()

    def log_message(self, format: str, *args: Any) -> None:
        pass  # keep pytest output clean

    # dispatch

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def _handle(self) -> None:
        fake = self.server.fake
        body = self._read_json()
        self.recorded = RecordedRequest(
            self.command, self.path, Headers(self.headers.items()), body, self.client_address
        )
        with fake._lock:
            fake.requests.append(self.recorded)
        path = self.path.split("?", 1)[0]
        try:
            if fake._should_fail():
                self._send_failure(fake)
            elif self.command == "GET" and path == "/v1/models":
                self._send_models(fake)
            elif self.command == "POST" and path == "/v1/chat/completions":
                self._chat(fake, body or {})
            else:
                self._send_error(
                    404,
                    "invalid_request_error",
                    None,
                    f"Unknown request URL: {self.command} {path}.",
                )
        except _Dropped:
            self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            # The client went away (it stopped reading a stream); nothing to answer.
            self.recorded.client_gone = True
            self.close_connection = True
        finally:
            self.recorded.answered.set()

    def _read_json(self) -> dict[str, Any] | None:
        # Always read the whole body, even for a failure, or the next request on
        # this kept-alive connection would start in the middle of it.
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        if not raw:
            return None
        try:
            data = json.loads(raw)
        except ValueError:
            return None
        return data if isinstance(data, dict) else None

    # responses

    def _send_json(
        self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)
        self.wfile.flush()

    def _send_error(
        self,
        status: int,
        type_: str,
        code: str | None,
        message: str,
        headers: dict[str, str] | None = None,
    ) -> None:
        payload = {"error": {"message": message, "type": type_, "param": None, "code": code}}
        self._send_json(status, payload, headers)

    def _send_failure(self, fake: FakeLLMServer) -> None:
        status = int(fake.fail_status or 500)
        type_, code, message = _FAILURES.get(status, ("server_error", None, "Error."))
        if status == 429 and fake.fail_code == "insufficient_quota":
            type_, code, message = _QUOTA
        elif fake.fail_code is not None:
            code = fake.fail_code
        headers = {}
        if fake.retry_after is not None:
            headers["Retry-After"] = f"{fake.retry_after:g}"
        if fake.fail_message:
            bearer = self.headers.get("Authorization", "").removeprefix("Bearer ")
            message = fake.fail_message.replace("{api_key}", bearer)
        self._send_error(status, type_, code, message, headers)

    def _send_models(self, fake: FakeLLMServer) -> None:
        created = int(time.time())
        data = [
            {"id": m, "object": "model", "created": created, "owned_by": "fake"}
            for m in fake.models
        ]
        self._send_json(200, {"object": "list", "data": data})

    def _chat(self, fake: FakeLLMServer, body: dict[str, Any]) -> None:
        messages = body.get("messages") or []
        prompt_text = "\n".join(_message_text(m) for m in messages)
        if body.get("stream_options") is not None and fake.reject_stream_options:
            self._send_error(
                400,
                "invalid_request_error",
                None,
                "Unrecognized request argument supplied: stream_options",
            )
            return
        if fake.context_limit is not None and len(prompt_text) // 4 > fake.context_limit:
            self._send_error(
                400,
                "invalid_request_error",
                "context_length_exceeded",
                f"This model's maximum context length is {fake.context_limit} tokens. "
                f"However, your messages resulted in {len(prompt_text) // 4} tokens. "
                "Please reduce the length of the messages.",
            )
            return
        reply = fake.reply(body) if callable(fake.reply) else fake.reply
        tokens = split_tokens(reply)
        usage = {
            "prompt_tokens": count_words(prompt_text),
            "completion_tokens": len(tokens),
            "total_tokens": count_words(prompt_text) + len(tokens),
        }
        model = str(body.get("model") or "fake")
        if body.get("stream"):
            include_usage = bool((body.get("stream_options") or {}).get("include_usage"))
            fake._stream_opened()
            try:
                self._stream(fake, model, tokens, usage if include_usage else None)
            finally:
                fake._stream_closed()
        else:
            fake._sleep(fake.first_token_delay)
            self._send_json(
                200,
                {
                    "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
                    "object": "chat.completion",
                    "created": int(time.time()),
                    "model": model,
                    "choices": [
                        {
                            "index": 0,
                            "message": {"role": "assistant", "content": reply},
                            "finish_reason": "stop",
                        }
                    ],
                    "usage": usage,
                },
            )

    def _stream(
        self, fake: FakeLLMServer, model: str, tokens: list[str], usage: dict[str, int] | None
    ) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        base = {
            "id": f"chatcmpl-{uuid.uuid4().hex[:12]}",
            "object": "chat.completion.chunk",
            "created": int(time.time()),
            "model": model,
        }

        def choice(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
            return {**base, "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]}

        self._event(choice({"role": "assistant", "content": ""}))
        if not fake._meet_the_other_streams():
            self._drop()
        fake._sleep(fake.first_token_delay)
        for sent, token in enumerate(tokens):
            if fake.drop_after_tokens is not None and sent >= fake.drop_after_tokens:
                self._drop()
            if sent:
                fake._sleep(fake.token_delay)
            self._event(choice({"content": token}))
            self.recorded.tokens_sent += 1
        if fake.drop_after_tokens is not None and len(tokens) <= fake.drop_after_tokens:
            self._drop()
        self._event(choice({}, "stop"))
        if usage is not None:
            self._event({**base, "choices": [], "usage": usage})
        self._write_chunk(b"data: [DONE]\n\n")
        self._write_chunk(b"")  # the terminating zero-length chunk

    def _event(self, payload: dict[str, Any]) -> None:
        self._write_chunk(f"data: {json.dumps(payload)}\n\n".encode())

    def _write_chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _drop(self) -> None:
        # Shut the socket down without the terminating chunk, as a crashed upstream would.
        with contextlib.suppress(OSError):
            self.connection.shutdown(socket.SHUT_RDWR)
        raise _Dropped


def _message_text(message: Any) -> str:
    if not isinstance(message, dict):
        return ""
    content = message.get("content")
    if isinstance(content, str):
        return content
    if isinstance(content, list):  # content parts: [{"type": "text", "text": ...}]
        return "".join(p.get("text", "") for p in content if isinstance(p, dict))
    return ""


@pytest.fixture
def fake_llm() -> Iterator[FakeLLMServer]:
    """A started fake OpenAI-compatible server, fresh for each test."""
    with FakeLLMServer() as server:
        yield server
