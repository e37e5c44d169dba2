"""How the real libraries reach the fake YouTube: a requests adapter and a yt-dlp handler."""

from __future__ import annotations

import io
from typing import Any

import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from yt_dlp.networking.common import RequestHandler, Response
from yt_dlp.networking.exceptions import HTTPError as YtdlpHTTPError

from tests.fakes.youtube.fake import FakeYouTube


class _FakeAdapter(BaseAdapter):
    """A requests transport that answers from a FakeYouTube."""

    def __init__(self, fake: FakeYouTube) -> None:
        super().__init__()
        self.fake = fake

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
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
