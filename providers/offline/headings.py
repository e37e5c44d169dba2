"""Headings for sections without a chapter title, and a title for a video without one, from
YAKE's key phrases of the most central sentences.
"""

from __future__ import annotations

import math
from collections import Counter

from providers.offline.ranking import YAKE_TITLE_WORDS, YAKE_WORDS, Vocabulary, keyphrases
from providers.offline.sections import Section
from providers.offline.sentences import Sentence
from providers.offline.vocabulary import SMALL_WORDS, word_set


def _sample(sec: Section, budget: int) -> list[Sentence]:
    """The section's most central sentences, up to budget words, in speaking order.

    YAKE's cost grows with its text (roughly 0.1 s per thousand words), so a long section is
    read through the sentences TextRank found central: they carry its key terms.
    """
    ranked = sec.ranked() or [s for s in sec.sentences if s.norm]
    chosen: list[Sentence] = []
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


_LY_NOUNS = word_set(
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


def _phrase(terms: list[str], vocab: Vocabulary) -> str:
    names = [_title_case(vocab.surface(t)) for t in terms]
    if not names:
        return ""
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} {vocab.conjunction} {names[-1]}"


def section_headings(sections: list[Section], vocab: Vocabulary) -> list[str]:
    counts = [_term_counts(sec) for sec in sections]
    # YAKE reads one section at a time; a phrase said in every section tells none apart.
    spread = Counter(term for section_counts in counts for term in section_counts)
    used: set[str] = set()
    headings = []
    for number, (sec, section_counts) in enumerate(zip(sections, counts, strict=True), start=1):
        if sec.title:
            headings.append(sec.title)
            continue
        phrases = keyphrases(_sample(sec, YAKE_WORDS), vocab)
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


def derive_title(sections: list[Section], vocab: Vocabulary) -> str:
    """A title from YAKE's keyphrases of the whole talk, favouring those said all through it."""
    budget = max(YAKE_WORDS // 4, YAKE_TITLE_WORDS // len(sections))
    sample = sorted((s for sec in sections for s in _sample(sec, budget)), key=lambda s: s.index)
    totals: Counter[str] = Counter()
    spread: Counter[str] = Counter()
    for sec in sections:
        counts = _term_counts(sec)
        totals.update(counts)
        spread.update(counts.keys())
    scores = {
        term: value * (1 + spread[term] / len(sections))
        for term, value in keyphrases(sample, vocab).items()
    }
    return _phrase(_pick_terms(scores, totals, set()), vocab) or "Notes from the Video"


def _term_counts(sec: Section) -> Counter[str]:
    return Counter(t for s in sec.sentences for t in (*s.terms, *s.bigrams))


def _title_case(phrase: str) -> str:
    words = phrase.split()
    out = []
    for i, word in enumerate(words):
        if (word.isupper() and len(word) > 1) or (i and word in SMALL_WORDS):
            out.append(word)
        else:
            out.append(word[:1].upper() + word[1:])
    return " ".join(out)
