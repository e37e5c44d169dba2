"""Read a video's metadata and transcripts from YouTube.

Plain functions returning frozen dataclasses; storing them is someone else's
job. Every library exception leaves this module as a BlogTubeError.
"""

from __future__ import annotations

import datetime
import re
import urllib.parse
from dataclasses import dataclass, field
from typing import Any

import requests
from youtube_transcript_api import YouTubeTranscriptApiException
from youtube_transcript_api._transcripts import Transcript, TranscriptList
from yt_dlp.utils import YoutubeDLError

from videos import http, subtitles
from videos.errors import (
    PoTokenRequired,
    TranscriptsDisabled,
    YouTubeBlocked,
    YouTubeError,
    YouTubeRateLimited,
    classify_playlist_error,
    classify_transcript_api_error,
    classify_ytdlp_error,
    no_transcript_in_language,
    unreachable,
)
from videos.language import same_language
from videos.storyboards import Storyboard, is_picture_url, storyboard_of_formats
from videos.ytdlp import Ytdlp

WATCH_URL = "https://www.youtube.com/watch?v={video_id}"
PLAYLIST_URL = "https://www.youtube.com/playlist?list={playlist_id}"


@dataclass(frozen=True)
class VideoInfo:
    video_id: str
    url: str
    title: str
    channel: str
    duration: int | None  # seconds
    thumbnail_url: str
    upload_date: datetime.date | None
    description: str
    chapters: list[dict[str, Any]] = field(default_factory=list)  # {"title", "start", "end"} s
    storyboard: Storyboard | None = None


@dataclass(frozen=True)
class Track:
    language_code: str
    language: str
    is_generated: bool
    is_translatable: bool
    translation_languages: list[tuple[str, str]] = field(default_factory=list)  # (code, name)


@dataclass(frozen=True)
class TranscriptData:
    language_code: str
    language: str
    source: str  # "youtube" | "ytdlp" | "whisper" | "upload"
    is_generated: bool
    segments: list[dict[str, Any]]  # {"start": float, "duration": float, "text": str}
    # Set when YouTube machine-translated the track: the language it came from.
    translated_from: str | None = None

    @property
    def text(self) -> str:
        return "\n".join(t for s in self.segments if (t := " ".join(s["text"].split())))


# -- metadata (yt-dlp) --------------------------------------------------------


def fetch_video_info(video_id: str) -> VideoInfo:
    url = WATCH_URL.format(video_id=video_id)
    with Ytdlp({}, failed="Reading this video's details from YouTube failed.") as ydl:
        # process=False: we want the extractor's metadata, not format
        # selection, which would fail on videos whose formats need a PO
        # token or JS deciphering even though their metadata is fine.
        info = ydl.extract_info(url, download=False, process=False)
    if not info or info.get("_type", "video") != "video":
        raise YouTubeError(
            "YouTube did not return a single video for this address.", detail=repr(info)[:500]
        )
    duration = _int_or_none(info.get("duration"))
    return VideoInfo(
        video_id=info.get("id") or video_id,
        url=url,
        title=info.get("title") or "",
        channel=info.get("channel") or info.get("uploader") or "",
        duration=duration,
        thumbnail_url=_best_thumbnail(info),
        upload_date=_parse_upload_date(info.get("upload_date")),
        description=info.get("description") or "",
        chapters=_chapters(info.get("chapters") or [], duration),
        storyboard=storyboard_of_formats(info.get("formats") or []),
    )


def _int_or_none(value: Any) -> int | None:
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _parse_upload_date(value: Any) -> datetime.date | None:
    if not isinstance(value, str) or not re.fullmatch(r"\d{8}", value):
        return None
    try:
        return datetime.datetime.strptime(value, "%Y%m%d").date()
    except ValueError:
        return None


def _best_thumbnail(info: dict[str, Any]) -> str:
    if is_picture_url(info.get("thumbnail")):
        return str(info["thumbnail"])
    # Unprocessed results carry only the candidate list; yt-dlp itself would
    # pick by preference, then size.
    candidates = [t for t in info.get("thumbnails") or [] if is_picture_url(t.get("url"))]
    if not candidates:
        return ""
    best = max(
        candidates,
        key=lambda t: (t.get("preference") or 0, (t.get("width") or 0) * (t.get("height") or 0)),
    )
    return str(best["url"])


def _chapters(raw: list[dict[str, Any]], duration: int | None) -> list[dict[str, Any]]:
    # Unprocessed chapters have no end_time; each ends where the next starts.
    starts = [(float(c.get("start_time") or 0), str(c.get("title") or "")) for c in raw]
    starts.sort(key=lambda c: c[0])
    chapters = []
    for i, (start, title) in enumerate(starts):
        if i + 1 < len(starts):
            end: float | None = starts[i + 1][0]
        else:
            end = raw[i].get("end_time") if raw[i].get("end_time") else duration
        chapters.append(
            {"title": title, "start": start, "end": float(end) if end is not None else None}
        )
    return chapters


