"""Headings for sections without a chapter title, and a title for a video without one, from
YAKE's key phrases of the most central sentences.
"""

from __future__ import annotations

import math
from collections import Counter

from providers.offline.ranking import YAKE_TITLE_WORDS, YAKE_WORDS, Vocabulary, keyphrases
from providers.offline.sections import Section
from providers.offline.sentences import Sentence
from providers.offline.stopwords import is_stop_word, stop_words, without_elision
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
    """The key phrase that names the section: its strongest term, as the pair of words the
    speaker said it in when they did ("burr grinder"). One phrase: two unrelated key words side
    by side ("Voy y Mañana") name no topic."""
    ranked = sorted(
        ((t, v * (0.4 if t in avoid else 1.0)) for t, v in scores.items() if _headline_worthy(t)),
        key=lambda kv: (-kv[1], kv[0]),
    )
    if not ranked:
        return []
    # A heading another section has already taken names neither: the next phrase does.
    fresh = [(t, v) for t, v in ranked if _upgrade_to_bigram(t, counts) not in avoid]
    best, value = (fresh or ranked)[0]
    best = _upgrade_to_bigram(best, counts)
    if " " not in best:
        # A two-word phrase nearly as strong names the topic better than one word.
        pair = next(
            (t for t, v in ranked[1:6] if " " in t and v >= 0.6 * value and t not in avoid), ""
        )
        best = pair or best
    return [best]


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


Phrases = tuple[dict[str, float], Counter]


def derive_title(sections: list[Section], vocab: Vocabulary, phrases: Phrases | None = None) -> str:
    """A title from YAKE's keyphrases of the whole talk, favouring those said all through it."""
    scores, totals = phrases or talk_phrases(sections, vocab)
    return _phrase(_pick_terms(scores, totals, set()), vocab) or "Notes from the Video"


def post_tags(
    sections: list[Section],
    vocab: Vocabulary,
    limit: int = 5,
    *,
    recurring: bool = False,
    phrases: Phrases | None = None,
) -> list[str]:
    """The post's tags: the talk's key phrases in lower case, best first, never a stop word of
    its language ("avec", "esta", "j'ai") nor two tags sharing a word. recurring: only phrases
    said more than once, when there are any (what a scene keeps coming back to). phrases:
    talk_phrases() of the same sections, when the caller has them already."""
    scores, totals = phrases or talk_phrases(sections, vocab)
    if recurring and any(totals[term] >= 2 for term in scores):
        scores = {term: value for term, value in scores.items() if totals[term] >= 2}
    stop = stop_words(vocab.language) | vocab.stopwords
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))
    tags: list[str] = []
    for term, _ in ranked:
        term = _upgrade_to_bigram(term, totals)
        words = [without_elision(w) for w in vocab.surface(term).split()]
        if any(is_stop_word(w, stop) or w.lower() in _NOT_TAGS for w in words):
            continue
        if not all(any(ch.isalpha() for ch in w) for w in words):
            continue
        tag = " ".join(w if w.isupper() and len(w) > 1 else w.lower() for w in words)
        if _clashes(tag.lower(), [t.lower() for t in tags]):
            continue
        tags.append(tag)
        if len(tags) == limit:
            break
    return tags


# Words of the post's furniture, never what the video is about.
_NOT_TAGS = frozenset({"video", "transcript", "blogtube", "https", "http", "www", "youtube"})


def talk_phrases(sections: list[Section], vocab: Vocabulary) -> Phrases:
    """YAKE's key phrases of the whole talk, weighed up the more sections say them, and the
    count of every term and pair of terms."""
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
    return scores, totals


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
