"""A fake YouTube at the HTTP boundary, so the real libraries run in tests.

youtube-transcript-api gets a ``requests.Session`` whose adapters answer from
here; yt-dlp gets a request handler that answers from here. Both are installed
by patching ``videos.http``. The innertube player responses are the recorded
ones shipped inside the youtube-transcript-api wheel (ids and titles adapted).

Usage::

    def test_something(fake_youtube):
        fake_youtube.add("dQw4w9WgXcQ", title="Hello", chapters=[(0, "Intro")])
        fake_youtube.add("AAAAAAAAAAA", scenario="blocked")
        fake_youtube.add_playlist("PLbread0000000000000000000000000000",
                                  video_ids=["dQw4w9WgXcQ", "BBBBBBBBBBB"], private=["BBBBBBBBBBB"])
        fake_youtube.add_channel("@breadlab", title="The Bread Lab", video_ids=["dQw4w9WgXcQ"])
        ...
        assert fake_youtube.count(host="www.youtube.com") == 1

Any request the fake does not know raises ``UnexpectedRequest`` and is kept in
``fake_youtube.unexpected``; the fixture fails the test at teardown if yt-dlp
swallowed such an error, so nothing can silently go to the network.
"""

from __future__ import annotations

import copy
import functools
import html
import io
import json
import re
import urllib.parse
from dataclasses import dataclass, field
from importlib import resources
from typing import Any
from xml.etree import ElementTree

import pytest
import requests
from requests.adapters import BaseAdapter
from requests.structures import CaseInsensitiveDict
from yt_dlp.networking.common import RequestHandler, Response
from yt_dlp.networking.exceptions import HTTPError as YtdlpHTTPError

SCENARIOS = (
    "ok",
    "transcripts_disabled",
    "unavailable",
    "age_restricted",
    "blocked",  # the "Sign in to confirm you're not a bot" player response
    "captcha",  # the recaptcha page instead of the watch page (IpBlocked)
    "po_token",
    "too_many_requests",  # HTTP 429 on every request
    "unplayable",
    # The innertube player API answers the ANDROID client (youtube-transcript-api)
    # with the bot check, while the watch page (yt-dlp's web client) still
    # carries the captions: the case where yt-dlp subtitles rescue a job.
    "api_blocked",
)

_ASSET_FOR_SCENARIO = {
    "ok": "youtube.innertube.json.static",
    "po_token": "youtube_po_token_required.innertube.json.static",
    "transcripts_disabled": "youtube_transcripts_disabled.innertube.json.static",
    "unavailable": "youtube_video_unavailable.innertube.json.static",
    "age_restricted": "youtube_age_restricted.innertube.json.static",
    "blocked": "youtube_request_blocked.innertube.json.static",
    "unplayable": "youtube_unplayable.innertube.json.static",
    "api_blocked": "youtube.innertube.json.static",
}

WATCH_PATH = "/watch"
PLAYER_PATH = "/youtubei/v1/player"
TIMEDTEXT_PATH = "/api/timedtext"
NEXT_PATH = "/youtubei/v1/next"
PLAYLIST_PATH = "/playlist"
BROWSE_PATH = "/youtubei/v1/browse"
PLAYLIST_SCENARIOS = ("ok", "unavailable")
# A channel's videos tab, as yt-dlp asks for it: /@handle/videos or /channel/UC…/videos.
CHANNEL_PATH = re.compile(r"/(@[^/]+|channel/UC[\w-]{22})/videos")
RESOLVE_URL_PATH = "/youtubei/v1/navigation/resolve_url"
# YouTube's channel videos tab and each continuation carry this many videos.
CHANNEL_PAGE_SIZE = 30
# YouTube's playlist page and each continuation carry at most this many videos.
PLAYLIST_PAGE_SIZE = 100
# What YouTube puts in place of a video the viewer may not see.
PRIVATE_TITLE = "[Private video]"
DELETED_TITLE = "[Deleted video]"
WEB_CLIENT_VERSION = "2.20260708.00.00"


class UnexpectedRequest(AssertionError):
    pass


@dataclass(frozen=True)
class FakeTrack:
    language_code: str
    name: str
    generated: bool = False
    translatable: bool = False


DEFAULT_TRACKS = (
    FakeTrack("en", "English", translatable=True),
    FakeTrack("de", "German"),
    FakeTrack("fr", "French (auto-generated)", generated=True, translatable=True),
)
DEFAULT_TRANSLATION_LANGUAGES = (
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("ja", "Japanese"),
)


