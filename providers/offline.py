"""BlogTube's offline writer: an extractive blog post from a transcript, no key and no network.

It is the default provider when no API key is configured, so it is what a new user sees first.
Every sentence of the post is a sentence that was said in the video, cleaned up (fillers, caption
tags, missing punctuation) and chosen for how central it is to its section. Nothing is invented.

Pipeline: clean caption text -> recover sentences (punctuated captions are split on punctuation;
auto captions on pauses, discourse markers and length) -> term vectors (TF-IDF of stemmed content
words) -> sections (chapters, or time windows cut where the vocabulary shifts) -> per section:
sentence centrality by TextRank (weighted PageRank, damping 0.85, on the graph of the section's
sentences linked by the cosine of their term vectors), and a heading: the chapter title, or else
key phrases that YAKE (with the stopwords of the transcript's language) finds in the section's
most central sentences, weighed down the more sections say them -> intro (TextRank over the
whole talk, favouring the opening), body and key takeaways (central sentences, chosen by maximal
marginal relevance so none repeats another), note. A video without a title gets one from YAKE's
key phrases of the whole talk.

Everything is linear in the transcript size: a TextRank graph holds at most _TEXTRANK_GROUP
sentences (a longer section is ranked as interleaved groups), YAKE reads at most a few hundred
words per section, and sentence choice compares each candidate with a handful of chosen ones. A
three-hour talk fits the one-second budget of bench/offline_writer.py. numpy (TextRank) and yake
are imported on first use, so Django processes that never write offline posts do not load them.
"""

from __future__ import annotations

import math
import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from html import unescape
from itertools import pairwise
from typing import TYPE_CHECKING
from urllib.parse import parse_qs, urlparse

if TYPE_CHECKING:
    # At run time numpy is imported where it is used: every Django process imports this module.
    import numpy as np

__all__ = ["stream_post", "write_post"]

# ---------------------------------------------------------------------------------------------
# Vocabulary


def _words(text: str) -> frozenset[str]:
    """A word set written as one string, which keeps long vocabularies readable."""
    return frozenset(text.split())


def _word_list(text: str) -> list[str]:
    return text.split()


# Spoken numbers, in order of value.
_UNIT_NAMES = _word_list(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
)
_TENS_NAMES = _word_list("twenty thirty forty fifty sixty seventy eighty ninety")


_EN_STOPWORDS = _words(
    """
    a about above after again against ago all almost along already also although always am
    among an and another any anybody anyone anything anyway anywhere are aren't around as at
    away back be became because become been before being below between both but by can can't
    cannot could couldn't did didn't do does doesn't doing don't done down during each either
    else enough even ever every everybody everyone everything few for from further get gets
    getting give gives given go goes going gone got gotten had hadn't has hasn't have haven't
    having he he'd he'll he's her here here's hers herself him himself his how how's however i
    i'd i'll i'm i've if in into is isn't it it'd it'll it's its itself just least less let
    let's like likely made make makes making many may maybe me might mine more most much must
    my myself need needs neither never no nobody none nor not nothing now of off often oh ok
    okay on once one ones only onto or other others otherwise our ours ourselves out over own
    per perhaps please put puts quite rather really right said same say says see seen seem
    seems several shall she she'd she'll she's should shouldn't since so some somebody someone
    something sometimes somewhat still such sure take takes taking than that that's the their
    theirs them themselves then there there's these they they'd they'll they're they've thing
    things this those though through thus to too toward towards under until up upon us use
    used uses using very via want wants was wasn't way ways we we'd we'll we're we've well
    were weren't what what's whatever when when's where where's whether which while who who's
    whom whose why why's will with within without won't would wouldn't yes yet you you'd
    you'll you're you've your yours yourself yourselves actually alright basically gonna wanna
    gotta yeah yep hey guys lot lots kind sort stuff literally pretty definitely probably
    totally simply honestly obviously today video videos channel subscribe um uh erm hmm mean
    know knows think thinking thought look looks looking talk talking tell show showing bit
    little big good great new first second next last start starts started come comes came went
    try tried trying keep keeps able every able sometimes one two three four five six seven
    eight nine ten eleven twelve fifteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million half percent minute minutes second seconds hour hours day days
    week weeks time times year years gram grams degree degrees
    """
)

# Words that open a spoken sentence, and what may follow them for that reading to hold.
_SO_OPENERS = _words(
    """
    today the we i you now let's lets if what here this that's thats first next when once in
    for after before my your our it's its there these those yeah basically again how why a
    anyway
    """
)
_SO_BLOCKERS = _words(
    """
    and or not do did is was are be been just even think hope said more much i it's that's
    really very quite
    """
)
_NOW_OPENERS = _words("let's lets we i you the that if this for once when here it's there what")
_NOW_BLOCKERS = _words("right and until till by from for just even up out but so as")
_STEP_OPENERS = _words("i we you take add put it's let's")
_STEP_BLOCKERS = _words("and but the is was be until since by at a")
_SUBJECTS = _words("i we you")

# Sentence segmentation of run-on captions: how strongly a word opens a sentence...
_OPENERS = {
    word: weight
    for weight, words in (
        (2.5, "i i'm i've i'll let's"),
        (2.0, "i'd we we're we'll we've here's finally"),
        (1.5, "it's that's there's they they're you're you'll you've if then but please now first"),
        (1.2, "you once this these next"),
        (1.0, "when after so also it that there and what"),
        (0.8, "gently how"),
        (0.7, "the my"),
        (0.6, "just"),
        (0.5, "your"),
        (0.4, "a"),
    )
    for word in words.split()
}

# ...words a sentence cannot end on...
_NO_END = _words(
    """
    the a an to of and or but so because if when whether than as my your our their his her its
    is are was were be been being am i we they i'm we're they're you're it's that's there's
    let's at for with from into onto by like after between without can could should would will shall
    might must may do does did don't doesn't didn't can't won't have has had very really just
    quite super pretty more most less some any every each no not also what where why how who
    which while until unless whose
    """
)
# ...and the company that confirms or rules out a reading.
_VERBISH = _words(
    """
    is was are will does did has had takes makes gets goes looks smells should can could might
    needs means works helps feels becomes lets gives really just also isn't doesn't won't
    depends matters
    """
)
_AND_CLAUSE = _words(
    """
    i we you it that this they then it's that's honestly if now so there we're i'm
    """
)
_CLAUSE_TAKERS = _words(
    """
    know think guess hope mean said say wish bet sure glad help show tell give let make get
    thank see want ask teach remind love bring send take hear told showed gave
    """
)
_VERB_HINT = _words(
    """
    mix add use get make put take pour fold flip score bake feed grab stretch cover grind buy
    brew check see watch need want have has had like love keep leave give find try drop
    preheat tip turn shape cut is are was were be into onto
    """
)
# Imperatives open the steps of a how-to ("... don't skip it / flip the dough onto ...").
_IMPERATIVES = _words(
    """
    add use put take make pour mix stir flip cut bake place remove grab fold turn check open
    click select choose set press hold keep wait remember note watch grind rinse tip cover
    preheat bring fill leave drop weigh measure heat let
    """
)
# Words a spoken sentence often ends on although they are not content words.
_FINAL_WORDS = _words("again too today anyway though")
_ENDINGS = _words(
    """
    it them this that too again here there now today though anyway
    """
)
_NUMBER_WORDS = _words(
    """
    one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen
    sixteen seventeen eighteen nineteen twenty thirty forty fifty sixty seventy eighty ninety
    hundred thousand million billion
    """
)

