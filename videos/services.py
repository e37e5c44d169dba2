"""What the rest of BlogTube may ask of the videos app.

Results are stored: a video's info and each transcript are fetched from
YouTube once and reused, so a retry or a reprocess makes no second download.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from blogtube_site.errors import BlogTubeError
from videos import pacing, pictures, transcript_sources, youtube
from videos.channels import CHANNEL_URL_PATTERN, expand_channel, parse_channel_url
from videos.errors import (
    ChannelUnavailable,
    InvalidTranscriptFile,
    InvalidURL,
    PlaylistUnavailable,
    YouTubeBlocked,
    YouTubeRateLimited,
)
from videos.language import detect_language, language_name, same_language
from videos.models import Transcript, Video
from videos.pictures import Picture
from videos.speech import remove_leftover_audio
from videos.storyboards import Storyboard
from videos.transcript_cleanup import clean_transcript
from videos.transcript_files import check_size as check_transcript_size
from videos.transcript_files import parse_transcript_file
from videos.video_ids import (
    PLAYLIST_URL_PATTERN,
    VIDEO_ID_PATTERN,
    VIDEO_URL_PATTERN,
    parse_playlist_id,
    parse_video_id,
    playlist_id,
)
from videos.youtube import PLAYLIST_URL, WATCH_URL, PlaylistEntry

__all__ = [
    "CHANNEL_URL_PATTERN",
    "PLAYLIST_URL",
    "PLAYLIST_URL_PATTERN",
    "VIDEO_ID_PATTERN",
    "VIDEO_URL_PATTERN",
    "WATCH_URL",
    "ChannelUnavailable",
    "InvalidTranscriptFile",
    "InvalidURL",
    "Picture",
    "PlaylistEntry",
    "PlaylistUnavailable",
    "Storyboard",
    "Video",
    "check_transcript_size",
    "clean_transcript",
    "expand_channel",
    "expand_playlist",
    "forget_video",
    "get_transcript",
    "get_video",
    "list_tracks",
    "parse_channel_url",
    "parse_transcript_file",
    "parse_video_id",
    "playlist_id",
    "remove_leftover_audio",
    "same_language",
    "storyboard",
    "transcript_from_upload",
    "video_frames",
    "video_from_listing",
    "video_placeholder",
    "video_thumbnail",
]

log = logging.getLogger(__name__)
# Short: a playlist changes more often than a video's tracks, and the form
# shows it twice (preview, then the jobs) within moments.
PLAYLIST_CACHE_SECONDS = 3600
TRACKS_KEY = "tracks"
# A storyboard's sheet addresses are signed by YouTube: kept only for a few hours, so a job
# right after the video's details were read needs no second request, and a later one asks
# afresh rather than trust an old signature.
STORYBOARD_CACHE_SECONDS = 6 * 3600
_NO_STORYBOARD = "none"


def video_placeholder(video_id: str) -> Video:
    video, _ = Video.objects.get_or_create(
        youtube_id=video_id, defaults={"url": WATCH_URL.format(video_id=video_id)}
    )
    if video.deleted_at is not None:
        # Someone asks for it again (a preview, a new job): public data, wanted after all.
        # The posts deleted with it stay in their owners' Recently deleted.
        video.take_out_of_bin()
    return video


def forget_video(video: Video) -> None:
    """Delete the video with what BlogTube stored of it: its row, its transcripts (by
    cascade) and, once that commits, its cached track list. The jobs that used it are the
    caller's (jobs.services.delete_video) to delete first."""
    key = f"{TRACKS_KEY}:{video.youtube_id}"
    video.delete()
    transaction.on_commit(lambda: cache.delete(key))


def video_from_listing(entry: PlaylistEntry) -> Video:
    """The video a playlist or channel lists, named as the listing names it until a worker
    fetches it: a batch's table shows each title before anything else is known."""
    video = video_placeholder(entry.video_id)
    video.name_from_listing(entry.title, entry.duration)
    return video


def get_video(video_id: str, *, refresh: bool = False) -> Video:
    """The video with its info, asking YouTube only when it is older than YOUTUBE_CACHE_SECONDS."""
    video = video_placeholder(video_id)
    lifetime = datetime.timedelta(seconds=settings.YOUTUBE_CACHE_SECONDS)
    if video.fetched_at and not refresh and timezone.now() - video.fetched_at < lifetime:
        return video
    try:
        info = youtube.fetch_video_info(video_id)
    except (YouTubeBlocked, YouTubeRateLimited) as exc:
        pacing.back_off_after(exc)
        raise
    video.url = info.url or video.url
    video.title = info.title[:300]
    video.channel = info.channel[:200]
    video.duration = info.duration
    video.thumbnail_url = info.thumbnail_url[:500]
    video.upload_date = info.upload_date
    video.description = info.description
    video.chapters = info.chapters
    video.fetched_at = timezone.now()
    video.save()
    cache.set(f"storyboard:{video_id}", info.storyboard or _NO_STORYBOARD, STORYBOARD_CACHE_SECONDS)
    return video


def storyboard(video: Video) -> Storyboard | None:
    """The video's storyboard (its seek-preview sprite sheets), None when it has none.
    From the last few hours' read of its details, else YouTube is asked again."""
    found = cache.get(f"storyboard:{video.youtube_id}")
    if found is None:
        get_video(video.youtube_id, refresh=True)
        found = cache.get(f"storyboard:{video.youtube_id}")
    return found if isinstance(found, Storyboard) else None


