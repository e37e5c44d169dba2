"""Sentence polish: a spoken sentence turned into a written one (no fillers, capitalized,
punctuated, numbers as digits), with what the writer needs to know about it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from providers.offline.captions import SPACES
from providers.offline.vocabulary import (
    BACK_REFERENCES,
    CONJUNCTIONS,
    GLUE_WORDS,
    KIND_OF_KEEP_PREV,
    NO_END,
    REPEAT_OK,
    TENS_NAMES,
    UNIT_NAMES,
    word_set,
)

_MIN_WORDS = 5
_MAX_WORDS = 45

CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
BOILERPLATE = re.compile(
    r"\b(?:subscrib\w*|thanks? (?:you )?(?:so much )?for watching|see you (?:guys )?(?:in|on) "
    r"the next|(?:link|links) (?:is |are )?(?:in|down in) the description|description below"
    r"|comments? (?:below|down below)|in the comments|hit the bell|notification bell|patreon"
    r"|sponsor\w*|welcome back to (?:the|my) channel|smash (?:that|the) like|like this video"
    r"|liked this video|welcome back|(?:hi|hey|hello) (?:everyone|everybody|guys|folks|there))\b",
    re.I,
)
# Sentences that announce rather than say: fine to open a post, useless as a takeaway.
_SIGNPOST = re.compile(
    r"^(?:(?:today|now|so|and|first)\s+)?(?:we(?:'re| are) going to|i(?:'m| am) going to"
    r"|i want to|let's|let me|we will|we'll|i'll|now for)\b|\b(?:going to (?:talk|show|look"
    r"|cover|go over|explain)|talk about|in this video)\b",
    re.I,
)
_REPEAT_WORD = re.compile(r"\b([\w']+)(?:\s+\1\b)+", re.I)
_REPEAT_PAIR = re.compile(r"\b([\w']+\s+[\w']+)(?:\s+\1\b)+", re.I)
_COMMA_FILLER = re.compile(
    r"(\b[\w']+)?\s*,\s*(?:you know|i mean|like|sort of|kind of)\s*,\s*", re.I
)
_LEADING_FILLER = re.compile(r"^(?:you know|i mean|like|so yeah|yeah)\s*,\s*", re.I)
_TRAILING_FILLER = re.compile(r",\s*(?:you know|i mean|right|sort of|kind of)(?=\s*[.!?]*$)", re.I)
_KIND_OF = re.compile(r"\b([\w']+)\s+(?:kind|sort)\s+of\b\s*", re.I)
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.!?;:])")
_DOUBLE_PUNCT = re.compile(r"([,;:])(?:\s*[,;:])+")
_COMMA_BEFORE_END = re.compile(r"[,;:]\s*([.!?])")
_LONE_I = re.compile(r"\bi\b(?!\.\w)")
_KEY_WORDS = re.compile(r"\w+")


@dataclass(slots=True)
class Sentence:
    index: int
    text: str
    start: float
    words: int
    key: str  # normalized text: two sentences with the same key are the same sentence
    eligible: bool = False
    terms: list[str] = field(default_factory=list)
    bigrams: list[str] = field(default_factory=list)
    vector: dict[str, float] = field(default_factory=dict)
    norm: float = 0.0
    quality: float = 1.0
    signpost: bool = False  # "today we're going to talk about..."


def build_sentences(
    raw: list[tuple[str, float]], *, punctuated: bool, english: bool
) -> list[Sentence]:
    out: list[Sentence] = []
    for text, start in raw:
        text = _polish(text, punctuated=punctuated, english=english)
        if not text:
            continue
        words = _count_words(text)
        sentence = Sentence(
            index=len(out),
            text=text,
            start=start,
            words=words,
            key=" ".join(_KEY_WORDS.findall(text.lower())),
        )
        sentence.eligible = _MIN_WORDS <= words <= _MAX_WORDS and not BOILERPLATE.search(text)
        sentence.signpost = bool(_SIGNPOST.search(text))
        out.append(sentence)
    return out


def _polish(text: str, *, punctuated: bool, english: bool) -> str:
    """Turn a spoken sentence into a written one: no fillers, capitalized, punctuated."""
    text = SPACES.sub(" ", text).strip()
    if english:
        if punctuated:
            text = _LEADING_FILLER.sub("", text)
            text = _TRAILING_FILLER.sub("", text)
            text = _COMMA_FILLER.sub(_comma_filler, text)
            text = _KIND_OF.sub(_kind_of, text)
        text = _REPEAT_PAIR.sub(r"\1", text)
        text = _REPEAT_WORD.sub(_repeat, text)
        text = _strip_openers(text, punctuated)
        text = _LONE_I.sub("I", text)
        if not punctuated:
            text = _digits(text)
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text)
    text = _DOUBLE_PUNCT.sub(r"\1", text)
    text = _COMMA_BEFORE_END.sub(r"\1", text)
    text = text.strip(" ,;:-–—")
    if not any(ch.isalnum() for ch in text):
        return ""
    text = capitalize(text)
    if text[-1] not in ".!?…。！？\"'”’)":
        question = english and not punctuated and _sounds_like_question(text)
        text += "?" if question else "."
    return text


_UNITS = {w: i for i, w in enumerate(UNIT_NAMES)}
_TENS = {w: 10 * i for i, w in enumerate(TENS_NAMES, 2)}
_SCALES = {"thousand": 1_000, "million": 1_000_000}
_NUMBER_WORD = re.compile(
    r"\b(?:{}|hundred)\b".format("|".join([*_UNITS, *_TENS, *_SCALES][1:])), re.I
)


def _digits(text: str) -> str:
    """Write spoken numbers of ten and above as digits: "three hundred and fifty" -> "350".

    A sentence never starts with digits, and a spoken list of quantities gets its commas back:
    "500 grams of flour, 350 grams of water".
    """
    if not _NUMBER_WORD.search(text):
        return text
    words = text.split(" ")
    if _read_number(words, 0)[0] >= 10:
        return text  # "Fifty grams of flour and fifty grams of water", not "Fifty ... 50"
    out: list[str] = []
    seen_number = False
    i = 0
    while i < len(words):
        value, end = _read_number(words, i)
        if end > i and value >= 10 and i > 0:
            trail = words[end - 1][len(words[end - 1].rstrip(".,!?")) :]
            previous = out[-1]
            if seen_number and previous.isalpha() and previous.lower() not in NO_END:
                out[-1] = previous + ","
            out.append(f"{value}{trail}")
            seen_number = True
            i = end
        else:
            out.append(words[i])
            i += 1
    return " ".join(out)


def _read_number(words: list[str], i: int) -> tuple[int, int]:
    total = current = 0
    last = ""
    j = i
    while j < len(words):
        word = words[j].lower().rstrip(".,!?")
        if word in _UNITS:
            if last in ("unit", "teen") or (last == "tens" and not 0 < _UNITS[word] < 10):
                break
            current += _UNITS[word]
            last = "teen" if _UNITS[word] >= 10 else "unit"
        elif word in _TENS:
            if last in ("unit", "teen", "tens"):
                break
            current += _TENS[word]
            last = "tens"
        elif word == "hundred" and last in ("unit", "teen") and current < 100:
            current *= 100
            last = "hundred"
        elif word in _SCALES and last and last != "scale":
            total += current * _SCALES[word]
            current = 0
            last = "scale"
        elif (
            word == "and"
            and last in ("hundred", "scale")
            and j + 1 < len(words)
            and words[j + 1].lower().rstrip(".,!?") in (_UNITS.keys() | _TENS.keys())
        ):
            pass
        else:
            break
        j += 1
    return total + current, j


def _comma_filler(match: re.Match[str]) -> str:
    prev = match.group(1) or ""
    if not prev:
        return ", "
    return f"{prev} " if prev.lower() in GLUE_WORDS else f"{prev}, "


def _kind_of(match: re.Match[str]) -> str:
    prev = match.group(1)
    return match.group(0) if prev.lower() in KIND_OF_KEEP_PREV else f"{prev} "


def _repeat(match: re.Match[str]) -> str:
    word = match.group(1)
    return match.group(0) if word.lower() in REPEAT_OK else word


def _strip_openers(text: str, punctuated: bool) -> str:
    """Drop spoken openers ("So,", "Okay so", "And") that a written sentence does without."""
    while True:
        words = text.split(" ", 2)
        if len(words) < 3 or len(text.split()) < 4:
            return text
        first = words[0].lower()
        bare = first.rstrip(",")
        nxt = words[1].lower().strip(",.")
        comma = first.endswith(",")
        if bare in ("okay", "ok", "alright", "anyway", "anyways", "yeah", "um", "uh"):
            cut = 1
        elif bare == "all" and nxt == "right":
            cut = 2
        elif (
            bare == "and"
            or (bare == "so" and nxt not in _SO_KEEP_NEXT)
            or (bare == "well" and (comma or (not punctuated and nxt in _WELL_NEXT)))
            or (bare == "right" and comma)
        ):
            cut = 1
        else:
            return text
        text = text.split(" ", cut)[cut].lstrip(" ,")


_SO_KEEP_NEXT = word_set("many much far long few good bad big little called that")
_WELL_NEXT = word_set("i we you it that this the there so")


def capitalize(text: str) -> str:
    for i, ch in enumerate(text):
        if ch.isalpha():
            return text[:i] + ch.upper() + text[i + 1 :]
        if ch.isdigit():
            return text
    return text


def _sounds_like_question(text: str) -> bool:
    words = text.lower().split()
    if len(words) < 3:
        return False
    first, second = words[0], words[1]
    auxiliaries = {
        "is",
        "are",
        "do",
        "does",
        "did",
        "can",
        "could",
        "should",
        "would",
        "will",
        "was",
        "were",
        "have",
        "has",
    }
    if first in ("what", "why", "how", "who", "where", "when", "which"):
        return second in auxiliaries
    return first in auxiliaries and second in {
        "you",
        "we",
        "i",
        "it",
        "they",
        "he",
        "she",
        "this",
        "that",
        "there",
    }


def _count_words(text: str) -> int:
    words = len(text.split())
    cjk = len(CJK.findall(text))
    return max(words, cjk // 2) if cjk else words


def sentence_quality(sentence: Sentence) -> float:
    # Readers forgive a dull sentence more than a dangling one.
    q = 1.0
    if sentence.words < 8:
        q *= 0.75
    elif sentence.words > 32:
        q *= 0.85
    if sentence.text.endswith("?"):
        q *= 0.7
    words = sentence.text.lower().replace(",", "").split()
    if words[0] in BACK_REFERENCES:
        q *= 0.85
    elif len(words) > 1 and words[0] in CONJUNCTIONS and words[1] in BACK_REFERENCES:
        q *= 0.9  # "If it tastes bitter...": what is "it"?
    if sentence.signpost:
        q *= 0.75
    distinct = len(set(sentence.terms))
    if distinct < 3:
        q *= 0.6 if distinct < 2 else 0.8  # central only because it repeats the commonest words
    return q
