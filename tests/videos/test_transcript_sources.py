"""The transcript source chain (YouTube captions, then yt-dlp subtitles, then
speech-to-text) against the fake YouTube, the subtitle formats yt-dlp fetches,
and YouTube's json3 as an upload.

The fake's "api_blocked" video answers youtube-transcript-api's player API
with the bot check while its watch page, which yt-dlp reads, carries the
captions: English (manual), German (manual), French (generated).
"""

from __future__ import annotations

import json

import pytest

from videos import services, subtitles
from videos.errors import (
    UPLOAD_INSTEAD,
    InvalidTranscriptFile,
    NoTranscriptInLanguage,
    TranscriptsDisabled,
    VideoUnavailable,
    YouTubeBlocked,
)
from videos.models import Transcript
from videos.transcript_files import parse_transcript_file
from videos.youtube import fetch_ytdlp_transcript

pytestmark = pytest.mark.django_db

VID = "dQw4w9WgXcQ"
RECORDED = [
    "Hey, this is just a test",
    "this is not the original transcript",
    "just something shorter, I made up for testing",
]


class Events(list):
    def __call__(self, message: str, level: str, **data) -> None:
        self.append((message, level, data))

    @property
    def messages(self) -> list[str]:
        return [message for message, _, _ in self]


@pytest.fixture
def events() -> Events:
    return Events()


@pytest.fixture(autouse=True)
def no_speech(settings):
    # Speech-to-text has its own tests (test_speech.py); here it is off.
    settings.WHISPER_ENABLED = False


def _video(fake_youtube, scenario: str = "api_blocked", **fields):
    fake_youtube.add(VID, scenario=scenario, **fields)
    return services.video_placeholder(VID)


# -- the chain -------------------------------------------------------------------


def test_blocked_player_api_falls_back_to_ytdlp_subtitles(fake_youtube, events):
    video = _video(fake_youtube)

    transcript, reused = services.get_transcript(video, ["en"], on_event=events)

    assert reused is False
    assert transcript.source == Transcript.Source.YTDLP == "ytdlp"
    assert transcript.get_source_display() == "yt-dlp subtitles"
    assert (transcript.language_code, transcript.is_generated) == ("en", False)
    assert transcript.text.splitlines() == RECORDED
    assert transcript.segments[0] == {"start": 0.0, "duration": 1.54, "text": RECORDED[0]}
    assert Transcript.objects.get() == transcript
    # yt-dlp fetched json3, the first format we read.
    assert fake_youtube.count(path="/api/timedtext", client="yt-dlp") == 1
    assert "fmt=json3" in next(r.url for r in fake_youtube.requests if "timedtext" in r.url)


def test_each_attempt_is_an_event_in_order(fake_youtube, events):
    video = _video(fake_youtube)
    services.get_transcript(video, ["en"], on_event=events)

    assert events.messages == [
        "Trying YouTube captions…",
        "YouTube captions: YouTube is blocking requests from this server (it asks to sign in "
        "to confirm we are not a bot) (YOUTUBE_BLOCKED); trying yt-dlp subtitles…",
        "Transcript from yt-dlp subtitles: en, manual, 20 words",
    ]
    assert [level for _, level, _ in events] == ["info", "warning", "info"]
    assert [data.get("source") for _, _, data in events] == ["youtube", "youtube", "ytdlp"]
    assert events[1][2]["code"] == "YOUTUBE_BLOCKED"


def test_first_source_wins_when_it_works(fake_youtube, events):
    video = _video(fake_youtube, scenario="ok")
    transcript, _ = services.get_transcript(video, ["en"], on_event=events)
    assert transcript.source == "youtube"
    assert events.messages == [
        "Trying YouTube captions…",
        "Transcript from YouTube captions: en, manual, 20 words",
    ]
    assert fake_youtube.count(client="yt-dlp") == 0


