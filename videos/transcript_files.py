"""Read a transcript a person uploads (.srt, .vtt, .txt, YouTube's json3 as .json)
into TranscriptData.

This is the way out when YouTube blocks us or a video has no captions, so
the messages must say exactly what is wrong with the file.
"""

from __future__ import annotations

import codecs
import re
from pathlib import PurePath

import charset_normalizer
import srt

from videos import subtitles
from videos.errors import InvalidTranscriptFile
from videos.youtube import TranscriptData

MAX_TRANSCRIPT_BYTES = 5 * 1024 * 1024
SUPPORTED_EXTENSIONS = (".srt", ".vtt", ".txt", ".json")
WORDS_PER_MINUTE = 150  # typical speaking rate: plausible times for untimed text, in or out
_AS_TEXT = "Or upload the text as a .txt file"

_TIMESTAMP_LINE = re.compile(r"^\[?((?:\d{1,2}:)?\d{1,2}:\d{2})\]?\s*(.*)$")
SENTENCE_BREAK = re.compile(r"(?<=[.!?…])\s+")  # the space after a sentence's end


def parse_transcript_file(
    filename: str,
    content: bytes,
    *,
    language_code: str = "und",
    language: str = "",
) -> TranscriptData:
    extension = PurePath(filename or "").suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        shown = extension or "no extension"
        raise InvalidTranscriptFile(
            f'"{filename}" has {shown}; upload a .srt, .vtt or .txt file '
            "(or YouTube's json3 as .json).",
        )
    check_size(filename, len(content))
    text = _decode(filename, content).replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        raise InvalidTranscriptFile(f'"{filename}" is empty.')

    # People rename files; trust the content's own header over the extension.
    if text.lstrip().startswith("WEBVTT"):
        segments = _parse_subtitles(filename, text, "vtt")
    elif extension == ".srt":
        segments = _parse_srt(filename, text)
    elif extension == ".json":
        segments = _parse_subtitles(filename, text, "json3")
    elif extension == ".vtt":
        raise InvalidTranscriptFile(
            f'"{filename}" is not a WebVTT file: it must start with the line "WEBVTT".'
        )
    else:
        segments = _parse_text(text)

    if not segments:
        raise InvalidTranscriptFile(f'"{filename}" contains no caption text.')
    if not any(char.isalpha() for s in segments for char in str(s["text"])):
        # Nothing to write about: the writers would fail on it later, in the worker.
        raise InvalidTranscriptFile(
            f'"{filename}" has no words: its text is only numbers, times or punctuation.'
        )
    return TranscriptData(
        language_code=language_code or "und",
        language=language or ("Unknown" if (language_code or "und") == "und" else language_code),
        source="upload",
        is_generated=False,
        segments=segments,
    )


# Longest first: UTF-32's little-endian mark starts with UTF-16's.
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
# What people upload by mistake, by how the file starts.
_NOT_TEXT = {
    b"%PDF": "a PDF document",
    b"PK\x03\x04": "a ZIP archive (or a Word, Excel or OpenDocument file)",
    b"\x1f\x8b": "a gzip archive",
    b"{\\rtf": "an RTF document",
    b"\xd0\xcf\x11\xe0": "an old Word or Excel document",
    b"ID3": "an MP3 file",
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"\x1aE\xdf\xa3": "a WebM or MKV video",
}
_NEAR_TIE = 0.05  # charset-normalizer's "chaos": 0 reads as text, 1 as noise


def check_size(filename: str, size: int) -> None:
    """Refuse a file over MAX_TRANSCRIPT_BYTES: the form asks before reading it."""
    if size > MAX_TRANSCRIPT_BYTES:
        raise InvalidTranscriptFile(
            f'"{filename}" is {size / 1024 / 1024:.1f} MB; '
            f"the limit is {MAX_TRANSCRIPT_BYTES // (1024 * 1024)} MB.",
            suggestions=["Upload only the transcript, not a video or archive"],
        )


def _decode(filename: str, content: bytes) -> str:
    """The file's text: UTF-8, -16 or -32 with or without a byte order mark, or a legacy
    encoding such as Windows-1252 or GB2312 that charset-normalizer recognises."""
    for bom, encoding in _BOMS:
        if content.startswith(bom):
            try:
                return _text_only(filename, content.decode(encoding))
            except UnicodeDecodeError:
                break
    if b"\x00" not in content:  # UTF-16 text with no BOM is often valid UTF-8, with NULs
        try:
            return content.decode("utf-8")
        except UnicodeDecodeError:
            pass
    for magic, kind in _NOT_TEXT.items():
        if content.startswith(magic):
            raise InvalidTranscriptFile(f'"{filename}" is {kind}, not a transcript.')
    if content[4:8] == b"ftyp":
        raise InvalidTranscriptFile(f'"{filename}" is an MP4 or M4A file, not a transcript.')
    matches = list(charset_normalizer.from_bytes(content))
    if not matches:
        raise InvalidTranscriptFile(
            f'"{filename}" is not text in any encoding we recognise: it starts with the bytes '
            f"{content[:8].hex(' ')}.",
            suggestions=["Save it as UTF-8 text and upload it again"],
        )
    best = matches[0]
    for match in matches:
        # Latin text reads (nearly) as well in several code pages, a short one especially;
        # old subtitle tools write Windows-1252, so it wins a near tie.
        if match.chaos <= best.chaos + _NEAR_TIE and "cp1252" in match.could_be_from_charset:
            return _text_only(filename, content.decode("cp1252", errors="replace"))
    return _text_only(filename, str(best))


