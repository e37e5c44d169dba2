"""A transcript as a writer should read it: what was said, by whom, in sentence case.

Captions carry what a screen needs and a reader does not: markup (``\\N``, ``\\h``, ``{\\an8}``,
``<i>``, ``<font>``, ``<c.colour>``, ``&amp;``), sound and stage directions (``( clock ticking )``,
``[Music]``, ``♪ … ♪``), the same line again as auto captions roll, whole captions in capitals,
credits ("Downloaded from …"). They also carry what a writer can use: who speaks (``MAN 2:``,
``[Alba]``, ``<v Roger Bingham>``, ``>>``, a ``-`` opening each line of a two-person caption).

``clean_transcript`` is applied once, in the generate step, to the stored segments before any
writer (the offline one or a model) sees them; the stored transcript, and the files people
download, stay as they were fetched or uploaded. Each turn of speech becomes its own segment with
its ``speaker`` (a name, or "" when only the change of speaker is known) and ``turn`` (True when
a new speaker starts there).

Captions from speech recognition have no punctuation; this module leaves them so. No sentence
splitter that works offline restores punctuation: the libraries that do (deepmultilingual-
punctuation, rpunct, punctuators, wtpsplit) download model weights at run time, and pysbd only
splits text that is punctuated already. A model writer punctuates as it writes; the offline
writer cuts auto captions into sentences itself, from pauses, discourse markers and length.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from functools import lru_cache
from html import unescape
from itertools import pairwise
from typing import Any


# ASS/SSA (and SubRip players copying them): a forced line break, a hard space, an override block.
def _word_set(text: str) -> frozenset[str]:
    return frozenset(text.split())


_ASS_BREAK = re.compile(r"\\[Nnh]")
_ASS_OVERRIDE = re.compile(r"\{\\[^{}]*\}")
_MAY_MARK = re.compile(r"[\\<&\u00a0{]")
_VOICE = re.compile(r"<v(?:\.[^\s>]*)?\s+([^<>]{1,60})>", re.I)
# A tag starts with a letter or a slash: "2 < 3" and "2<3,5>1" are text.
_TAG = re.compile(r"</?[A-Za-z][^<>]{0,200}>|<\d[\d:.]*>")
_MUSIC_NOTES = "♪♫♬♩"
_SONG = re.compile(rf"[{_MUSIC_NOTES}][^{_MUSIC_NOTES}]*[{_MUSIC_NOTES}]")
_NOTE = re.compile(rf"[{_MUSIC_NOTES}#]*[{_MUSIC_NOTES}]")
_BRACKETS = re.compile(r"\[([^\[\]]{0,60})\]")
_PARENS = re.compile(r"\(([^()]{0,60})\)")
# Sounds that captions for the deaf describe, in the languages BlogTube writes most.
_SOUNDS = _word_set(
    """
    music musical applause laughter laughs laughing laugh chuckles chuckling cheering cheers
    inaudible silence crosstalk noise sighs sigh gasps screams screaming crying cries coughs
    coughing groans indistinct static beeping ringing whistling singing sings humming clapping
    footsteps thunder explosion gunshot gunshots door knocking knock phone sound sounds
    música musica aplausos risas ríe rien ríen risa llora grita suspira silencio truenos disparos
    musique applaudissements rires rit soupire bruit bruits pleure crie
    musik applaus lachen gelächter seufzt stille geräusch
    """
)
_LABEL = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ0-9'’. -]{0,28}[A-ZÀ-ÖØ-Þ0-9]|[A-ZÀ-ÖØ-Þ]"
# "MAN 2:", "NARRATOR:", "DR. SMITH:" anywhere a turn starts; "John:" only where it recurs.
_CAPS_SPEAKER = re.compile(rf"^({_LABEL}):\s+")
_NAME_SPEAKER = re.compile(r"^([A-ZÀ-Ö][\w'’.-]{1,20}(?: [\w'’.-]{1,20}){0,2}):\s+")
_YT_SPEAKER = re.compile(r"(?:^|\s)>>\s*")
# A dash opening a line of a two-person caption: at the start, or after the end of a sentence.
_DASH_TURN = re.compile(r"(?:^|(?<=[.!?…\"»”]))\s*[-–—]\s*(?=\S)")
_CREDIT = re.compile(
    r"\b(?:downloaded from|subtitles? (?:by|ripped)|synced? (?:by|and corrected)|subs by"
    r"|captions? by|captioning (?:by|provided))\b",
    re.I,
)
_SPACES = re.compile(r"\s+")
_SPACE_BEFORE = re.compile(r"\s+([,.…])(?!\S)")
_WORD = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)*")
_SENTENCE_END = re.compile(r"[.!?…][\"'”’»)]*$")
# Rolling captions repeat at least this many words of the line before.
_MIN_OVERLAP = 3


@dataclass(frozen=True)
class CleanTranscript:
    segments: list[dict[str, Any]]  # {"start", "duration", "text", "speaker", "turn"}
    speakers: list[str]  # named speakers, in the order they first speak

    @property
    def text(self) -> str:
        """One line per caption; a speaker's name opens each line where the speaker changes."""
        lines = []
        previous = None
        for seg in self.segments:
            speaker = seg["speaker"]
            if speaker and speaker != previous:
                lines.append(f"{speaker}: {seg['text']}")
            else:
                lines.append(seg["text"])
            if speaker or seg["turn"]:
                previous = speaker
        return "\n".join(lines)