# -- playlists (yt-dlp flat extraction) ----------------------------------------


@dataclass(frozen=True)
class PlaylistEntry:
    video_id: str
    title: str
    duration: int | None  # seconds


@dataclass(frozen=True)
class PlaylistInfo:
    playlist_id: str
    title: str
    channel: str
    entries: list[PlaylistEntry]
    # True when the playlist goes on past the positions that were read.
    truncated: bool


# YouTube lists a video the viewer may not see in place, under a placeholder
# such as "[Private video]" or "[Deleted video]", with no channel and no length;
# yt-dlp passes it through as an ordinary entry.
_PLACEHOLDER_TITLE = re.compile(r"\[[\w ]+ video\]", re.I)


def fetch_playlist(playlist_id: str, *, limit: int = 50) -> PlaylistInfo:
    """The videos at the first ``limit`` positions of a playlist, in order.

    Private and deleted videos are left out, so ``entries`` may be shorter
    than ``limit`` even when ``truncated`` is True.
    """
    limit = max(1, limit)
    url = PLAYLIST_URL.format(playlist_id=playlist_id)
    options = {
        # Entries stay the extractor's flat records: no request per video.
        "extract_flat": "in_playlist",
        # One position past the limit tells whether the playlist goes on,
        # which YouTube's own count (it includes hidden videos) cannot.
        "playlistend": limit + 1,
        # videos/http.py turns this on so watch?v=..&list=.. means one video;
        # it cannot stop a /playlist URL (there is no video to fall back
        # to), but here the playlist is what we want: say so.
        "noplaylist": False,
        # Skip yt-dlp's second request that reloads the playlist with its
        # unavailable videos shown: we would drop them anyway.
        "compat_opts": ["no-youtube-unavailable-videos"],
    }
    failed = "Reading this playlist from YouTube failed."
    with Ytdlp(options, failed=failed, classify=classify_playlist_error) as ydl:
        info = ydl.extract_info(url, download=False)
    if not info or info.get("_type") != "playlist":
        raise YouTubeError(
            "YouTube did not return a playlist for this address.", detail=repr(info)[:500]
        )
    raw = list(info.get("entries") or [])
    entries = [entry for item in raw[:limit] if (entry := playlist_entry(item))]
    return PlaylistInfo(
        playlist_id=info.get("id") or playlist_id,
        title=info.get("title") or "",
        channel=info.get("channel") or info.get("uploader") or "",
        entries=entries,
        truncated=len(raw) > limit,
    )


def playlist_entry(item: dict[str, Any] | None) -> PlaylistEntry | None:
    """A flat playlist record as an entry; None for a hidden video or a broken record."""
    if not item:
        return None
    video_id = item.get("id")
    title = item.get("title") or ""
    if not isinstance(video_id, str) or not video_id or not title:
        return None
    # The missing channel keeps a real video called "[Official video]".
    if _PLACEHOLDER_TITLE.fullmatch(title) and not item.get("channel"):
        return None
    return PlaylistEntry(
        video_id=video_id, title=title, duration=_int_or_none(item.get("duration"))
    )


# -- transcripts (youtube-transcript-api) -----------------------------------


class _TranscriptSession:
    """One API client plus the status of YouTube's last answer.

    The library raises IpBlocked for both HTTP 429 and a captcha page; the
    status seen on the wire is what tells them apart.
    """

    def __init__(self) -> None:
        session = http.requests_session()
        self.last_status: int | None = None
        session.hooks["response"].append(self._remember)
        self.api = http.transcript_api(session)

    def _remember(self, response: requests.Response, *args: Any, **kwargs: Any) -> None:
        self.last_status = response.status_code

    def fail(self, exc: Exception) -> Exception:
        if isinstance(exc, YouTubeTranscriptApiException):
            return classify_transcript_api_error(exc, http_status=self.last_status)
        return unreachable(exc, f"{type(exc).__name__}: {exc}")

    def list(self, video_id: str) -> TranscriptList:
        try:
            return self.api.list(video_id)
        except (YouTubeTranscriptApiException, requests.RequestException) as exc:
            raise self.fail(exc) from exc


def _track(t: Transcript) -> Track:
    return Track(
        language_code=t.language_code,
        language=t.language,
        is_generated=t.is_generated,
        is_translatable=t.is_translatable,
        translation_languages=[(tl.language_code, tl.language) for tl in t.translation_languages],
    )


