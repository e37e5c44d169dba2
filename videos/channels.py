"""A channel's uploads as a list of videos, like a playlist.

A channel is read through its videos tab (/@handle/videos or
/channel/UC…/videos) with yt-dlp's flat extraction: one page request per
thirty videos, none per video. The result is a ``PlaylistInfo`` so that
everything that turns a playlist into jobs takes a channel unchanged.
"""

from __future__ import annotations

import functools
import re
import urllib.parse
from typing import Any

from django.core.cache import cache

from videos.errors import InvalidURL, YouTubeError, classify_channel_error
from videos.youtube import PlaylistInfo, playlist_entry
from videos.ytdlp import Ytdlp

CHANNEL_CACHE_SECONDS = 3600

_HOSTS = {"youtube.com", "www.youtube.com", "m.youtube.com"}
# YouTube handles: 3 to 30 letters, digits, "_", "-" or "." (any script).
_HANDLE = re.compile(r"@[\w.-]{3,30}")
_CHANNEL_ID = re.compile(r"UC[A-Za-z0-9_-]{22}")
_LEGACY_NAME = re.compile(r"[\w.-]{1,100}")
# A channel's address by its handle, for an API document: parse_channel_url takes each.
CHANNEL_URL_PATTERN = r"^https://(?:www\.)?youtube\.com/@[A-Za-z0-9_.-]{3,30}$"
# A live stream or a premiere has no transcript to write from yet.
_NOT_YET = {"is_upcoming", "is_live"}


def parse_channel_url(text: str) -> str | None:
    """The canonical address of the channel ``text`` names, or None if it names none.

    Accepts https://www.youtube.com/@handle (with any tab after it),
    /channel/UC…, the older /c/Name and /user/Name, and a bare @handle.
    """
    text = (text or "").strip()
    if _HANDLE.fullmatch(text):
        return f"https://www.youtube.com/{text}"
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    try:
        parts = urllib.parse.urlsplit(text)
    except ValueError:
        return None
    if parts.scheme not in ("http", "https") or (parts.hostname or "") not in _HOSTS:
        return None
    # A video or playlist address that merely starts on a channel page is not a channel.
    if {"v", "list"} & set(urllib.parse.parse_qs(parts.query)):
        return None
    segments = [urllib.parse.unquote(s) for s in parts.path.split("/") if s]
    if segments and _HANDLE.fullmatch(segments[0]):
        return f"https://www.youtube.com/{segments[0]}"
    if len(segments) >= 2 and segments[0] == "channel" and _CHANNEL_ID.fullmatch(segments[1]):
        return f"https://www.youtube.com/channel/{segments[1]}"
    if len(segments) >= 2 and segments[0] in ("c", "user") and _LEGACY_NAME.fullmatch(segments[1]):
        return f"https://www.youtube.com/{segments[0]}/{segments[1]}"
    return None


def _require_channel(url_or_handle: str) -> str:
    found = parse_channel_url(url_or_handle)
    if found is None:
        raise InvalidURL(
            "This is not a YouTube channel address.",
            suggestions=["A channel address looks like https://www.youtube.com/@handle"],
        )
    return found


def fetch_channel(url_or_handle: str, *, limit: int = 50) -> PlaylistInfo:
    """The channel's newest ``limit`` uploads from its videos tab, newest first.

    ``truncated`` says the channel has more. Raises InvalidURL when the text
    names no channel, ChannelUnavailable when YouTube knows no such channel.
    """
    limit = max(1, limit)
    channel_url = _require_channel(url_or_handle)
    name = channel_url.rsplit("/", 1)[-1]
    options = {
        "extract_flat": "in_playlist",
        # One past the limit tells whether the channel has more uploads;
        # yt-dlp stops asking for further pages once it has them.
        "playlistend": limit + 1,
        "noplaylist": False,
    }
    with Ytdlp(
        options,
        failed="Reading this channel from YouTube failed.",
        classify=functools.partial(classify_channel_error, name=name),
    ) as ydl:
        info = ydl.extract_info(f"{channel_url}/videos", download=False)
    if not info or info.get("_type") != "playlist":
        raise YouTubeError(
            "YouTube did not return a channel's videos for this address.", detail=repr(info)[:500]
        )
    raw: list[dict[str, Any] | None] = list(info.get("entries") or [])
    entries = [
        entry
        for item in raw[:limit]
        if item and item.get("live_status") not in _NOT_YET and (entry := playlist_entry(item))
    ]
    channel = info.get("channel") or info.get("uploader") or name
    return PlaylistInfo(
        playlist_id=info.get("channel_id") or info.get("id") or name,
        title=channel,
        channel=channel,
        entries=entries,
        truncated=len(raw) > limit,
    )


def expand_channel(url_or_handle: str, *, limit: int = 50) -> PlaylistInfo:
    """fetch_channel, remembered for an hour: the preview and the jobs ask twice within moments."""
    key = f"channel:{_require_channel(url_or_handle)}:{limit}"
    channel = cache.get(key)
    if channel is None:
        channel = fetch_channel(url_or_handle, limit=limit)
        cache.set(key, channel, CHANNEL_CACHE_SECONDS)
    return channel
