"""Speech to text from a video's audio: the last source, for videos without captions.

yt-dlp downloads the audio only, into a temporary folder; faster-whisper
transcribes it on the CPU. faster-whisper is an optional extra
(requirements-whisper.txt): this module imports it only when it is used, so
the base install stays small and everything else works without it.
"""

from __future__ import annotations

import functools
import importlib
import shutil
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from django.conf import settings

from blogtube_site.errors import BlogTubeError
from blogtube_site.timecodes import clock
from videos.errors import UPLOAD_INSTEAD, YouTubeError
from videos.language import language_name
from videos.youtube import WATCH_URL, TranscriptData
from videos.ytdlp import Ytdlp

NOT_INSTALLED = "Speech-to-text is not installed: pip install -r requirements-whisper.txt"
TURNED_OFF = "Speech-to-text is turned off (WHISPER_ENABLED=false)."

# Audio downloads use yt-dlp's own choice of YouTube clients: the web-only,
# no-JavaScript settings that suffice for metadata get no playable audio
# (YouTube wants a PO token or a solved challenge for it).
AUDIO_EXTRACTOR_ARGS: dict[str, dict[str, list[str]]] = {"youtube": {}}
# Smallest audio stream first: speech needs no fidelity and Whisper resamples to 16 kHz.
AUDIO_FORMAT = "worstaudio[abr>=32]/bestaudio/worstaudio/best"
PROGRESS_STEP = 5  # percent between two progress events
# A video's audio lives in a temporary folder of this name while Whisper reads it.
AUDIO_FOLDER_PREFIX = "blogtube-audio-"

OnProgress = Callable[[int, float, float], None]  # (percent, seconds done, total seconds)


class SpeechUnavailable(BlogTubeError):
    code = "SPEECH_UNAVAILABLE"
    message = NOT_INSTALLED
    suggestions = ("Install it with: pip install -r requirements-whisper.txt", UPLOAD_INSTEAD)


class NoSpeech(BlogTubeError):
    code = "NO_SPEECH"
    message = "No speech was heard in this video's audio, so there is nothing to transcribe."
    suggestions = (UPLOAD_INSTEAD,)


class SpeechFailed(BlogTubeError):
    code = "SPEECH_FAILED"
    message = "Speech-to-text failed."
    suggestions = ("Set WHISPER_MODEL to a model folder on this server", UPLOAD_INSTEAD)


def unavailable_reason() -> str | None:
    """Why speech-to-text cannot run here, or None when it can."""
    if not settings.WHISPER_ENABLED:
        return TURNED_OFF
    try:
        _faster_whisper()
    except SpeechUnavailable as exc:
        return exc.message
    return None


def _faster_whisper() -> Any:
    try:
        return importlib.import_module("faster_whisper")
    except ImportError as exc:
        # A broken install (a missing shared library) is "not installed" too.
        raise SpeechUnavailable(detail=f"{type(exc).__name__}: {exc}") from exc


def local_model_path(name: str | None = None) -> str | None:
    """Where the Whisper model ``name`` is on this machine, without downloading it."""
    name = name or settings.WHISPER_MODEL
    if Path(name).is_dir():
        return name
    try:
        utils = importlib.import_module("faster_whisper.utils")
        return str(utils.download_model(name, local_files_only=True))
    except Exception:
        return None


@functools.cache
def _model(name: str) -> Any:
    # Loading takes seconds and hundreds of MB: one per worker process and name.
    whisper = _faster_whisper()
    try:
        return whisper.WhisperModel(name, device="cpu", compute_type="int8")
    except Exception as exc:
        raise SpeechFailed(
            f'The Whisper model "{name}" could not be loaded.',
            detail=f"{type(exc).__name__}: {exc}",
        ) from exc


