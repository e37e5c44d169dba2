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

Everything is linear in the transcript size: a TextRank graph holds at most TEXTRANK_GROUP
sentences (a longer section is ranked as interleaved groups), YAKE reads at most a few hundred
words per section, and sentence choice compares each candidate with a handful of chosen ones. A
three-hour talk fits the one-second budget of bench/offline_writer.py. numpy (TextRank) and yake
are imported on first use, so Django processes that never write offline posts do not load them.
"""

from __future__ import annotations

from providers.offline.writer import NOTE_WORDS, OfflinePost, stream_post, write, write_post

__all__ = ["NOTE_WORDS", "OfflinePost", "stream_post", "write", "write_post"]