# Where a run-on caption sentence reads best when cut.
_SPLIT_BEFORE = {"and": 3, "but": 3, "so": 2, "then": 2, "because": 1, "i": 1, "we": 1, "you": 1}

# A filler keeps its literal meaning after these ("do you know", "what kind of").
_YOU_KNOW_KEEP_PREV = _words(
    """
    do did don't didn't does doesn't if as would will you'll to what might may i we they let
    let's should could can you
    """
)
_YOU_KNOW_KEEP_NEXT = _words(
    """
    what how that why where when who whether if about it him her them me this your
    """
)
_KIND_OF_KEEP_PREV = _words(
    """
    a what this that some any the which every one no different same my your our their its his
    her these those all other right wrong weird new another
    """
)
_LIKE_FILLER_PREV = _words("and but so it's its is or")
_LIKE_KEEP_NEXT = _words("to that this it them him her me i we you when how")
_LIKE_SIMILE_NEXT = _words("a an the your my our their")  # "it is like a pet"
_REPEAT_OK = _words("that had")
_SINGLE_FILLERS = _words("um umm uh uhh uhm erm er hmm mm mhm ah")

# Words after which a removed ", you know," leaves no comma ("which is about").
_GLUE_WORDS = _words(
    """
    is was are were be the a an of to and but it's that's really just very so or
    """
)
_BACK_REFERENCES = _words("it this that these those they he she which them its")
_CONJUNCTIONS = _words("if when but because so and then once after")
_SMALL_WORDS = _words(
    """
    a an and as at but by for from in into nor of on or per the to vs via with
    """
)

# Post furniture in the languages BlogTube offers most; anything else gets English.
_LABELS: dict[str, tuple[str, str]] = {
    "en": (
        "Key takeaways",
        "This post was written extractively by BlogTube's offline writer from {source} "
        "(no AI model): every sentence above was said in the video, lightly cleaned up.",
    ),
    "es": (
        "Ideas clave",
        "Esta entrada la escribió de forma extractiva el redactor sin conexión de BlogTube a "
        "partir de {source} (sin modelo de IA): cada frase se dijo en el vídeo.",
    ),
    "fr": (
        "À retenir",
        "Cet article a été rédigé de façon extractive par le rédacteur hors ligne de BlogTube "
        "à partir de {source} (sans modèle d'IA) : chaque phrase a été prononcée dans la vidéo.",
    ),
    "de": (
        "Das Wichtigste",
        "Dieser Beitrag wurde extraktiv vom Offline-Schreiber von BlogTube aus {source} erstellt "
        "(kein KI-Modell): Jeder Satz wurde im Video gesagt.",
    ),
    "pt": (
        "Pontos principais",
        "Este post foi escrito de forma extrativa pelo redator offline do BlogTube a partir de "
        "{source} (sem modelo de IA): cada frase foi dita no vídeo.",
    ),
    "it": (
        "Punti chiave",
        "Questo articolo è stato scritto in modo estrattivo dal redattore offline di BlogTube a "
        "partire da {source} (nessun modello di IA): ogni frase è stata detta nel video.",
    ),
}
_AND = {"en": "and", "es": "y", "fr": "et", "de": "und", "pt": "e", "it": "e"}
_SOURCES = {
    "en": ("the transcript of [the video]({url})", "the transcript"),
    "es": ("la transcripción de [el vídeo]({url})", "la transcripción"),
    "fr": ("la transcription de [la vidéo]({url})", "la transcription"),
    "de": ("dem Transkript [des Videos]({url})", "dem Transkript"),
    "pt": ("a transcrição [do vídeo]({url})", "a transcrição"),
    "it": ("la trascrizione [del video]({url})", "la trascrizione"),
}


@dataclass(frozen=True, slots=True)
class _Plan:
    body: tuple[int, int]  # sentences per section: (fewest, most)
    max_sections: int  # time-window sections when there are no chapters
    intro: int


_PLANS = {
    "short": _Plan(body=(2, 3), max_sections=5, intro=2),
    "medium": _Plan(body=(3, 4), max_sections=6, intro=3),
    "long": _Plan(body=(4, 5), max_sections=8, intro=3),
}

_MIN_WORDS = 5
_MAX_WORDS = 45
_MAX_CAPTION_SENTENCE = 25
_PAUSE_SECONDS = 1.0
_CANDIDATES_PER_SECTION = 40
# TextRank: a graph links at most this many sentences (longer sections are ranked in interleaved
# groups), and PageRank stops when no rank moves by more than the tolerance.
_TEXTRANK_GROUP = 200
_TEXTRANK_DAMPING = 0.85
_TEXTRANK_TOLERANCE = 1e-4
_TEXTRANK_ITERATIONS = 50
# YAKE: words of one section it reads, of the whole talk for a title, and phrases it returns.
_YAKE_WORDS = 250
_YAKE_TITLE_WORDS = 400
_YAKE_TOP = 20

# ---------------------------------------------------------------------------------------------
# Regular expressions

