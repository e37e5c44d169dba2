"""How the real libraries reach the fake YouTube: a requests adapter and a yt-dlp handler."""

from __future__ import annotations

import io
import socket
from typing import Any

import requests
from requests.adapters import BaseAdapter, HTTPAdapter
from requests.structures import CaseInsensitiveDict
from urllib3.exceptions import MaxRetryError, NameResolutionError
from yt_dlp.networking.common import RequestHandler, Response
from yt_dlp.networking.exceptions import HTTPError as YtdlpHTTPError
from yt_dlp.networking.exceptions import TransportError

from tests.fakes.youtube.fake import FakeYouTube, SeenRequest


def _closed_port() -> int:
    """A loopback port nothing listens on: connecting to it is refused, for real."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _refused_connection() -> OSError:
    try:
        socket.create_connection(("127.0.0.1", _closed_port()), timeout=5).close()
    except OSError as error:
        return error
    raise AssertionError("a closed port accepted a connection")


def _dns_failure(host: str) -> socket.gaierror:
    return socket.gaierror(socket.EAI_NONAME, "Name or service not known")


def requests_unreachable(fake: FakeYouTube, request: requests.PreparedRequest) -> Exception:
    """What requests raises when YouTube is out of reach as the fake says."""
    fake.refused.append(SeenRequest("requests", request.method or "GET", request.url or ""))
    if fake.unreachable == "refused":
        # The real adapter, sent to a port nothing listens on.
        closed = request.copy()
        closed.url = f"http://127.0.0.1:{_closed_port()}/"
        try:
            HTTPAdapter(max_retries=0).send(closed, timeout=5, proxies={})
        except requests.exceptions.ConnectionError as error:
            return error
        raise AssertionError("a closed port answered")
    if fake.unreachable == "dns":
        host = "www.youtube.com"
        reason = NameResolutionError(host, None, _dns_failure(host))  # type: ignore[arg-type]
        return requests.exceptions.ConnectionError(
            MaxRetryError(None, request.url, reason),
            request=request,  # type: ignore[arg-type]
        )
    return requests.exceptions.ConnectTimeout(f"Connection to {request.url} timed out.")


def ytdlp_unreachable(fake: FakeYouTube, request: Any) -> TransportError:
    """What yt-dlp's transports raise when YouTube is out of reach as the fake says."""
    fake.refused.append(SeenRequest("yt-dlp", request.method, request.url))
    if fake.unreachable == "refused":
        return TransportError(cause=_refused_connection())
    if fake.unreachable == "dns":
        return TransportError(cause=_dns_failure("www.youtube.com"))
    return TransportError(cause=TimeoutError("timed out"))


class _FakeAdapter(BaseAdapter):
    """A requests transport that answers from a FakeYouTube."""

    def __init__(self, fake: FakeYouTube) -> None:
        super().__init__()
        self.fake = fake

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        if self.fake.unreachable and "requests" in self.fake.unreachable_clients:
            raise requests_unreachable(self.fake, request)
        body = request.body.encode() if isinstance(request.body, str) else request.body
        reply = self.fake.answer("requests", request.method or "GET", request.url or "", body)
        response = requests.Response()
        response.status_code = reply.status
        response._content = reply.body
        response.headers = CaseInsensitiveDict({"Content-Type": reply.content_type})
        response.url = request.url or ""
        response.request = request
        response.reason = reply.reason
        response.encoding = "utf-8"
        return response

    def close(self) -> None:
        pass


class _FakeYtdlpHandler(RequestHandler):
    """A yt-dlp transport that answers from a FakeYouTube (set as class attribute)."""

    RH_KEY = "FakeYouTube"
    RH_NAME = "fake_youtube"
    _SUPPORTED_URL_SCHEMES = ("http", "https")
    _SUPPORTED_PROXY_SCHEMES = None  # accept any proxy setting: we never connect anyway
    _SUPPORTED_FEATURES = None
    fake: FakeYouTube

    def _check_extensions(self, extensions: dict[str, Any]) -> None:
        # Accept (and ignore) timeout, cookiejar, impersonate...
        extensions.clear()

    def _send(self, request: Any) -> Response:
        if self.fake.unreachable and "yt-dlp" in self.fake.unreachable_clients:
            raise ytdlp_unreachable(self.fake, request)
        data = request.data
        if data is not None and not isinstance(data, bytes):
            data = data.read() if hasattr(data, "read") else bytes(data)
        reply = self.fake.answer("yt-dlp", request.method, request.url, data)
        response = Response(
            io.BytesIO(reply.body),
            request.url,
            {"Content-Type": reply.content_type},
            status=reply.status,
            reason=reply.reason,
        )
        if reply.status >= 400:
            raise YtdlpHTTPError(response)
        return response


def requests_session(fake: FakeYouTube) -> requests.Session:
    """A session for youtube-transcript-api whose every request the fake answers."""
    session = requests.Session()
    adapter = _FakeAdapter(fake)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


def ytdlp_handler(fake: FakeYouTube) -> type[RequestHandler]:
    """A yt-dlp request handler class bound to this fake (yt-dlp instantiates it)."""
    return type("FakeYtdlpHandler", (_FakeYtdlpHandler,), {"fake": fake})
