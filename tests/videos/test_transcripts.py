"""youtube-transcript-api against the fake YouTube.

The fake's default video has: English (manual, translatable), German (manual)
and French (generated, translatable); YouTube can translate into en, de, fr,
es and ja. The manual English track serves the timedtext recording shipped
with youtube-transcript-api; the others serve lines tagged "[<lang>...]".
"""

from __future__ import annotations

import pytest

from tests.fakes.youtube import FakeTrack
from videos.errors import NoTranscriptInLanguage
from videos.youtube import Track, TranscriptData, fetch_transcript, list_tracks

VID = "dQw4w9WgXcQ"


@pytest.fixture
def video(fake_youtube):
    return fake_youtube.add(VID)


def test_list_tracks_manual_first(video):
    tracks = list_tracks(VID)
    assert [(t.language_code, t.is_generated) for t in tracks] == [
        ("en", False),
        ("de", False),
        ("fr", True),
    ]
    english = tracks[0]
    assert isinstance(english, Track)
    assert english.language == "English"
    assert english.is_translatable is True
    assert ("ja", "Japanese") in english.translation_languages
    assert tracks[1].is_translatable is False
    assert tracks[1].translation_languages == []
    assert tracks[2].language == "French (auto-generated)"


def test_list_tracks_puts_manual_first_even_when_youtube_does_not(fake_youtube):
    fake_youtube.add(
        VID,
        tracks=[
            FakeTrack("en", "English (auto-generated)", generated=True),
            FakeTrack("es", "Spanish"),
        ],
    )
    assert [t.language_code for t in list_tracks(VID)] == ["es", "en"]


def test_recorded_english_transcript(video):
    data = fetch_transcript(VID, ["en"])
    assert isinstance(data, TranscriptData)
    assert (data.language_code, data.language, data.source) == ("en", "English", "youtube")
    assert data.is_generated is False
    assert data.translated_from is None
    # From the recording: markup stripped, the empty line dropped.
    assert data.segments[0] == {"start": 0.0, "duration": 1.54, "text": "Hey, this is just a test"}
    assert data.segments[1]["text"] == "this is not the original transcript"
    assert len(data.segments) == 3
    assert data.text.splitlines()[0] == "Hey, this is just a test"


def test_first_wanted_language_with_a_track_wins(video):
    data = fetch_transcript(VID, ["de", "en"])
    assert data.language_code == "de"
    assert data.segments[0]["text"] == "[de] first line"


def test_skips_languages_without_tracks(video):
    assert fetch_transcript(VID, ["pt", "de"]).language_code == "de"


def test_manual_track_beats_earlier_generated_one(video):
    # French exists only as a generated track; German is manual, so it wins.
    data = fetch_transcript(VID, ["fr", "de"])
    assert data.language_code == "de"
    assert data.is_generated is False


def test_generated_fallback(video):
    data = fetch_transcript(VID, ["fr"])
    assert data.language_code == "fr"
    assert data.is_generated is True
    assert data.segments[0]["text"] == "[fr auto] first line"


def test_region_variant_matches_base_language(fake_youtube):
    fake_youtube.add(VID, tracks=[FakeTrack("en-GB", "English (United Kingdom)")])
    assert fetch_transcript(VID, ["en"]).language_code == "en-GB"


def test_translation_when_no_track_in_language(video):
    data = fetch_transcript(VID, ["ja"])
    assert data.language_code == "ja"
    assert data.language == "Japanese"
    assert data.translated_from == "en"  # the manual track, not the generated French
    assert data.segments[0]["text"] == "[en to ja] first line"


def test_translation_request_goes_to_youtube(fake_youtube, video):
    fetch_transcript(VID, ["es"])
    timedtext = [r.url for r in fake_youtube.requests if r.path == "/api/timedtext"]
    assert timedtext == [f"https://www.youtube.com/api/timedtext?v={VID}&lang=en&tlang=es"]


def test_explicit_translate_to(video):
    data = fetch_transcript(VID, ["de", "fr"], translate_to="es")
    # German is not translatable, so the first translatable wanted track (French) is used.
    assert data.language_code == "es"
    assert data.translated_from == "fr"
    assert data.segments[0]["text"] == "[fr auto to es] first line"


def test_translate_to_the_tracks_own_language_is_no_translation(video):
    data = fetch_transcript(VID, ["en"], translate_to="en")
    assert data.translated_from is None
    assert data.language_code == "en"


def test_no_transcript_in_language_lists_what_exists(fake_youtube):
    fake_youtube.add(VID, translation_languages=[("en", "English"), ("fr", "French")])
    with pytest.raises(NoTranscriptInLanguage) as info:
        fetch_transcript(VID, ["ko", "zh"])
    error = info.value
    assert error.code == "NO_TRANSCRIPT_IN_LANGUAGE"
    assert "ko, zh" in error.message
    assert "Available: en, de, fr" in error.message
    assert "Pick English (en)." in error.suggestions
    assert "Pick German (de)." in error.suggestions
    assert "Pick French (auto-generated) (fr)." in error.suggestions
    assert "Upload the transcript file instead." in error.suggestions


def test_listing_costs_two_requests_and_fetching_one_more(fake_youtube, video):
    list_tracks(VID)
    assert fake_youtube.count() == 2  # watch page + innertube player
    fake_youtube.reset_requests()
    fetch_transcript(VID, ["en"])
    assert [r.path for r in fake_youtube.requests] == [
        "/watch",
        "/youtubei/v1/player",
        "/api/timedtext",
    ]


def test_proxy_setting_keeps_the_fake_transport(fake_youtube, video, settings):
    # GenericProxyConfig must not remount adapters (only retrying configs do),
    # or this would try to reach the proxy.
    settings.YOUTUBE_PROXY_URL = "http://proxy.invalid:3128"
    assert fetch_transcript(VID, ["de"]).language_code == "de"


def test_segment_text_is_joined_with_newlines():
    data = TranscriptData(
        language_code="en",
        language="English",
        source="upload",
        is_generated=False,
        segments=[
            {"start": 0.0, "duration": 1.0, "text": "  one\n two "},
            {"start": 1.0, "duration": 1.0, "text": "   "},
            {"start": 2.0, "duration": 1.0, "text": "three"},
        ],
    )
    assert data.text == "one two\nthree"
