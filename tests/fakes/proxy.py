"""A real proxy server on 127.0.0.1 that goes nowhere.

It speaks HTTP proxying (CONNECT host:port for HTTPS, absolute URLs for plain
HTTP) and SOCKS5, records every request it is asked to make, and answers as
told: 407, 403, 502, or it closes the connection. It never connects onward, so
a test that routes the real libraries through it cannot reach the internet.

Usage::

    def test_something(fake_proxy, settings):
        fake_proxy.answer = "407"
        settings.YOUTUBE_PROXY_URL = fake_proxy.url_with("alice", "s3cret")
        ...
        assert "www.youtube.com:443" in fake_proxy.targets()
"""

from __future__ import annotations

import base64
import contextlib
import socket
import socketserver
import threading
from dataclasses import dataclass, field

import pytest

ANSWERS = ("407", "403", "502", "close")

_STATUS_LINES = {
    "407": (
        "HTTP/1.1 407 Proxy Authentication Required\r\n"
        'Proxy-Authenticate: Basic realm="fake proxy"\r\n'
    ),
    "403": "HTTP/1.1 403 Forbidden\r\n",
    "502": "HTTP/1.1 502 Bad Gateway\r\n",
}
# SOCKS5 reply codes for the same answers (RFC 1928): 0x02 "connection not
# allowed by ruleset", 0x04 "host unreachable".
_SOCKS_REPLY = {"403": 0x02, "502": 0x04, "407": 0x02}


@dataclass(frozen=True)
class ProxiedRequest:
    protocol: str  # "http" or "socks5"
    method: str  # "CONNECT", "GET"...
    target: str  # "www.youtube.com:443", or the absolute URL of a plain-HTTP request
    headers: dict[str, str] = field(default_factory=dict)  # header names lower-cased

    @property
    def credentials(self) -> tuple[str, str] | None:
        """(user, password) from a Basic Proxy-Authorization header, or from SOCKS5 auth."""
        value = self.headers.get("proxy-authorization", "")
        if not value.lower().startswith("basic "):
            return None
        user, _, password = base64.b64decode(value[6:]).decode().partition(":")
        return user, password


class FakeProxy:
    def __init__(self) -> None:
        self.answer = "502"
        self.seen: list[ProxiedRequest] = []
        self._lock = threading.Lock()
        proxy = self

        class Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                self.request.settimeout(5)
                # A client that hangs up mid-way is not the test's business.
                with contextlib.suppress(OSError, ValueError):
                    proxy._handle(self.request)

        self._server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        # serve_forever looks for a shutdown every poll_interval (0.5 s by default), and
        # each test's teardown waits for it.
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def url_with(self, user: str, password: str, scheme: str = "http") -> str:
        return f"{scheme}://{user}:{password}@127.0.0.1:{self.port}"

    def targets(self) -> list[str]:
        with self._lock:
            return [r.target for r in self.seen]

    def start(self) -> FakeProxy:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    # -- one connection --------------------------------------------------------

    def _record(self, request: ProxiedRequest) -> None:
        with self._lock:
            self.seen.append(request)

    def _handle(self, sock: socket.socket) -> None:
        first = sock.recv(1, socket.MSG_PEEK)
        if first == b"\x05":
            self._socks5(sock)
        elif first:
            self._http(sock)

    def _http(self, sock: socket.socket) -> None:
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(4096)
            if not chunk:
                return
            data += chunk
            if len(data) > 65536:
                return
        head = data.split(b"\r\n\r\n", 1)[0].decode("latin-1")
        request_line, *header_lines = head.split("\r\n")
        method, target, _ = request_line.split(" ", 2)
        headers = {}
        for line in header_lines:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        self._record(ProxiedRequest("http", method, target, headers))
        if self.answer == "close":
            return
        status = _STATUS_LINES[self.answer]
        body = b"the fake proxy goes nowhere"
        sock.sendall(
            (
                f"{status}Content-Type: text/plain\r\nContent-Length: {len(body)}\r\n"
                "Connection: close\r\n\r\n"
            ).encode()
            + body
        )

    def _socks5(self, sock: socket.socket) -> None:
        _, count = self._read(sock, 2)
        methods = self._read(sock, count)
        headers = {}
        if 0x02 in methods:  # the client offers user/password: take it (RFC 1929)
            sock.sendall(b"\x05\x02")
            _, ulen = self._read(sock, 2)
            user = self._read(sock, ulen).decode()
            (plen,) = self._read(sock, 1)
            password = self._read(sock, plen).decode()
            token = base64.b64encode(f"{user}:{password}".encode()).decode()
            headers["proxy-authorization"] = f"Basic {token}"
            ok = self.answer != "407"
            sock.sendall(b"\x01\x00" if ok else b"\x01\x01")
            if not ok:
                self._record(ProxiedRequest("socks5", "AUTH", "", headers))
                return
        else:
            sock.sendall(b"\x05\x00")
        _, command, _, atyp = self._read(sock, 4)
        if atyp == 0x01:
            host = socket.inet_ntoa(self._read(sock, 4))
        elif atyp == 0x04:
            host = "[" + socket.inet_ntop(socket.AF_INET6, self._read(sock, 16)) + "]"
        else:
            (length,) = self._read(sock, 1)
            host = self._read(sock, length).decode()
        port = int.from_bytes(self._read(sock, 2), "big")
        method = "CONNECT" if command == 0x01 else f"COMMAND {command}"
        self._record(ProxiedRequest("socks5", method, f"{host}:{port}", headers))
        if self.answer == "close":
            return
        code = _SOCKS_REPLY[self.answer]
        sock.sendall(bytes([0x05, code, 0x00, 0x01, 0, 0, 0, 0, 0, 0]))

    @staticmethod
    def _read(sock: socket.socket, size: int) -> bytes:
        data = b""
        while len(data) < size:
            chunk = sock.recv(size - len(data))
            if not chunk:
                raise ValueError("the client hung up")
            data += chunk
        return data


@pytest.fixture
def fake_proxy():
    proxy = FakeProxy().start()
    yield proxy
    proxy.stop()
