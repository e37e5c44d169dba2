"""Choosing sentences: the intro, each section's body and its key takeaway, central but never
repeating one another (maximal marginal relevance).
"""

from __future__ import annotations

import math

from providers.offline.ranking import centrality, cosine
from providers.offline.sections import Plan, Section
from providers.offline.sentences import BOILERPLATE, Sentence
from providers.offline.vocabulary import BACK_REFERENCES

_CANDIDATES_PER_SECTION = 40


def _mmr(
    candidates: list[Sentence],
    scores: dict[int, float],
    count: int,
    used: set[str],
    seed: list[Sentence] | None = None,
) -> list[Sentence]:
    """Greedy maximal marginal relevance: central, but not saying what a chosen one said."""
    pool = [s for s in candidates if s.key not in used][:_CANDIDATES_PER_SECTION]
    chosen: list[Sentence] = list(seed or [])
    top = max((scores.get(s.index, 0.0) * s.quality for s in pool), default=0.0) or 1.0
    while pool and len(chosen) < count:
        best, best_value = pool[0], -math.inf
        for s in pool:
            relevance = scores.get(s.index, 0.0) * s.quality / top
            overlap = max((cosine(s.vector, s.norm, c.vector, c.norm) for c in chosen), default=0.0)
            value = 0.7 * relevance - 0.3 * overlap
            if value > best_value:
                best, best_value = s, value
        pool.remove(best)
        if _overlap_too_high(best, chosen):
            continue
        chosen.append(best)
        used.add(best.key)
    return sorted(chosen, key=lambda s: s.index)


def _overlap_too_high(candidate: Sentence, chosen: list[Sentence]) -> bool:
    # Speakers repeat themselves; a near-copy of a chosen sentence is never worth its space.
    return any(cosine(candidate.vector, candidate.norm, c.vector, c.norm) > 0.8 for c in chosen)


def pick_intro(
    sentences: list[Sentence],
    sections: list[Section],
    plan: Plan,
    used: set[str],
    title_terms: set[str],
) -> list[Sentence]:
    """A framing sentence from the opening, then the most central sentences of the talk."""
    # Never starve a section: only take intro sentences from sections with spare candidates.
    spare: set[int] = set()
    for sec in sections:
        if sum(s.eligible for s in sec.sentences) >= plan.body[1] + 3:
            spare.update(s.index for s in sec.sentences)
    scores = centrality(sentences)
    for s in sentences:
        # Speakers frame the topic early and wrap up late; the middle is detail.
        scores[s.index] *= 1.2 - 0.4 * s.index / len(sentences)
    pool = [s for s in sentences if s.eligible and s.index in spare and not s.text.endswith("?")]
    opening = max(3, len(sentences) // 7)
    framing = [s for s in pool if s.index < opening and title_terms.intersection(s.terms)]
    seed: list[Sentence] = []
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


def pick_body(sec: Section, plan: Plan, used: set[str]) -> list[Sentence]:
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
        if s.key not in used and s.words >= 3 and not BOILERPLATE.search(s.text)
    ][:fewest]
    used.update(s.key for s in leftovers)
    return leftovers


def pick_takeaway(sec: Section, body: list[Sentence], used: set[str]) -> str:
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


def _takeaway_value(s: Sentence, sec: Section) -> float:
    value = sec.scores.get(s.index, 0.0) * s.quality
    if s.words <= 20:
        value *= 1.15  # a bullet should be short
    first = s.text.split(" ", 1)[0].lower()
    if first in BACK_REFERENCES:
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