_TAG = re.compile(
    r"\[[^\]]{0,40}\]|\((?:music|applause|laughter|laughs|laughing|cheering|inaudible|silence"
    r"|crosstalk|music playing)\)|[♪♫♬]+",
    re.I,
)
_SPEAKER = re.compile(r"(?:>>|&gt;&gt;)\s*(?:[A-Z][A-Z .'-]{0,30}:\s*)?|^\s*-\s+")
_FILLER_WORD = re.compile(
    r",?\s*\b(?:u+h+m*|u+m+|e+r+m+|er|hmm+|mm+|mhm|ah+)\b(?:,(?=\s|$))?", re.I
)
_SPACES = re.compile(r"\s+")
_STRAY_COMMA = re.compile(r"([.!?])\s*,")
_SENTENCE_END = re.compile(r"[。！？]+|[.!?…]+[\"'”’)\]]*(?=\s|$)")
_LAST_WORD = re.compile(r"(\S+)$")
_INITIALISM = re.compile(r"(?:[A-Za-z]\.)+[A-Za-z]?")
_ABBREVIATIONS = _words(
    """
    mr mrs ms dr prof st sr jr vs etc eg ie approx inc ltd co corp dept fig no vol ca cf al
    jan feb mar apr jun jul aug sep sept oct nov dec mt ft est min max
    """
)
_TOKEN = re.compile(r"\w[\w'’-]*")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
_BOILERPLATE = re.compile(
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

_TITLE_SUFFIX = re.compile(r"\s*[-|–—]\s*youtube\s*$", re.I)
_TITLE_JUNK = re.compile(
    r"\s*[(\[]\s*(?:official\b[^)\]]*|(?:music|lyric|lyrics|full)\s+video|lyrics?|visuali[sz]er"
    r"|audio|hd|hq|4k|8k|\d{3,4}p)\s*[)\]]",
    re.I,
)
_HASHTAG = re.compile(r"(?<!\w)#\w+")
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")


# ---------------------------------------------------------------------------------------------
# Public API


def write_post(
    *,
    title: str,
    segments: list[dict],
    chapters: list[dict] | None = None,
    video_url: str = "",
    language: str = "en",
    length: str = "medium",
) -> str:
    """Return a Markdown blog post built only from sentences of the transcript.

    Raises ValueError when the segments hold no spoken text at all.
    """
    plan = _PLANS.get((length or "").lower(), _PLANS["medium"])
    lang = (language or "en").lower().split("-")[0].split("_")[0]
    english_speech = lang == "en"

    captions = _clean_captions(segments, english_speech)
    if not captions:
        raise ValueError("the transcript has no text to write a post from")
    punctuated = _is_punctuated(text for _, _, text in captions)
    if punctuated:
        raw = _split_punctuated(captions)
    else:
        raw = _split_caption_run_ons(captions, english_speech)

    sentences = _build_sentences(raw, punctuated=punctuated, english=english_speech)
    if not sentences:
        raise ValueError("the transcript has no text to write a post from")
    vocab = _Vocabulary.build(sentences, english_hint=english_speech)
    if vocab.stopwords is not _EN_STOPWORDS:
        # Trust the caller's language code only when the words are not plainly English.
        vocab.conjunction = _AND.get(lang, "and")
        vocab.language = lang

    clean_title = _clean_title(title)
    labels = _LABELS.get(lang, _LABELS["en"])
    note = _note(lang, video_url)

    if sum(s.eligible for s in sentences) < 3:
        whole = [_Section(sentences=sentences, start=0.0)]
        return _tiny_post(clean_title or _derive_title(whole, vocab), sentences, note)

    sections = _sections(sentences, chapters, plan)
    video_id = _youtube_id(video_url)
    has_times = any(s.start > 0 for s in sentences)
    headings = _headings(sections, vocab)
    clean_title = clean_title or _derive_title(sections, vocab)

    title_terms = set(_terms(_tokens(clean_title), vocab.stopwords, {})[0])
    used: set[str] = set()
    intro = _pick_intro(sentences, sections, plan, used, title_terms)
    bodies = [_pick_body(sec, plan, used) for sec in sections]
    takeaways = [
        _pick_takeaway(sec, body, used) for sec, body in zip(sections, bodies, strict=True)
    ]

    # One untitled section needs no heading: it would only repeat the title.
    untitled = len(sections) == 1 and not sections[0].title
    parts = [f"# {clean_title}", _paragraph(intro)] if intro else [f"# {clean_title}"]
    bullets = []
    for sec, heading, body, takeaway in zip(sections, headings, bodies, takeaways, strict=True):
        if not body:
            continue
        if not untitled:
            link = _timestamp_link(video_id, sec.start) if has_times else ""
            parts.append(f"## {heading}{link}")
        parts.extend(_paragraph(p) for p in _paragraphs(body))
        if takeaway:
            bullets.append(f"- {takeaway}" if untitled else f"- **{heading}:** {takeaway}")
    if bullets:
        parts.append(f"## {labels[0]}")
        parts.append("\n".join(bullets))
    parts.append(f"*{note}*")
    return "\n\n".join(parts) + "\n"


def stream_post(
    *,
    title: str,
    segments: list[dict],
    chapters: list[dict] | None = None,
    video_url: str = "",
    language: str = "en",
    length: str = "medium",
    chunk_chars: int = 40,
) -> Iterator[str]:
    """Yield the same text as write_post() in small pieces, as a streaming model would.

    The post is built before the first piece is yielded, so a bad transcript raises ValueError
    at the call, not half way through a stream.
    """
    text = write_post(
        title=title,
        segments=segments,
        chapters=chapters,
        video_url=video_url,
        language=language,
        length=length,
    )
    return _pieces(text, max(1, int(chunk_chars)))


def _pieces(text: str, size: int) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


# ---------------------------------------------------------------------------------------------
# Captions -> sentences


def _clean_captions(segments: Iterable[dict], english: bool) -> list[tuple[float, float, str]]:
    """(start, duration, text) per caption with tags, speaker marks and 'um'/'uh' removed."""
    out: list[tuple[int, float, float, str]] = []
    for position, seg in enumerate(segments or []):
        if not isinstance(seg, dict):
            continue
        text = unescape(str(seg.get("text") or ""))
        text = _TAG.sub(" ", text)
        text = _SPEAKER.sub(" ", text)
        if english:
            text = _FILLER_WORD.sub("", text)
        # Only leading commas go: a trailing one still separates clauses across captions.
        text = _STRAY_COMMA.sub(r"\1", _SPACES.sub(" ", text)).strip().lstrip(", ")
        if text:
            out.append((position, _seconds(seg.get("start")), _seconds(seg.get("duration")), text))
    # Sorting by start (then original position) keeps a shuffled list in speaking order.
    out.sort(key=lambda c: (c[1], c[0]))
    return [(start, duration, text) for _, start, duration, text in out]


def _seconds(value: object) -> float:
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 0.0
    return number if math.isfinite(number) and number > 0 else 0.0


def _is_punctuated(texts: Iterable[str]) -> bool:
    # Human captions end a sentence every 10-20 words; speech recognition almost never does.
    words = ends = 0
    for text in texts:
        words += len(text.split())
        ends += len(_SENTENCE_END.findall(text))
    return ends > 0 and ends * 40 >= words


def _split_punctuated(captions: list[tuple[float, float, str]]) -> list[tuple[str, float]]:
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


def _split_caption_run_ons(
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
        if word in _SINGLE_FILLERS:
            skip = 1
        elif word == "you" and nxt == "know":
            if prev not in _YOU_KNOW_KEEP_PREV and after not in _YOU_KNOW_KEEP_NEXT:
                skip = 2
        elif word == "i" and nxt == "mean":
            if prev not in {"what", "do", "did", "don't", "if"} and after not in {"that", "to"}:
                skip = 2
        elif word in ("kind", "sort") and nxt == "of":
            if prev not in _KIND_OF_KEEP_PREV:
                skip = 2
        elif word == "like":
            simile = prev not in ("and", "but", "so") and nxt in _LIKE_SIMILE_NEXT
            if prev in _LIKE_FILLER_PREV and nxt and nxt not in _LIKE_KEEP_NEXT and not simile:
                skip = 1
        elif word == prev and word not in _REPEAT_OK:
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
        return nxt in _SO_OPENERS and prev not in _SO_BLOCKERS
    if word in ("and", "but") and nxt == "now":
        return True
    if word == "and" and nxt == "so":
        after = tokens[i + 2].norm if i + 2 < len(tokens) else ""
        return after in _SO_OPENERS
    if word == "now":
        return nxt in _NOW_OPENERS and prev not in _NOW_BLOCKERS
    if word in ("then", "next", "finally", "first"):
        return nxt in _STEP_OPENERS and prev not in _STEP_BLOCKERS
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
    if prev in _NO_END:
        return 0.0
    weight = _OPENERS.get(word, 0.0)
    if not weight and word in _IMPERATIVES and prev not in _VERB_HINT:
        weight = 0.8
    if word in ("it", "that", "there") and after not in _VERBISH:
        weight = 0.0  # "use it", "like that": objects, not subjects
    elif word == "and" and after not in _AND_CLAUSE:
        weight = 0.0  # "flour and water"
    elif word in _SUBJECTS and prev in _CLAUSE_TAKERS:
        weight = 0.0  # "I think we...", "show you how"
    elif word in ("the", "a", "my", "your") and (
        prev in _VERB_HINT
        or prev.endswith("ing")
        or (prev in _EN_STOPWORDS and prev not in _FINAL_WORDS)
    ):
        weight = 0.0  # "mix the dough", "in the starter"
    if prev in _NUMBER_WORDS and (word == "and" or word in _NUMBER_WORDS):
        weight = 0.0  # "three hundred and fifty"
    if not weight:
        return 0.0
    pause = run[i].pause
    bonus = min(2.0, 2 * pause) if pause > 0.25 else 0.0
    if prev in _FINAL_WORDS:
        bonus += 0.6  # "feed it again / a good trick is..."
    elif prev in _ENDINGS or (prev not in _EN_STOPWORDS and len(prev) >= 3):
        bonus += 0.3  # sentences tend to end on a content word or an object pronoun
    if after == prev and prev not in _EN_STOPWORDS:
        bonus += 1.0  # "an active starter a starter is...": the new sentence picks the noun up
    return weight + bonus


def _split_long(run: list[_Token]) -> list[list[_Token]]:
    if len(run) <= _MAX_CAPTION_SENTENCE:
        return [run]
    middle = len(run) / 2
    best, best_score = len(run) // 2, 0.0
    for j in range(6, len(run) - 5):
        score = _SPLIT_BEFORE.get(run[j].norm, 0) + (2 if run[j].pause > 0.4 else 0)
        if run[j - 1].norm in _NUMBER_WORDS or run[j - 1].norm in _NO_END:
            score = 0
        if score:
            score -= abs(j - middle) / len(run)  # prefer halves of similar size
            if score > best_score:
                best, best_score = j, score
    return _split_long(run[:best]) + _split_long(run[best:])


# ---------------------------------------------------------------------------------------------
# Sentence polish


@dataclass(slots=True)
class _Sentence:
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


def _build_sentences(
    raw: list[tuple[str, float]], *, punctuated: bool, english: bool
) -> list[_Sentence]:
    out: list[_Sentence] = []
    for text, start in raw:
        text = _polish(text, punctuated=punctuated, english=english)
        if not text:
            continue
        words = _count_words(text)
        sentence = _Sentence(
            index=len(out),
            text=text,
            start=start,
            words=words,
            key=" ".join(_KEY_WORDS.findall(text.lower())),
        )
        sentence.eligible = _MIN_WORDS <= words <= _MAX_WORDS and not _BOILERPLATE.search(text)
        sentence.signpost = bool(_SIGNPOST.search(text))
        out.append(sentence)
    return out


def _polish(text: str, *, punctuated: bool, english: bool) -> str:
    """Turn a spoken sentence into a written one: no fillers, capitalized, punctuated."""
    text = _SPACES.sub(" ", text).strip()
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
    text = _capitalize(text)
    if text[-1] not in ".!?…。！？\"'”’)":
        question = english and not punctuated and _sounds_like_question(text)
        text += "?" if question else "."
    return text


_UNITS = {w: i for i, w in enumerate(_UNIT_NAMES)}
_TENS = {w: 10 * i for i, w in enumerate(_TENS_NAMES, 2)}
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
            if seen_number and previous.isalpha() and previous.lower() not in _NO_END:
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
    return f"{prev} " if prev.lower() in _GLUE_WORDS else f"{prev}, "


def _kind_of(match: re.Match[str]) -> str:
    prev = match.group(1)
    return match.group(0) if prev.lower() in _KIND_OF_KEEP_PREV else f"{prev} "


def _repeat(match: re.Match[str]) -> str:
    word = match.group(1)
    return match.group(0) if word.lower() in _REPEAT_OK else word


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


_SO_KEEP_NEXT = _words("many much far long few good bad big little called that")
_WELL_NEXT = _words("i we you it that this the there so")


def _capitalize(text: str) -> str:
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
    cjk = len(_CJK.findall(text))
    return max(words, cjk // 2) if cjk else words


def _quality(sentence: _Sentence) -> float:
    # Readers forgive a dull sentence more than a dangling one.
    q = 1.0
    if sentence.words < 8:
        q *= 0.75
    elif sentence.words > 32:
        q *= 0.85
    if sentence.text.endswith("?"):
        q *= 0.7
    words = sentence.text.lower().replace(",", "").split()
    if words[0] in _BACK_REFERENCES:
        q *= 0.85
    elif len(words) > 1 and words[0] in _CONJUNCTIONS and words[1] in _BACK_REFERENCES:
        q *= 0.9  # "If it tastes bitter...": what is "it"?
    if sentence.signpost:
        q *= 0.75
    distinct = len(set(sentence.terms))
    if distinct < 3:
        q *= 0.6 if distinct < 2 else 0.8  # central only because it repeats the commonest words
    return q


# ---------------------------------------------------------------------------------------------
# Terms and vectors


@dataclass(slots=True)
class _Vocabulary:
    stopwords: frozenset[str]
    surfaces: dict[str, Counter[str]]  # term -> how it was written
    conjunction: str = "and"  # joins key terms in headings
    language: str = "en"  # picks YAKE's stopword list

    @classmethod
    def build(cls, sentences: list[_Sentence], *, english_hint: bool) -> _Vocabulary:
        token_lists = [_tokens(s.text) for s in sentences]
        stopwords = _choose_stopwords(token_lists, english_hint)
        surfaces: dict[str, Counter[str]] = {}
        df: Counter[str] = Counter()
        for sentence, tokens in zip(sentences, token_lists, strict=True):
            terms, bigrams = _terms(tokens, stopwords, surfaces)
            sentence.terms, sentence.bigrams = terms, bigrams
            df.update(set(terms))
        total = len(sentences)
        for sentence in sentences:
            counts = Counter(sentence.terms)
            vector = {t: c * math.log(1 + total / df[t]) for t, c in counts.items()}
            sentence.vector = vector
            sentence.norm = math.sqrt(sum(w * w for w in vector.values()))
            if not vector:
                sentence.eligible = False
            sentence.quality = _quality(sentence)
        return cls(stopwords=stopwords, surfaces=surfaces)

    def surface(self, term: str) -> str:
        forms = self.surfaces.get(term)
        if not forms:
            return term
        return min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def _tokens(text: str) -> list[tuple[str, str]]:
    """(lower-case token, surface) pairs; CJK runs become character bigrams."""
    out = []
    for raw in _TOKEN.findall(text):
        raw = raw.replace("’", "'").strip("'-")
        if raw.lower().endswith("'s"):
            raw = raw[:-2]
        if not raw:
            continue
        if _CJK.search(raw) and len(raw) > 2:
            out.extend((raw[i : i + 2], raw[i : i + 2]) for i in range(len(raw) - 1))
            continue
        # Acronyms keep their capitals in headings; everything else is shown title-cased later.
        surface = raw if raw.isupper() and 1 < len(raw) <= 5 else raw.lower()
        out.append((raw.lower(), surface))
    return out


def _choose_stopwords(
    token_lists: list[list[tuple[str, str]]], english_hint: bool
) -> frozenset[str]:
    counts: Counter[str] = Counter(tok for tokens in token_lists for tok, _ in tokens)
    total = sum(counts.values()) or 1
    covered = sum(c for tok, c in counts.items() if tok in _EN_STOPWORDS)
    if covered / total >= (0.2 if english_hint else 0.3):
        return _EN_STOPWORDS
    # Another language: its most frequent short words are its function words.
    frequent = sorted((tok for tok in counts if len(tok) <= 5), key=lambda t: (-counts[t], t))
    return frozenset(frequent[:40])


def _stem(word: str) -> str:
    # Just enough to fold plurals: "grinders" and "grinder" are one term.
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def _is_content(token: str, stopwords: frozenset[str]) -> bool:
    if token in stopwords or not any(ch.isalpha() for ch in token):
        return False
    return len(token) >= 3 or bool(_CJK.search(token))


def _terms(
    tokens: list[tuple[str, str]],
    stopwords: frozenset[str],
    surfaces: dict[str, Counter[str]],
) -> tuple[list[str], list[str]]:
    terms: list[str] = []
    bigrams: list[str] = []
    previous: tuple[str, str] | None = None  # (term, surface) of the previous content word
    for token, surface in tokens:
        if not _is_content(token, stopwords):
            previous = None
            continue
        term = _stem(token)
        terms.append(term)
        surfaces.setdefault(term, Counter())[surface] += 1
        if previous is not None and previous[0] != term:
            pair = f"{previous[0]} {term}"
            bigrams.append(pair)
            surfaces.setdefault(pair, Counter())[f"{previous[1]} {surface}"] += 1
        previous = (term, surface)
    return terms, bigrams


def _cosine(a: dict[str, float], na: float, b: dict[str, float], nb: float) -> float:
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items()) / (na * nb)


def _centroid(sentences: Iterable[_Sentence]) -> dict[str, float]:
    total: dict[str, float] = {}
    for s in sentences:
        if s.norm:
            for t, w in s.vector.items():
                total[t] = total.get(t, 0.0) + w / s.norm
    return total


def _centrality(sentences: list[_Sentence]) -> dict[int, float]:
    """TextRank: weighted PageRank on the graph of sentences linked by the cosine of their terms.

    More than _TEXTRANK_GROUP sentences are ranked as interleaved groups (every k-th sentence):
    each sentence is still compared with a sample spread over all of them, and the work stays
    linear in their number. Scores are scaled so that each group's most central sentence scores 1,
    which keeps groups comparable; a sentence without content terms scores 0.
    """
    scores = dict.fromkeys((s.index for s in sentences), 0.0)
    voters = [s for s in sentences if s.norm]
    groups = -(-len(voters) // _TEXTRANK_GROUP)
    for g in range(groups):
        group = voters[g::groups]
        ranks = _pagerank(_similarities(group))
        for s, rank in zip(group, (ranks / ranks.max()).tolist(), strict=True):
            # Rounded so that sentences equally central tie (then the earlier one wins) whatever
            # order the linear algebra library summed in.
            scores[s.index] = round(rank, 12)
    return scores


def _similarities(group: list[_Sentence]) -> np.ndarray:
    """Cosine similarity of every pair of sentences in the group, 0 on the diagonal."""
    import numpy as np

    columns: dict[str, int] = {}
    rows: list[int] = []
    cols: list[int] = []
    weights: list[float] = []
    for row, s in enumerate(group):
        for term, weight in s.vector.items():
            rows.append(row)
            cols.append(columns.setdefault(term, len(columns)))
            weights.append(weight / s.norm)
    unit = np.zeros((len(group), len(columns)))
    unit[rows, cols] = weights
    similarity = unit @ unit.T
    np.fill_diagonal(similarity, 0.0)
    return similarity


def _pagerank(weights: np.ndarray) -> np.ndarray:
    """Weighted PageRank by power iteration, scaled as TextRank does it (ranks average 1)."""
    import numpy as np

    n = len(weights)
    out = weights.sum(axis=1, keepdims=True)
    # A sentence like no other links to none: as PageRank does for a page without links, its
    # vote is spread over all sentences, so it gets no more than the share every sentence gets.
    transition = np.divide(weights, out, out=np.full_like(weights, 1.0 / n), where=out > 0)
    rank = np.ones(n)
    for _ in range(_TEXTRANK_ITERATIONS):
        updated = (1 - _TEXTRANK_DAMPING) + _TEXTRANK_DAMPING * (rank @ transition)
        change = float(np.abs(updated - rank).max())
        rank = updated
        if change < _TEXTRANK_TOLERANCE:
            break
    return rank


# ---------------------------------------------------------------------------------------------
# Sections


@dataclass(slots=True)
class _Section:
    sentences: list[_Sentence]
    start: float
    title: str = ""  # chapter title, if any
    scores: dict[int, float] = field(default_factory=dict)

    def ranked(self) -> list[_Sentence]:
        """Eligible sentences, best first (ties: earlier first)."""
        pool = [s for s in self.sentences if s.eligible]
        return sorted(pool, key=lambda s: (-self.scores.get(s.index, 0.0) * s.quality, s.index))


def _sections(
    sentences: list[_Sentence], chapters: list[dict] | None, plan: _Plan
) -> list[_Section]:
    sections = _chapter_sections(sentences, chapters) if chapters else []
    if not sections:
        sections = _window_sections(sentences, plan)
    for sec in sections:
        sec.scores = _centrality(sec.sentences)
    return sections


def _chapter_sections(sentences: list[_Sentence], chapters: list[dict]) -> list[_Section]:
    marks: list[tuple[float, int, str]] = []
    for position, chapter in enumerate(chapters):
        if isinstance(chapter, dict):
            heading = _clean_heading(str(chapter.get("title") or ""))
            marks.append((_seconds(chapter.get("start")), position, heading))
    marks.sort()
    if not marks:
        return []
    starts = [m[0] for m in marks]
    buckets: list[list[_Sentence]] = [[] for _ in marks]
    for s in sentences:
        # Sentences said before the first chapter mark belong to the first chapter.
        buckets[max(0, bisect_right(starts, s.start + 0.5) - 1)].append(s)
    return [
        _Section(sentences=bucket, start=start, title=heading)
        for (start, _, heading), bucket in zip(marks, buckets, strict=True)
        if bucket
    ]


def _window_sections(sentences: list[_Sentence], plan: _Plan) -> list[_Section]:
    eligible = sum(s.eligible for s in sentences)
    k = max(1, min(plan.max_sections, eligible // 12))
    cuts = _topic_cuts(sentences, k)
    bounds = [0, *cuts, len(sentences)]
    return [
        _Section(sentences=sentences[a:b], start=sentences[a].start)
        for a, b in pairwise(bounds)
        if b > a
    ]


def _topic_cuts(sentences: list[_Sentence], k: int) -> list[int]:
    """k-1 cut points near equal word counts, moved to where the vocabulary shifts most."""
    n = len(sentences)
    if k <= 1 or n < 4 * k:
        return []
    cumulative = [0]
    for s in sentences:
        cumulative.append(cumulative[-1] + s.words)
    span = max(1, n // (k * 4))  # look up to a quarter of a section either side
    window = 5
    cuts: list[int] = []
    previous = 0
    for b in range(1, k):
        ideal = bisect_left(cumulative, cumulative[-1] * b / k)
        lo = max(previous + 2, ideal - span)
        hi = min(n - 2 * (k - b), ideal + span)
        if lo > hi:
            cut = min(max(previous + 1, ideal), n - 1)
        else:
            step = max(1, (hi - lo) // 40)  # at most ~40 candidates per cut
            cut = min(
                range(lo, hi + 1, step),
                key=lambda p: (
                    _gap_similarity(sentences, p, window) + 0.15 * abs(p - ideal) / span,
                    p,
                ),
            )
        cuts.append(cut)
        previous = cut
    return cuts


def _gap_similarity(sentences: list[_Sentence], p: int, window: int) -> float:
    left = _centroid(sentences[max(0, p - window) : p])
    right = _centroid(sentences[p : p + window])
    nl = math.sqrt(sum(w * w for w in left.values()))
    nr = math.sqrt(sum(w * w for w in right.values()))
    return _cosine(left, nl, right, nr)


# ---------------------------------------------------------------------------------------------
# Key terms and headings


def _keyphrases(sentences: list[_Sentence], vocab: _Vocabulary) -> dict[str, float]:
    """YAKE's keyphrases of one or two words in the sentences: term -> relevance, higher is better.

    Phrases come back as the writer's own terms ("burr grinders" -> "burr grinder"), so headings
    can show them as the speaker said them and compare them with the terms of each sentence.
    """
    import yake

    text = "\n".join(s.text for s in sentences)
    if not text.strip():
        return {}
    extractor = yake.KeywordExtractor(
        lan=vocab.language,
        n=2,
        top=_YAKE_TOP,
        # The writer's list adds what YAKE's written-language lists lack: "gonna", "guys", "video".
        stopwords=_yake_stopwords(vocab.language) | vocab.stopwords,
    )
    found: dict[str, float] = {}
    for phrase, score in extractor.extract_keywords(text):
        terms = _terms(_tokens(phrase), vocab.stopwords, {})[0]
        if len(terms) != len(phrase.split()) or len(set(terms)) < len(terms):
            continue  # a number, a short word, or a script written without spaces
        # YAKE scores lower for better phrases; the best form of a term comes first.
        found.setdefault(" ".join(terms), 1.0 / max(float(score), 1e-12))
    return found


@lru_cache(maxsize=16)
def _yake_stopwords(language: str) -> frozenset[str]:
    import yake

    # YAKE reads its list for the language (or a language-neutral one) from its package data.
    return frozenset(yake.KeywordExtractor(lan=language).stopword_set)


def _sample(sec: _Section, budget: int) -> list[_Sentence]:
    """The section's most central sentences, up to budget words, in speaking order.

    YAKE's cost grows with its text (roughly 0.1 s per thousand words), so a long section is
    read through the sentences TextRank found central: they carry its key terms.
    """
    ranked = sec.ranked() or [s for s in sec.sentences if s.norm]
    chosen: list[_Sentence] = []
    words = 0
    for s in ranked:
        if chosen and words + s.words > budget:
            break
        chosen.append(s)
        words += s.words
    return sorted(chosen, key=lambda s: s.index)


def _pick_terms(scores: dict[str, float], counts: Counter[str], avoid: set[str]) -> list[str]:
    """Two key terms (three short ones when the third is nearly as strong) for a heading."""
    ranked = sorted(
        ((t, v * (0.4 if t in avoid else 1.0)) for t, v in scores.items() if _headline_worthy(t)),
        key=lambda kv: (-kv[1], kv[0]),
    )
    chosen: list[str] = []
    last_value = 0.0
    for term, value in ranked:
        term = _upgrade_to_bigram(term, counts)
        if _clashes(term, chosen):
            continue
        if len(chosen) == 2 and (any(" " in c for c in chosen) or value < 0.9 * last_value):
            break
        chosen.append(term)
        last_value = value
        if len(chosen) == 3:
            break
    return chosen


def _headline_worthy(term: str) -> bool:
    # Adverbs make headings read like word salad ("Usually Means").
    return not any(w.endswith("ly") and w not in _LY_NOUNS for w in term.split())


_LY_NOUNS = _words(
    "family assembly supply italy anomaly butterfly jelly belly reply rally monopoly july "
    "poly fly ally lily holly"
)


def _upgrade_to_bigram(term: str, counts: Counter[str]) -> str:
    """'grinder' -> 'burr grinder' when the pair carries a good share of the word's mentions."""
    if " " in term:
        return term
    tf = counts.get(term, 0)
    pairs = sorted(
        (
            (pair_tf, pair)
            for pair, pair_tf in counts.items()
            if " " in pair and term in pair.split() and _headline_worthy(pair)
        ),
        reverse=True,
    )
    if not pairs or pairs[0][0] < max(2, 0.3 * tf):
        return term
    if len(pairs) > 1 and pairs[1][0] == pairs[0][0]:
        return term  # "burr grinder" or "blade grinder"? Neither speaks for "grinder".
    return pairs[0][1]


def _clashes(term: str, chosen: list[str]) -> bool:
    """Whether term repeats a word (or its stem, "grind"/"grinder") of a chosen term."""
    for other in chosen:
        for a in term.split():
            for b in other.split():
                short, long = (a, b) if len(a) <= len(b) else (b, a)
                if long.startswith(short[: max(4, len(short) - 1)]):
                    return True
    return False


def _phrase(terms: list[str], vocab: _Vocabulary) -> str:
    names = [_title_case(vocab.surface(t)) for t in terms]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {vocab.conjunction} {names[-1]}"


def _headings(sections: list[_Section], vocab: _Vocabulary) -> list[str]:
    counts = [_term_counts(sec) for sec in sections]
    # YAKE reads one section at a time; a phrase said in every section tells none apart.
    spread = Counter(term for section_counts in counts for term in section_counts)
    used: set[str] = set()
    headings = []
    for number, (sec, section_counts) in enumerate(zip(sections, counts, strict=True), start=1):
        if sec.title:
            headings.append(sec.title)
            continue
        phrases = _keyphrases(_sample(sec, _YAKE_WORDS), vocab)
        # On a few hundred words YAKE can favour a phrase said once, early ("expensive gear");
        # a heading names what the section keeps coming back to.
        recurring = any(section_counts[term] >= 2 for term in phrases)
        scores = {
            term: value * (math.log((1 + len(sections)) / (1 + spread[term])) + 1)
            for term, value in phrases.items()
            if section_counts[term] >= 2 or not recurring
        }
        terms = _pick_terms(scores, section_counts, used)
        used.update(terms)
        headings.append(_phrase(terms, vocab) or f"Part {number}")
    return headings


def _derive_title(sections: list[_Section], vocab: _Vocabulary) -> str:
    """A title from YAKE's keyphrases of the whole talk, favouring those said all through it."""
    budget = max(_YAKE_WORDS // 4, _YAKE_TITLE_WORDS // len(sections))
    sample = sorted((s for sec in sections for s in _sample(sec, budget)), key=lambda s: s.index)
    totals: Counter[str] = Counter()
    spread: Counter[str] = Counter()
    for sec in sections:
        counts = _term_counts(sec)
        totals.update(counts)
        spread.update(counts.keys())
    scores = {
        term: value * (1 + spread[term] / len(sections))
        for term, value in _keyphrases(sample, vocab).items()
    }
    return _phrase(_pick_terms(scores, totals, set()), vocab) or "Notes from the Video"


def _term_counts(sec: _Section) -> Counter[str]:
    return Counter(t for s in sec.sentences for t in (*s.terms, *s.bigrams))


def _title_case(phrase: str) -> str:
    words = phrase.split()
    out = []
    for i, word in enumerate(words):
        if (word.isupper() and len(word) > 1) or (i and word in _SMALL_WORDS):
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)


# ---------------------------------------------------------------------------------------------
# Choosing sentences


def _mmr(
    candidates: list[_Sentence],
    scores: dict[int, float],
    count: int,
    used: set[str],
    seed: list[_Sentence] | None = None,
) -> list[_Sentence]:
    """Greedy maximal marginal relevance: central, but not saying what a chosen one said."""
    pool = [s for s in candidates if s.key not in used][:_CANDIDATES_PER_SECTION]
    chosen: list[_Sentence] = list(seed or [])
    top = max((scores.get(s.index, 0.0) * s.quality for s in pool), default=0.0) or 1.0
    while pool and len(chosen) < count:
        best, best_value = pool[0], -math.inf
        for s in pool:
            relevance = scores.get(s.index, 0.0) * s.quality / top
            overlap = max(
                (_cosine(s.vector, s.norm, c.vector, c.norm) for c in chosen), default=0.0
            )
            value = 0.7 * relevance - 0.3 * overlap
            if value > best_value:
                best, best_value = s, value
        pool.remove(best)
        if _overlap_too_high(best, chosen):
            continue
        chosen.append(best)
        used.add(best.key)
    return sorted(chosen, key=lambda s: s.index)


def _overlap_too_high(candidate: _Sentence, chosen: list[_Sentence]) -> bool:
    # Speakers repeat themselves; a near-copy of a chosen sentence is never worth its space.
    return any(_cosine(candidate.vector, candidate.norm, c.vector, c.norm) > 0.8 for c in chosen)


def _pick_intro(
    sentences: list[_Sentence],
    sections: list[_Section],
    plan: _Plan,
    used: set[str],
    title_terms: set[str],
) -> list[_Sentence]:
    """A framing sentence from the opening, then the most central sentences of the talk."""
    # Never starve a section: only take intro sentences from sections with spare candidates.
    spare: set[int] = set()
    for sec in sections:
        if sum(s.eligible for s in sec.sentences) >= plan.body[1] + 3:
            spare.update(s.index for s in sec.sentences)
    scores = _centrality(sentences)
    for s in sentences:
        # Speakers frame the topic early and wrap up late; the middle is detail.
        scores[s.index] *= 1.2 - 0.4 * s.index / len(sentences)
    pool = [s for s in sentences if s.eligible and s.index in spare and not s.text.endswith("?")]
    opening = max(3, len(sentences) // 7)
    framing = [s for s in pool if s.index < opening and title_terms.intersection(s.terms)]
    seed: list[_Sentence] = []
    if framing:
        # The speaker saying what the title promises ("today we'll look at...") opens best.
        first = max(
            framing,
            key=lambda s: (len(title_terms.intersection(s.terms)) + scores[s.index], -s.index),
        )
        seed.append(first)
        used.add(first.key)
    ranked = sorted(pool, key=lambda s: (-scores[s.index] * s.quality, s.index))
    return _mmr(ranked, scores, plan.intro, used, seed)


def _pick_body(sec: _Section, plan: _Plan, used: set[str]) -> list[_Sentence]:
    ranked = sec.ranked()
    fewest, most = plan.body
    count = most if len(ranked) >= 3 * most else fewest
    body = _mmr(ranked, sec.scores, count, used)
    if body:
        return body
    # A short chapter with no full sentence: keep what was said rather than drop the chapter.
    leftovers = [
        s
        for s in sec.sentences
        if s.key not in used and s.words >= 3 and not _BOILERPLATE.search(s.text)
    ][:fewest]
    used.update(s.key for s in leftovers)
    return leftovers


def _pick_takeaway(sec: _Section, body: list[_Sentence], used: set[str]) -> str:
    if not body:
        return ""
    ranked = sorted(
        (s for s in sec.ranked() if s.key not in used),
        key=lambda s: (-_takeaway_value(s, sec), s.index),
    )
    # Overlap is the costly test, so it runs in rank order and stops at the first fit.
    best = next((s for s in ranked if not _overlap_too_high(s, body)), None)
    if best is not None:
        used.add(best.key)
        return _shorten(best.text)
    if len(body) >= 3:
        # Nothing left to say: lend the section's weakest sentence to the takeaways.
        weakest = min(body, key=lambda s: (sec.scores.get(s.index, 0.0), -s.index))
        body.remove(weakest)
        return _shorten(weakest.text)
    return ""


def _takeaway_value(s: _Sentence, sec: _Section) -> float:
    value = sec.scores.get(s.index, 0.0) * s.quality
    if s.words <= 20:
        value *= 1.15  # a bullet should be short
    first = s.text.split(" ", 1)[0].lower()
    if first in _BACK_REFERENCES:
        value *= 0.7  # "It ..." means nothing out of context
    if s.signpost:
        value *= 0.5
    return value


def _shorten(text: str, limit: int = 24) -> str:
    words = text.split()
    if len(words) <= limit:
        return text
    # Cut at the last clause boundary that keeps a whole thought.
    for i in range(min(limit, len(words) - 1), 7, -1):
        if words[i - 1].endswith((",", ";", ":")) or words[i].lower() in (
            "and",
            "but",
            "because",
            "which",
            "so",
        ):
            return " ".join(words[:i]).rstrip(",;:") + "."
    return " ".join(words[:limit]).rstrip(",;:") + "…"


def _paragraphs(body: list[_Sentence]) -> list[list[_Sentence]]:
    if len(body) <= 3:
        return [body]
    # Two paragraphs, split where the speaker moved on furthest between chosen sentences.
    cut = max(range(2, len(body) - 1), key=lambda i: (body[i].index - body[i - 1].index, -i))
    return [body[:cut], body[cut:]]


def _paragraph(sentences: list[_Sentence]) -> str:
    return " ".join(s.text for s in sentences)


# ---------------------------------------------------------------------------------------------
# Titles, links, small posts


def _clean_title(title: str) -> str:
    text = unescape(title or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Cs", "Co"))
    text = _TITLE_SUFFIX.sub("", text)
    text = _TITLE_JUNK.sub("", text)
    text = _HASHTAG.sub("", text)
    text = _SPACES.sub(" ", text).strip()
    parts = [p.strip() for p in re.split(r"\s+\|\s+", text) if p.strip()]
    parts = [re.sub(r"([!?])[!?]+", r"\1", p) for p in parts[:2]]  # a third is the channel
    text = parts[0] if parts else ""
    if len(parts) > 1:
        text += (" " if text.endswith(("?", "!", ".", ":")) else ": ") + parts[1]
    text = text.strip(" -|–—·•:,")
    return _capitalize(_fix_shouting(text))


def _clean_heading(title: str) -> str:
    text = "".join(ch for ch in unescape(title) if unicodedata.category(ch) not in ("So", "Cs"))
    return _fix_shouting(_SPACES.sub(" ", text).strip(" -|–—·•:"))


def _fix_shouting(text: str) -> str:
    """Title-case words in capitals when a title shouts; acronyms and model names stay."""
    letters = [ch for ch in text if ch.isalpha()]
    words = text.split(" ")
    loud = any(sum(ch.isalpha() for ch in w) >= 5 and w.isupper() for w in words)
    if len(letters) < 6 or (sum(ch.isupper() for ch in letters) / len(letters) < 0.6 and not loud):
        return text
    out = []
    for i, word in enumerate(words):
        core = re.sub(r"\W", "", word)
        if not word.isupper():
            out.append(word)  # already written in mixed case by a person
        elif 2 <= len(core) <= 3 and core.isalpha() and core.lower() not in _EN_STOPWORDS:
            out.append(word)  # likely an acronym: AI, GPU, NBA
        elif any(ch.isdigit() for ch in core):
            out.append(word)  # model names such as V60 or 4K
        elif i and word.lower() in _SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:].lower())
    return " ".join(out)


def _youtube_id(url: str) -> str | None:
    try:
        parsed = urlparse((url or "").strip())
    except ValueError:
        return None
    host = (parsed.hostname or "").lower()
    for prefix in ("www.", "m.", "music."):
        host = host.removeprefix(prefix)
    candidate = ""
    if host == "youtu.be":
        candidate = parsed.path.strip("/").split("/")[0]
    elif host in ("youtube.com", "youtube-nocookie.com"):
        parts = parsed.path.strip("/").split("/")
        if parts[0] == "watch":
            candidate = parse_qs(parsed.query).get("v", [""])[0]
        elif len(parts) >= 2 and parts[0] in ("shorts", "embed", "live", "v"):
            candidate = parts[1]
    return candidate if _YOUTUBE_ID.fullmatch(candidate) else None


def _timestamp_link(video_id: str | None, seconds: float) -> str:
    if not video_id:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f" ([{clock}](https://youtu.be/{video_id}?t={whole}))"


def _note(lang: str, video_url: str) -> str:
    template = _LABELS.get(lang, _LABELS["en"])[1]
    with_url, without = _SOURCES.get(lang, _SOURCES["en"]) if lang in _LABELS else _SOURCES["en"]
    url = (video_url or "").strip()
    safe = url.startswith(("http://", "https://")) and not re.search(r"[\s()\[\]]", url)
    return template.format(source=with_url.format(url=url) if safe else without)


def _tiny_post(title: str, sentences: list[_Sentence], note: str) -> str:
    seen: set[str] = set()
    kept = []
    for s in sentences:
        if s.key and s.key not in seen and not _BOILERPLATE.search(s.text):
            seen.add(s.key)
            kept.append(s.text)
    if not kept:
        kept = list(dict.fromkeys(s.text for s in sentences))  # greetings beat an empty post
    parts = [f"# {title}"]
    if kept:
        parts.append(" ".join(kept[:12]))
    parts.append(f"*{note}*")
    return "\n\n".join(parts) + "\n"