def _text_only(filename: str, text: str) -> str:
    if "\x00" in text:
        raise InvalidTranscriptFile(
            f'"{filename}" holds binary data (NUL characters), not text.',
            suggestions=["Save it as UTF-8 text and upload it again"],
        )
    return text


_clean = subtitles.clean
_segment = subtitles.segment


def _parse_srt(filename: str, text: str) -> list[dict[str, float | str]]:
    try:
        captions = list(srt.parse(text))
    except (srt.SRTParseError, ValueError) as exc:
        raise InvalidTranscriptFile(
            f'"{filename}" is not a valid SRT file: {_srt_problem(text, exc)}',
            suggestions=[
                "Each caption needs a number, a line like 00:00:01,000 --> 00:00:04,000 "
                "and its text, separated by blank lines",
                _AS_TEXT,
            ],
            detail=str(exc),
        ) from exc
    segments = []
    for sub in captions:
        # The srt library allows blank lines inside a caption, so a caption
        # whose time line is broken is silently glued onto the one before.
        broken = next((ln for ln in sub.content.split("\n") if "-->" in ln), None)
        if broken is not None:
            raise InvalidTranscriptFile(
                f'"{filename}" is not a valid SRT file: the time line "{broken.strip()[:60]}" '
                f"after caption {sub.index} is malformed (expected 00:00:01,000 --> 00:00:04,000).",
                detail=sub.content,
            )
        line = _clean(sub.content)
        if line:
            segments.append(_segment(sub.start.total_seconds(), sub.end.total_seconds(), line))
    return segments


# How a file that claims a subtitle format but is not one is described, and
# what would make it one.
_NOT_THE_FORMAT: dict[str, tuple[str, list[str]]] = {
    "vtt": ("is not a valid WebVTT file: {problem}", [_AS_TEXT]),
    "json3": (
        "is not a YouTube json3 transcript: {problem}.",
        [
            'A json3 file is {"events": [{"tStartMs": 0, "dDurationMs": 1500, '
            '"segs": [{"utf8": "text"}]}, ...]}',
            _AS_TEXT,
        ],
    ),
}


def _parse_subtitles(filename: str, text: str, fmt: str) -> list[dict[str, float | str]]:
    try:
        return subtitles.parse(text, fmt)
    except subtitles.SubtitleFormatError as exc:
        sentence, suggestions = _NOT_THE_FORMAT[fmt]
        raise InvalidTranscriptFile(
            f'"{filename}" ' + sentence.format(problem=exc),
            suggestions=suggestions,
            # The parser's own words when it had some, for the log.
            detail=str(exc.__cause__ or exc),
        ) from exc


def _parse_text(text: str) -> list[dict[str, float | str]]:
    """Plain text: a segment per sentence, timed at WORDS_PER_MINUTE.

    Lines copied from YouTube's "Show transcript" panel start with a time
    ("1:23 text" or "1:23" on its own line); those times are kept.
    """
    pieces: list[tuple[float | None, str]] = []
    pending_time: float | None = None
    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            continue
        match = _TIMESTAMP_LINE.match(line)
        if match:
            pending_time = _seconds(match.group(1))
            line = match.group(2).strip()
            if not line:
                continue
        for n, sentence in enumerate(s for s in SENTENCE_BREAK.split(line) if s.strip()):
            pieces.append((pending_time if n == 0 else None, _clean(sentence)))
        pending_time = None

    seconds_per_word = 60 / WORDS_PER_MINUTE
    segments: list[dict[str, float | str]] = []
    clock = 0.0
    for stamp, sentence in pieces:
        if stamp is not None:
            clock = stamp
        duration = len(sentence.split()) * seconds_per_word
        segments.append(_segment(clock, clock + duration, sentence))
        clock += duration
    return segments


def _seconds(stamp: str) -> float:
    total = 0
    for part in stamp.split(":"):
        total = total * 60 + int(part)
    return float(total)


def _srt_problem(text: str, exc: Exception) -> str:
    start = getattr(exc, "expected_start", None)
    if not isinstance(start, int):
        return subtitles.first_line(exc)
    line_no = text.count("\n", 0, start) + 1
    snippet = text[start:].strip().split("\n", 1)[0][:60]
    return (
        f'line {line_no} ("{snippet}") is not part of a caption '
        "(a number, a time line like 00:00:01,000 --> 00:00:04,000, then text)."
    )