@dataclass
class FakeVideo:
    video_id: str
    scenario: str = "ok"
    title: str = "How to Bake Sourdough Bread"
    channel: str = "The Bread Lab"
    channel_id: str = "UCbreadlab00000000000000"
    duration: int = 316
    description: str = "Everything about sourdough.\n\n0:00 Intro\n1:00 Starter\n3:20 Baking"
    upload_date: str = "2024-03-05"
    chapters: list[tuple[int, str]] = field(
        default_factory=lambda: [(0, "Intro"), (60, "Starter"), (200, "Baking")]
    )
    tracks: tuple[FakeTrack, ...] = DEFAULT_TRACKS
    translation_languages: tuple[tuple[str, str], ...] = DEFAULT_TRANSLATION_LANGUAGES
    # (start, duration, text) lines served for the manual English track;
    # None serves the wheel's recorded timedtext.
    transcript: list[tuple[float, float, str]] | None = None
    # Served as an audio-only stream (itag 140) when set, for speech-to-text.
    audio: bytes | None = None


@dataclass
class FakePlaylist:
    playlist_id: str
    video_ids: list[str]
    scenario: str = "ok"
    title: str = "Sourdough Basics"
    channel: str = "The Bread Lab"
    channel_id: str = "UCbreadlab00000000000000"
    # Ids listed in place but shown as YouTube shows them to a stranger.
    private: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()


@dataclass
class FakeChannel:
    channel_id: str  # UC + 22 characters
    handle: str  # "@breadlab"
    title: str
    video_ids: list[str]


@dataclass(frozen=True)
class SeenRequest:
    client: str  # "requests" (youtube-transcript-api) or "yt-dlp"
    method: str
    url: str

    @property
    def host(self) -> str:
        return urllib.parse.urlsplit(self.url).hostname or ""

    @property
    def path(self) -> str:
        return urllib.parse.urlsplit(self.url).path


@dataclass
class FakeReply:
    status: int
    body: bytes
    content_type: str


def _asset_text(name: str) -> str:
    files = resources.files("youtube_transcript_api.test.assets")
    return files.joinpath(name).read_text(encoding="utf-8")


@functools.cache
def _asset_json(name: str) -> dict[str, Any]:
    return json.loads(_asset_text(name))


@functools.cache
def _innertube_api_key() -> str:
    match = re.search(
        r'"INNERTUBE_API_KEY":\s*"([a-zA-Z0-9_-]+)"', _asset_text("youtube.html.static")
    )
    assert match, "the recorded watch page no longer carries an INNERTUBE_API_KEY"
    return match.group(1)


def _timedtext_xml(lines: list[tuple[float, float, str]]) -> str:
    items = "\n".join(
        f'    <text start="{start}" dur="{dur}">{html.escape(text)}</text>'
        for start, dur, text in lines
    )
    return f'<?xml version="1.0" encoding="utf-8" ?>\n<transcript>\n{items}\n</transcript>\n'


def _recorded_lines() -> list[tuple[float, float, str]]:
    root = ElementTree.fromstring(_asset_text("transcript.xml.static"))
    return [
        (float(el.get("start", 0)), float(el.get("dur", 0)), el.text or "")
        for el in root.iter("text")
    ]


def _timedtext_json3(lines: list[tuple[float, float, str]], *, rolling: bool) -> dict[str, Any]:
    """YouTube's json3. Automatic captions come word by word (tOffsetMs), each
    line followed by an "aAppend" newline event, as YouTube serves them."""
    events: list[dict[str, Any]] = [
        {"tStartMs": 0, "dDurationMs": 999999, "id": 1, "wpWinPosId": 1}
    ]
    for start, dur, text in lines:
        start_ms, dur_ms = int(start * 1000), int(dur * 1000)
        if not rolling:
            events.append({"tStartMs": start_ms, "dDurationMs": dur_ms, "segs": [{"utf8": text}]})
            continue
        words = text.split()
        step = dur_ms // max(len(words), 1)
        segs = [
            {"utf8": (" " if i else "") + word, **({"tOffsetMs": i * step} if i else {})}
            for i, word in enumerate(words)
        ]
        events.append({"tStartMs": start_ms, "dDurationMs": dur_ms, "wWinId": 1, "segs": segs})
        events.append(
            {
                "tStartMs": start_ms + dur_ms,
                "dDurationMs": 10,
                "wWinId": 1,
                "aAppend": 1,
                "segs": [{"utf8": "\n"}],
            }
        )
    return {"wireMagic": "pb3", "events": events}


def _timedtext_srv3(lines: list[tuple[float, float, str]]) -> str:
    items = "\n".join(
        f'<p t="{int(start * 1000)}" d="{int(dur * 1000)}">{html.escape(text)}</p>'
        for start, dur, text in lines
    )
    return (
        '<?xml version="1.0" encoding="utf-8" ?><timedtext format="3">\n'
        f"<body>\n{items}\n</body>\n</timedtext>\n"
    )