def test_second_request_for_the_transcript_makes_no_request(fake_youtube, events):
    video = _video(fake_youtube)
    first, _ = services.get_transcript(video, ["en"])
    fake_youtube.reset_requests()

    again, reused = services.get_transcript(video, ["en"], on_event=events)

    assert (again.pk, reused) == (first.pk, True)
    assert fake_youtube.requests == []
    assert events == []


@pytest.mark.parametrize(
    ("languages", "code", "generated", "first_line"),
    [
        (["pt", "de", "en"], "de", False, "[de] first line"),
        # A manual German track beats the generated French one listed first.
        (["fr", "de"], "de", False, "[de] first line"),
        (["fr"], "fr", True, "[fr auto] first line"),
        # "en" accepts the track whatever its region.
        (["EN"], "en", False, RECORDED[0]),
    ],
)
def test_language_preference_holds_through_ytdlp(
    fake_youtube, languages, code, generated, first_line
):
    video = _video(fake_youtube)
    transcript, _ = services.get_transcript(video, languages)
    assert transcript.source == "ytdlp"
    assert (transcript.language_code, transcript.is_generated) == (code, generated)
    assert transcript.text.splitlines()[0] == first_line


def test_ytdlp_translates_when_no_track_is_in_the_language(fake_youtube):
    fake_youtube.add(VID, scenario="api_blocked")
    data = fetch_ytdlp_transcript(VID, ["es"])
    # Manual English captions, translated by YouTube, rather than the French ASR.
    assert (data.language_code, data.translated_from, data.is_generated) == ("es", "en", True)
    assert data.segments[0]["text"] == "[en to es-en] first line"


def test_ytdlp_translate_to(fake_youtube):
    fake_youtube.add(VID, scenario="api_blocked")
    data = fetch_ytdlp_transcript(VID, ["de"], translate_to="ja")
    assert (data.language_code, data.translated_from) == ("ja", "en")


def test_ytdlp_names_the_languages_there_are(fake_youtube):
    fake_youtube.add(VID, scenario="api_blocked", tracks=[("de", "German"), ("it", "Italian")])
    with pytest.raises(NoTranscriptInLanguage) as info:
        fetch_ytdlp_transcript(VID, ["ja"])
    assert info.value.message == "This video has no transcript in ja. Available: de, it."


def test_every_source_failing_raises_the_first_error_with_the_upload(fake_youtube, events):
    # Blocked everywhere: the player API and the watch page both ask for a sign-in.
    video = _video(fake_youtube, scenario="blocked")

    with pytest.raises(YouTubeBlocked) as info:
        services.get_transcript(video, ["en"], on_event=events)

    error = info.value
    assert error.code == "YOUTUBE_BLOCKED"
    assert UPLOAD_INSTEAD in error.suggestions
    assert "Set YOUTUBE_PROXY_URL to a residential proxy." in error.suggestions
    assert "yt-dlp subtitles: YOUTUBE_BLOCKED" in error.detail
    assert events.messages[0] == "Trying YouTube captions…"
    assert events.messages[1].endswith("(YOUTUBE_BLOCKED); trying yt-dlp subtitles…")
    assert events.messages[2].startswith("yt-dlp subtitles: ")
    assert len(events) == 3
    assert not Transcript.objects.exists()


def test_no_captions_anywhere_says_so_and_offers_speech_and_upload(fake_youtube, events):
    video = _video(fake_youtube, scenario="transcripts_disabled")
    with pytest.raises(TranscriptsDisabled) as info:
        services.get_transcript(video, ["en"], on_event=events)
    assert info.value.code == "TRANSCRIPTS_DISABLED"
    assert any("upload" in s.lower() for s in info.value.suggestions)
    assert events.messages[-1] == (
        "Speech-to-text skipped (the video has no captions): "
        "Speech-to-text is turned off (WHISPER_ENABLED=false)."
    )
    assert [d["source"] for _, _, d in events] == ["youtube", "youtube", "ytdlp", "whisper"]


