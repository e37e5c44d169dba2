"""The only place that builds HTTP clients for YouTube.

Everything that talks to YouTube gets its client from here, so tests can swap
the transport (a fake requests adapter, a fake yt-dlp request handler) while
the real libraries run on top of it. Both clients also get here:

- the proxy: YOUTUBE_PROXY_URL (http, https, socks5, socks5h), or Webshare's
  rotating residential proxies (WEBSHARE_PROXY_USERNAME/PASSWORD), which win
  when both are set;
- the shared pace (videos.pacing) before every request to YouTube, and a
  back-off for every worker when YouTube answers 429;
- proxy failures turned into YouTubeProxyError, which names the proxy's host
  and never its password.
"""

from __future__ import annotations

import copy
import re
import urllib.parse
from typing import Any

import requests
import yt_dlp
from django.conf import settings
from requests.adapters import BaseAdapter
from youtube_transcript_api import YouTubeTranscriptApi
from youtube_transcript_api.proxies import GenericProxyConfig, ProxyConfig, WebshareProxyConfig
from yt_dlp.networking.exceptions import HTTPError as YtdlpHTTPError
from yt_dlp.networking.exceptions import ProxyError as YtdlpProxyError

from videos import pacing
from videos.errors import YouTubeProxyError

# When non-empty, these yt-dlp RequestHandler classes REPLACE yt-dlp's own
# transports (urllib, requests, curl_cffi...). Tests put a fake here, and
# replacing rather than adding means an unanswered request can never fall
# through to the real network.
YTDLP_REQUEST_HANDLERS: list[type] = []

# Why these extractor arguments:
# - player_client=web: the watch page already embeds the web client's player
#   response, so metadata costs exactly one request (the watch page) instead
#   of one innertube call per default client.
# - player_skip=js: we never download media, so we need no signature/n
#   deciphering; skipping the player JS avoids a large download and the need
#   for a JavaScript runtime (deno) on the server.
# - player_skip=configs: do not fetch other clients' config pages.
YTDLP_EXTRACTOR_ARGS: dict[str, dict[str, list[str]]] = {
    "youtube": {"player_client": ["web"], "player_skip": ["js", "configs"]},
}

# Webshare's endpoint and the library's retry count (a retry through a
# rotating proxy is a new address). Module constants so a test can point them
# at a local proxy.
WEBSHARE_DOMAIN = WebshareProxyConfig.DEFAULT_DOMAIN_NAME
WEBSHARE_PORT = WebshareProxyConfig.DEFAULT_PORT
WEBSHARE_RETRIES_WHEN_BLOCKED = 10


def _cookies_file() -> str:
    return settings.YOUTUBE_COOKIES_FILE


def transcript_proxy_config() -> ProxyConfig | None:
    """The proxy youtube-transcript-api uses, from settings; None for none."""
    user = settings.WEBSHARE_PROXY_USERNAME
    password = settings.WEBSHARE_PROXY_PASSWORD
    if user and password:
        return WebshareProxyConfig(
            proxy_username=user,
            proxy_password=password,
            retries_when_blocked=WEBSHARE_RETRIES_WHEN_BLOCKED,
            domain_name=WEBSHARE_DOMAIN,
            proxy_port=WEBSHARE_PORT,
        )
    if url := settings.YOUTUBE_PROXY_URL:
        # retries_when_blocked == 0: the library keeps the adapters mounted
        # on our session (a retrying config would replace them).
        return GenericProxyConfig(http_url=url, https_url=url)
    return None


def proxy_url() -> str:
    """The one proxy URL both libraries use ("" for none).

    For Webshare it is the library's own rotating URL (USER-rotate:PASS@
    p.webshare.io:80), so yt-dlp goes out exactly as youtube-transcript-api does.
    """
    config = transcript_proxy_config()
    return config.to_requests_dict()["https"] if config else ""