def _vtt_time(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def _timedtext_vtt(lines: list[tuple[float, float, str]], *, rolling: bool) -> str:
    """WebVTT; automatic captions roll: each cue repeats the line before it."""
    cues = ["WEBVTT\nKind: captions\nLanguage: en\n"]
    previous = ""
    for start, dur, text in lines:
        shown = f"{previous}\n{text}" if rolling and previous else text
        cues.append(f"{_vtt_time(start)} --> {_vtt_time(start + dur)}\n{shown}\n")
        previous = text
    return "\n".join(cues)


class FakeYouTube:
    def __init__(self) -> None:
        self.videos: dict[str, FakeVideo] = {}
        self.playlists: dict[str, FakePlaylist] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.requests: list[SeenRequest] = []
        self.unexpected: list[SeenRequest] = []

    # -- registering -------------------------------------------------------

    def add(self, video_id: str, scenario: str = "ok", **fields: Any) -> FakeVideo:
        if scenario not in SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; pick one of {SCENARIOS}")
        if "tracks" in fields:
            fields["tracks"] = tuple(
                t if isinstance(t, FakeTrack) else FakeTrack(*t) for t in fields["tracks"]
            )
        video = FakeVideo(video_id=video_id, scenario=scenario, **fields)
        self.videos[video_id] = video
        return video

    def add_playlist(
        self,
        playlist_id: str,
        *,
        video_ids: list[str] | tuple[str, ...] = (),
        scenario: str = "ok",
        title: str = "Sourdough Basics",
        channel: str = "The Bread Lab",
        private: list[str] | tuple[str, ...] = (),
        deleted: list[str] | tuple[str, ...] = (),
        **fields: Any,
    ) -> FakePlaylist:
        """A playlist page for yt-dlp's youtube:tab extractor.

        Each entry's title and length come from the FakeVideo registered with
        ``add()`` under that id, when there is one. Ids in ``private`` or
        ``deleted`` are listed the way YouTube lists them to a stranger: a
        placeholder title, no length, no channel.
        """
        if scenario not in PLAYLIST_SCENARIOS:
            raise ValueError(f"unknown scenario {scenario!r}; pick one of {PLAYLIST_SCENARIOS}")
        if stray := (set(private) | set(deleted)) - set(video_ids):
            raise ValueError(f"private/deleted ids must also be in video_ids: {sorted(stray)}")
        playlist = FakePlaylist(
            playlist_id=playlist_id,
            video_ids=list(video_ids),
            scenario=scenario,
            title=title,
            channel=channel,
            private=frozenset(private),
            deleted=frozenset(deleted),
            **fields,
        )
        self.playlists[playlist_id] = playlist
        return playlist

    def add_channel(
        self,
        handle_or_id: str,
        *,
        title: str = "The Bread Lab",
        video_ids: list[str] | tuple[str, ...] = (),
        handle: str = "",
        channel_id: str = "",
    ) -> FakeChannel:
        """A channel whose videos tab lists ``video_ids``, newest first, as given.

        Reachable as /@handle/videos and /channel/UC…/videos. Any other handle
        or id is answered the way YouTube answers one that does not exist
        (a 404 page, and nothing from the resolve_url API).
        """
        if handle_or_id.startswith("@"):
            handle = handle_or_id
        else:
            channel_id = handle_or_id
        handle = handle or "@" + re.sub(r"\W", "", title).lower()
        channel_id = channel_id or "UC" + re.sub(r"\W", "", handle).ljust(22, "0")[:22]
        if not re.fullmatch(r"UC[\w-]{22}", channel_id):
            raise ValueError(f"a channel id is UC + 22 characters, not {channel_id!r}")
        channel = FakeChannel(channel_id, handle, title, list(video_ids))
        self.channels[channel_id] = channel
        return channel

    # -- reading what happened --------------------------------------------

    def count(
        self, *, host: str | None = None, path: str | None = None, client: str | None = None
    ) -> int:
        return sum(
            1
            for r in self.requests
            if (host is None or r.host == host)
            and (path is None or r.path.startswith(path))
            and (client is None or r.client == client)
        )

    def reset_requests(self) -> None:
        self.requests.clear()

    # -- answering ---------------------------------------------------------

    def answer(self, client: str, method: str, url: str, body: bytes | None) -> FakeReply:
        seen = SeenRequest(client, method, url)
        self.requests.append(seen)
        parts = urllib.parse.urlsplit(url)
        query = urllib.parse.parse_qs(parts.query)
        if parts.hostname in ("www.youtube.com", "youtube.com", "m.youtube.com"):
            if method == "GET" and parts.path == WATCH_PATH:
                return self._watch_page(self._video(query.get("v", [""])[0], seen))
            if method == "POST" and parts.path == PLAYER_PATH:
                payload = json.loads(body or b"{}")
                video = self._video(payload.get("videoId", ""), seen)
                return self._player(video, payload)
            if method == "POST" and parts.path == NEXT_PATH:
                payload = json.loads(body or b"{}")
                return self._next(self._video(payload.get("videoId", ""), seen))
            if method == "GET" and parts.path == TIMEDTEXT_PATH:
                return self._timedtext(self._video(query.get("v", [""])[0], seen), query)
            if method == "GET" and parts.path == PLAYLIST_PATH:
                return self._playlist_page(self._playlist(query.get("list", [""])[0], seen))
            if method == "POST" and parts.path == BROWSE_PATH:
                return self._browse(json.loads(body or b"{}"), seen)
            if method == "GET" and (match := CHANNEL_PATH.fullmatch(parts.path)):
                return self._channel_page(match.group(1))
            if method == "POST" and parts.path == RESOLVE_URL_PATH:
                # Reached only after a 404 page: YouTube resolves the address to nothing.
                return FakeReply(200, b'{"responseContext": {}}', "application/json")
        if method == "GET" and (parts.hostname or "").endswith(".googlevideo.com"):
            return self._media(self._video(query.get("id", [""])[0], seen))
        self.unexpected.append(seen)
        raise UnexpectedRequest(f"the fake YouTube does not know {method} {url}")

    def _video(self, video_id: str, seen: SeenRequest) -> FakeVideo:
        try:
            return self.videos[video_id]
        except KeyError:
            self.unexpected.append(seen)
            raise UnexpectedRequest(
                f"video {video_id!r} was not registered with fake_youtube.add()"
            ) from None

    def _playlist(self, playlist_id: str, seen: SeenRequest) -> FakePlaylist:
        try:
            return self.playlists[playlist_id]
        except KeyError:
            self.unexpected.append(seen)
            raise UnexpectedRequest(
                f"playlist {playlist_id!r} was not registered with fake_youtube.add_playlist()"
            ) from None

    def _rate_limited(self) -> FakeReply:
        return FakeReply(
            429, _asset_text("youtube_too_many_requests.html.static").encode(), "text/html"
        )

    def _watch_page(self, video: FakeVideo) -> FakeReply:
        if video.scenario == "too_many_requests":
            return self._rate_limited()
        if video.scenario == "captcha":
            # YouTube's "unusual traffic" page, served with 200 like the recording.
            body = _asset_text("youtube_too_many_requests.html.static").encode()
            return FakeReply(200, body, "text/html")
        player = self.player_response(video)
        ytcfg = self._ytcfg()
        page = (
            "<!DOCTYPE html><html><head>"
            f"<title>{html.escape(video.title)} - YouTube</title>"
            f'<meta property="og:title" content="{html.escape(video.title)}">'
            "</head><body>"
            f"<script>ytcfg.set({json.dumps(ytcfg)});</script>"
            f"<script>var ytInitialPlayerResponse = {json.dumps(player)};</script>"
            f"<script>var ytInitialData = {json.dumps(self._initial_data(video))};</script>"
            "</body></html>"
        )
        return FakeReply(200, page.encode(), "text/html; charset=utf-8")

    def _ytcfg(self) -> dict[str, Any]:
        return {
            "INNERTUBE_API_KEY": _innertube_api_key(),
            "INNERTUBE_CLIENT_NAME": "WEB",
            "INNERTUBE_CLIENT_VERSION": WEB_CLIENT_VERSION,
            "INNERTUBE_CONTEXT_CLIENT_NAME": 1,
            "INNERTUBE_CONTEXT": {
                "client": {"clientName": "WEB", "clientVersion": WEB_CLIENT_VERSION, "hl": "en"}
            },
        }

    # -- playlists (yt-dlp's youtube:tab extractor) ---------------------------

    def _playlist_page(self, playlist: FakePlaylist) -> FakeReply:
        if playlist.scenario == "unavailable":
            # What YouTube serves for a playlist that does not exist (or that
            # a stranger may not see): HTTP 200, an ERROR alert and no contents.
            data: dict[str, Any] = {
                "alerts": [
                    {
                        "alertRenderer": {
                            "type": "ERROR",
                            "text": {"runs": [{"text": "The playlist does not exist."}]},
                        }
                    }
                ],
                "responseContext": {},
            }
            title = "YouTube"
        else:
            data = self._playlist_data(playlist)
            title = f"{playlist.title} - YouTube"
        page = (
            "<!DOCTYPE html><html><head>"
            f"<title>{html.escape(title)}</title>"
            "</head><body>"
            f"<script>ytcfg.set({json.dumps(self._ytcfg())});</script>"
            f"<script>var ytInitialData = {json.dumps(data)};</script>"
            "</body></html>"
        )
        return FakeReply(200, page.encode(), "text/html; charset=utf-8")

    def _browse(self, payload: dict[str, Any], seen: SeenRequest) -> FakeReply:
        # Two kinds of browse call reach here: yt-dlp's "reload with
        # unavailable videos" (browseId VL<id>) and a continuation (token).
        browse_id = payload.get("browseId") or ""
        if browse_id.startswith("VL"):
            playlist = self._playlist(browse_id[2:], seen)
            body = json.dumps(self._playlist_data(playlist)).encode()
            return FakeReply(200, body, "application/json; charset=utf-8")
        token = payload.get("continuation") or ""
        if token.startswith("channel:"):
            return self._channel_continuation(token, seen)
        playlist_id, _, start = token.rpartition(":")
        if not start.isdigit():
            self.unexpected.append(seen)
            raise UnexpectedRequest(f"the fake YouTube does not know browse {payload!r}")
        items = self._playlist_items(self._playlist(playlist_id, seen), int(start))
        data = {
            "onResponseReceivedActions": [
                {"appendContinuationItemsAction": {"continuationItems": items}}
            ],
            "responseContext": {},
        }
        return FakeReply(200, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _playlist_data(self, playlist: FakePlaylist) -> dict[str, Any]:
        owner = {
            "runs": [
                {
                    "text": playlist.channel,
                    "navigationEndpoint": {
                        "browseEndpoint": {
                            "browseId": playlist.channel_id,
                            "canonicalBaseUrl": f"/channel/{playlist.channel_id}",
                        }
                    },
                }
            ]
        }
        count = len(playlist.video_ids)
        video_list = {
            "playlistVideoListRenderer": {
                "playlistId": playlist.playlist_id,
                "contents": self._playlist_items(playlist, 0),
            }
        }
        return {
            "contents": {
                "twoColumnBrowseResultsRenderer": {
                    "tabs": [
                        {
                            "tabRenderer": {
                                "selected": True,
                                "content": {
                                    "sectionListRenderer": {
                                        "contents": [
                                            {"itemSectionRenderer": {"contents": [video_list]}}
                                        ]
                                    }
                                },
                            }
                        }
                    ]
                }
            },
            "metadata": {"playlistMetadataRenderer": {"title": playlist.title, "description": ""}},
            "header": {
                "playlistHeaderRenderer": {
                    "playlistId": playlist.playlist_id,
                    "title": {"simpleText": playlist.title},
                    "ownerText": owner,
                    "privacy": "PUBLIC",
                    "stats": [
                        {"runs": [{"text": str(count)}, {"text": " videos"}]},
                        {"simpleText": "1,234 views"},
                    ],
                }
            },
            "responseContext": {},
        }

    def _playlist_items(self, playlist: FakePlaylist, start: int) -> list[dict[str, Any]]:
        """One page of entries from ``start``, with a continuation when more follow."""
        end = start + PLAYLIST_PAGE_SIZE
        items: list[dict[str, Any]] = [
            self._playlist_video(playlist, video_id, start + offset + 1)
            for offset, video_id in enumerate(playlist.video_ids[start:end])
        ]
        if end < len(playlist.video_ids):
            items.append(
                {
                    "continuationItemRenderer": {
                        "continuationEndpoint": {
                            "continuationCommand": {
                                "token": f"{playlist.playlist_id}:{end}",
                                "request": "CONTINUATION_REQUEST_TYPE_BROWSE",
                            }
                        }
                    }
                }
            )
        return items

    def _playlist_video(self, playlist: FakePlaylist, video_id: str, index: int) -> dict[str, Any]:
        renderer: dict[str, Any] = {
            "videoId": video_id,
            "index": {"simpleText": str(index)},
            "navigationEndpoint": {
                "commandMetadata": {
                    "webCommandMetadata": {
                        "url": f"/watch?v={video_id}&list={playlist.playlist_id}&index={index}"
                    }
                },
                "watchEndpoint": {
                    "videoId": video_id,
                    "playlistId": playlist.playlist_id,
                    "index": index - 1,
                },
            },
        }
        if video_id in playlist.private or video_id in playlist.deleted:
            placeholder = PRIVATE_TITLE if video_id in playlist.private else DELETED_TITLE
            renderer.update(title={"runs": [{"text": placeholder}]}, isPlayable=False)
            return {"playlistVideoRenderer": renderer}
        video = self.videos.get(video_id) or FakeVideo(
            video_id=video_id, title=f"Video {video_id}", channel=playlist.channel
        )
        minutes, seconds = divmod(video.duration, 60)
        renderer.update(
            title={"runs": [{"text": video.title}]},
            lengthSeconds=str(video.duration),
            lengthText={"simpleText": f"{minutes}:{seconds:02d}"},
            shortBylineText={
                "runs": [
                    {
                        "text": video.channel,
                        "navigationEndpoint": {
                            "browseEndpoint": {
                                "browseId": video.channel_id,
                                "canonicalBaseUrl": f"/channel/{video.channel_id}",
                            }
                        },
                    }
                ]
            },
            isPlayable=True,
        )
        return {"playlistVideoRenderer": renderer}

    # -- channels (yt-dlp's youtube:tab extractor, videos tab) ---------------

    def _find_channel(self, key: str) -> FakeChannel | None:
        key = urllib.parse.unquote(key).removeprefix("channel/")
        return next((c for c in self.channels.values() if key in (c.channel_id, c.handle)), None)

    def _channel_page(self, key: str) -> FakeReply:
        channel = self._find_channel(key)
        if channel is None:
            page = "<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>"
            return FakeReply(404, page.encode(), "text/html; charset=utf-8")

        def tab(name: str, **more: Any) -> dict[str, Any]:
            url = f"/{channel.handle}/{name.lower()}"
            endpoint = {"commandMetadata": {"webCommandMetadata": {"url": url}}}
            return {"tabRenderer": {"title": name, "endpoint": endpoint, **more}}

        grid = {"richGridRenderer": {"contents": self._channel_items(channel, 0)}}
        data = {
            "contents": {
                "twoColumnBrowseResultsRenderer": {
                    "tabs": [
                        tab("Home"),
                        tab("Videos", selected=True, content=grid),
                        tab("Playlists"),
                    ]
                }
            },
            "metadata": {
                "channelMetadataRenderer": {
                    "title": channel.title,
                    "description": "",
                    "externalId": channel.channel_id,
                    "channelUrl": f"https://www.youtube.com/channel/{channel.channel_id}",
                    "vanityChannelUrl": f"http://www.youtube.com/{channel.handle}",
                }
            },
            "responseContext": {},
        }
        page = (
            "<!DOCTYPE html><html><head>"
            f"<title>{html.escape(channel.title)} - YouTube</title>"
            "</head><body>"
            f"<script>ytcfg.set({json.dumps(self._ytcfg())});</script>"
            f"<script>var ytInitialData = {json.dumps(data)};</script>"
            "</body></html>"
        )
        return FakeReply(200, page.encode(), "text/html; charset=utf-8")

    def _channel_continuation(self, token: str, seen: SeenRequest) -> FakeReply:
        _, channel_id, start = token.split(":")
        channel = self.channels.get(channel_id)
        if channel is None or not start.isdigit():
            self.unexpected.append(seen)
            raise UnexpectedRequest(f"the fake YouTube does not know the continuation {token!r}")
        items = self._channel_items(channel, int(start))
        data = {
            "onResponseReceivedActions": [
                {"appendContinuationItemsAction": {"continuationItems": items}}
            ],
            "responseContext": {},
        }
        return FakeReply(200, json.dumps(data).encode(), "application/json; charset=utf-8")

    def _channel_items(self, channel: FakeChannel, start: int) -> list[dict[str, Any]]:
        end = start + CHANNEL_PAGE_SIZE
        items: list[dict[str, Any]] = []
        for video_id in channel.video_ids[start:end]:
            video = self.videos.get(video_id) or FakeVideo(
                video_id=video_id, title=f"Video {video_id}", channel=channel.title
            )
            minutes, seconds = divmod(video.duration, 60)
            # The videos tab names no owner per video: the whole page is the channel's.
            renderer = {
                "videoId": video_id,
                "title": {"runs": [{"text": video.title}]},
                "lengthText": {"simpleText": f"{minutes}:{seconds:02d}"},
                "publishedTimeText": {"simpleText": "2 weeks ago"},
                "viewCountText": {"simpleText": "1,234 views"},
                "navigationEndpoint": {
                    "commandMetadata": {"webCommandMetadata": {"url": f"/watch?v={video_id}"}},
                    "watchEndpoint": {"videoId": video_id},
                },
            }
            items.append({"richItemRenderer": {"content": {"videoRenderer": renderer}}})
        if end < len(channel.video_ids):
            token = f"channel:{channel.channel_id}:{end}"
            command = {"token": token, "request": "CONTINUATION_REQUEST_TYPE_BROWSE"}
            endpoint = {"continuationCommand": command}
            items.append({"continuationItemRenderer": {"continuationEndpoint": endpoint}})
        return items

    def _player(self, video: FakeVideo, payload: dict[str, Any] | None = None) -> FakeReply:
        if video.scenario == "too_many_requests":
            return self._rate_limited()
        client_name = ((payload or {}).get("context") or {}).get("client", {}).get("clientName")
        if video.scenario == "api_blocked" and client_name != "WEB":
            body = json.dumps(self.player_response(video, scenario="blocked")).encode()
            return FakeReply(200, body, "application/json; charset=utf-8")
        body = json.dumps(self.player_response(video)).encode()
        return FakeReply(200, body, "application/json; charset=utf-8")

    def _next(self, video: FakeVideo) -> FakeReply:
        # yt-dlp asks the "next" API only when the watch page lacked ytInitialData.
        if video.scenario in ("too_many_requests", "captcha"):
            return self._rate_limited()
        body = json.dumps(self._initial_data(video)).encode()
        return FakeReply(200, body, "application/json; charset=utf-8")

    def player_response(self, video: FakeVideo, scenario: str | None = None) -> dict[str, Any]:
        """The recorded innertube response for the scenario, adapted to this video."""
        scenario = scenario or video.scenario
        # An IP that gets the captcha page gets the bot check from the API.
        asset = _ASSET_FOR_SCENARIO["blocked" if scenario == "captcha" else scenario]
        data = copy.deepcopy(_asset_json(asset))
        recorded_id = data.get("videoDetails", {}).get("videoId")
        if recorded_id:
            # Thumbnails, caption URLs and tracking data all carry the recorded id.
            data = json.loads(json.dumps(data).replace(recorded_id, video.video_id))
        # Keep the response small and free of media URLs: yt-dlp must not try
        # to fetch manifests. It reads captions only from a response that has
        # streamingData, so an empty one stays; audio only when a test asks.
        if data.pop("streamingData", None) is not None:
            data["streamingData"] = {
                "expiresInSeconds": "21540",
                "formats": [],
                "adaptiveFormats": [self._audio_format(video)] if video.audio else [],
            }
        if "videoDetails" in data:
            data["videoDetails"].update(
                videoId=video.video_id,
                title=video.title,
                author=video.channel,
                channelId=video.channel_id,
                lengthSeconds=str(video.duration),
                shortDescription=video.description,
            )
            data["microformat"] = self._microformat(video)
        if scenario in ("ok", "api_blocked"):
            data["captions"] = self._captions(video)
        elif scenario == "unplayable":
            # The recording was hand-edited: its error screen still says "not a
            # bot" while the status reason is custom; make the two agree.
            status = data["playabilityStatus"]
            status["errorScreen"]["playerErrorMessageRenderer"]["reason"] = {
                "runs": [{"text": status["reason"]}]
            }
        return data

    def _microformat(self, video: FakeVideo) -> dict[str, Any]:
        stamp = f"{video.upload_date}T09:00:00-07:00"
        return {
            "playerMicroformatRenderer": {
                "title": {"simpleText": video.title},
                "description": {"simpleText": video.description},
                "lengthSeconds": str(video.duration),
                "ownerChannelName": video.channel,
                "externalChannelId": video.channel_id,
                "uploadDate": stamp,
                "publishDate": stamp,
                "category": "Education",
                "thumbnail": {
                    "thumbnails": [
                        {
                            "url": f"https://i.ytimg.com/vi/{video.video_id}/maxresdefault.jpg",
                            "width": 1280,
                            "height": 720,
                        }
                    ]
                },
            }
        }

    def _captions(self, video: FakeVideo) -> dict[str, Any]:
        tracks = []
        for track in video.tracks:
            url = f"https://www.youtube.com/api/timedtext?v={video.video_id}&lang={track.language_code}"
            if track.generated:
                url += "&kind=asr"
            entry: dict[str, Any] = {
                "baseUrl": url + "&fmt=srv3",
                "name": {"runs": [{"text": track.name}]},
                "vssId": ("a." if track.generated else ".") + track.language_code,
                "languageCode": track.language_code,
                "isTranslatable": track.translatable,
                "trackName": "",
            }
            if track.generated:
                entry["kind"] = "asr"
            tracks.append(entry)
        return {
            "playerCaptionsTracklistRenderer": {
                "captionTracks": tracks,
                "audioTracks": [{"captionTrackIndices": list(range(len(tracks)))}],
                "translationLanguages": [
                    {"languageCode": code, "languageName": {"runs": [{"text": name}]}}
                    for code, name in video.translation_languages
                ],
                "defaultAudioTrackIndex": 0,
            }
        }

    def _initial_data(self, video: FakeVideo) -> dict[str, Any]:
        chapters = [
            {
                "chapterRenderer": {
                    "title": {"simpleText": title},
                    "timeRangeStartMillis": start * 1000,
                }
            }
            for start, title in video.chapters
        ]
        return {
            "contents": {
                "twoColumnWatchNextResults": {
                    "results": {
                        "results": {
                            "contents": [
                                {
                                    "videoSecondaryInfoRenderer": {
                                        "owner": {
                                            "videoOwnerRenderer": {
                                                "title": {"runs": [{"text": video.channel}]},
                                            }
                                        }
                                    }
                                }
                            ]
                        }
                    }
                }
            },
            "playerOverlays": {
                "playerOverlayRenderer": {
                    "decoratedPlayerBarRenderer": {
                        "decoratedPlayerBarRenderer": {
                            "playerBar": {"chapteredPlayerBarRenderer": {"chapters": chapters}}
                        }
                    }
                }
            },
        }

    def _timedtext(self, video: FakeVideo, query: dict[str, list[str]]) -> FakeReply:
        if video.scenario == "too_many_requests":
            return self._rate_limited()
        lang = query.get("lang", [""])[0]
        tlang = query.get("tlang", [""])[0]
        generated = query.get("kind", [""])[0] == "asr"
        # youtube-transcript-api strips fmt (YouTube's first format); yt-dlp asks for one.
        fmt = query.get("fmt", [""])[0]
        if lang == "en" and not generated and not tlang:
            if video.transcript is not None:
                lines = video.transcript
            elif fmt in ("", "srv1"):
                # The recorded timedtext, verbatim.
                return FakeReply(200, _asset_text("transcript.xml.static").encode(), "text/xml")
            else:
                lines = _recorded_lines()
        else:
            label = f"{lang}{' auto' if generated else ''}{f' to {tlang}' if tlang else ''}"
            lines = [
                (0.0, 1.5, f"[{label}] first line"),
                (1.5, 2.25, f"[{label}] second line"),
                (3.75, 2.0, f"[{label}] third line"),
            ]
        if fmt in ("", "srv1"):
            return FakeReply(200, _timedtext_xml(lines).encode(), "text/xml; charset=utf-8")
        if fmt == "json3":
            body = json.dumps(_timedtext_json3(lines, rolling=generated))
            return FakeReply(200, body.encode(), "application/json; charset=utf-8")
        if fmt == "srv3":
            return FakeReply(200, _timedtext_srv3(lines).encode(), "text/xml; charset=utf-8")
        if fmt == "vtt":
            return FakeReply(200, _timedtext_vtt(lines, rolling=generated).encode(), "text/vtt")
        return FakeReply(404, b"", "text/html")

    def _audio_format(self, video: FakeVideo) -> dict[str, Any]:
        # A plain URL without the "n" and signature challenges, so yt-dlp needs
        # no JavaScript to use it.
        return {
            "itag": 140,
            "url": f"https://rr1---sn-fake.googlevideo.com/videoplayback?id={video.video_id}&itag=140",
            "mimeType": 'audio/mp4; codecs="mp4a.40.2"',
            "bitrate": 130000,
            "contentLength": str(len(video.audio or b"")),
            "quality": "tiny",
            "audioQuality": "AUDIO_QUALITY_MEDIUM",
            "approxDurationMs": str(video.duration * 1000),
            "audioSampleRate": "16000",
            "audioChannels": 1,
        }

    def _media(self, video: FakeVideo) -> FakeReply:
        if video.audio is None:
            return FakeReply(403, b"", "text/plain")
        return FakeReply(200, video.audio, "audio/mp4")


class FakeAdapter(BaseAdapter):
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
        response.reason = "Too Many Requests" if reply.status == 429 else "OK"
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
            reason="Too Many Requests" if reply.status == 429 else "OK",
        )
        if reply.status >= 400:
            raise YtdlpHTTPError(response)
        return response


@pytest.fixture
def fake_youtube(monkeypatch: pytest.MonkeyPatch) -> Any:
    from videos import http as videos_http

    fake = FakeYouTube()

    def fake_session() -> requests.Session:
        session = requests.Session()
        adapter = FakeAdapter(fake)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        return session

    handler = type("FakeYtdlpHandler", (_FakeYtdlpHandler,), {"fake": fake})
    monkeypatch.setattr(videos_http, "requests_session", fake_session)
    monkeypatch.setattr(videos_http, "YTDLP_REQUEST_HANDLERS", [handler])
    yield fake
    if fake.unexpected:
        listed = "\n".join(f"  {r.client}: {r.method} {r.url}" for r in fake.unexpected)
        pytest.fail(f"code under test made requests the fake YouTube does not know:\n{listed}")