def test_a_missing_video_stops_the_chain(fake_youtube, events):
    video = _video(fake_youtube, scenario="unavailable")
    with pytest.raises(VideoUnavailable):
        services.get_transcript(video, ["en"], on_event=events)
    # No other source can find a video that is not there: yt-dlp is not asked.
    assert fake_youtube.count(client="yt-dlp") == 0
    assert len(events) == 2


# -- subtitle formats ------------------------------------------------------------------

JSON3_MANUAL = {
    "wireMagic": "pb3",
    "events": [
        {"tStartMs": 0, "dDurationMs": 1500, "segs": [{"utf8": "Hello &amp; <b>welcome</b>"}]},
        {"tStartMs": 1500, "dDurationMs": 2000, "segs": [{"utf8": "to the\nbakery."}]},
    ],
}
# What YouTube serves for automatic captions: a window event, words with
# offsets, each line on screen until the next but one, "\n" append events.
JSON3_ASR = {
    "wireMagic": "pb3",
    "events": [
        {"tStartMs": 0, "dDurationMs": 999999, "id": 1, "wpWinPosId": 1},
        {
            "tStartMs": 320,
            "dDurationMs": 4000,
            "wWinId": 1,
            "segs": [{"utf8": "so"}, {"utf8": " today", "tOffsetMs": 240}, {"utf8": " we"}],
        },
        {
            "tStartMs": 2100,
            "dDurationMs": 2220,
            "wWinId": 1,
            "aAppend": 1,
            "segs": [{"utf8": "\n"}],
        },
        {
            "tStartMs": 2110,
            "dDurationMs": 3000,
            "wWinId": 1,
            "segs": [{"utf8": "bake"}, {"utf8": " bread", "tOffsetMs": 400}],
        },
        # The same line sent again as it scrolls.
        {"tStartMs": 4320, "dDurationMs": 700, "wWinId": 1, "segs": [{"utf8": "bake bread"}]},
    ],
}
SRV3 = """<?xml version="1.0" encoding="utf-8" ?><timedtext format="3">
<head><ws id="0"/><wp id="0"/></head>
<body>
<p t="0" d="1500">Hello &amp; welcome</p>
<p t="320" d="4000" w="1"><s ac="0">so</s><s t="240" ac="0"> today</s></p>
<p t="2100" d="2220" w="1" a="1">
</p>
<p t="2110" d="3000" w="1"><s ac="0">we</s><s t="400"> bake</s></p>
</body>
</timedtext>"""
SRV1 = """<?xml version="1.0" encoding="utf-8" ?><transcript>
<text start="0.5" dur="1.25">it&amp;#39;s &lt;i&gt;fine&lt;/i&gt;</text>
<text start="2" dur="1"></text>
</transcript>"""
# YouTube's automatic VTT: word timings inline, each cue repeating the line
# before it, 10 ms cues that only repeat, blank-looking lines that are one space.
VTT_ROLLING = """WEBVTT
Kind: captions
Language: en

00:00:00.320 --> 00:00:02.110 align:start position:0%
\x20
so<00:00:00.560><c> today</c><00:00:00.800><c> we</c>

00:00:02.110 --> 00:00:02.120 align:start position:0%
so today we
\x20

00:00:02.120 --> 00:00:04.320 align:start position:0%
so today we
bake<00:00:02.520><c> bread</c>

00:00:04.320 --> 00:00:04.330 align:start position:0%
bake bread
\x20

00:00:04.330 --> 00:00:06.000 align:start position:0%
bake bread
with<00:00:04.800><c> a</c><00:00:05.000><c> starter</c>
"""


def test_json3_manual_captions():
    segments = subtitles.parse(json.dumps(JSON3_MANUAL).encode(), "json3")
    assert segments == [
        {"start": 0.0, "duration": 1.5, "text": "Hello &amp; welcome"},
        {"start": 1.5, "duration": 2.0, "text": "to the bakery."},
    ]


