"""Both YouTube libraries go out through the configured proxy, and its failures read clearly.

The real transports run (no fake YouTube): requests under youtube-transcript-api
and yt-dlp's own handler, against a real local proxy that goes nowhere.
"""

from __future__ import annotations

import base64
import socket

import pytest
from youtube_transcript_api.proxies import GenericProxyConfig, WebshareProxyConfig

from blogtube_site.errors import BlogTubeError
from videos import http, youtube
from videos.errors import YouTubeProxyError

VID = "dQw4w9WgXcQ"
PASSWORD = "s3cret-Pw0rd"
YOUTUBE = "www.youtube.com:443"


@pytest.fixture(autouse=True)
def loopback_only(monkeypatch):
    """Any name lookup but the proxy's fails the test: nothing may go around the proxy."""
    real = socket.getaddrinfo
    looked_up: list[str] = []

    def getaddrinfo(host, *args, **kwargs):
        name = host.decode() if isinstance(host, bytes) else str(host)
        if name not in ("127.0.0.1", "localhost", "::1"):
            looked_up.append(name)
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return real(host, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    yield
    assert not looked_up, f"looked up {looked_up} instead of asking the proxy"


def _transcript_api_error() -> BlogTubeError:
    with pytest.raises(BlogTubeError) as info:
        youtube.list_tracks(VID)
    return info.value


def _ytdlp_error() -> BlogTubeError:
    with pytest.raises(BlogTubeError) as info:
        youtube.fetch_video_info(VID)
    return info.value


CLIENTS = {"youtube-transcript-api": _transcript_api_error, "yt-dlp": _ytdlp_error}


def _everything_shown(error: BlogTubeError) -> str:
    return " ".join([str(error), error.message, *error.suggestions, error.detail, repr(error)])


@pytest.mark.parametrize("client", CLIENTS)
def test_requests_to_youtube_go_through_the_proxy(client, fake_proxy, settings):
    settings.YOUTUBE_PROXY_URL = fake_proxy.url
    fake_proxy.answer = "502"
    error = CLIENTS[client]()
    assert fake_proxy.targets()
    assert set(fake_proxy.targets()) == {YOUTUBE}
    assert all(r.method == "CONNECT" for r in fake_proxy.seen)
    assert error.code == "PROXY_ERROR"
    assert isinstance(error, YouTubeProxyError)
    assert f"127.0.0.1:{fake_proxy.port}" in error.message
    assert "could not reach YouTube (HTTP 502)" in error.message
    assert error.transient


@pytest.mark.parametrize("client", CLIENTS)
def test_credentials_reach_the_proxy_but_never_the_error(client, fake_proxy, settings):
    settings.YOUTUBE_PROXY_URL = fake_proxy.url_with("alice", PASSWORD)
    fake_proxy.answer = "407"
    error = CLIENTS[client]()
    assert fake_proxy.seen[0].credentials == ("alice", PASSWORD)
    assert error.code == "PROXY_ERROR"
    assert "user name and password" in error.message
    assert f"127.0.0.1:{fake_proxy.port}" in error.message
    # Retrying cannot fix a wrong password.
    assert not error.transient
    shown = _everything_shown(error)
    assert PASSWORD not in shown
    assert base64.b64encode(f"alice:{PASSWORD}".encode()).decode() not in shown


@pytest.mark.parametrize("client", CLIENTS)
def test_proxy_that_forbids_youtube(client, fake_proxy, settings):
    settings.YOUTUBE_PROXY_URL = fake_proxy.url
    fake_proxy.answer = "403"
    error = CLIENTS[client]()
    assert error.code == "PROXY_ERROR"
    assert "refused to connect to YouTube (HTTP 403 Forbidden)" in error.message


@pytest.mark.parametrize("client", CLIENTS)
def test_proxy_that_hangs_up_is_a_network_failure_not_a_crash(client, fake_proxy, settings):
    settings.YOUTUBE_PROXY_URL = fake_proxy.url
    fake_proxy.answer = "close"
    error = CLIENTS[client]()
    assert fake_proxy.targets()[0] == YOUTUBE
    # Proxy or YouTube, the tunnel closed: either way the job can retry.
    assert error.code in ("PROXY_ERROR", "YOUTUBE_UNREACHABLE")
    assert error.transient


@pytest.mark.parametrize("client", CLIENTS)
def test_proxy_that_is_not_there(client, settings):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    # Nothing listens on the port now.
    settings.YOUTUBE_PROXY_URL = f"http://bob:{PASSWORD}@127.0.0.1:{port}"
    error = CLIENTS[client]()
    assert error.code == "PROXY_ERROR"
    assert error.message == (
        f"Could not connect to the proxy 127.0.0.1:{port}: the connection was refused."
    )
    assert PASSWORD not in _everything_shown(error)


@pytest.mark.parametrize("client", CLIENTS)
def test_socks5_proxy(client, fake_proxy, settings):
    # socks5h: the proxy, not this machine, looks YouTube up.
    settings.YOUTUBE_PROXY_URL = fake_proxy.url_with("carol", PASSWORD, scheme="socks5h")
    fake_proxy.answer = "403"
    error = CLIENTS[client]()
    assert [(r.protocol, r.target) for r in fake_proxy.seen][:1] == [("socks5", YOUTUBE)]
    assert fake_proxy.seen[0].credentials == ("carol", PASSWORD)
    assert error.code == "PROXY_ERROR"
    assert f"SOCKS proxy 127.0.0.1:{fake_proxy.port} refused" in error.message
    assert PASSWORD not in _everything_shown(error)


# -- Webshare ------------------------------------------------------------------


def test_webshare_settings_make_the_libraries_rotating_proxy(settings):
    settings.WEBSHARE_PROXY_USERNAME = "alice"
    settings.WEBSHARE_PROXY_PASSWORD = PASSWORD
    settings.YOUTUBE_PROXY_URL = "http://ignored.example:3128"
    config = http.transcript_proxy_config()
    assert isinstance(config, WebshareProxyConfig)
    assert config.retries_when_blocked == 10
    expected = f"http://alice-rotate:{PASSWORD}@p.webshare.io:80/"
    assert config.to_requests_dict() == {"http": expected, "https": expected}
    # yt-dlp goes out exactly as youtube-transcript-api does.
    assert http.youtube_dl().params["proxy"] == expected


def test_generic_proxy_url_without_webshare(settings):
    settings.YOUTUBE_PROXY_URL = "socks5h://127.0.0.1:1080"
    config = http.transcript_proxy_config()
    assert type(config) is GenericProxyConfig
    # No retries, so the library leaves the session's adapters alone.
    assert config.retries_when_blocked == 0
    assert http.youtube_dl().params["proxy"] == "socks5h://127.0.0.1:1080"


def test_no_proxy_settings_no_proxy(settings):
    assert http.transcript_proxy_config() is None
    assert "proxy" not in http.youtube_dl().params


@pytest.mark.parametrize("client", CLIENTS)
def test_webshare_requests_carry_the_rotating_user(client, fake_proxy, settings, monkeypatch):
    monkeypatch.setattr(http, "WEBSHARE_DOMAIN", "127.0.0.1")
    monkeypatch.setattr(http, "WEBSHARE_PORT", fake_proxy.port)
    settings.WEBSHARE_PROXY_USERNAME = "alice"
    settings.WEBSHARE_PROXY_PASSWORD = PASSWORD
    fake_proxy.answer = "407"
    error = CLIENTS[client]()
    assert fake_proxy.targets()[0] == YOUTUBE
    assert {r.credentials for r in fake_proxy.seen} == {("alice-rotate", PASSWORD)}
    assert error.code == "PROXY_ERROR"
    assert PASSWORD not in _everything_shown(error)


def test_redact_blanks_credentials_however_spelled():
    url = "http://us%40er:p%40ss@proxy.example:8080"
    text = "failed via http://us%40er:p%40ss@proxy.example:8080 as us@er / p@ss"
    assert http.redact(text, url) == "failed via http://***@proxy.example:8080 as *** / ***"
    assert http.proxy_label(url) == "proxy.example:8080"
