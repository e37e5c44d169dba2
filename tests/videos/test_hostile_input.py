"""Uploaded transcript files as people make them, in any encoding, and as an attacker
would: each is read or refused with a message about the file, never an exception."""

from __future__ import annotations

import pytest

from videos.errors import InvalidTranscriptFile
from videos.transcript_files import parse_transcript_file

ENGLISH = (
    "Hello and welcome back. Today we talk about coffee: the café on the corner, its crème "
    "brûlée, and why the beans matter more than the machine — really.\n"
)
CHINESE = "大家好，欢迎回来。今天我们来谈谈咖啡，以及为什么咖啡豆比咖啡机更重要。\n"


def text_of(filename: str, content: bytes) -> str:
    segments = parse_transcript_file(filename, content).segments
    return " ".join(str(s["text"]) for s in segments)


@pytest.mark.parametrize(
    "encoding",
    ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le",
     "utf-32-be", "cp1252"],
)  # fmt: skip
def test_english_is_read_in_any_common_encoding(encoding):
    assert text_of("talk.txt", (ENGLISH * 3).encode(encoding)).startswith(
        "Hello and welcome back. Today we talk about coffee: the café on the corner, its crème "
        "brûlée,"
    )


@pytest.mark.parametrize("encoding", ["utf-8", "utf-16", "utf-16-le", "utf-32", "gb2312"])
def test_chinese_is_read_in_any_common_encoding(encoding):
    assert text_of("talk.txt", (CHINESE * 3).encode(encoding)).startswith("大家好，欢迎回来。")


def test_a_short_windows_1252_file_is_read_as_windows_1252():
    assert text_of("old.txt", "Café crème – 5€.".encode("cp1252")) == "Café crème – 5€."


def test_a_utf16_srt_without_a_bom_is_read():
    srt = "1\n00:00:01,000 --> 00:00:04,000\nHello and welcome.\n"
    assert text_of("talk.srt", srt.encode("utf-16-le")) == "Hello and welcome."


@pytest.mark.parametrize(
    "content, found",
    [
        (b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj", "is a PDF document"),
        (b"PK\x03\x04\x14\x00\x06\x00", "is a ZIP archive"),
        (b"\x00\x00\x00\x20ftypisom\x00\x00", "is an MP4 or M4A file"),
        (bytes(range(256)) * 8, "is not text in any encoding we recognise"),
    ],
)
def test_a_file_that_is_not_text_is_refused_with_what_it_is(content, found):
    with pytest.raises(InvalidTranscriptFile) as refused:
        parse_transcript_file("talk.txt", content)
    assert found in refused.value.message


def test_text_with_nul_characters_is_refused():
    with pytest.raises(InvalidTranscriptFile, match="binary data"):
        parse_transcript_file("talk.txt", "\ufeffHello\x00world".encode("utf-16"))


@pytest.mark.parametrize("filename", ["talk.txt", "talk.srt", "talk.vtt", "talk.json"])
def test_a_file_with_no_words_is_refused(filename):
    content = {
        "talk.txt": b"!!! ... ???\n1:23 42\n",
        "talk.srt": b"1\n00:00:01,000 --> 00:00:04,000\n...\n",
        "talk.vtt": b"WEBVTT\n\n00:00:01.000 --> 00:00:04.000\n123\n",
        "talk.json": b'{"events": [{"tStartMs": 0, "segs": [{"utf8": "?!"}]}]}',
    }[filename]
    with pytest.raises(InvalidTranscriptFile, match="has no words"):
        parse_transcript_file(filename, content)


def test_json_nested_without_end_is_refused():
    with pytest.raises(InvalidTranscriptFile, match="nest hundreds of levels deep"):
        parse_transcript_file("talk.json", b"[" * 100_000)
