"""Captions -> sentences: caption text cleaned, then cut into sentences with their start times.

Punctuated (human) captions are split on their punctuation; auto captions on pauses, discourse
markers and length.
"""

from __future__ import annotations

import math
import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from html import unescape
from itertools import pairwise

from providers.offline.vocabulary import (
    AND_CLAUSE,
    CLAUSE_TAKERS,
    EN_STOPWORDS,
    ENDINGS,
    FINAL_WORDS,
    IMPERATIVES,
    KIND_OF_KEEP_PREV,
    LIKE_FILLER_PREV,
    LIKE_KEEP_NEXT,
    LIKE_SIMILE_NEXT,
    NO_END,
    NOW_BLOCKERS,
    NOW_OPENERS,
    NUMBER_WORDS,
    OPENERS,
    REPEAT_OK,
    SINGLE_FILLERS,
    SO_BLOCKERS,
    SO_OPENERS,
    SPLIT_BEFORE,
    STEP_BLOCKERS,
    STEP_OPENERS,
    SUBJECTS,
    VERB_HINT,
    VERBISH,
    YOU_KNOW_KEEP_NEXT,
    YOU_KNOW_KEEP_PREV,
    word_set,
)

_MAX_CAPTION_SENTENCE = 25
_PAUSE_SECONDS = 1.0

_FILLER_WORD = re.compile(
    r",?\s*\b(?:u+h+m*|u+m+|e+r+m+|er|hmm+|mm+|mhm|ah+)\b(?:,(?=\s|$))?", re.I
)
SPACES = re.compile(r"\s+")
_STRAY_COMMA = re.compile(r"([.!?])\s*,")
_SENTENCE_END = re.compile(r"[。！？]+|[.!?…]+[\"'”’)\]]*(?=\s|$)")
_LAST_WORD = re.compile(r"(\S+)$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?")
_ABBREVIATIONS = word_set(
    """
    mr mrs ms dr prof st sr jr vs etc eg ie approx inc ltd co corp dept fig no vol ca cf al
    jan feb mar apr jun jul aug sep sept oct nov dec mt ft est min max
    """
)


def clean_captions(segments: Iterable[dict], english: bool) -> list[tuple[float, float, str]]:
    """(start, duration, text) per caption, 'um' and 'uh' removed."""
    out: list[tuple[int, float, float, str]] = []
    for position, seg in enumerate(segments or []):
        if not isinstance(seg, dict):
            continue
        # Markup, sound cues and speaker labels are gone already (videos.transcript_cleanup).
        text = unescape(str(seg.get("text") or ""))
        if english:
            text = _FILLER_WORD.sub("", text)
        # Only leading commas go: a trailing one still separates clauses across captions.
        text = _STRAY_COMMA.sub(r"\1", SPACES.sub(" ", text)).strip().lstrip(", ")
        if text:
            out.append(
                (position, as_seconds(seg.get("start")), as_seconds(seg.get("duration")), text)
            )
    # Sorting by start (then original position) keeps a shuffled list in speaking order.
    out.sort(key=lambda c: (c[1], c[0]))
    return [(start, duration, text) for _, start, duration, text in out]


