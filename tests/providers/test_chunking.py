"""Cutting a transcript too long for one call: chunks that fit, cut where the talk allows."""

from __future__ import annotations

from itertools import pairwise

import pytest

from providers.chunking import count_tokens, halve, split
from providers.prompts import PostRequest
from tests.fakes.transcripts import auto_captions_talk, long_talk
from tests.providers.post_requests import post_request


def _words(text: str) -> list[str]:
    return [w for w in text.split() if "youtu.be" not in w]


def test_token_estimates_err_on_the_high_side() -> None:
    english = "The quick brown fox jumps over the lazy dog. " * 20
    assert count_tokens(english) >= len(english) / 4
    assert count_tokens("") == 0
    # Scripts without spaces take about a token a character.
    assert count_tokens("日本語のテキストです") >= 10


def test_every_chunk_fits_and_nothing_is_lost_or_repeated() -> None:
    request = post_request(long_talk())
    chunks = split(request, 3000)

    assert len(chunks) > 8
    assert all(c.tokens <= 3000 for c in chunks)
    said = _words(" ".join(str(s["text"]) for s in request.segments))
    assert _words(" ".join(c.text for c in chunks)) == said


def test_chunks_start_at_chapters_when_chapters_fit() -> None:
    request = post_request(long_talk())
    chunks = split(request, 7500)

    starts = {c.start for c in chunks}
    for chapter in request.chapters:
        assert any(abs(chapter["start"] - s) < 3 for s in starts), chapter["title"]
    for chunk in chunks:
        assert chunk.chapters, "every chunk knows its chapters"


def test_chunks_of_one_transcript_are_about_the_same_size() -> None:
    chunks = split(post_request(long_talk(), chapters=False), 2500)
    sizes = [c.tokens for c in chunks]
    assert max(sizes) <= 2500
    assert min(sizes) >= 0.7 * max(sizes)


def test_auto_captions_are_cut_at_pauses() -> None:
    request = post_request(auto_captions_talk(), chapters=False)
    chunks = split(request, 150)
    assert len(chunks) >= 4

    pauses = [after.start - before.end for before, after in pairwise(chunks)]
    # The talk pauses after every third sentence; almost every cut should fall on one.
    assert sum(p >= 1.0 for p in pauses) >= len(pauses) - 1


def test_text_without_times_is_cut_after_sentences() -> None:
    sentences = [f"Sentence number {i} talks about grinding coffee beans well." for i in range(200)]
    request = PostRequest(title="", transcript=" ".join(sentences))
    chunks = split(request, 300)
    assert len(chunks) > 3
    for chunk in chunks:
        assert chunk.text.endswith("."), chunk.text[-40:]
        assert chunk.start is None


def test_halving_a_chunk_gives_two_that_hold_all_its_text() -> None:
    request = post_request(long_talk())
    chunk = split(request, 6000)[0]
    halves = halve(request, chunk)

    assert len(halves) == 2
    assert _words(" ".join(h.text for h in halves)) == _words(chunk.text)
    assert max(h.tokens for h in halves) < 0.65 * chunk.tokens


def test_a_too_small_budget_is_refused() -> None:
    with pytest.raises(ValueError):
        split(post_request(long_talk()), 4)