def proxy_label(url: str) -> str:
    """host:port of a proxy URL: safe to show, it carries no credentials."""
    parts = urllib.parse.urlsplit(url)
    try:
        port = parts.port
    except ValueError:
        port = None
    host = parts.hostname or "?"
    if ":" in host:
        host = f"[{host}]"
    return f"{host}:{port}" if port else host


def redact(text: str, url: str) -> str:
    """``text`` with the proxy's user name and password blanked out."""
    parts = urllib.parse.urlsplit(url)
    for secret in (parts.password, parts.username):
        if not secret:
            continue
        plain = urllib.parse.unquote(secret)
        # Longest first, so "p%40ss" is not half-replaced through "p".
        for spelling in sorted({secret, plain, urllib.parse.quote(plain, safe="")}, key=len)[::-1]:
            text = text.replace(spelling, "***")
    # Any user:pass@ left in a URL-shaped string (another spelling of the same).
    return re.sub(r"(\w+://)[^/@\s]+@", r"\1***@", text)


_TUNNEL_STATUS = re.compile(r"Tunnel connection failed: (\d{3})|\b(407) Proxy Authentication", re.I)
_SOCKS_ERROR = re.compile(r"Socks[45]Error\((\d+), '([^']*)'\)")


def proxy_error(exc: BaseException, url: str) -> YouTubeProxyError:
    """A YouTubeProxyError for a failure of the proxy at ``url``, in words a person can act on."""
    where = proxy_label(url)
    detail = redact(f"{type(exc).__name__}: {exc}", url)
    match = _TUNNEL_STATUS.search(detail)
    status = int(match.group(1) or match.group(2)) if match else None
    socks = _SOCKS_ERROR.search(detail)
    text = detail.lower()
    transient = True
    suggestions: list[str] | None = None
    if status == 407:
        message = (
            f"The proxy {where} refused the user name and password "
            "(HTTP 407 Proxy Authentication Required)."
        )
        suggestions = [
            "Check the user name and password in YOUTUBE_PROXY_URL "
            "(or WEBSHARE_PROXY_USERNAME and WEBSHARE_PROXY_PASSWORD)"
        ]
        transient = False
    elif status == 403:
        message = f"The proxy {where} refused to connect to YouTube (HTTP 403 Forbidden)."
        suggestions = ["Check that the proxy allows connections to www.youtube.com"]
        transient = False
    elif status is not None:
        message = f"The proxy {where} could not reach YouTube (HTTP {status})."
    elif socks:
        message = f"The SOCKS proxy {where} refused the connection to YouTube ({socks.group(2)})."
    elif "refused" in text:
        message = f"Could not connect to the proxy {where}: the connection was refused."
    elif "timed out" in text or "timeout" in text:
        message = f"The proxy {where} did not answer in time."
    elif "name or service not known" in text or "name resolution" in text:
        if url.lower().startswith("socks5://"):
            # socks5:// makes this machine look YouTube up itself.
            message = (
                f"This server could not look up YouTube's address for the SOCKS proxy {where}."
            )
            suggestions = ["Use socks5h:// so that the proxy looks the address up"]
        else:
            message = f"The proxy's host name in {where} could not be found."
    elif "closed" in text or "disconnect" in text or "reset" in text or "missing" in text:
        message = f"The proxy {where} closed the connection without answering."
    else:
        message = f"The proxy {where} failed."
    error = YouTubeProxyError(message, suggestions=suggestions, detail=detail)
    # 407 and 403 stay until someone changes the settings: retrying only waits.
    error.transient = transient
    return error