def as_seconds(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def is_punctuated(texts: Iterable[str]) -> bool:
    # Human captions end a sentence every 10-20 words; speech recognition almost never does.
    words = ends = 0
    for text in texts:
        words += len(text.split())
        ends += len(_SENTENCE_END.findall(text))
    return ends > 0 and ends * 40 >= words


def split_punctuated(captions: list[tuple[float, float, str]]) -> list[tuple[str, float]]:
    offsets: list[int] = []
    pieces: list[str] = []
    pos = 0
    for _, _, text in captions:
        offsets.append(pos)
        pieces.append(text)
        pos += len(text) + 1
    joined = " ".join(pieces)

    out: list[tuple[str, float]] = []
    begin = 0
    for match in _SENTENCE_END.finditer(joined):
        if match.group().startswith(".") and _is_abbreviation(joined, match.start()):
            continue
        _emit(out, joined, begin, match.end(), offsets, captions)
        begin = match.end()
    _emit(out, joined, begin, len(joined), offsets, captions)
    return out


def _is_abbreviation(text: str, dot: int) -> bool:
    found = _LAST_WORD.search(text, max(0, dot - 30), dot)
    if not found:
        return False
    word = found.group(1).lstrip("(\"'")
    return (
        word.lower().rstrip(".") in _ABBREVIATIONS
        or (len(word) == 1 and word.isalpha() and word.isupper())
        or bool(_INITIALISM.fullmatch(word))
    )


def _emit(
    out: list[tuple[str, float]],
    joined: str,
    begin: int,
    end: int,
    offsets: list[int],
    captions: list[tuple[float, float, str]],
) -> None:
    text = joined[begin:end].strip()
    if not text:
        return
    first = begin + (len(joined[begin:end]) - len(joined[begin:end].lstrip()))
    caption = max(0, bisect_right(offsets, first) - 1)
    out.append((text, captions[caption][0]))


@dataclass(slots=True)
class _Token:
    word: str
    norm: str
    time: float
    pause: float  # silence before this word, in seconds


def split_caption_run_ons(
    captions: list[tuple[float, float, str]], english: bool
) -> list[tuple[str, float]]:
    """Sentences for captions without punctuation: cut at pauses, discourse markers, length."""
    tokens = _caption_tokens(captions)
    if english:
        tokens = _drop_spoken_fillers(tokens)
    out = []
    for run in _merge_short_runs(_runs(tokens, english)):
        pieces = _segment_run(run) if english else [run]
        for piece in pieces:
            for part in _split_long(piece):
                out.append((" ".join(t.word for t in part), part[0].time))
    return out


def _caption_tokens(captions: list[tuple[float, float, str]]) -> list[_Token]:
    # YouTube's auto captions often overlap (a line stays up until the next-but-one starts);
    # then silence can only be estimated from start times and a brisk speaking rate.
    overlaps = sum(1 for (s1, d1, _), (s2, _, _) in pairwise(captions) if s1 + d1 > s2 + 0.1)
    overlapping = overlaps * 2 > len(captions) - 1
    tokens: list[_Token] = []
    previous: tuple[float, float, int] | None = None
    for start, duration, text in captions:
        words = text.split()
        if previous is None:
            pause = 0.0
        elif overlapping:
            # Only a clear silence counts: the estimate is too rough for small pauses.
            pause = start - previous[0] - previous[2] / 2.2
            pause = pause if pause > _PAUSE_SECONDS else 0.0
        else:
            pause = start - previous[0] - previous[1]
        step = duration / len(words) if duration > 0 else 0.0
        for i, word in enumerate(words):
            norm = word.lower().strip('.,!?;:"()[]').replace("’", "'")
            tokens.append(_Token(word, norm, start + i * step, pause if i == 0 else 0.0))
        previous = (start, duration, len(words))
    return tokens


def _drop_spoken_fillers(tokens: list[_Token]) -> list[_Token]:
    """Remove 'you know', 'I mean', filler 'like', hedging 'kind of' and stutters."""
    out: list[_Token] = []
    carried = 0.0  # a dropped word's pause moves to the next kept word
    n = len(tokens)
    i = 0
    while i < n:
        word = tokens[i].norm
        nxt = tokens[i + 1].norm if i + 1 < n else ""
        after = tokens[i + 2].norm if i + 2 < n else ""
        prev = out[-1].norm if out else ""
        skip = 0
        if word in SINGLE_FILLERS:
            skip = 1
        elif word == "you" and nxt == "know":
            if prev not in YOU_KNOW_KEEP_PREV and after not in YOU_KNOW_KEEP_NEXT:
                skip = 2
        elif word == "i" and nxt == "mean":
            if prev not in {"what", "do", "did", "don't", "if"} and after not in {"that", "to"}:
                skip = 2
        elif word in ("kind", "sort") and nxt == "of":
            if prev not in KIND_OF_KEEP_PREV:
                skip = 2
        elif word == "like":
            simile = prev not in ("and", "but", "so") and nxt in LIKE_SIMILE_NEXT
            if prev in LIKE_FILLER_PREV and nxt and nxt not in LIKE_KEEP_NEXT and not simile:
                skip = 1
        elif word == prev and word not in REPEAT_OK:
            skip = 1
        elif len(out) >= 2 and out[-2].norm == word and out[-1].norm == nxt and word:
            skip = 2  # "i think i think"
        if skip:
            carried = max(carried, *(tokens[j].pause for j in range(i, min(n, i + skip))))
            i += skip
            continue
        token = tokens[i]
        if carried:
            token = _Token(token.word, token.norm, token.time, max(token.pause, carried))
            carried = 0.0
        out.append(token)
        i += 1
    return out


def _runs(tokens: list[_Token], english: bool) -> list[list[_Token]]:
    runs: list[list[_Token]] = []
    current: list[_Token] = []
    for i, token in enumerate(tokens):
        if current and (
            token.pause > _PAUSE_SECONDS
            or (english and len(current) >= 4 and _opens_sentence(tokens, i))
        ):
            runs.append(current)
            current = []
        current.append(token)
    if current:
        runs.append(current)
    return runs


def _opens_sentence(tokens: list[_Token], i: int) -> bool:
    """Whether word i starts a new spoken sentence ("so today...", "okay", "and now...")."""
    word = tokens[i].norm
    nxt = tokens[i + 1].norm if i + 1 < len(tokens) else ""
    prev = tokens[i - 1].norm if i else ""
    if word in ("okay", "ok", "alright", "anyway", "anyways"):
        return True
    if word == "all" and nxt == "right":
        return prev not in ("is", "was", "be", "it's", "are")
    if word == "so":
        return nxt in SO_OPENERS and prev not in SO_BLOCKERS
    if word in ("and", "but") and nxt == "now":
        return True
    if word == "and" and nxt == "so":
        after = tokens[i + 2].norm if i + 2 < len(tokens) else ""
        return after in SO_OPENERS
    if word == "now":
        return nxt in NOW_OPENERS and prev not in NOW_BLOCKERS
    if word in ("then", "next", "finally", "first"):
        return nxt in STEP_OPENERS and prev not in STEP_BLOCKERS
    return False


def _merge_short_runs(runs: list[list[_Token]]) -> list[list[_Token]]:
    # A pause after "okay" or mid-thought leaves a stub; it belongs to what follows.
    merged: list[list[_Token]] = []
    pending: list[_Token] = []
    for run in runs:
        run = pending + run
        pending = []
        if len(run) < 4:
            pending = run
        else:
            merged.append(run)
    if pending:
        if merged:
            merged[-1] = merged[-1] + pending
        else:
            merged.append(pending)
    return merged


def _segment_run(run: list[_Token]) -> list[list[_Token]]:
    """Cut a run-on stretch of speech into sentences.

    Dynamic programming over plausible boundaries: each boundary earns its score (does the next
    word open a clause, can the previous word end one, was there a short pause), each sentence
    pays for being too short or too long. Only plausible boundaries are candidates, so this stays
    linear in practice.
    """
    n = len(run)
    if n <= 8:
        return [run]
    positions = [0]
    gains = [0.0]
    for i in range(3, n - 2):
        gain = _boundary_score(run, i) - 1.0
        if gain > -0.6:
            positions.append(i)
            gains.append(gain)
    positions.append(n)
    gains.append(0.0)

    best = [0.0] + [-math.inf] * (len(positions) - 1)
    back = [0] * len(positions)
    for j in range(1, len(positions)):
        for i in range(j - 1, -1, -1):
            size = positions[j] - positions[i]
            if size > 40 and i < j - 1:
                break
            value = best[i] + gains[j] - _length_cost(size)
            if value > best[j]:
                best[j], back[j] = value, i
    cuts = []
    j = len(positions) - 1
    while j:
        cuts.append(positions[j])
        j = back[j]
    bounds = [0, *reversed(cuts)]
    return [run[a:b] for a, b in pairwise(bounds)]


def _length_cost(size: int) -> float:
    if size < 4:
        return 8.0
    if size < 6:
        return 1.0
    if size < 8:
        return 0.4
    if size <= 20:
        return 0.0
    if size <= _MAX_CAPTION_SENTENCE:
        return 0.3 * (size - 20)
    return 1.5 + 0.8 * (size - _MAX_CAPTION_SENTENCE)


def _boundary_score(run: list[_Token], i: int) -> float:
    """How likely a sentence ends between word i-1 and word i (0 = not at all)."""
    prev, word = run[i - 1].norm, run[i].norm
    after = run[i + 1].norm if i + 1 < len(run) else ""
    if prev in NO_END:
        return 0.0
    weight = OPENERS.get(word, 0.0)
    if not weight and word in IMPERATIVES and prev not in VERB_HINT:
        weight = 0.8
    if word in ("it", "that", "there") and after not in VERBISH:
        weight = 0.0  # "use it", "like that": objects, not subjects
    elif word == "and" and after not in AND_CLAUSE:
        weight = 0.0  # "flour and water"
    elif word in SUBJECTS and prev in CLAUSE_TAKERS:
        weight = 0.0  # "I think we...", "show you how"
    elif word in ("the", "a", "my", "your") and (
        prev in VERB_HINT
        or prev.endswith("ing")
        or (prev in EN_STOPWORDS and prev not in FINAL_WORDS)
    ):
        weight = 0.0  # "mix the dough", "in the starter"
    if prev in NUMBER_WORDS and (word == "and" or word in NUMBER_WORDS):
        weight = 0.0  # "three hundred and fifty"
    if not weight:
        return 0.0
    pause = run[i].pause
    bonus = min(2.0, 2 * pause) if pause > 0.25 else 0.0
    if prev in FINAL_WORDS:
        bonus += 0.6  # "feed it again / a good trick is..."
    elif prev in ENDINGS or (prev not in EN_STOPWORDS and len(prev) >= 3):
        bonus += 0.3  # sentences tend to end on a content word or an object pronoun
    if after == prev and prev not in EN_STOPWORDS:
        bonus += 1.0  # "an active starter a starter is...": the new sentence picks the noun up
    return weight + bonus


def _split_long(run: list[_Token]) -> list[list[_Token]]:
    if len(run) <= _MAX_CAPTION_SENTENCE:
        return [run]
    middle = len(run) / 2
    best, best_score = len(run) // 2, 0.0
    for j in range(6, len(run) - 5):
        score = SPLIT_BEFORE.get(run[j].norm, 0) + (2 if run[j].pause > 0.4 else 0)
        if run[j - 1].norm in NUMBER_WORDS or run[j - 1].norm in NO_END:
            score = 0
        if score:
            score -= abs(j - middle) / len(run)  # prefer halves of similar size
            if score > best_score:
                best, best_score = j, score
    return _split_long(run[:best]) + _split_long(run[best:])
