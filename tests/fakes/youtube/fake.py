"""The fake YouTube a test talks to: what it knows, what it was asked, and who answers."""

from __future__ import annotations

import json
import re
import urllib.parse
from dataclasses import dataclass
from typing import Any, NoReturn

from tests.fakes.youtube import channels, pictures, playlists, timedtext, watch
from tests.fakes.youtube.catalogue import (
    DEFAULT_CHANNEL,
    DEFAULT_PLAYLIST_TITLE,
    PLAYLIST_SCENARIOS,
    SCENARIOS,
    FakeChannel,
    FakePlaylist,
    FakeTrack,
    FakeVideo,
)
from tests.fakes.youtube.replies import FakeReply

WATCH_PATH = "/watch"
PLAYER_PATH = "/youtubei/v1/player"
TIMEDTEXT_PATH = "/api/timedtext"
NEXT_PATH = "/youtubei/v1/next"
PLAYLIST_PATH = "/playlist"
BROWSE_PATH = "/youtubei/v1/browse"
# A channel's videos tab, as yt-dlp asks for it: /@handle/videos or /channel/UC…/videos.
CHANNEL_PATH = re.compile(r"/(@[^/]+|channel/UC[\w-]{22})/videos")
RESOLVE_URL_PATH = "/youtubei/v1/navigation/resolve_url"


class UnexpectedRequest(AssertionError):
    pass


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


class FakeYouTube:
    def __init__(self) -> None:
        self.videos: dict[str, FakeVideo] = {}
        self.playlists: dict[str, FakePlaylist] = {}
        self.channels: dict[str, FakeChannel] = {}
        self.requests: list[SeenRequest] = []
        self.unexpected: list[SeenRequest] = []
        # Set by a test that asks for made-up ids (the API fuzz): a video or playlist no test
        # registered is answered as YouTube answers one that does not exist.
        self.unknown_ids_unavailable = False
        # None, or how YouTube is out of reach: "refused" (nothing listens), "dns" (its name
        # does not resolve) or "timeout". The transports then raise what the real ones do.
        self.unreachable: str | None = None
        self.unreachable_clients = {"requests", "yt-dlp"}  # which transports it applies to
        self.refused: list[SeenRequest] = []

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
        title: str = DEFAULT_PLAYLIST_TITLE,
        channel: str = DEFAULT_CHANNEL,
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
        title: str = DEFAULT_CHANNEL,
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
                return watch.watch_page(self._video(query.get("v", [""])[0], seen))
            if method == "POST" and parts.path == PLAYER_PATH:
                payload = json.loads(body or b"{}")
                video = self._video(payload.get("videoId", ""), seen)
                return watch.player(video, payload)
            if method == "POST" and parts.path == NEXT_PATH:
                payload = json.loads(body or b"{}")
                return watch.watch_next(self._video(payload.get("videoId", ""), seen))
            if method == "GET" and parts.path == TIMEDTEXT_PATH:
                return timedtext.timedtext(self._video(query.get("v", [""])[0], seen), query)
            if method == "GET" and parts.path == PLAYLIST_PATH:
                return playlists.playlist_page(
                    self._playlist(query.get("list", [""])[0], seen), self.videos
                )
            if method == "POST" and parts.path == BROWSE_PATH:
                return self._browse(json.loads(body or b"{}"), seen)
            if method == "GET" and (match := CHANNEL_PATH.fullmatch(parts.path)):
                return channels.channel_page(self._find_channel(match.group(1)), self.videos)
            if method == "POST" and parts.path == RESOLVE_URL_PATH:
                # Reached only after a 404 page: YouTube resolves the address to nothing.
                return FakeReply(200, b'{"responseContext": {}}', "application/json")
        if method == "GET" and parts.hostname == pictures.PICTURE_HOST:
            if match := pictures.SHEET_PATH.fullmatch(parts.path):
                video = self._video(match.group(1), seen)
                return pictures.sheet(video, int(match.group(2)), int(match.group(3) or 0))
            if match := pictures.THUMBNAIL_PATH.fullmatch(parts.path):
                return pictures.thumbnail(self._video(match.group(1), seen))
        if method == "GET" and (parts.hostname or "").endswith(".googlevideo.com"):
            return watch.media(self._video(query.get("id", [""])[0], seen))
        self._unexpected(seen, f"the fake YouTube does not know {method} {url}")

    def _unexpected(self, seen: SeenRequest, message: str) -> NoReturn:
        # Kept as well as raised: yt-dlp may swallow the error, the fixture may not.
        self.unexpected.append(seen)
        raise UnexpectedRequest(message)

    def _video(self, video_id: str, seen: SeenRequest) -> FakeVideo:
        if video_id not in self.videos and self.unknown_ids_unavailable:
            self.add(video_id, scenario="unavailable")
        if video_id not in self.videos:
            self._unexpected(seen, f"video {video_id!r} was not registered with fake_youtube.add()")
        return self.videos[video_id]

    def _playlist(self, playlist_id: str, seen: SeenRequest) -> FakePlaylist:
        if playlist_id not in self.playlists and self.unknown_ids_unavailable:
            self.add_playlist(playlist_id, scenario="unavailable")
        if playlist_id not in self.playlists:
            self._unexpected(
                seen,
                f"playlist {playlist_id!r} was not registered with fake_youtube.add_playlist()",
            )
        return self.playlists[playlist_id]

    def _find_channel(self, key: str) -> FakeChannel | None:
        key = urllib.parse.unquote(key).removeprefix("channel/")
        return next((c for c in self.channels.values() if key in (c.channel_id, c.handle)), None)

    def _browse(self, payload: dict[str, Any], seen: SeenRequest) -> FakeReply:
        # Two kinds of browse call reach here: yt-dlp's "reload with
        # unavailable videos" (browseId VL<id>) and a continuation (token).
        browse_id = payload.get("browseId") or ""
        if browse_id.startswith("VL"):
            return playlists.playlist_reload(self._playlist(browse_id[2:], seen), self.videos)
        token = payload.get("continuation") or ""
        if token.startswith("channel:"):
            _, channel_id, start = token.split(":")
            channel = self.channels.get(channel_id)
            if channel is None or not start.isdigit():
                self._unexpected(seen, f"the fake YouTube does not know the continuation {token!r}")
            return channels.channel_continuation(channel, int(start), self.videos)
        playlist_id, _, start = token.rpartition(":")
        if not start.isdigit():
            self._unexpected(seen, f"the fake YouTube does not know browse {payload!r}")
        playlist = self._playlist(playlist_id, seen)
        return playlists.playlist_continuation(playlist, int(start), self.videos)
