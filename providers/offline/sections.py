"""Sections: the video's chapters, or else time windows cut where the vocabulary shifts, each
with its sentences ranked by TextRank; and the plan of how much to write for a length.
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from itertools import pairwise

from providers.offline.captions import as_seconds
from providers.offline.ranking import centrality, centroid, cosine
from providers.offline.sentences import Sentence
from providers.offline.titles import clean_heading


@dataclass(frozen=True, slots=True)
class Plan:
    body: tuple[int, int]  # sentences per section: (fewest, most)
    max_sections: int  # time-window sections when there are no chapters
    intro: int


PLANS = {
    "short": Plan(body=(2, 3), max_sections=5, intro=2),
    "medium": Plan(body=(3, 4), max_sections=6, intro=3),
    "long": Plan(body=(4, 5), max_sections=8, intro=3),
}


@dataclass(slots=True)
class Section:
    sentences: list[Sentence]
    start: float
    title: str = ""  # chapter title, if any
    scores: dict[int, float] = field(default_factory=dict)

    def ranked(self) -> list[Sentence]:
        """Eligible sentences, best first (ties: earlier first)."""
        pool = [s for s in self.sentences if s.eligible]
        return sorted(pool, key=lambda s: (-self.scores.get(s.index, 0.0) * s.quality, s.index))


def build_sections(
    sentences: list[Sentence], chapters: list[dict] | None, plan: Plan
) -> list[Section]:
    sections = _chapter_sections(sentences, chapters) if chapters else []
    if not sections:
        sections = _window_sections(sentences, plan)
    for sec in sections:
        sec.scores = centrality(sec.sentences)
    return sections


def _chapter_sections(sentences: list[Sentence], chapters: list[dict]) -> list[Section]:
    marks: list[tuple[float, int, str]] = []
    for position, chapter in enumerate(chapters):
        if isinstance(chapter, dict):
            heading = clean_heading(str(chapter.get("title") or ""))
            marks.append((as_seconds(chapter.get("start")), position, heading))
    marks.sort()
    if not marks:
        return []
    starts = [m[0] for m in marks]
    buckets: list[list[Sentence]] = [[] for _ in marks]
    for s in sentences:
        # Sentences said before the first chapter mark belong to the first chapter.
        buckets[max(0, bisect_right(starts, s.start + 0.5) - 1)].append(s)
    return [
        Section(sentences=bucket, start=start, title=heading)
        for (start, _, heading), bucket in zip(marks, buckets, strict=True)
        if bucket
    ]


def _window_sections(sentences: list[Sentence], plan: Plan) -> list[Section]:
    eligible = sum(s.eligible for s in sentences)
    k = max(1, min(plan.max_sections, eligible // 12))
    cuts = _topic_cuts(sentences, k)
    bounds = [0, *cuts, len(sentences)]
    return [
        Section(sentences=sentences[a:b], start=sentences[a].start)
        for a, b in pairwise(bounds)
        if b > a
    ]


def _topic_cuts(sentences: list[Sentence], k: int) -> list[int]:
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


def _gap_similarity(sentences: list[Sentence], p: int, window: int) -> float:
    left = centroid(sentences[max(0, p - window) : p])
    right = centroid(sentences[p : p + window])
    nl = math.sqrt(sum(w * w for w in left.values()))
    nr = math.sqrt(sum(w * w for w in right.values()))
    return cosine(left, nl, right, nr)
