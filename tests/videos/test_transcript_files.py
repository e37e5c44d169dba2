from __future__ import annotations

import pytest

from videos.errors import InvalidTranscriptFile
from videos.transcript_files import MAX_TRANSCRIPT_BYTES, parse_transcript_file

SRT = """1
00:00:01,000 --> 00:00:04,000
Hello and <i>welcome</i>.

2
00:00:04,500 --> 00:00:07,250
{\\an8}Today we bake bread.
It is easy.
"""

VTT = """WEBVTT
Kind: captions
Language: en

00:00:01.000 --> 00:00:04.000
Hello and <b>welcome</b>.

intro-2
00:00:04.500 --> 00:00:07.250 align:start position:0%
Today we bake bread.
"""

# What YouTube's automatic captions look like as VTT: every cue repeats the
# line before it, and 10 ms cues only repeat.
YOUTUBE_AUTO_VTT = """WEBVTT
Kind: captions
Language: en

00:00:00.160 --> 00:00:02.070 align:start position:0%

hello<00:00:00.480><c> everyone</c><00:00:00.799><c> and</c>

00:00:02.070 --> 00:00:02.080 align:start position:0%
hello everyone and


00:00:02.080 --> 00:00:04.630 align:start position:0%
hello everyone and
welcome<00:00:02.560><c> back</c><00:00:02.960><c> to</c>

00:00:04.630 --> 00:00:04.640 align:start position:0%
welcome back to


00:00:04.640 --> 00:00:06.990 align:start position:0%
welcome back to
the<00:00:04.960><c> channel</c>
"""


def test_srt():
    data = parse_transcript_file("talk.srt", SRT.encode())
    assert data.source == "upload"
    assert data.language_code == "und"
    assert data.is_generated is False
    assert data.segments == [
        {"start": 1.0, "duration": 3.0, "text": "Hello and welcome."},
        {"start": 4.5, "duration": 2.75, "text": "Today we bake bread. It is easy."},
    ]
    assert data.text == "Hello and welcome.\nToday we bake bread. It is easy."


def test_language_can_be_given():
    data = parse_transcript_file("talk.srt", SRT.encode(), language_code="de", language="German")
    assert (data.language_code, data.language) == ("de", "German")


def test_vtt():
    data = parse_transcript_file("talk.vtt", VTT.encode())
    assert [s["text"] for s in data.segments] == ["Hello and welcome.", "Today we bake bread."]
    assert data.segments[1]["start"] == 4.5


def test_youtube_auto_vtt_rolling_lines_are_kept_once():
    data = parse_transcript_file("auto.en.vtt", YOUTUBE_AUTO_VTT.encode())
    assert [s["text"] for s in data.segments] == [
        "hello everyone and",
        "welcome back to",
        "the channel",
    ]
    assert data.text == "hello everyone and\nwelcome back to\nthe channel"


def test_vtt_content_under_srt_name_is_read_as_vtt():
    data = parse_transcript_file("renamed.srt", VTT.encode())
    assert len(data.segments) == 2


def test_txt_is_split_into_sentences_with_estimated_times():
    words = " ".join(["word"] * 10)
    data = parse_transcript_file("notes.txt", f"{words}. {words}!\n\nLast line".encode())
    assert [s["text"] for s in data.segments] == [f"{words}.", f"{words}!", "Last line"]
    # 150 words per minute: 10 words take 4 seconds.
    assert data.segments[0] == {"start": 0.0, "duration": 4.0, "text": f"{words}."}
    assert data.segments[1]["start"] == 4.0
    assert data.segments[2]["start"] == 8.0


def test_txt_copied_from_youtube_keeps_its_times():
    text = "0:00\nWelcome to the show.\n1:05 Now the main part.\n1:02:03 The end."
    data = parse_transcript_file("copied.txt", text.encode())
    assert [(s["start"], s["text"]) for s in data.segments] == [
        (0.0, "Welcome to the show."),
        (65.0, "Now the main part."),
        (3723.0, "The end."),
    ]


def test_utf8_bom_is_removed():
    data = parse_transcript_file("bom.srt", b"\xef\xbb\xbf" + SRT.encode())
    assert data.segments[0]["text"] == "Hello and welcome."


def test_latin1_falls_back():
    data = parse_transcript_file("old.txt", "Caf\xe9 cr\xe8me.".encode("latin-1"))
    assert data.segments[0]["text"] == "Café crème."


def test_utf16_with_bom():
    data = parse_transcript_file("notepad.txt", "Grüße aus Köln.".encode("utf-16"))
    assert data.segments[0]["text"] == "Grüße aus Köln."


def test_uppercase_extension():
    assert parse_transcript_file("TALK.SRT", SRT.encode()).segments


@pytest.mark.parametrize(
    ("filename", "content", "expected"),
    [
        ("talk.srt", b"", '"talk.srt" is empty'),
        ("talk.txt", b"  \n\n\t ", '"talk.txt" is empty'),
        ("talk.docx", b"hello", "upload a .srt, .vtt or .txt file"),
        ("talk", b"hello", "has no extension"),
        ("talk.srt", b"just some prose\nwithout times", 'line 1 ("just some prose")'),
        (
            "talk.srt",
            b"1\n00:00:01,000 --> 00:00:02,000\nHi\n\n2\n00:00:xx,000 --> 00:00:03,000\nBad\n",
            "not a valid SRT file",
        ),
        (
            "talk.vtt",
            b"1\n00:00:01,000 --> 00:00:02,000\nHi\n",
            'must start with the line "WEBVTT"',
        ),
        ("talk.vtt", b"WEBVTT\n\n00:01.000 --> later\nHi\n", "not a valid WebVTT file"),
        ("talk.vtt", b"WEBVTT\n\n", "contains no caption text"),
        ("talk.srt", b"1\n00:00:01,000 --> 00:00:02,000\n<i></i>\n", "contains no caption text"),
    ],
)
def test_bad_files_say_what_is_wrong(filename, content, expected):
    with pytest.raises(InvalidTranscriptFile) as info:
        parse_transcript_file(filename, content)
    assert expected in info.value.message
    assert info.value.code == "INVALID_TRANSCRIPT_FILE"


def test_size_limit():
    too_big = b"a" * (MAX_TRANSCRIPT_BYTES + 1)
    with pytest.raises(InvalidTranscriptFile) as info:
        parse_transcript_file("huge.txt", too_big)
    assert "the limit is 5 MB" in info.value.message


def test_just_under_the_limit_is_fine():
    line = b"word " * 19 + b"word.\n"
    content = line * (MAX_TRANSCRIPT_BYTES // len(line))
    assert len(content) <= MAX_TRANSCRIPT_BYTES
    assert parse_transcript_file("big.txt", content).segments
