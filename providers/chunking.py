"""Token estimates, and cutting a transcript too long for one call into chunks that fit.

Where a chunk ends matters: a cut mid-sentence or mid-topic gives the model half a thought on
each side. So chunks end, in order of preference, at chapter boundaries, then where a sentence
ends and the speaker pauses, then at a pause alone (auto captions have no punctuation, but their
caption timings show when the speaker stops), and as a last resort anywhere. Chunks of one
transcript get about the same size, since the slowest chunk sets the wall time of the parallel
step.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from providers.prompts import MARKER_SECONDS, PostRequest, moment
from providers.tokens import MESSAGE_OVERHEAD

# Plain ASCII text runs at about four characters a token in every tokenizer in use; three and a
# half leaves a margin. Other scripts take more tokens per character (CJK about one a character).
_ASCII_CHARS_PER_TOKEN = 3.5
_OTHER_CHARS_PER_TOKEN = 1.0

_SENTENCE_END = re.compile(r"[.!?…。！？][\"')\]]*$")
_SENTENCE_SPLIT = re.compile(r"(?<=[.!?…。！？])\s+")
# Within this share of the ideal chunk size a better boundary beats a closer one.
_SLACK = 0.2


def count_tokens(text: str) -> int:
    """A safe (high) estimate of the tokens `text` takes, without a tokenizer."""
    if not text:
        return 0
    other = sum(1 for ch in text if ord(ch) > 127)
    ascii_chars = len(text) - other
    return math.ceil(ascii_chars / _ASCII_CHARS_PER_TOKEN + other / _OTHER_CHARS_PER_TOKEN)


def message_tokens(messages: list[dict]) -> int:
    return sum(count_tokens(str(m.get("content", ""))) + MESSAGE_OVERHEAD for m in messages) + 3


@dataclass(frozen=True)
class Piece:
    """The smallest unit a chunk is made of: a caption line, or a sentence of plain text."""

    text: str
    start: float | None
    end: float | None
    tokens: int
    chapter: int  # index into the request's chapters, -1 before the first or without any


@dataclass(frozen=True)
class Chunk:
    pieces: tuple[Piece, ...]
    chapters: list[dict] = field(default_factory=list)  # the chapters this chunk covers

    @property
    def text(self) -> str:
        return " ".join(p.text for p in self.pieces)

    @property
    def tokens(self) -> int:
        return sum(p.tokens for p in self.pieces)

    @property
    def start(self) -> float | None:
        return self.pieces[0].start

    @property
    def end(self) -> float | None:
        return self.pieces[-1].end


def pieces_of(request: PostRequest, max_piece_tokens: int) -> list[Piece]:
    """The transcript as pieces no bigger than `max_piece_tokens`, with time links if wanted."""
    segments = request.segments or [{"start": None, "duration": None, "text": request.transcript}]
    timed = len(segments) > 1 and any(s.get("start") for s in segments)
    starts = [float(c.get("start") or 0) for c in request.chapters]
    links = request.links_timestamps and timed
    next_marker: float | None = None
    pieces: list[Piece] = []
    for segment in segments:
        text = " ".join(str(segment.get("text", "")).split())
        if not text:
            continue
        start = float(segment["start"]) if timed and segment.get("start") is not None else None
        duration = float(segment.get("duration") or 0) if timed else 0.0
        end = start + duration if start is not None else None
        if links and start is not None and (next_marker is None or start >= next_marker):
            # The time link is part of the piece, so the budget counts it.
            text = f"\n{moment(request.video_id, start)} {text}"
            next_marker = start + MARKER_SECONDS
        chapter = _chapter_at(starts, start)
        for part in _split_text(text, max_piece_tokens):
            pieces.append(Piece(part, start, end, count_tokens(part) + 1, chapter))
    return pieces


def split(request: PostRequest, budget: int) -> list[Chunk]:
    """The transcript in chunks of at most `budget` tokens each (a piece counts its space)."""
    if budget < 16:
        raise ValueError(f"A chunk budget of {budget} tokens is too small to hold text.")
    pieces = pieces_of(request, max(8, budget // 4))
    groups = _chapter_groups(pieces)
    chunks: list[list[Piece]] = []
    current: list[Piece] = []
    size = 0
    for group in groups:
        group_size = sum(p.tokens for p in group)
        if group_size > budget:
            if current:
                chunks.append(current)
                current, size = [], 0
            chunks.extend(cut(group, budget))
        elif size + group_size > budget:
            chunks.append(current)
            current, size = list(group), group_size
        else:
            current.extend(group)
            size += group_size
    if current:
        chunks.append(current)
    return [Chunk(tuple(c), _chapters_in(request.chapters, c)) for c in chunks]


def halve(request: PostRequest, chunk: Chunk) -> list[Chunk]:
    """The chunk in two at its best boundary near the middle; [] when it is one piece."""
    if len(chunk.pieces) < 2:
        return []
    # Some slack over a half, or a boundary short of the middle leaves a sliver for a third run.
    parts = cut(list(chunk.pieces), math.ceil(chunk.tokens * 0.6))
    return [Chunk(tuple(p), _chapters_in(request.chapters, p)) for p in parts]


def cut(pieces: list[Piece], budget: int) -> list[list[Piece]]:
    """Pieces in runs of at most `budget` tokens, about the same size, at the best boundaries."""
    runs: list[list[Piece]] = []
    i = 0
    while i < len(pieces):
        remaining = sum(p.tokens for p in pieces[i:])
        if remaining <= budget:
            runs.append(pieces[i:])
            break
        # Re-aimed after every cut, so a short run early does not leave a sliver at the end.
        target = remaining / math.ceil(remaining / budget)
        end = _best_end(pieces, i, target, budget)
        runs.append(pieces[i:end])
        i = end
    return runs


def _best_end(pieces: list[Piece], i: int, target: float, budget: int) -> int:
    """Where a run starting at `i` should end (exclusive): near `target`, never past `budget`."""
    low = target * (1 - _SLACK)
    best, best_score = i + 1, -math.inf
    size = 0
    for j in range(i, len(pieces)):
        size += pieces[j].tokens
        if size > budget:
            break
        end = j + 1
        if end >= len(pieces):
            return end
        if size < low:
            best = end  # too short to be chosen on merit, but a fallback if nothing else fits
            continue
        # Quality of the boundary minus how far the run strays from the ideal size.
        score = _boundary(pieces[j], pieces[end]) - 2.0 * abs(size - target) / target
        if score > best_score:
            best, best_score = end, score
    return best


def _boundary(before: Piece, after: Piece) -> float:
    score = 0.0
    if _SENTENCE_END.search(before.text):
        score += 1.0
    if before.end is not None and after.start is not None:
        # A pause of a second or more is where auto captions hide their sentence ends.
        score += min(max(after.start - before.end, 0.0), 2.0)
    if after.text.lstrip().startswith("[") and "](" in after.text:
        score += 0.25  # the next piece opens with a time link: its run starts well labelled
    return score


def _chapter_groups(pieces: list[Piece]) -> list[list[Piece]]:
    groups: list[list[Piece]] = []
    for piece in pieces:
        if groups and groups[-1][-1].chapter == piece.chapter:
            groups[-1].append(piece)
        else:
            groups.append([piece])
    return groups


def _chapter_at(starts: list[float], time: float | None) -> int:
    if time is None or not starts:
        return -1
    index = -1
    for i, start in enumerate(starts):
        if start <= time + 0.5:  # chapter marks are whole seconds, captions are not
            index = i
        else:
            break
    return index


def _chapters_in(chapters: list[dict], pieces: list[Piece] | tuple[Piece, ...]) -> list[dict]:
    seen = sorted({p.chapter for p in pieces if p.chapter >= 0})
    return [chapters[i] for i in seen]


def _split_text(text: str, limit: int) -> list[str]:
    """Text of at most `limit` tokens a part: whole sentences where possible, else words."""
    if count_tokens(text) <= limit:
        return [text]
    parts: list[str] = []
    current = ""
    for sentence in _SENTENCE_SPLIT.split(text):
        words = [sentence] if count_tokens(sentence) <= limit else sentence.split(" ")
        # A "word" over the limit is a script without spaces: cut it by characters
        # (no character takes more than one token in the estimate).
        words = [w[k : k + limit] for w in words for k in range(0, max(len(w), 1), limit)]
        for word in words:
            candidate = f"{current} {word}" if current else word
            if current and count_tokens(candidate) > limit:
                parts.append(current)
                current = word
            else:
                current = candidate
    if current:
        parts.append(current)
    return parts