class _PacedAdapter(BaseAdapter):
    """Wraps a requests transport: waits for the shared pace before each
    request to YouTube, backs everyone off after a 429, and turns proxy
    failures into YouTubeProxyError."""

    def __init__(self, inner: BaseAdapter) -> None:
        super().__init__()
        self.inner = inner

    def send(self, request: requests.PreparedRequest, **kwargs: Any) -> requests.Response:
        bucket = pacing.bucket_for(urllib.parse.urlsplit(request.url or "").hostname)
        if bucket:
            pacing.acquire(bucket)
        proxies = kwargs.get("proxies") or {}
        try:
            response = self.inner.send(request, **kwargs)
        except requests.exceptions.ProxyError as exc:
            raise proxy_error(exc, proxies.get("https") or proxies.get("http") or "") from exc
        except requests.exceptions.ConnectionError as exc:
            via = proxies.get("https") or proxies.get("http") or ""
            # Through SOCKS, requests reports the proxy's failures as
            # ConnectionError: the connection it failed to make is the proxy's.
            if via.lower().startswith("socks"):
                raise proxy_error(exc, via) from exc
            raise
        except EOFError as exc:
            # yt-dlp's SOCKS client, which it installs into requests for
            # everyone, raises this when the proxy hangs up mid-handshake.
            via = proxies.get("https") or proxies.get("http") or ""
            if via:
                raise proxy_error(exc, via) from exc
            raise requests.exceptions.ConnectionError(str(exc), request=request) from exc
        if response.status_code == 429 and bucket:
            pacing.back_off(bucket, pacing.retry_after(response.headers.get("Retry-After")))
        return response

    def close(self) -> None:
        self.inner.close()


def requests_session() -> requests.Session:
    return requests.Session()


def _pace(session: requests.Session) -> None:
    for prefix, adapter in list(session.adapters.items()):
        if not isinstance(adapter, _PacedAdapter):
            session.adapters[prefix] = _PacedAdapter(adapter)


def transcript_api(session: requests.Session | None = None) -> YouTubeTranscriptApi:
    session = session if session is not None else requests_session()
    api = YouTubeTranscriptApi(proxy_config=transcript_proxy_config(), http_client=session)
    # After the constructor: a retrying proxy config (Webshare) mounts its own
    # adapters, which must be wrapped too.
    _pace(session)
    return api


class _PacedYoutubeDL(yt_dlp.YoutubeDL):
    """YoutubeDL whose every HTTP request waits for the shared pace.

    ``urlopen`` is the one door every extractor and downloader of yt-dlp
    goes through, above whichever transport (requests, urllib, a test's
    handler) is chosen.
    """

    def urlopen(self, req: Any) -> Any:
        url = req if isinstance(req, str) else getattr(req, "url", None) or req.get_full_url()
        bucket = pacing.bucket_for(urllib.parse.urlsplit(url).hostname)
        if bucket:
            pacing.acquire(bucket)
        try:
            return super().urlopen(req)
        except YtdlpHTTPError as exc:
            if exc.status == 429 and bucket:
                pacing.back_off(bucket, pacing.retry_after(exc.response.headers.get("Retry-After")))
            raise
        except YtdlpProxyError as exc:
            # Raised through yt-dlp as is: an extractor would otherwise try
            # its next client through the same broken proxy and end on a
            # vague "Failed to extract any player response".
            raise proxy_error(exc, self.params.get("proxy") or "") from exc


def youtube_dl(extra_opts: dict[str, Any] | None = None) -> yt_dlp.YoutubeDL:
    opts: dict[str, Any] = {
        "quiet": True,
        "no_warnings": True,
        "noprogress": True,
        "skip_download": True,
        # A watch?v=..&list=.. URL would otherwise expand the whole playlist.
        "noplaylist": True,
        "extractor_args": copy.deepcopy(YTDLP_EXTRACTOR_ARGS),
        # Never read ~/.config/yt-dlp or the user's cache: results must not
        # depend on who runs the worker.
        "ignoreconfig": True,
        "cachedir": False,
        "socket_timeout": 20,
    }
    if url := proxy_url():
        opts["proxy"] = url
    if cookies := _cookies_file():
        opts["cookiefile"] = cookies
    opts.update(extra_opts or {})
    ydl = _PacedYoutubeDL(opts)
    if YTDLP_REQUEST_HANDLERS:
        # _request_director is a functools.cached_property: assigning it on the
        # instance replaces the director before any request is made.
        ydl._request_director = ydl.build_request_director(YTDLP_REQUEST_HANDLERS)
    return ydl