def test_json3_automatic_captions_keep_each_line_once_without_overlap():
    segments = subtitles.parse(json.dumps(JSON3_ASR), "json3")
    assert [s["text"] for s in segments] == ["so today we", "bake bread"]
    # The first line ends where the next starts; the repeat only extends the second.
    assert segments[0] == {"start": 0.32, "duration": 1.79, "text": "so today we"}
    assert segments[1] == {"start": 2.11, "duration": 2.91, "text": "bake bread"}


def test_srv3_words_and_append_events():
    segments = subtitles.parse(SRV3, "srv3")
    assert [s["text"] for s in segments] == ["Hello & welcome", "so today", "we bake"]
    assert segments[1] == {"start": 0.32, "duration": 1.79, "text": "so today"}


def test_srv1_unescapes_and_drops_empty_lines():
    assert subtitles.parse(SRV1, "srv1") == [{"start": 0.5, "duration": 1.25, "text": "it's fine"}]


def test_vtt_rolling_duplicates_are_kept_once():
    segments = subtitles.parse(VTT_ROLLING, "vtt")
    assert [s["text"] for s in segments] == ["so today we", "bake bread", "with a starter"]
    assert segments[0]["start"] == 0.32
    assert subtitles.parse(VTT_ROLLING, "vtt") == subtitles.parse(VTT_ROLLING.encode(), "vtt")


@pytest.mark.parametrize(
    ("fmt", "text", "expected"),
    [
        ("json3", "{not json", "not JSON"),
        ("json3", '{"segments": []}', 'no "events" list'),
        ("srv3", "<timedtext><body><p t=", "not timedtext XML"),
        ("vtt", "WEBVTT\n\nbroken --> line\ntext\n", ""),
        ("ttml", "<tt/>", "unsupported subtitle format"),
    ],
)
def test_unreadable_subtitles_say_why(fmt, text, expected):
    with pytest.raises(subtitles.SubtitleFormatError) as info:
        subtitles.parse(text, fmt)
    assert expected in str(info.value)


def test_ytdlp_generated_captions_through_json3(fake_youtube):
    # The fake serves ASR json3 word by word with "\n" append events.
    fake_youtube.add(VID, scenario="api_blocked")
    data = fetch_ytdlp_transcript(VID, ["fr"])
    assert [s["text"] for s in data.segments] == [
        "[fr auto] first line",
        "[fr auto] second line",
        "[fr auto] third line",
    ]
    assert data.segments[1] == {"start": 1.5, "duration": 2.25, "text": "[fr auto] second line"}


# -- json3 uploads -------------------------------------------------------------------


def test_json3_upload_becomes_a_transcript():
    content = json.dumps(JSON3_ASR).encode()
    transcript = services.transcript_from_upload("talk.json", content, language="en")
    assert transcript.source == "upload"
    assert transcript.text == "so today we\nbake bread"
    assert transcript.segments[0]["start"] == 0.32
    assert (transcript.language_code, transcript.language) == ("en", "English")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"{oops", '"talk.json" is not a YouTube json3 transcript: not JSON'),
        (b'{"text": "hello"}', 'there is no "events" list'),
        (b'{"events": [{"tStartMs": 0, "dDurationMs": 10}]}', "contains no caption text"),
        (b'{"events": [{"tStartMs": "soon", "segs": [{"utf8": "x"}]}]}', "not a number"),
    ],
)
def test_bad_json3_uploads_say_what_is_wrong(content, expected):
    with pytest.raises(InvalidTranscriptFile) as info:
        parse_transcript_file("talk.json", content)
    assert expected in info.value.message


def test_json3_upload_is_size_limited():
    big = b'{"events": [' + b" " * (5 * 1024 * 1024) + b"]}"
    with pytest.raises(InvalidTranscriptFile) as info:
        parse_transcript_file("talk.json", big)
    assert "the limit is 5 MB" in info.value.message
