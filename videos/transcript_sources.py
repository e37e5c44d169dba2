"""Where a transcript can come from, tried in order until one answers.

1. youtube-transcript-api (YouTube's player API and timedtext);
2. yt-dlp's subtitles and automatic captions (read from the watch page, which
   YouTube sometimes serves where it refuses the player API);
3. speech-to-text (Whisper) when the video has no captions, or when asked.

Each attempt is told to ``on_event(message, level, **data)`` so the job log
shows what was tried and why it failed; ``data`` has ``source`` (and ``code``
on a failure, ``percent`` on speech-to-text progress).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from blogtube_site.errors import BlogTubeError
from videos import speech, youtube
from videos.errors import (
    UPLOAD_INSTEAD,
    InvalidURL,
    TranscriptsDisabled,
    VideoUnavailable,
    YouTubeError,
    YouTubeOffline,
)

log = logging.getLogger(__name__)

OnEvent = Callable[..., None]

# Failures that no other source can get round: the video is not there.
_FINAL = (InvalidURL, VideoUnavailable)
INSTALL_SPEECH = (
    "Install speech-to-text to transcribe the audio: pip install -r requirements-whisper.txt"
)


@dataclass(frozen=True)
class _Source:
    key: str  # Transcript.source
    label: str  # how the job log names it


YOUTUBE = _Source("youtube", "YouTube captions")
YTDLP = _Source("ytdlp", "yt-dlp subtitles")
WHISPER = _Source("whisper", "speech-to-text")


def fetch(
    video_id: str,
    languages: list[str],
    *,
    on_event: OnEvent | None = None,
    force_speech: bool = False,
    translate_to: str | None = None,
) -> youtube.TranscriptData:
    """The first transcript any source gives, or the most telling failure."""

    def event(message: str, level: str = "info", **data: Any) -> None:
        log.info("%s: %s", video_id, message)
        if on_event is not None:
            on_event(message, level, **data)

    attempts: list[tuple[_Source, Callable[[], youtube.TranscriptData]]] = []
    if not force_speech:
        attempts += [
            (
                YOUTUBE,
                lambda: youtube.fetch_transcript(video_id, languages, translate_to=translate_to),
            ),
            (
                YTDLP,
                lambda: youtube.fetch_ytdlp_transcript(
                    video_id, languages, translate_to=translate_to
                ),
            ),
        ]
    failures: list[tuple[_Source, BlogTubeError]] = []
    for i, (source, attempt) in enumerate(attempts):
        if i == 0:
            event(f"Trying {source.label}…", source=source.key)
        try:
            data = attempt()
        except BlogTubeError as error:
            failures.append((source, error))
            if isinstance(error, _FINAL):
                event(
                    f"{source.label}: {_said(error)}", "warning", source=source.key, code=error.code
                )
                break
            following = attempts[i + 1][0].label if i + 1 < len(attempts) else None
            then = f"; trying {following}…" if following else ""
            event(
                f"{source.label}: {_said(error)}{then}",
                "warning",
                source=source.key,
                code=error.code,
            )
            continue
        return _won(source, data, event)

    no_captions = any(isinstance(error, TranscriptsDisabled) for _, error in failures)
    final = any(isinstance(error, _FINAL) for _, error in failures)
    if force_speech or (no_captions and not final):
        why = "asked for" if force_speech else "the video has no captions"
        reason = speech.unavailable_reason()
        if reason:
            event(f"Speech-to-text skipped ({why}): {reason}", "warning", source=WHISPER.key)
            if not failures:
                raise speech.SpeechUnavailable(reason)
            failures.append((WHISPER, speech.SpeechUnavailable(reason)))
        else:
            event(f"Trying {WHISPER.label} ({why})…", source=WHISPER.key)
            try:
                data = speech.transcribe_video(video_id, on_event=on_event)
            except BlogTubeError as error:
                event(
                    f"Speech-to-text: {_said(error)}",
                    "warning",
                    source=WHISPER.key,
                    code=error.code,
                )
                failures.append((WHISPER, error))
            else:
                return _won(WHISPER, data, event)
    raise _most_telling(failures)


def _won(
    source: _Source, data: youtube.TranscriptData, event: Callable[..., None]
) -> youtube.TranscriptData:
    kind = "auto-generated" if data.is_generated else "manual"
    if data.translated_from:
        kind = f"translated from {data.translated_from}"
    words = len(data.text.split())
    event(
        f"Transcript from {source.label}: {data.language_code}, {kind}, {words:,} words",
        source=source.key,
    )
    return data


def _said(error: BlogTubeError) -> str:
    return f"{error.message.rstrip('.')} ({error.code})"


def _most_telling(failures: list[tuple[_Source, BlogTubeError]]) -> BlogTubeError:
    """The first source's error, unless it only says "something failed" and a
    later one knows why; its suggestions always end with the upload."""
    errors = [error for _, error in failures]
    # "No connection" fails a job at once: only when no source had a reason to wait for.
    reachable = [e for e in errors if not isinstance(e, YouTubeOffline)] or errors
    chosen = next((e for e in reachable if not _says_little(e)), reachable[0])
    suggestions = list(chosen.suggestions)
    if chosen.message != speech.NOT_INSTALLED and any(
        e.message == speech.NOT_INSTALLED for e in errors
    ):
        suggestions.append(INSTALL_SPEECH)
    if not any("upload" in s.lower() for s in suggestions):
        suggestions.append(UPLOAD_INSTEAD)
    chosen.suggestions = tuple(
        s if s.endswith((".", "?", "!", "…")) else f"{s}." for s in suggestions
    )
    others = "\n".join(
        f"{source.label}: {error.code} {error.message} {error.detail}".strip()
        for source, error in failures
        if error is not chosen
    )
    if others:
        chosen.detail = f"{chosen.detail}\n-- other sources --\n{others}".strip()
    return chosen


def _says_little(error: BlogTubeError) -> bool:
    # Exactly YouTubeError: its subclasses (unreachable, proxy) do say why.
    return type(error) is YouTubeError or isinstance(error, speech.SpeechUnavailable)
