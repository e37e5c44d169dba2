"""Turn whatever a person pastes into one YouTube video id, or say what is wrong."""

from __future__ import annotations

import re
import urllib.parse

from videos.errors import InvalidURL

VIDEO_ID_LENGTH = 11
_VIDEO_ID = re.compile(r"[A-Za-z0-9_-]{11}")
_ID_CHARS = re.compile(r"[A-Za-z0-9_-]+")
_PLAYLIST_ID = re.compile(r"[A-Za-z0-9_-]{2,64}")

# The common forms of a video's address, as a regular expression an API document can carry:
# every text it matches, parse_video_id takes (which takes more: other hosts, parameters).
_ID = r"[A-Za-z0-9_-]{11}"
VIDEO_ID_PATTERN = rf"^{_ID}$"
_AT = r"t=[0-9]{1,6}s?"
VIDEO_URL_PATTERN = (
    rf"^(?:{_ID}|https://(?:www\.|m\.)?youtube\.com/watch\?v={_ID}(?:&{_AT})?"
    rf"|https://youtu\.be/{_ID}(?:\?{_AT})?|https://(?:www\.)?youtube\.com/(?:shorts|live)/{_ID})$"
)
# A playlist's address, as above for playlist_id.
PLAYLIST_URL_PATTERN = r"^https://(?:www\.)?youtube\.com/playlist\?list=[A-Za-z0-9_-]{2,64}$"

# Hosts that serve a video page keyed by ?v= or by a path segment.
_YOUTUBE_HOSTS = {
    "youtube.com",
    "m.youtube.com",
    "music.youtube.com",
    "youtube-nocookie.com",
    "gaming.youtube.com",
}
_SHORT_HOST = "youtu.be"
# Paths whose next segment is the video id: /shorts/ID, /live/ID, /embed/ID, /v/ID, /e/ID.
_PATH_PREFIXES = ("shorts", "live", "embed", "v", "e")


def _host(netloc: str) -> str:
    host = netloc.rsplit("@", 1)[-1].split(":", 1)[0].lower().rstrip(".")
    return host.removeprefix("www.")


def _split(text: str) -> urllib.parse.SplitResult:
    # "youtube.com/watch?v=..." has no scheme; urlsplit would read it as a path.
    if "://" not in text:
        text = "https://" + text.lstrip("/")
    return urllib.parse.urlsplit(text)


def _check_id(candidate: str, where: str) -> str:
    if _VIDEO_ID.fullmatch(candidate):
        return candidate
    if not candidate:
        raise InvalidURL(f"This YouTube address has no video id {where}.")
    if not _ID_CHARS.fullmatch(candidate):
        raise InvalidURL(
            f'The video id "{candidate}" contains characters a YouTube id never has '
            "(only letters, digits, - and _)."
        )
    raise InvalidURL(
        f'The video id "{candidate}" is {len(candidate)} characters long; '
        f"YouTube ids are exactly {VIDEO_ID_LENGTH}. Was the address cut off?"
    )


def parse_video_id(text: str) -> str:
    """Return the 11-character video id in ``text`` (a URL or a bare id)."""
    if text is None or not str(text).strip():
        raise InvalidURL("The address is empty. Paste a YouTube video address.")
    text = str(text).strip()

    if _VIDEO_ID.fullmatch(text):
        return text
    if "." not in text and "/" not in text:
        # Neither a URL nor a valid id: explain what is wrong with it as an id.
        if _ID_CHARS.fullmatch(text):
            raise InvalidURL(
                f'"{text}" is not a YouTube address, and as a video id it is '
                f"{len(text)} characters long instead of {VIDEO_ID_LENGTH}."
            )
        raise InvalidURL(f'"{text}" is not a YouTube address.')

    try:
        parts = _split(text)
    except ValueError as exc:  # e.g. an unbalanced "[" in the host
        raise InvalidURL(f'"{text}" is not a valid web address.') from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidURL(f'"{parts.scheme}:" addresses are not YouTube addresses; use https://.')
    host = _host(parts.netloc)
    if not host:
        raise InvalidURL(f'"{text}" is not a web address.')
    query = urllib.parse.parse_qs(parts.query, keep_blank_values=True)
    segments = [s for s in parts.path.split("/") if s]

    if host == _SHORT_HOST:
        return _check_id(segments[0] if segments else "", "after youtu.be/")

    if host not in _YOUTUBE_HOSTS:
        raise InvalidURL(f"{host} is not a YouTube address.")

    if "v" in query:
        return _check_id(query["v"][0].strip(), "in its v= parameter")
    if segments[:2] == ["embed", "videoseries"]:
        raise InvalidURL("This is a playlist; paste one video's URL.")
    if segments and segments[0] in _PATH_PREFIXES:
        return _check_id(segments[1] if len(segments) > 1 else "", f"after /{segments[0]}/")
    if "list" in query:
        raise InvalidURL("This is a playlist; paste one video's URL.")
    if segments and (segments[0].startswith("@") or segments[0] in ("channel", "c", "user")):
        raise InvalidURL("This is a channel page; paste one video's URL.")
    if segments and segments[0] in ("results", "feed", "hashtag"):
        raise InvalidURL("This is a YouTube search or feed page; paste one video's URL.")
    raise InvalidURL("This YouTube address does not point to a video (no video id in it).")


def playlist_id(text: str) -> str | None:
    """The playlist id a URL carries in ``list=``, if any."""
    if not text or not text.strip():
        return None
    try:
        parts = _split(text.strip())
    except ValueError:
        return None
    values = urllib.parse.parse_qs(parts.query).get("list")
    if values and _PLAYLIST_ID.fullmatch(values[0]):
        return values[0]
    return None


_PLAYLIST_SUGGESTION = (
    "Paste a playlist's address, e.g. https://www.youtube.com/playlist?list=… "
    "or a video's address that carries &list=…",
)


def parse_playlist_id(text: str) -> str:
    """The playlist id in a YouTube URL's ``list=``, or InvalidURL saying why there is none.

    Accepts /playlist?list=ID, watch?v=..&list=ID and youtu.be/VIDEO?list=ID.
    """
    if text is None or not str(text).strip():
        raise InvalidURL(
            "The address is empty. Paste a YouTube playlist address.",
            suggestions=_PLAYLIST_SUGGESTION,
        )
    text = str(text).strip()
    try:
        parts = _split(text)
    except ValueError as exc:
        raise InvalidURL(
            f'"{text}" is not a valid web address.', suggestions=_PLAYLIST_SUGGESTION
        ) from exc
    if parts.scheme not in ("http", "https"):
        raise InvalidURL(f'"{parts.scheme}:" addresses are not YouTube addresses; use https://.')
    host = _host(parts.netloc)
    if host != _SHORT_HOST and host not in _YOUTUBE_HOSTS:
        # playlist_id() alone would take list= from any site's address.
        raise InvalidURL(
            f"{host or text} is not a YouTube address.", suggestions=_PLAYLIST_SUGGESTION
        )
    found = playlist_id(text)
    if found:
        return found
    values = urllib.parse.parse_qs(parts.query, keep_blank_values=True).get("list")
    if values and values[0].strip():
        raise InvalidURL(
            f'"{values[0]}" is not a YouTube playlist id '
            "(only letters, digits, - and _). Was the address cut off or changed?",
            suggestions=_PLAYLIST_SUGGESTION,
        )
    raise InvalidURL(
        "This address has no playlist in it (no list= part).", suggestions=_PLAYLIST_SUGGESTION
    )
