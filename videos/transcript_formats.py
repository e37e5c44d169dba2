"""A stored transcript written out as plain text, SubRip (.srt) or WebVTT (.vtt).

Segments come from three places with different ideas of time: YouTube captions
(real, often overlapping), subtitle files (real) and plain-text uploads, which
may carry start 0 and duration 0 everywhere. Every output must still be a file
a player accepts, so untimed text gets times estimated from its word counts.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from pathlib import PurePath
from typing import Any

import srt

from blogtube_site.timecodes import clock
from videos.transcript_files import SENTENCE_BREAK, WORDS_PER_MINUTE

FORMATS: dict[str, str] = {
    "txt": "text/plain; charset=utf-8",
    "srt": "application/x-subrip; charset=utf-8",
    "vtt": "text/vtt; charset=utf-8",
}
MIN_CUE_SECONDS = 1.0
PARAGRAPH_WORDS = 90  # a paragraph may end at a sentence end after this many words
MAX_PARAGRAPH_WORDS = 180  # auto captions have no punctuation: cut anyway
PARAGRAPH_GAP_SECONDS = 3.0  # a pause this long starts a new paragraph

_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*$")
_INNER_SENTENCE_END = re.compile(r"([.!?…][\"')\]]*)\s+")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


@dataclass(frozen=True)
class Cue:
    start: float  # seconds
    end: float
    text: str


@dataclass(frozen=True)
class Paragraph:
    start: float
    text: str

    @property
    def seconds(self) -> int:
        return int(self.start)

    @property
    def stamp(self) -> str:
        return clock(self.start)


def _estimate(text: str) -> float:
    return max(MIN_CUE_SECONDS, len(text.split()) * 60 / WORDS_PER_MINUTE)


def cues(segments: list[dict[str, Any]], fallback_text: str = "") -> list[Cue]:
    """Segments as cues with usable times: never negative, never empty, in order."""
    items = []
    for seg in segments or []:
        text = " ".join(str(seg.get("text") or "").split())
        if text:
            items.append((float(seg.get("start") or 0), float(seg.get("duration") or 0), text))
    if not items and fallback_text.strip():
        items = [(0.0, 0.0, s) for s in SENTENCE_BREAK.split(" ".join(fallback_text.split())) if s]

    timed = any(start > 0 or duration > 0 for start, duration, _ in items)
    result: list[Cue] = []
    clock_at = 0.0
    for i, (start, duration, text) in enumerate(items):
        if not timed:
            # Untimed text: one cue after the other at speaking pace.
            start = clock_at
            duration = _estimate(text)
        else:
            start = max(start, 0.0)
            if result and start < result[-1].start:
                start = result[-1].start  # out-of-order input: keep the file monotonic
            if duration <= 0:
                following = items[i + 1][0] if i + 1 < len(items) else 0.0
                duration = following - start if following > start else _estimate(text)
        end = start + max(duration, 0.001)
        result.append(Cue(start=round(start, 3), end=round(end, 3), text=text))
        clock_at = end
    return result


def paragraphs(segments: list[dict[str, Any]], fallback_text: str = "") -> list[Paragraph]:
    """Cues joined into readable paragraphs: at pauses, or at a sentence end once long enough."""
    result: list[Paragraph] = []
    parts: list[str] = []
    words = 0
    start = 0.0
    previous_end: float | None = None
    for cue in cues(segments, fallback_text):
        pause = previous_end is not None and cue.start - previous_end >= PARAGRAPH_GAP_SECONDS
        if parts and (pause or words >= MAX_PARAGRAPH_WORDS):
            result.append(Paragraph(start, " ".join(parts)))
            parts, words = [], 0
        if not parts:
            start = cue.start
        parts.append(cue.text)
        words += len(cue.text.split())
        previous_end = cue.end
        if words < PARAGRAPH_WORDS:
            continue
        if _SENTENCE_END.search(cue.text):
            result.append(Paragraph(start, " ".join(parts)))
            parts, words = [], 0
            continue
        # Captions cut lines mid-sentence: end the paragraph at the cue's last sentence end.
        boundaries = list(_INNER_SENTENCE_END.finditer(cue.text))
        if boundaries:
            cut = boundaries[-1]
            parts[-1] = cue.text[: cut.start()] + cut.group(1)
            result.append(Paragraph(start, " ".join(parts)))
            rest = cue.text[cut.end() :]
            parts, words, start = [rest], len(rest.split()), cue.start
    if parts:
        result.append(Paragraph(start, " ".join(parts)))
    return result


def to_txt(segments: list[dict[str, Any]], fallback_text: str = "") -> str:
    return "\n\n".join(p.text for p in paragraphs(segments, fallback_text)) + "\n"


def _cue_text(text: str) -> str:
    # "-->" inside a caption reads as a time line to every parser.
    return text.replace("-->", "→")


def to_srt(segments: list[dict[str, Any]], fallback_text: str = "") -> str:
    subtitles = [
        srt.Subtitle(
            index=n,
            start=timedelta(seconds=cue.start),
            end=timedelta(seconds=cue.end),
            content=_cue_text(cue.text),
        )
        for n, cue in enumerate(cues(segments, fallback_text), start=1)
    ]
    return srt.compose(subtitles)


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02}:{minutes:02}:{secs:02}.{millis:03}"


def to_vtt(segments: list[dict[str, Any]], fallback_text: str = "") -> str:
    blocks = ["WEBVTT\n"]
    for n, cue in enumerate(cues(segments, fallback_text), start=1):
        # WebVTT cue text is markup: these three must be escaped.
        text = _cue_text(cue.text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        blocks.append(f"{n}\n{_vtt_time(cue.start)} --> {_vtt_time(cue.end)}\n{text}\n")
    return "\n".join(blocks)


WRITERS = {"txt": to_txt, "srt": to_srt, "vtt": to_vtt}


def render(segments: list[dict[str, Any]], fmt: str, fallback_text: str = "") -> str:
    """The transcript in one of FORMATS; KeyError for any other format."""
    return WRITERS[fmt](segments, fallback_text)


def file_name(base: str, language_code: str, fmt: str) -> str:
    """<video id or file stem>.<language>.<fmt>, with only characters every system accepts."""
    # Not stripping "-": YouTube ids may start with one.
    stem = _UNSAFE_NAME.sub("-", PurePath(base).stem if "." in base else base).strip(".")
    language = _UNSAFE_NAME.sub("-", language_code or "und").strip("-.") or "und"
    return f"{stem or 'transcript'}.{language}.{fmt}"