def video_thumbnail(video: Video) -> Picture:
    """The video's thumbnail as a JPEG (the best one yt-dlp named, else YouTube's standard
    one); PictureUnavailable when neither can be had."""
    urls = [video.thumbnail_url] if video.thumbnail_url else []
    urls.append(f"https://i.ytimg.com/vi/{video.youtube_id}/hqdefault.jpg")
    return pictures.thumbnail(urls)


def video_frames(
    board: Storyboard,
    moments: list[float],
    on_progress: Callable[[int, int], None] | None = None,
) -> list[Picture | BlogTubeError]:
    """The storyboard frame nearest each moment (seconds), or why that one could not be had."""
    return pictures.frames(board, moments, on_progress)


def list_tracks(video_id: str) -> list[youtube.Track]:
    """The video's transcript tracks, asking YouTube at most once per YOUTUBE_CACHE_SECONDS."""
    key = f"{TRACKS_KEY}:{video_id}"
    tracks = cache.get(key)
    if tracks is None:
        # No back-off on a block here: the caption API is often refused where
        # yt-dlp is not, and get_transcript backs off once every source failed.
        tracks = youtube.list_tracks(video_id)
        cache.set(key, tracks, settings.YOUTUBE_CACHE_SECONDS)
    return tracks


def expand_playlist(text: str, *, limit: int = 50) -> youtube.PlaylistInfo:
    """The videos of the playlist a URL carries in ``list=``, in playlist order.

    Raises InvalidURL when ``text`` names no playlist, PlaylistUnavailable
    when YouTube will not list it.
    """
    list_id = parse_playlist_id(text)
    key = f"playlist:{list_id}:{limit}"
    playlist = cache.get(key)
    if playlist is None:
        playlist = youtube.fetch_playlist(list_id, limit=limit)
        cache.set(key, playlist, PLAYLIST_CACHE_SECONDS)
    return playlist


def stored_transcript(
    video: Video, languages: list[str], *, force_speech: bool = False
) -> Transcript | None:
    """The stored transcript a job on ``video`` would use, fresh or not (see is_stale)."""
    stored = Transcript.objects.filter(video=video).exclude(source=Transcript.Source.UPLOAD)
    if force_speech:
        stored = stored.filter(source=Transcript.Source.WHISPER)
    for code in languages:
        found = stored.filter(language_code=code).order_by("is_generated", "-fetched_at").first()
        if found:
            return found
    # Speech-to-text ran because the video has no captions, and it writes the
    # language spoken whatever was asked: asking again would only repeat it.
    return stored.filter(source=Transcript.Source.WHISPER).order_by("-created").first()


def is_stale(transcript: Transcript) -> bool:
    """Captions older than YOUTUBE_CACHE_SECONDS, which YouTube may have corrected since.

    Speech-to-text of the same audio gives the same text, and costs minutes:
    it never goes stale.
    """
    if transcript.source in (Transcript.Source.WHISPER, Transcript.Source.UPLOAD):
        return False
    lifetime = datetime.timedelta(seconds=settings.YOUTUBE_CACHE_SECONDS)
    return timezone.now() - transcript.fetched_at >= lifetime


def get_transcript(
    video: Video,
    languages: list[str],
    *,
    on_event: Callable[..., None] | None = None,
    force_speech: bool = False,
    translate_to: str | None = None,
) -> tuple[Transcript, bool]:
    """The transcript in the first available language; True when it was stored already.

    Sources are tried in order (see videos.transcript_sources), each attempt
    reported as ``on_event(message, level, **data)``. A stored transcript past
    its lifetime is fetched again; if YouTube refuses, the stored one is used.
    """
    wanted = [translate_to] if translate_to else languages
    found = stored_transcript(video, wanted, force_speech=force_speech)
    if found and not is_stale(found):
        return found, True
    try:
        data = transcript_sources.fetch(
            video.youtube_id,
            languages,
            on_event=on_event,
            force_speech=force_speech,
            translate_to=translate_to,
        )
    except BlogTubeError as error:
        if isinstance(error, (YouTubeBlocked, YouTubeRateLimited)):
            pacing.back_off_after(error)
        if found is None:
            raise
        # An older copy of the captions beats no post at all.
        if on_event is not None:
            on_event(
                f"Could not refresh the stored transcript ({error.message}); using the copy "
                f"from {found.fetched_at:%Y-%m-%d}",
                "warning",
                code=error.code,
            )
        return found, True
    transcript, _ = Transcript.objects.update_or_create(
        video=video,
        language_code=data.language_code,
        source=data.source,
        defaults={
            "language": data.language,
            "is_generated": data.is_generated,
            "segments": data.segments,
            "text": data.text,
            "fetched_at": timezone.now(),
        },
    )
    return transcript, False


def transcript_from_upload(
    file_name: str, content: bytes, *, video: Video | None = None, language: str = ""
) -> Transcript:
    """An uploaded file as a transcript; with no ``language``, the text's own is detected."""
    data = parse_transcript_file(file_name, content)
    code = language or detect_language(data.text)[0]
    return Transcript.objects.create(
        video=video,
        language_code=code,
        language=language_name(code),
        source=Transcript.Source.UPLOAD,
        is_generated=False,
        file_name=file_name,
        segments=data.segments,
        text=data.text,
    )