def _manual_first(transcripts: TranscriptList) -> list[Transcript]:
    # The library already iterates manual tracks before generated ones; the
    # sort is stable, so this only guards against that changing.
    return sorted(transcripts, key=lambda t: t.is_generated)


def list_tracks(video_id: str) -> list[Track]:
    return [_track(t) for t in _manual_first(_TranscriptSession().list(video_id))]


def _preferred(tracks: list[Transcript], languages: list[str]) -> list[Transcript]:
    """Tracks in wanted languages, best first: manual before generated, then
    in the order of ``languages``."""
    ordered: list[Transcript] = []
    for want_generated in (False, True):
        for code in languages:
            for t in tracks:
                if (
                    t.is_generated == want_generated
                    and same_language(t.language_code, code)
                    and t not in ordered
                ):
                    ordered.append(t)
    return ordered


def fetch_transcript(
    video_id: str, languages: list[str], *, translate_to: str | None = None
) -> TranscriptData:
    """The best transcript in ``languages`` (in order of preference).

    A manual track in any wanted language beats a generated one; with neither,
    YouTube machine-translates a translatable track (manual ones first) into
    the first wanted language. ``translate_to`` asks for a translation into
    that language of the best wanted-language track that YouTube can translate.
    """
    languages = _wanted(languages)
    session = _TranscriptSession()
    tracks = _manual_first(session.list(video_id))
    preferred = _preferred(tracks, languages)
    target = translate_to
    if translate_to:
        # A wanted-language track that YouTube can translate, else any track that can.
        chosen = next(
            (t for t in [*preferred, *tracks] if _translation_code(t, translate_to) is not None),
            None,
        )
    elif preferred:
        chosen = preferred[0]
    else:
        target = languages[0]
        chosen = _translation_source(tracks, target)
    if chosen is None:
        raise no_transcript_in_language(
            [target] if translate_to else languages,
            [(t.language_code, t.language) for t in tracks],
        )
    translated_from = None
    try:
        if target and not same_language(chosen.language_code, target):
            translated_from = chosen.language_code
            chosen = chosen.translate(_translation_code(chosen, target) or target)
        fetched = chosen.fetch()
    except (YouTubeTranscriptApiException, requests.RequestException) as exc:
        raise session.fail(exc) from exc
    return TranscriptData(
        language_code=fetched.language_code,
        language=fetched.language,
        source="youtube",
        is_generated=fetched.is_generated,
        segments=[
            {"start": s.start, "duration": s.duration, "text": s.text}
            for s in fetched.snippets
            if s.text.strip()
        ],
        translated_from=translated_from,
    )


def _wanted(languages: list[str] | None) -> list[str]:
    """The wanted language codes without blanks; English when there are none."""
    return [code for code in (languages or []) if code] or ["en"]


def _translation_code(track: Transcript, target: str) -> str | None:
    """The code under which ``track`` is (or translates to) ``target``, as YouTube spells it."""
    if same_language(track.language_code, target):
        return track.language_code
    codes = [tl.language_code for tl in track.translation_languages]
    for code in codes:
        if code.lower() == target.lower():
            return code
    for code in codes:
        if same_language(code, target):
            return code
    return None


def _translation_source(tracks: list[Transcript], target: str) -> Transcript | None:
    # Manual tracks come first: translate a person's captions rather than the
    # speech recogniser's when both can be.
    for t in tracks:
        if _translation_code(t, target) is not None:
            return t
    return None


# -- transcripts (yt-dlp subtitles and automatic captions) ---------------------


@dataclass(frozen=True)
class _SubtitleTrack:
    """One entry of yt-dlp's ``subtitles`` / ``automatic_captions``."""

    language_code: str  # the language of the text served
    language: str
    is_generated: bool
    formats: dict[str, str]  # ext -> URL
    translated_from: str | None = None  # set for YouTube's machine translations
    from_generated: bool = False  # a translation of an automatic track


def _subtitle_tracks(info: dict[str, Any]) -> list[_SubtitleTrack]:
    tracks = []
    for generated, key in ((False, "subtitles"), (True, "automatic_captions")):
        for code, entries in (info.get(key) or {}).items():
            # live_chat is a chat replay, not captions; "-orig" repeats a track
            # under a second name.
            if code == "live_chat" or code.endswith("-orig") or not entries:
                continue
            formats = {e["ext"]: e["url"] for e in entries if e.get("url") and e.get("ext")}
            if not formats:
                continue
            query = urllib.parse.parse_qs(urllib.parse.urlsplit(next(iter(formats.values()))).query)
            target = (query.get("tlang") or [""])[0]
            name = str(entries[0].get("name") or code)
            if target:
                # yt-dlp lists YouTube's translations among automatic captions;
                # those of manual captions carry the source in their code
                # ("de-en": German from English), in tlang too.
                source = (query.get("lang") or [""])[0]
                if source and target.endswith(f"-{source}"):
                    target = target[: -len(source) - 1]
                tracks.append(
                    _SubtitleTrack(
                        language_code=target,
                        language=name,
                        is_generated=True,
                        formats=formats,
                        translated_from=source or None,
                        from_generated=(query.get("kind") or [""])[0] == "asr",
                    )
                )
            else:
                tracks.append(_SubtitleTrack(code, name, generated, formats))
    return tracks


