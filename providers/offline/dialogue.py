"""Dialogue: a film's or an episode's captions (many short turns, several speakers) written as
what they are, a conversation, summarised scene by scene: who speaks, what each scene turns on,
and the lines that carry it, quoted as lines. Strung together as prose they would read as a
collage of quotes.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass
from itertools import pairwise

from providers.offline.captions import as_seconds
from providers.offline.headings import post_tags
from providers.offline.ranking import Vocabulary, centrality
from providers.offline.sections import Plan, Section
from providers.offline.selection import pick_body
from providers.offline.sentences import Sentence

# A dialogue has at least this many sentences; fewer make a short post whatever they are.
_MIN_SENTENCES = 20
# Sentences a scene needs at least, and roughly how many a scene of the post covers.
_MIN_SCENE = 10
_SENTENCES_PER_SCENE = 25
_WORDS_PER_SECOND = 2.5
_QUOTABLE_WORDS = 8


@dataclass(frozen=True, slots=True)
class _Words:
    scene: str
    intro: str  # {lines} {between} {span}
    between: str  # {names}
    span: str  # {minutes}
    one_speaks: str  # {names}
    many_speak: str  # {names}
    topics: str  # {topics}
    conjunction: str


_WORDS = {
    "en": _Words(
        "Scene",
        "This video is a conversation rather than a talk: {lines} lines{between}{span}. What "
        "follows sums it up scene by scene: who speaks, what each scene turns on, and the "
        "lines that carry it.",
        " between {names}",
        " over {minutes} minutes",
        "{names} speaks",
        "{names} speak",
        "the scene turns on {topics}",
        "and",
    ),
    "es": _Words(
        "Escena",
        "Este vídeo es una conversación, no una charla: {lines} réplicas{between}{span}. A "
        "continuación, escena por escena: quién habla, de qué trata cada escena y las frases "
        "que la sostienen.",
        " entre {names}",
        " en {minutes} minutos",
        "habla {names}",
        "hablan {names}",
        "la escena gira en torno a {topics}",
        "y",
    ),
    "fr": _Words(
        "Scène",
        "Cette vidéo est une conversation et non un exposé : {lines} répliques{between}{span}. "
        "Voici, scène par scène, qui parle, de quoi il est question et les répliques qui "
        "portent chaque scène.",
        " entre {names}",
        " en {minutes} minutes",
        "{names} prend la parole",
        "{names} prennent la parole",
        "il y est question de {topics}",
        "et",
    ),
    "de": _Words(
        "Szene",
        "Dieses Video ist ein Gespräch, kein Vortrag: {lines} Wortwechsel{between}{span}. Im "
        "Folgenden Szene für Szene: wer spricht, worum es geht und die Sätze, die die Szene "
        "tragen.",
        " zwischen {names}",
        " in {minutes} Minuten",
        "es spricht {names}",
        "es sprechen {names}",
        "es geht um {topics}",
        "und",
    ),
}


@dataclass(slots=True)
class Scene:
    section: Section
    heading: str
    speakers: list[str]
    topics: list[str]
    lines: list[Sentence]


def speakers_of(sentences: list[Sentence], segments: list[dict]) -> list[str]:
    """Who says each sentence ("" when the captions do not say), from the segments the
    transcript clean-up marked with their speaker."""
    marks = sorted(
        (as_seconds(seg.get("start")), str(seg.get("speaker") or ""))
        for seg in segments
        if isinstance(seg, dict)
    )
    starts = [start for start, _ in marks]
    out = []
    for s in sentences:
        at = bisect_right(starts, s.start + 1e-6) - 1
        out.append(marks[at][1] if at >= 0 else "")
    return out


def is_dialogue(sentences: list[Sentence], segments: list[dict]) -> bool:
    """Many short turns between several speakers, or many short, lively lines."""
    if len(sentences) < _MIN_SENTENCES:
        return False
    turns = 0
    speakers: set[str] = set()
    previous = ""
    for seg in segments:
        if not isinstance(seg, dict):
            continue
        speaker = str(seg.get("speaker") or "")
        if seg.get("turn") or (speaker and speaker != previous):
            turns += 1
        if speaker:
            speakers.add(speaker)
            previous = speaker
    words = sum(s.words for s in sentences)
    if turns >= 8 and words / turns <= 25 and (len(speakers) >= 2 or turns * 10 >= len(segments)):
        return True
    lively = sum(1 for s in sentences if s.text.rstrip("\"'”»").endswith(("?", "!")))
    return words / len(sentences) < 7.5 and lively * 4 >= len(sentences)


def build_scenes(
    sentences: list[Sentence],
    said_by: list[str],
    vocab: Vocabulary,
    plan: Plan,
    language: str,
    used: set[str],
) -> list[Scene]:
    words = _WORDS.get(language, _WORDS["en"])
    count = max(1, min(plan.max_sections, len(sentences) // _SENTENCES_PER_SCENE))
    bounds = [0, *_scene_cuts(sentences, count), len(sentences)]
    case = _written_case(sentences)
    lines_plan = Plan(body=(1, plan.body[0] - 1 or 1), max_sections=1, intro=0)
    scenes = []
    for number, (a, b) in enumerate(pairwise(bounds), start=1):
        part = sentences[a:b]
        # Lines that carry a scene say something: a short retort out of context does not.
        full = [s for s in part if s.eligible and s.words >= _QUOTABLE_WORDS]
        if len(full) >= 2:
            for s in part:
                s.eligible = s.eligible and s.words >= _QUOTABLE_WORDS
        section = Section(sentences=part, start=part[0].start)
        section.scores = centrality(part)
        topics = [_cased(t, case) for t in post_tags([section], vocab, limit=3, recurring=True)]
        speakers = list(dict.fromkeys(name for name in said_by[a:b] if name))[:4]
        topic = topics[0][:1].upper() + topics[0][1:] if topics else ""
        heading = f"{words.scene} {number}" + (f": {topic}" if topic else "")
        lines = pick_body(section, lines_plan, used)
        scenes.append(Scene(section, heading, speakers, topics, lines))
    return scenes


def intro(sentences: list[Sentence], speakers: list[str], language: str) -> str:
    words = _WORDS.get(language, _WORDS["en"])
    seconds = sentences[-1].start - sentences[0].start
    span = words.span.format(minutes=max(1, round(seconds / 60))) if seconds > 0 else ""
    between = words.between.format(names=_listed(speakers[:4], words)) if speakers else ""
    return words.intro.format(lines=len(sentences), between=between, span=span)


def scene_text(scene: Scene, said_by: dict[int, str], language: str) -> list[str]:
    """The scene's paragraphs: who speaks, what it turns on, then its lines as quotes."""
    words = _WORDS.get(language, _WORDS["en"])
    clauses = []
    if scene.speakers:
        who = words.one_speaks if len(scene.speakers) == 1 else words.many_speak
        clauses.append(who.format(names=_listed(scene.speakers, words)))
    if scene.topics:
        topics = words.topics.format(topics=_listed(scene.topics, words))
        if language == "fr":
            topics = re.sub(r"\bde ([aeiouyàâéèêîôûh])", r"d'\1", topics, flags=re.I)  # "d'Alba"
        clauses.append(topics)
    # One sentence: who speaks, and what about ("Alba and Pedro speak; the scene turns on...").
    summary = "; ".join(clauses)
    parts = [summary[:1].upper() + summary[1:] + "."] if summary else []
    for line in scene.lines:
        who = said_by.get(line.index, "")
        parts.append(f"> {line.text}" + (f" — {who}" if who else ""))
    return parts


