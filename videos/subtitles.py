"""YouTube's subtitle formats (json3, srv1/srv2/srv3 XML, WebVTT) as segments.

yt-dlp hands us subtitle URLs, not text, and an uploaded json3 file is the
same format, so the parsers live here for both. A segment is
``{"start": s, "duration": s, "text": str}``, like every other transcript.
"""

from __future__ import annotations

import html
import io
import json
import re
from collections.abc import Iterable
from typing import Any
from xml.etree import ElementTree

import webvtt
from webvtt.errors import MalformedCaptionError, MalformedFileError

Segment = dict[str, Any]

# The formats we can read, best first: json3 and srv3 carry YouTube's own
# line breaks and timing; VTT from YouTube repeats lines as they roll.
FORMATS = ("json3", "srv3", "srv1", "srv2", "vtt")

# A tag starts with a letter or a slash: "2 < 3" is text. A voice span names its speaker.
_TAG = re.compile(r"</?[A-Za-z][^<>]*>|<\d[\d:.]*>")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^<>]{1,60})>", re.I)
_SRT_FORMATTING = re.compile(r"\{\\[^}]*\}")  # {\an8} style overrides


class SubtitleFormatError(ValueError):
    """The text is not the format it claims to be; the message says how."""


def clean(text: str) -> str:
    text = _VOICE.sub(lambda m: f"{m.group(1).strip()}: ", text)
    text = _SRT_FORMATTING.sub("", _TAG.sub("", text))
    return " ".join(text.split())


def segment(start: float, end: float, text: str) -> Segment:
    return {"start": round(start, 3), "duration": round(max(end - start, 0.0), 3), "text": text}


def first_line(exc: BaseException) -> str:
    """A parser's complaint in one short line: its first, or its class's name."""
    lines = str(exc).strip().splitlines()
    return (lines[0] if lines else type(exc).__name__)[:200]


def parse(content: bytes | str, fmt: str) -> list[Segment]:
    """Segments from subtitles in ``fmt`` (one of FORMATS)."""
    text = content.decode("utf-8-sig", errors="replace") if isinstance(content, bytes) else content
    if fmt == "json3":
        return parse_json3(text)
    if fmt in ("srv1", "srv2", "srv3"):
        return parse_timedtext_xml(text)
    if fmt == "vtt":
        return parse_vtt(text)
    raise SubtitleFormatError(f"unsupported subtitle format {fmt!r}")


def parse_json3(text: str) -> list[Segment]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SubtitleFormatError(f"not JSON ({exc.msg} at line {exc.lineno})") from exc
    except RecursionError as exc:
        # json3 nests four deep ({"events": [{"segs": [{...}]}]}); the decoder stops at
        # the interpreter's recursion limit, so the depth is bounded there.
        raise SubtitleFormatError("its lists and objects nest hundreds of levels deep") from exc
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        raise SubtitleFormatError('not YouTube json3: there is no "events" list')
    cues = []
    for event in events:
        if not isinstance(event, dict) or not isinstance(event.get("segs"), list):
            continue  # window and style events carry no text
        try:
            start = float(event.get("tStartMs", 0)) / 1000
            duration = float(event.get("dDurationMs", 0)) / 1000
        except (TypeError, ValueError) as exc:
            raise SubtitleFormatError(f"an event has a time that is not a number: {event}") from exc
        words = "".join(str(s.get("utf8", "")) for s in event["segs"] if isinstance(s, dict))
        cues.append((start, start + duration, words))
    return _segments(cues)


def parse_timedtext_xml(text: str) -> list[Segment]:
    """srv1 (``<text start dur>`` in seconds), srv2 and srv3 (``t``/``d`` in ms)."""
    try:
        root = ElementTree.fromstring(text.strip())
    except ElementTree.ParseError as exc:
        raise SubtitleFormatError(f"not timedtext XML ({exc})") from exc
    cues = []
    for element in root.iter():
        if element.tag not in ("text", "p"):
            continue
        if element.get("start") is not None:
            start = float(element.get("start") or 0)
            end = start + float(element.get("dur") or 0)
        elif element.get("t") is not None:
            start = int(element.get("t") or 0) / 1000
            end = start + int(element.get("d") or 0) / 1000
        else:
            continue
        # srv1 escapes its markup once more (&lt;i&gt;), so unescape before cleaning.
        words = html.unescape("".join(element.itertext()))
        cues.append((start, end, words))
    return _segments(cues)


def parse_vtt(text: str, *, strict_when_empty: bool = True) -> list[Segment]:
    try:
        captions = webvtt.from_buffer(io.StringIO(text)).captions
        if not captions and strict_when_empty:
            # The lenient parse drops broken cues silently; a strict one says why.
            webvtt.from_buffer(io.StringIO(text), strict=True)
    except (MalformedFileError, MalformedCaptionError, ValueError) as exc:
        raise SubtitleFormatError(first_line(exc)) from exc
    return rolled(
        (
            caption.start_time.in_milliseconds() / 1000,
            caption.end_time.in_milliseconds() / 1000,
            # webvtt-py keeps a <v Name> span's name apart from the text: put it back in front.
            f"{caption.voice}: {caption.text}" if getattr(caption, "voice", None) else caption.text,
        )
        for caption in captions
    )


def rolled(cues: Iterable[tuple[float, float, str]]) -> list[Segment]:
    """Cues whose lines roll, as YouTube's automatic VTT does: each cue repeats
    the line before it (and some 10 ms cues only repeat). Keeps each line once."""
    segments: list[Segment] = []
    recent: list[str] = []
    for start, end, text in cues:
        fresh = []
        for raw in text.split("\n"):
            line = clean(raw)
            if line and line not in recent:
                fresh.append(line)
                recent = [*recent, line][-2:]
        if fresh:
            segments.append(segment(start, end, " ".join(fresh)))
    return segments


def _segments(cues: list[tuple[float, float, str]]) -> list[Segment]:
    cues = sorted(((s, e, clean(t)) for s, e, t in cues), key=lambda c: c[0])
    cues = [c for c in cues if c[2]]
    segments: list[Segment] = []
    for i, (start, end, words) in enumerate(cues):
        # Automatic captions stay on screen until the next line but one; a
        # segment ends where the next begins so times never overlap.
        if i + 1 < len(cues) and cues[i + 1][0] > start:
            end = min(end, cues[i + 1][0])
        if segments and segments[-1]["text"] == words:
            # The same line sent again as it scrolls: one line, held longer.
            previous = segments[-1]
            segments[-1] = segment(previous["start"], max(end, start), words)
            continue
        segments.append(segment(start, end, words))
    return segments