def _pick_subtitles(
    tracks: list[_SubtitleTrack], languages: list[str], translate_to: str | None
) -> _SubtitleTrack | None:
    """The same preference as fetch_transcript: manual before generated in
    any wanted language, then a translation (of manual captions first)."""
    originals = [t for t in tracks if t.translated_from is None]
    translations = sorted(
        (t for t in tracks if t.translated_from is not None), key=lambda t: t.from_generated
    )

    def translation(target: str, sources: list[str]) -> _SubtitleTrack | None:
        candidates = [t for t in translations if same_language(t.language_code, target)]
        for code in sources:
            for t in candidates:
                if same_language(t.translated_from or "", code):
                    return t
        return candidates[0] if candidates else None

    if translate_to:
        already = [t for t in originals if same_language(t.language_code, translate_to)]
        return (
            next((t for t in already if not t.is_generated), None)
            or translation(translate_to, languages)
            or (already[0] if already else None)
        )
    for want_generated in (False, True):
        for code in languages:
            for t in originals:
                if t.is_generated == want_generated and same_language(t.language_code, code):
                    return t
    return translation(languages[0], [])


def fetch_ytdlp_transcript(
    video_id: str, languages: list[str], *, translate_to: str | None = None
) -> TranscriptData:
    """The best transcript in ``languages`` from yt-dlp's subtitles and
    automatic captions: it reads captions from the watch page, which YouTube
    sometimes serves where its player API (youtube-transcript-api) is refused.
    """
    languages = _wanted(languages)
    url = WATCH_URL.format(video_id=video_id)
    # writeautomaticsub makes yt-dlp list translations of manual captions too.
    options = {"writesubtitles": True, "writeautomaticsub": True}
    with Ytdlp(options, failed="Reading this video's subtitles with yt-dlp failed.") as ydl:
        info = ydl.extract_info(url, download=False, process=False)
        tracks = _subtitle_tracks(info or {})
        if not tracks:
            raise _no_subtitles(ydl.warnings)
        chosen = _pick_subtitles(tracks, languages, translate_to)
        if chosen is None:
            raise no_transcript_in_language(
                [translate_to] if translate_to else languages,
                [(t.language_code, t.language) for t in tracks if t.translated_from is None],
            )
        withheld = _withheld_languages(ydl.warnings)
        if (
            chosen.translated_from
            and not translate_to
            and any(same_language(code, want) for code in withheld for want in languages)
        ):
            # The wanted captions exist but YouTube withholds them without a
            # PO token: say so rather than hand back a machine translation of
            # another language's captions.
            raise PoTokenRequired(detail="\n".join(ydl.warnings))
        fmt = next(f for f in (*subtitles.FORMATS, *chosen.formats) if f in chosen.formats)
        body = ydl.read(chosen.formats[fmt])
    try:
        segments = subtitles.parse(body, fmt)
    except subtitles.SubtitleFormatError as exc:
        raise YouTubeError(
            f"YouTube's {fmt} subtitles could not be read.", detail=f"{exc}: {body[:300]!r}"
        ) from exc
    return TranscriptData(
        language_code=chosen.language_code,
        language=chosen.language,
        source="ytdlp",
        is_generated=chosen.is_generated,
        segments=segments,
        translated_from=chosen.translated_from,
    )


_WITHHELD = re.compile(r"Subtitles for these languages are missing: ([^.]+)\.")


def _withheld_languages(warnings: list[str]) -> list[str]:
    """Languages whose manual captions yt-dlp skipped for want of a PO token."""
    found = (_WITHHELD.search(w) for w in warnings if re.search(r"po.?token", w, re.I))
    return [code.strip() for m in found if m for code in m.group(1).split(",")]


def _no_subtitles(warnings: list[str]) -> Exception:
    # An empty list is either the truth (captions off) or YouTube holding them
    # back; yt-dlp's warnings say which.
    text = "\n".join(warnings)
    if re.search(r"po.?token", text, re.I):
        return PoTokenRequired(detail=text)
    verdict = classify_ytdlp_error(YoutubeDLError("no subtitles listed"), log=warnings)
    if isinstance(verdict, YouTubeBlocked | YouTubeRateLimited):
        return verdict
    return TranscriptsDisabled(
        "YouTube lists no subtitles or automatic captions for this video.", detail=text
    )
