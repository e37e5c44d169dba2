"""Arbitrary bytes and near-miss subtitle files thrown at the transcript parsers: each is
read into segments with words, or refused with a message about the file."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from videos import subtitles
from videos.errors import InvalidTranscriptFile
from videos.transcript_files import parse_transcript_file

FUZZ = settings(max_examples=100, deadline=None)

clock = st.builds(
    "{:02d}:{:02d}:{:02d}{}{:03d}".format,
    st.integers(0, 99), st.integers(0, 99), st.integers(0, 99), st.sampled_from([",", "."]),
    st.integers(0, 9999),
)  # fmt: skip
cue_text = st.one_of(st.text(max_size=40), st.sampled_from(["...", "<i>", "{\\an8}", "-->"]))
cue = st.tuples(
    st.integers(-1, 10**6), clock, st.sampled_from([" --> ", "->", " --> "]), clock, cue_text
).map(lambda c: f"{c[0]}\n{c[1]}{c[2]}{c[3]}\n{c[4]}")
srt_like = st.lists(cue, max_size=8).map("\n\n".join)
vtt_like = srt_like.map(lambda body: "WEBVTT\n\n" + body)
json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=10),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(
            st.sampled_from(["events", "segs", "utf8", "tStartMs", "dDurationMs", "x"]),
            inner,
            max_size=4,
        )
    ),
    max_leaves=20,
).map(lambda value: json.dumps({"events": value} if not isinstance(value, dict) else value))
text_like = st.one_of(st.text(max_size=400), srt_like, vtt_like, json_like)
content = st.one_of(
    st.binary(max_size=600),
    text_like.map(str.encode),
    text_like.map(lambda t: t.encode("utf-16")),
    text_like.map(lambda t: t.encode("utf-32-le")),
    st.text(max_size=200).map(lambda t: t.encode("cp1252", errors="ignore")),
)


@pytest.mark.parametrize("filename", ["talk.srt", "talk.vtt", "talk.txt", "talk.json", "talk"])
@FUZZ
@given(data=content)
def test_an_uploaded_file_is_read_or_refused_with_a_message(filename, data):
    try:
        transcript = parse_transcript_file(filename, data)
    except InvalidTranscriptFile as refused:
        assert filename in refused.message or filename == "talk"
    else:
        assert transcript.segments
        assert any(any(c.isalpha() for c in str(s["text"])) for s in transcript.segments)


@pytest.mark.parametrize("fmt", subtitles.FORMATS)
@FUZZ
@given(text=st.one_of(text_like, st.text(max_size=200).map(lambda t: f"<transcript>{t}")))
def test_youtubes_subtitle_formats_parse_or_say_how_they_are_not_the_format(fmt, text):
    try:
        segments = subtitles.parse(text, fmt)
    except subtitles.SubtitleFormatError as refused:
        assert str(refused)
    else:
        assert isinstance(segments, list)