def clean_transcript(segments: list[dict[str, Any]], language: str = "") -> CleanTranscript:
    """The segments as a writer should read them (see the module's docstring)."""
    lang = (language or "").lower().replace("_", "-").split("-")[0]
    raw = [
        (_number(seg.get("start")), _number(seg.get("duration")), _strip_markup(seg.get("text")))
        for seg in segments or []
        if isinstance(seg, dict)
    ]
    labels = _recurring_name_labels(text for _, _, text in raw)
    turns: list[dict[str, Any]] = []
    speaking = ""  # a named speaker goes on until the captions mark another turn
    for start, duration, text in raw:
        if _CREDIT.search(text):
            continue
        pieces = []
        for speaker, turn, piece in _split_turns(text, labels):
            speaking = speaker or ("" if turn else speaking)
            pieces.append((speaking, turn, piece))
        total = sum(len(t) for _, _, t in pieces) or 1
        offset = start
        for speaker, turn, piece in pieces:
            share = duration * len(piece) / total
            piece = _strip_directions(piece)
            if any(ch.isalpha() for ch in piece) and not _only_a_sound(piece):
                turns.append(
                    {
                        "start": round(offset, 3),
                        "duration": round(share, 3),
                        "text": piece,
                        "speaker": speaker,
                        "turn": turn,
                    }
                )
            offset += share
    turns = _drop_rolled_repeats(turns)
    _sentence_case(turns, lang)
    speakers = list(dict.fromkeys(t["speaker"] for t in turns if t["speaker"]))
    return CleanTranscript(segments=turns, speakers=speakers)