def transcribe(
    audio: Path | str,
    *,
    language: str | None = None,
    model_name: str | None = None,
    on_progress: OnProgress | None = None,
) -> TranscriptData:
    """The speech in ``audio`` as a transcript; ``language`` None lets Whisper tell."""
    model = _model(model_name or settings.WHISPER_MODEL)
    try:
        # The VAD filter skips silence and music, where Whisper would invent words.
        pieces, info = model.transcribe(str(audio), language=language or None, vad_filter=True)
        total = float(getattr(info, "duration", 0) or 0)
        percent = 0
        segments = []
        for piece in pieces:  # a generator: transcription happens as we iterate
            text = " ".join(str(piece.text).split())
            if text:
                segments.append(
                    {
                        "start": round(float(piece.start), 3),
                        "duration": round(max(float(piece.end) - float(piece.start), 0.0), 3),
                        "text": text,
                    }
                )
            if on_progress and total:
                done = min(float(piece.end), total)
                percent = int(100 * done / total)
                on_progress(percent, done, total)
    except BlogTubeError:
        raise
    except Exception as exc:
        raise SpeechFailed(
            "Speech-to-text could not read this audio.", detail=f"{type(exc).__name__}: {exc}"
        ) from exc
    if not segments:
        raise NoSpeech(detail=f"{audio}: {total:.1f} s of audio, no speech segments")
    if on_progress and total and percent < 100:
        # Trailing silence yields no segment, but the audio is done.
        on_progress(100, total, total)
    code = str(getattr(info, "language", "") or language or "und")
    return TranscriptData(
        language_code=code,
        language=language_name(code),
        source="whisper",
        is_generated=True,
        segments=segments,
    )


def download_audio(video_id: str, directory: Path) -> Path:
    """The video's audio stream, saved in ``directory`` (no conversion: no ffmpeg needed)."""
    options: dict[str, Any] = {
        "format": AUDIO_FORMAT,
        "skip_download": False,
        "outtmpl": {"default": str(directory / "%(id)s.%(ext)s")},
        "extractor_args": AUDIO_EXTRACTOR_ARGS,
        "writesubtitles": False,
        "writeautomaticsub": False,
    }
    if deno := _venv_deno():
        options["js_runtimes"] = {"deno": {"path": deno}}
    with Ytdlp(options, failed="Downloading this video's audio failed.") as ydl:
        info = ydl.extract_info(WATCH_URL.format(video_id=video_id), download=True)
    downloads = (info or {}).get("requested_downloads") or []
    path = Path(downloads[0]["filepath"]) if downloads else None
    if path is None or not path.is_file():
        raise YouTubeError("yt-dlp reported no audio file.", detail=repr(downloads)[:500])
    return path


def _venv_deno() -> str | None:
    """The deno that requirements-whisper.txt installs beside Python, when it
    is not on PATH (the worker runs .venv/bin/python without activating it)."""
    if shutil.which("deno"):
        return None
    candidate = Path(sys.executable).parent / "deno"
    return str(candidate) if candidate.is_file() else None


def transcribe_video(
    video_id: str,
    *,
    language: str | None = None,
    on_event: Callable[..., None] | None = None,
) -> TranscriptData:
    """Download the audio of ``video_id`` and transcribe it; events as in
    videos.services.get_transcript (progress carries ``percent``)."""
    reason = unavailable_reason()
    if reason:
        raise SpeechUnavailable(reason)

    def event(message: str, level: str = "info", **data: Any) -> None:
        if on_event is not None:
            on_event(message, level, source="whisper", **data)

    reported = -PROGRESS_STEP

    def progress(percent: int, done: float, total: float) -> None:
        nonlocal reported
        if percent - reported >= PROGRESS_STEP or (percent == 100 and reported < 100):
            reported = percent
            event(
                f"Speech-to-text: {percent}% of the audio ({clock(done)} of {clock(total)})",
                percent=percent,
            )

    with tempfile.TemporaryDirectory(prefix=AUDIO_FOLDER_PREFIX) as folder:
        event("Downloading the audio…")
        path = download_audio(video_id, Path(folder))
        size = path.stat().st_size / 1024 / 1024
        event(f"Downloaded the audio ({size:.1f} MB); transcribing with Whisper…")
        return transcribe(path, language=language, on_progress=progress)


def remove_leftover_audio(older_than: float) -> int:
    """Remove the audio folders a killed worker left behind (a normal run removes its own):
    those last changed before ``older_than`` (a timestamp), when no job can still read them.
    Returns how many went."""
    removed = 0
    for folder in Path(tempfile.gettempdir()).glob(f"{AUDIO_FOLDER_PREFIX}*"):
        try:
            if folder.is_dir() and folder.stat().st_mtime < older_than:
                shutil.rmtree(folder)
                removed += 1
        except OSError:
            continue  # gone meanwhile, or not ours to remove: the next run looks again
    return removed
