"""Every failure ends in the right BlogTubeError.

First through the real libraries against the fake YouTube (one recorded
response per scenario), then the classifiers on constructed exceptions for
the cases no recording covers.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests
from youtube_transcript_api import _errors as yta
from youtube_transcript_api._transcripts import TranscriptList
from yt_dlp.extractor.common import InfoExtractor
from yt_dlp.networking.exceptions import TransportError
from yt_dlp.utils import DownloadError, ExtractorError

from blogtube_site.errors import BlogTubeError
from tests.fakes.youtube import UnexpectedRequest
from videos.channels import fetch_channel
from videos.errors import UPLOAD_INSTEAD, classify_transcript_api_error, classify_ytdlp_error
from videos.speech import download_audio
from videos.youtube import (
    fetch_playlist,
    fetch_transcript,
    fetch_video_info,
    fetch_ytdlp_transcript,
    list_tracks,
)

VID = "dQw4w9WgXcQ"
PLAYLIST = "PLbreadlab0000000000000000000000AA"

# scenario -> (code from the transcript API, code from yt-dlp; None: metadata works)
SCENARIOS = {
    "transcripts_disabled": ("TRANSCRIPTS_DISABLED", None),
    "unavailable": ("VIDEO_UNAVAILABLE", "VIDEO_UNAVAILABLE"),
    "age_restricted": ("AGE_RESTRICTED", "AGE_RESTRICTED"),
    "blocked": ("YOUTUBE_BLOCKED", "YOUTUBE_BLOCKED"),
    "captcha": ("YOUTUBE_BLOCKED", "YOUTUBE_BLOCKED"),
    "po_token": ("PO_TOKEN_REQUIRED", None),
    "too_many_requests": ("YOUTUBE_RATE_LIMITED", "YOUTUBE_RATE_LIMITED"),
    "unplayable": ("VIDEO_UNPLAYABLE", "VIDEO_UNPLAYABLE"),
}
TRANSIENT = {"YOUTUBE_BLOCKED", "YOUTUBE_RATE_LIMITED"}


@pytest.mark.parametrize("scenario", SCENARIOS)
def test_transcript_failures(fake_youtube, scenario):
    fake_youtube.add(VID, scenario=scenario)
    with pytest.raises(BlogTubeError) as info:
        fetch_transcript(VID, ["en"])
    error = info.value
    assert error.code == SCENARIOS[scenario][0]
    assert error.transient is (error.code in TRANSIENT)
    assert error.message and error.suggestions
    assert error.detail  # the library's own text, for the log
    assert isinstance(error.__cause__, yta.CouldNotRetrieveTranscript)


@pytest.mark.parametrize("scenario", [s for s, (_, code) in SCENARIOS.items() if code])
def test_metadata_failures(fake_youtube, scenario):
    fake_youtube.add(VID, scenario=scenario)
    with pytest.raises(BlogTubeError) as info:
        fetch_video_info(VID)
    error = info.value
    assert error.code == SCENARIOS[scenario][1]
    assert error.transient is (error.code in TRANSIENT)
    assert error.message and error.suggestions
    assert isinstance(error.__cause__, DownloadError)


def test_blocked_says_what_to_do(fake_youtube):
    fake_youtube.add(VID, scenario="blocked")
    for call in (lambda: list_tracks(VID), lambda: fetch_video_info(VID)):
        with pytest.raises(BlogTubeError) as info:
            call()
        assert info.value.suggestions == (
            "Set YOUTUBE_PROXY_URL to a residential proxy.",
            "Set YOUTUBE_COOKIES_FILE.",
            "Upload the transcript file instead.",
        )
        assert "not a bot" in info.value.message


def test_ytdlp_bot_check_arrives_as_extractor_error_with_curly_apostrophe(fake_youtube):
    fake_youtube.add(VID, scenario="blocked")
    with pytest.raises(BlogTubeError) as info:
        fetch_video_info(VID)
    download_error = info.value.__cause__
    assert isinstance(download_error.exc_info[1], ExtractorError)
    assert "Sign in to confirm you\u2019re not a bot" in str(download_error)


def test_age_restricted_suggests_cookies_or_upload(fake_youtube):
    fake_youtube.add(VID, scenario="age_restricted")
    with pytest.raises(BlogTubeError) as info:
        fetch_video_info(VID)
    assert any("YOUTUBE_COOKIES_FILE" in s for s in info.value.suggestions)
    assert UPLOAD_INSTEAD in info.value.suggestions


def test_transcripts_disabled_suggests_upload(fake_youtube):
    fake_youtube.add(VID, scenario="transcripts_disabled")
    with pytest.raises(BlogTubeError) as info:
        list_tracks(VID)
    assert info.value.code == "TRANSCRIPTS_DISABLED"
    assert any("Upload a transcript file" in s for s in info.value.suggestions)


def test_unplayable_shows_youtubes_reason(fake_youtube):
    fake_youtube.add(VID, scenario="unplayable")
    for call in (lambda: list_tracks(VID), lambda: fetch_video_info(VID)):
        with pytest.raises(BlogTubeError) as info:
            call()
        assert "Custom Reason" in info.value.message
        assert "Sub Reason 1" in info.value.message


def test_po_token_only_hits_the_track_that_needs_one(fake_youtube):
    # In the recording only the manual English track carries &exp=xpe.
    fake_youtube.add(VID, scenario="po_token")
    assert fetch_transcript(VID, ["de"]).language_code == "de"


def test_rate_limit_is_not_retried_in_a_loop(fake_youtube):
    fake_youtube.add(VID, scenario="too_many_requests")
    with pytest.raises(BlogTubeError):
        fetch_transcript(VID, ["en"])
    assert fake_youtube.count(client="requests") == 1
    with pytest.raises(BlogTubeError):
        fetch_video_info(VID)
    # watch page, the "next" API, the player API: each tried once.
    assert fake_youtube.count(client="yt-dlp") == 3


@pytest.mark.parametrize(
    ("read", "says"),
    [
        (lambda tmp: fetch_video_info(VID), "Reading this video's details from YouTube failed."),
        (
            lambda tmp: fetch_ytdlp_transcript(VID, ["en"]),
            "Reading this video's subtitles with yt-dlp failed.",
        ),
        (lambda tmp: fetch_playlist(PLAYLIST), "Reading this playlist from YouTube failed."),
        (lambda tmp: fetch_channel("@breadlab"), "Reading this channel from YouTube failed."),
        (lambda tmp: download_audio(VID, tmp), "Downloading this video's audio failed."),
    ],
    ids=["details", "subtitles", "playlist", "channel", "audio"],
)
def test_a_crash_inside_yt_dlp_says_what_was_being_read(
    fake_youtube, monkeypatch, tmp_path, read, says
):
    # Stands for YouTube changing a page under yt-dlp: its extractor fails
    # with an exception that is not one of yt-dlp's own.
    def page_changed(self, url):
        raise RuntimeError("page layout changed")

    monkeypatch.setattr(InfoExtractor, "extract", page_changed)
    with pytest.raises(BlogTubeError) as info:
        read(tmp_path)
    assert info.value.code == "YOUTUBE_ERROR"
    assert info.value.message == says
    assert info.value.transient is False
    assert "RuntimeError: page layout changed" in info.value.detail


def test_unknown_request_fails_loudly(fake_youtube):
    with pytest.raises(UnexpectedRequest, match="not registered"):
        fetch_transcript("AAAAAAAAAAA", ["en"])
    assert [r.url for r in fake_youtube.unexpected] == [
        "https://www.youtube.com/watch?v=AAAAAAAAAAA"
    ]
    fake_youtube.unexpected.clear()  # or the fixture fails this test at teardown


@pytest.mark.parametrize(
    ("said", "transient"),
    [
        ("('Connection aborted.', ConnectionResetError(104, 'Connection reset by peer'))", True),
        # No connection at all: waiting cannot help (tests/jobs/test_youtube_unreachable.py).
        ("Name or service not known", False),
    ],
)
def test_a_network_failure_is_transient_unless_there_is_no_connection(
    fake_youtube, monkeypatch, said, transient
):
    from videos import http

    class Down(requests.adapters.BaseAdapter):
        def send(self, *args, **kwargs):
            raise requests.ConnectionError(said)

        def close(self):
            pass

    def session():
        s = requests.Session()
        s.mount("https://", Down())
        return s

    monkeypatch.setattr(http, "requests_session", session)
    with pytest.raises(BlogTubeError) as info:
        list_tracks(VID)
    assert info.value.code == "YOUTUBE_UNREACHABLE"
    assert info.value.transient is transient


# -- classify_transcript_api_error on constructed exceptions -----------------


def _transcript_list():
    captions = {
        "captionTracks": [
            {
                "baseUrl": "https://x/1",
                "name": {"runs": [{"text": "English"}]},
                "languageCode": "en",
            },
            {
                "baseUrl": "https://x/2",
                "name": {"runs": [{"text": "Dutch (auto-generated)"}]},
                "languageCode": "nl",
                "kind": "asr",
            },
        ],
    }
    return TranscriptList.build(requests.Session(), VID, captions)


def _http_error(status):
    response = requests.Response()
    response.status_code = status
    response.reason = "Reason"
    response.url = "https://www.youtube.com/api/timedtext"
    return requests.HTTPError(
        f"{status} Client Error: Reason for url: {response.url}", response=response
    )


@pytest.mark.parametrize(
    ("exc", "code"),
    [
        (yta.NotTranslatable(VID), "NO_TRANSCRIPT_IN_LANGUAGE"),
        (yta.TranslationLanguageNotAvailable(VID), "NO_TRANSCRIPT_IN_LANGUAGE"),
        (yta.InvalidVideoId(VID), "INVALID_URL"),
        (yta.VideoUnavailable(VID), "VIDEO_UNAVAILABLE"),
        (yta.TranscriptsDisabled(VID), "TRANSCRIPTS_DISABLED"),
        (yta.AgeRestricted(VID), "AGE_RESTRICTED"),
        (yta.PoTokenRequired(VID), "PO_TOKEN_REQUIRED"),
        (yta.RequestBlocked(VID), "YOUTUBE_BLOCKED"),
        (yta.IpBlocked(VID), "YOUTUBE_BLOCKED"),
        (yta.VideoUnplayable(VID, None, []), "VIDEO_UNPLAYABLE"),
        (yta.YouTubeRequestFailed(VID, _http_error(429)), "YOUTUBE_RATE_LIMITED"),
        (yta.YouTubeRequestFailed(VID, _http_error(503)), "YOUTUBE_UNREACHABLE"),
        (yta.YouTubeRequestFailed(VID, _http_error(403)), "YOUTUBE_ERROR"),
        (yta.FailedToCreateConsentCookie(VID), "YOUTUBE_ERROR"),
        (yta.CookieInvalid(Path("/tmp/cookies.txt")), "YOUTUBE_ERROR"),
        (yta.CookiePathInvalid(Path("/tmp/cookies.txt")), "YOUTUBE_ERROR"),
        (yta.YouTubeDataUnparsable(VID), "YOUTUBE_ERROR"),
        (yta.CouldNotRetrieveTranscript(VID), "YOUTUBE_ERROR"),
        (yta.YouTubeTranscriptApiException("something new"), "YOUTUBE_ERROR"),
    ],
    ids=lambda value: type(value).__name__ if isinstance(value, Exception) else value,
)
def test_classify_transcript_api_error(exc, code):
    error = classify_transcript_api_error(exc)
    assert error.code == code
    assert error.message and error.suggestions
    assert error.detail == str(exc)


def test_ip_blocked_after_http_429_is_a_rate_limit():
    assert classify_transcript_api_error(yta.IpBlocked(VID), http_status=429).code == (
        "YOUTUBE_RATE_LIMITED"
    )
    assert classify_transcript_api_error(yta.IpBlocked(VID), http_status=200).code == (
        "YOUTUBE_BLOCKED"
    )


def test_no_transcript_found_lists_the_languages():
    exc = yta.NoTranscriptFound(VID, ["ko"], _transcript_list())
    error = classify_transcript_api_error(exc)
    assert error.code == "NO_TRANSCRIPT_IN_LANGUAGE"
    assert "no transcript in ko" in error.message
    assert "Available: en, nl" in error.message
    assert error.suggestions[:2] == ("Pick English (en).", "Pick Dutch (auto-generated) (nl).")


def test_unplayable_reason_and_subreasons():
    error = classify_transcript_api_error(
        yta.VideoUnplayable(VID, "Video unavailable", ["This video is private", ""])
    )
    assert (
        error.message
        == "YouTube will not play this video: Video unavailable (This video is private)"
    )


# -- classify_ytdlp_error on constructed exceptions --------------------------


def _download_error(reason, *, expected=True, cause=None):
    try:
        raise ExtractorError(reason, expected=expected, video_id=VID, ie="youtube", cause=cause)
    except ExtractorError as inner:
        import sys

        return DownloadError(f"ERROR: {inner.msg}", sys.exc_info())


@pytest.mark.parametrize(
    ("reason", "code", "message_part"),
    [
        ("Sign in to confirm you\u2019re not a bot. Use --cookies", "YOUTUBE_BLOCKED", "bot"),
        ("Sign in to confirm you're not a bot", "YOUTUBE_BLOCKED", "bot"),
        (
            "Failed to extract any player response. YouTube is requiring a captcha challenge",
            "YOUTUBE_BLOCKED",
            "bot",
        ),
        (
            "Unable to download webpage: HTTP Error 429: Too Many Requests",
            "YOUTUBE_RATE_LIMITED",
            "",
        ),
        (
            "This content isn't available, try again later. The current session has been "
            "rate-limited by YouTube for up to an hour.",
            "YOUTUBE_RATE_LIMITED",
            "",
        ),
        (
            "Sign in to confirm your age. This video may be inappropriate for some users.",
            "AGE_RESTRICTED",
            "age",
        ),
        (
            "Join this channel to get access to members-only content like this video",
            "VIDEO_UNAVAILABLE",
            "members only",
        ),
        (
            "Private video. Sign in if you've been granted access to this video",
            "VIDEO_UNAVAILABLE",
            "private",
        ),
        (
            "Video unavailable. This video has been removed by the uploader",
            "VIDEO_UNAVAILABLE",
            "unavailable",
        ),
        (
            "Video unavailable. This video is no longer available because the YouTube account "
            "associated with this video has been terminated.",
            "VIDEO_UNAVAILABLE",
            "",
        ),
        (
            "The uploader has not made this video available in your country",
            "VIDEO_UNAVAILABLE",
            "country",
        ),
        ("This live event will begin in 3 hours.", "VIDEO_UNPLAYABLE", "not started"),
        ("Premieres in 2 days", "VIDEO_UNPLAYABLE", "not started"),
        ("Unsupported URL: https://example.com/", "INVALID_URL", ""),
        ("This video is DRM protected", "VIDEO_UNPLAYABLE", "DRM"),
        (
            "The uploader disabled playback here. Sorry",
            "VIDEO_UNPLAYABLE",
            "disabled playback here",
        ),
    ],
)
def test_classify_ytdlp_error(reason, code, message_part):
    error = classify_ytdlp_error(_download_error(reason))
    assert error.code == code
    assert message_part.lower() in error.message.lower()
    assert error.suggestions
    assert reason in error.detail


def test_members_only_suggests_member_cookies():
    error = classify_ytdlp_error(
        _download_error("This video is available to this channel's members")
    )
    assert "member" in error.suggestions[0]


def test_unknown_unexpected_ytdlp_error_keeps_the_text():
    error = classify_ytdlp_error(_download_error("Something brand new broke", expected=False))
    assert error.code == "YOUTUBE_ERROR"
    assert "Something brand new broke" in error.detail
    assert error.transient is False


def test_generic_final_error_is_explained_by_the_warnings():
    exc = _download_error("Failed to extract any player response", expected=False)
    log = ["[youtube] x: Unable to download API page: HTTP Error 429: Too Many Requests"]
    error = classify_ytdlp_error(exc, log=log)
    assert error.code == "YOUTUBE_RATE_LIMITED"
    assert log[0] in error.detail


def test_warnings_do_not_override_a_clear_reason():
    error = classify_ytdlp_error(
        _download_error("This video is private"), log=["HTTP Error 429: Too Many Requests"]
    )
    assert error.code == "VIDEO_UNAVAILABLE"


def test_network_error_is_transient():
    exc = _download_error(
        "Unable to download webpage: timed out", expected=False, cause=TransportError("timed out")
    )
    error = classify_ytdlp_error(exc)
    assert error.code == "YOUTUBE_UNREACHABLE"
    assert error.transient is True


def test_bare_extractor_error_is_accepted_too():
    error = classify_ytdlp_error(ExtractorError("Private video", expected=True))
    assert error.code == "VIDEO_UNAVAILABLE"