def _number(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if number == number and 0 < number < 1e9 else 0.0  # NaN, inf: untimed


def _strip_markup(value: object) -> str:
    text = str(value or "")
    if not _MAY_MARK.search(text):
        return text.strip()
    text = unescape(text)
    text = _ASS_OVERRIDE.sub("", text)
    text = _ASS_BREAK.sub(" ", text)
    text = _VOICE.sub(lambda m: f"\n{m.group(1).strip()}: ", text)
    text = _TAG.sub("", text)
    return text.replace("\u00a0", " ").strip()


def _recurring_name_labels(texts: Any) -> frozenset[str]:
    # "John:" opening a caption is a speaker when it does so more than once; once, it may be
    # "Note:" or "Step one:".
    counts: Counter[str] = Counter()
    for text in texts:
        for line in text.split("\n"):
            found = _NAME_SPEAKER.match(line.strip())
            if found:
                counts[found.group(1)] += 1
    return frozenset(label for label, n in counts.items() if n >= 2)


def _split_turns(text: str, labels: frozenset[str]) -> list[tuple[str, bool, str]]:
    """(speaker, starts a new turn, text) for each turn a caption holds."""
    out: list[tuple[str, bool, str]] = []
    for line in text.split("\n"):
        line = line.strip()
        if not line:
            continue
        for n, chunk in enumerate(_YT_SPEAKER.split(line)):
            marked = n > 0 or line.startswith(">>")
            for m, part in enumerate(_DASH_TURN.split(chunk) if _has_dash_turn(chunk) else [chunk]):
                part = part.strip()
                if not part:
                    continue
                speaker, part = _take_speaker(part, labels)
                out.append((speaker, bool(speaker) or marked or m > 0 or _dashed(chunk), part))
                marked = False
    return out


def _has_dash_turn(text: str) -> bool:
    # "- Ron? - Quoi?" and "-Stéphane ?": a dash that opens the caption, or follows an ending.
    return bool(re.match(r"\s*[-–—]\s*\S", text)) or bool(re.search(r"[.!?…]\s+[-–—]\s+\S", text))


def _dashed(text: str) -> bool:
    return bool(re.match(r"\s*[-–—]\s*[^\W\d_]", text))


def _take_speaker(text: str, labels: frozenset[str]) -> tuple[str, str]:
    bracket = re.match(r"^\[([^\[\]]{1,40})\]\s*(?=\S)", text)
    if bracket and not _is_sound(bracket.group(1)) and bracket.group(1)[:1].isupper():
        return bracket.group(1).strip(), text[bracket.end() :]
    caps = _CAPS_SPEAKER.match(text)
    if caps and not _is_sound(caps.group(1)):
        return _speaker_name(caps.group(1)), text[caps.end() :]
    named = _NAME_SPEAKER.match(text)
    if named and named.group(1) in labels:
        return named.group(1), text[named.end() :]
    return "", text


def _speaker_name(label: str) -> str:
    # "MAN 2" -> "Man 2", "DR. SMITH" -> "Dr. Smith": a name, not a shout.
    return " ".join(w[:1] + w[1:].lower() for w in label.split())


def _only_a_sound(text: str) -> bool:
    # "<v Neil deGrasse Tyson><i>Laughs</i>": a speaker's sound in italics, not a line.
    words = [w.lower() for w in _WORD.findall(text)]
    return 0 < len(words) <= 2 and words[0] in _SOUNDS  # "Laughs", "Door closes"; not "Nice sound"


def _is_sound(text: str) -> bool:
    words = [w.lower() for w in _WORD.findall(text)]
    return bool(words) and (words[0] in _SOUNDS or words[-1] in _SOUNDS)


def _strip_directions(text: str) -> str:
    if not _MAY_DIRECT.search(text):
        return _SPACES.sub(" ", text).strip().lstrip("-–— ")  # most captions: nothing to do
    text = _SONG.sub(" ", text)
    text = _NOTE.sub(" ", text)
    text = _BRACKETS.sub(lambda m: " " if _is_direction(m.group(1), m, text) else m.group(0), text)
    text = _PARENS.sub(lambda m: " " if _is_direction(m.group(1), m, text) else m.group(0), text)
    text = _SPACE_BEFORE.sub(r"\1", _SPACES.sub(" ", text)).strip()
    return text.lstrip("-–— ")


_MAY_DIRECT = re.compile(rf"[\[(#{_MUSIC_NOTES}]")


def _is_direction(inner: str, match: re.Match[str], text: str) -> bool:
    """Whether "[...]" or "(...)" describes a sound or an action rather than saying something."""
    inner = inner.strip()
    if not inner:
        return True
    if match.group(0).startswith("["):
        return True  # square brackets in captions are never speech; speakers are taken already
    words = _WORD.findall(inner)
    if not words or len(words) > 6:
        return False
    letters = [ch for ch in inner if ch.isalpha()]
    return (
        match.group(0) == text.strip()  # the whole caption: "( clock ticking )"
        or match.group(0)[1:2] == " "  # "( door closes )", padded as broadcast captions are
        or all(ch.isupper() for ch in letters)  # "(LAUGHS)"
        or _is_sound(inner)
    )


def _drop_rolled_repeats(turns: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Auto captions repeat the line before as they roll: keep each stretch of words once.

    Only a transcript whose captions mostly pick up where the one before left off is treated as
    rolling: elsewhere a speaker repeating their own words ("... si eras mujer. / Si eras mujer,
    en 1928") is speech, and only a caption sent twice in a row is dropped.
    """
    words = [[_norm(w) for w in t["text"].split()] for t in turns]
    pairs = [(a, b) for a, b in pairwise(words) if a and b]
    picked_up = sum(1 for a, b in pairs if _overlap(a, b) >= min(_MIN_OVERLAP, len(b)))
    rolling = len(pairs) >= 3 and picked_up * 10 >= len(pairs) * 3
    out: list[dict[str, Any]] = []
    kept: list[list[str]] = []
    tail: list[str] = []  # the last words kept, whichever captions they came from
    for turn, norm in zip(turns, words, strict=True):
        if out and not turn["turn"]:
            previous = out[-1]
            overlap = _overlap(tail, norm) if rolling else 0
            if norm == kept[-1] or overlap == len(norm):
                # The same line again: one line, on screen a little longer.
                end = turn["start"] + turn["duration"]
                previous["duration"] = round(max(end - previous["start"], previous["duration"]), 3)
                continue
            # Once captions are known to roll, two repeated words are enough to tell.
            if overlap >= 2:
                turn = {**turn, "text": " ".join(turn["text"].split()[overlap:])}
                norm = norm[overlap:]
        out.append(turn)
        kept.append(norm)
        tail = (tail + norm)[-30:]
    return out


def _overlap(previous: list[str], words: list[str]) -> int:
    """How many leading words of ``words`` repeat the end of ``previous`` (normalized words)."""
    previous, words = previous[-30:], words[:30]
    for size in range(min(len(previous), len(words)), 0, -1):
        if previous[-size:] == words[:size]:
            return size
    return 0


def _norm(word: str) -> str:
    return word.lower().strip(".,!?;:\"'“”‘’…")


def _sentence_case(turns: list[dict[str, Any]], lang: str) -> None:
    """Captions in capitals, in sentence case, keeping acronyms and the names said elsewhere."""
    upper = sum(sum(map(str.isupper, t["text"])) for t in turns)
    lower = sum(sum(map(str.islower, t["text"])) for t in turns)
    if not upper + lower:
        return
    shouting_throughout = upper > 4 * lower
    names = _written_forms(turns)
    stop = _stopwords(lang)
    sentence_start = True
    for turn in turns:
        text = turn["text"]
        if shouting_throughout or _shouts(text):
            text = _lower_shouting(text, names, stop, sentence_start, lang)
        else:
            # A title card on one line of a caption: "PRESENTATEUR VEDETTE La légende de..."
            text = _CAPS_RUN.sub(
                lambda m, t=text, at=sentence_start: _caps_run(m, t, names, stop, at, lang), text
            )
        turn["text"] = text
        sentence_start = bool(_SENTENCE_END.search(text)) or turn["turn"]


_CAPS_WORD = r"[A-ZÀ-ÖØ-Þ][A-ZÀ-ÖØ-Þ'’]+"
_CAPS_RUN = re.compile(rf"\b{_CAPS_WORD}(?:[ ,]+{_CAPS_WORD})+\b")


def _caps_run(
    match: re.Match[str],
    text: str,
    names: dict[str, str],
    stop: frozenset[str],
    sentence_start: bool,
    lang: str,
) -> str:
    run = match.group(0)
    if not any(len(w) >= 4 and not _is_acronym(w.lower(), stop) for w in run.split()):
        return run  # "AI and ML", "NASA JPL": acronyms side by side
    before = text[: match.start()].rstrip()
    starts = (sentence_start and not before) or bool(_SENTENCE_END.search(before))
    return _lower_shouting(run, names, stop, starts, lang)


@lru_cache(maxsize=4096)
def _shouts(text: str) -> bool:
    # Counted with map(): this runs on every caption of a three-hour transcript.
    upper = sum(map(str.isupper, text))
    lower = sum(map(str.islower, text))
    if upper < 6 or upper < 9 * lower or " " not in text.strip():
        return False
    return len(_WORD.findall(text)) >= 2


def _written_forms(turns: list[dict[str, Any]]) -> dict[str, str]:
    """How words the transcript also writes in mixed case are written there ("Burgundy")."""
    forms: dict[str, Counter[str]] = {}
    for turn in turns:
        if _shouts(turn["text"]):
            continue
        words = _WORD.findall(turn["text"])
        for i, word in enumerate(words):
            if i and word[:1].isupper() and not word.isupper():
                forms.setdefault(word.lower(), Counter())[word] += 1
    return {low: counts.most_common(1)[0][0] for low, counts in forms.items()}


# Short words in capitals that stay so although they have vowels.
_ACRONYMS = frozenset(
    {"ai", "tv", "usa", "uk", "eu", "nasa", "fbi", "cia", "dna", "ceo", "gpu", "cpu", "api"}
    | {"url", "pdf", "nba", "nfl", "bbc", "cnn", "amnh", "nyc", "onu", "eeuu", "ovni", "sida"}
)
# "J.T.", "U.S.": initials keep their capitals.
_INITIALS = re.compile(r"(?:[^\W\d_]\.){2,}")
_TOKEN = re.compile(rf"{_INITIALS.pattern}|{_WORD.pattern}")


def _lower_shouting(
    text: str, names: dict[str, str], stop: frozenset[str], sentence_start: bool, lang: str
) -> str:
    def word(match: re.Match[str]) -> str:
        nonlocal sentence_start
        raw = match.group(0)
        if raw.endswith("."):
            sentence_start = False
            return raw  # initials
        low = raw.lower()
        begins = sentence_start
        sentence_start = False
        if raw.isupper() and _is_acronym(low, stop):
            return raw
        if low in names:
            return names[low]
        if lang in ("en", "") and (low == "i" or low.startswith(("i'", "i’"))):
            return "I" + low[1:]
        return low[:1].upper() + low[1:] if begins else low

    out = []
    for piece in re.split(r"(?<=[.!?…])(\s+)", text):
        if piece.strip():
            out.append(_TOKEN.sub(word, piece))
            sentence_start = bool(_SENTENCE_END.search(piece.strip()))
        else:
            out.append(piece)
    return _SPACES.sub(" ", "".join(out)).strip()


def _is_acronym(low: str, stop: frozenset[str]) -> bool:
    if low in _ACRONYMS:
        return True
    if len(low) > 5 or len(low) < 2 or low in stop:
        return False
    return not re.search(r"[aeiouyàâäéèêëíìîïóòôöúùûü]", low)  # "STD", "KVWN": no word, letters


@lru_cache(maxsize=16)
def _stopwords(lang: str) -> frozenset[str]:
    from stop_words import LANGUAGE_MAPPING, get_stop_words

    words = set(get_stop_words("en"))
    if lang in LANGUAGE_MAPPING:
        words |= set(get_stop_words(lang))
    return frozenset(words)