def _listed(items: list[str], words: _Words) -> str:
    if len(items) == 1:
        return items[0]
    return f"{', '.join(items[:-1])} {words.conjunction} {items[-1]}"


def _scene_cuts(sentences: list[Sentence], count: int) -> list[int]:
    """Cut where the longest silences fall (a scene change), each scene _MIN_SCENE long."""
    if count <= 1:
        return []
    gaps = []
    for i in range(1, len(sentences)):
        before = sentences[i - 1]
        gap = sentences[i].start - before.start - before.words / _WORDS_PER_SECOND
        gaps.append((gap, i))
    timed = any(s.start > 0 for s in sentences)
    if not timed:
        step = len(sentences) / count
        return [round(step * k) for k in range(1, count)]
    cuts: list[int] = []
    for _, i in sorted(gaps, key=lambda g: (-g[0], g[1])):
        candidate = sorted([*cuts, i])
        edges = [0, *candidate, len(sentences)]
        if all(b - a >= _MIN_SCENE for a, b in pairwise(edges)):
            cuts = candidate
            if len(cuts) == count - 1:
                break
    return cuts


def _written_case(sentences: list[Sentence]) -> dict[str, str]:
    """How the captions write a word they never write in lower case: "alba" -> "Alba"."""
    forms: dict[str, Counter[str]] = {}
    lower: set[str] = set()
    for s in sentences:
        for word in s.text.split():
            core = word.strip(".,!?;:\"'()«»“”…¿¡")
            if core[:1].isupper():
                forms.setdefault(core.lower(), Counter())[core] += 1
            elif core:
                lower.add(core)
    return {low: counts.most_common(1)[0][0] for low, counts in forms.items() if low not in lower}


def _cased(phrase: str, case: dict[str, str]) -> str:
    return " ".join(case.get(w.lower(), w) for w in phrase.split())
