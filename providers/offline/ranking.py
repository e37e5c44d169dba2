"""What matters in the transcript: term vectors (TF-IDF of stemmed content words), sentence
centrality by TextRank, and YAKE's key phrases.

numpy and yake are imported where they are used, on first use.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING

from providers.offline.sentences import CJK, Sentence, sentence_quality
from providers.offline.stopwords import is_stop_word, stop_words
from providers.offline.vocabulary import EN_STOPWORDS

if TYPE_CHECKING:
    # At run time numpy is imported where it is used: every Django process imports this module.
    import numpy as np


# TextRank: a graph links at most this many sentences (longer sections are ranked in interleaved
# groups), and PageRank stops when no rank moves by more than the tolerance.
TEXTRANK_GROUP = 200
_TEXTRANK_DAMPING = 0.85
_TEXTRANK_TOLERANCE = 1e-4
_TEXTRANK_ITERATIONS = 50
# YAKE: words of one section it reads, of the whole talk for a title, and phrases it returns.
YAKE_WORDS = 250
YAKE_TITLE_WORDS = 400
_YAKE_TOP = 20

_TOKEN = re.compile(r"\w[\w'’-]*")


@dataclass(slots=True)
class Vocabulary:
    stopwords: frozenset[str]
    surfaces: dict[str, Counter[str]]  # term -> how it was written
    conjunction: str = "and"  # joins key terms in headings
    language: str = "en"  # picks YAKE's stopword list

    @classmethod
    def build(
        cls, sentences: list[Sentence], *, english_hint: bool, language: str = "en"
    ) -> Vocabulary:
        token_lists = [tokenize(s.text) for s in sentences]
        stopwords = _choose_stopwords(token_lists, english_hint)
        listed = stop_words(language)
        known = language != "en" and len(listed) > len(stop_words("en"))
        if stopwords is not EN_STOPWORDS and known:
            # A language the stop-words package knows: its list ("avec", "esta"), and of the
            # transcript's commonest short words only the shortest ("oui"), never "café".
            stopwords = listed | {w for w in stopwords if len(w) <= 3}
        elif stopwords is not EN_STOPWORDS:
            stopwords = stopwords | listed
        surfaces: dict[str, Counter[str]] = {}
        df: Counter[str] = Counter()
        for sentence, tokens in zip(sentences, token_lists, strict=True):
            terms, bigrams = extract_terms(tokens, stopwords, surfaces)
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
            sentence.quality = sentence_quality(sentence)
        return cls(stopwords=stopwords, surfaces=surfaces)

    def surface(self, term: str) -> str:
        forms = self.surfaces.get(term)
        if not forms:
            return term
        return min(forms.items(), key=lambda kv: (-kv[1], kv[0]))[0]


def tokenize(text: str) -> list[tuple[str, str]]:
    """(lower-case token, surface) pairs; CJK runs become character bigrams."""
    out = []
    for raw in _TOKEN.findall(text):
        raw = raw.replace("’", "'").strip("'-")
        if raw.lower().endswith("'s"):
            raw = raw[:-2]
        if not raw:
            continue
        if CJK.search(raw) and len(raw) > 2:
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
    covered = sum(c for tok, c in counts.items() if tok in EN_STOPWORDS)
    if covered / total >= (0.2 if english_hint else 0.3):
        return EN_STOPWORDS
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
    if is_stop_word(token, stopwords) or not any(ch.isalpha() for ch in token):
        return False
    return len(token) >= 3 or bool(CJK.search(token))


def extract_terms(
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


def cosine(a: dict[str, float], na: float, b: dict[str, float], nb: float) -> float:
    if not na or not nb:
        return 0.0
    if len(a) > len(b):
        a, b = b, a
    return sum(w * b.get(t, 0.0) for t, w in a.items()) / (na * nb)


def centroid(sentences: Iterable[Sentence]) -> dict[str, float]:
    total: dict[str, float] = {}
    for s in sentences:
        if s.norm:
            for t, w in s.vector.items():
                total[t] = total.get(t, 0.0) + w / s.norm
    return total


def centrality(sentences: list[Sentence]) -> dict[int, float]:
    """TextRank: weighted PageRank on the graph of sentences linked by the cosine of their terms.

    More than TEXTRANK_GROUP sentences are ranked as interleaved groups (every k-th sentence):
    each sentence is still compared with a sample spread over all of them, and the work stays
    linear in their number. Scores are scaled so that each group's most central sentence scores 1,
    which keeps groups comparable; a sentence without content terms scores 0.
    """
    scores = dict.fromkeys((s.index for s in sentences), 0.0)
    voters = [s for s in sentences if s.norm]
    groups = -(-len(voters) // TEXTRANK_GROUP)
    for g in range(groups):
        group = voters[g::groups]
        ranks = _pagerank(_similarities(group))
        for s, rank in zip(group, (ranks / ranks.max()).tolist(), strict=True):
            # Rounded so that sentences equally central tie (then the earlier one wins) whatever
            # order the linear algebra library summed in.
            scores[s.index] = round(rank, 12)
    return scores


def _similarities(group: list[Sentence]) -> np.ndarray:
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


def keyphrases(sentences: list[Sentence], vocab: Vocabulary) -> dict[str, float]:
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
        terms = extract_terms(tokenize(phrase), vocab.stopwords, {})[0]
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
