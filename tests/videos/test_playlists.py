"""Playlist expansion: the real yt-dlp youtube:tab extractor against the fake YouTube."""

from __future__ import annotations

import pytest

from tests.caches import clear_cache
from videos import services, youtube
from videos.errors import (
    InvalidURL,
    PlaylistUnavailable,
    VideoUnavailable,
    YouTubeRateLimited,
    classify_playlist_error,
)
from videos.youtube import PlaylistEntry

PLAYLIST = "PLbreadbasics0000000000000000000000"
IDS = ["aaaaaaaaaa1", "bbbbbbbbbb2", "cccccccccc3", "dddddddddd4"]

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    # The cache is the database cache: rows written by one test would answer the next.
    clear_cache()


@pytest.fixture
def playlist(fake_youtube):
    fake_youtube.add(IDS[0], title="Feeding the starter", duration=125)
    fake_youtube.add(IDS[1], title="Shaping a boule", duration=610)
    fake_youtube.add(IDS[2], title="Scoring & baking", duration=3725)
    # IDS[3] is not registered: its title comes from the fake's default.
    return fake_youtube.add_playlist(
        PLAYLIST, title="Sourdough Basics", channel="The Bread Lab", video_ids=IDS
    )


def test_a_playlist_url_expands_to_its_entries_in_order(fake_youtube, playlist):
    info = services.expand_playlist(f"https://www.youtube.com/playlist?list={PLAYLIST}")

    assert info.playlist_id == PLAYLIST
    assert info.title == "Sourdough Basics"
    assert info.channel == "The Bread Lab"
    assert info.truncated is False
    assert info.entries == [
        PlaylistEntry(IDS[0], "Feeding the starter", 125),
        PlaylistEntry(IDS[1], "Shaping a boule", 610),
        PlaylistEntry(IDS[2], "Scoring & baking", 3725),
        PlaylistEntry(IDS[3], f"Video {IDS[3]}", 316),
    ]
    # Flat extraction: the playlist page only, nothing per video.
    assert [r.path for r in fake_youtube.requests] == ["/playlist"]


def test_limit_truncates_and_says_so(playlist):
    info = youtube.fetch_playlist(PLAYLIST, limit=2)

    assert [e.video_id for e in info.entries] == IDS[:2]
    assert info.truncated is True


def test_a_limit_equal_to_the_length_is_not_truncated(playlist):
    info = youtube.fetch_playlist(PLAYLIST, limit=len(IDS))

    assert [e.video_id for e in info.entries] == IDS
    assert info.truncated is False


def test_a_long_playlist_is_read_across_continuation_pages(fake_youtube):
    ids = [f"long{i:07d}" for i in range(130)]
    fake_youtube.add_playlist(PLAYLIST, video_ids=ids)

    info = youtube.fetch_playlist(PLAYLIST, limit=120)

    assert [e.video_id for e in info.entries] == ids[:120]
    assert info.truncated is True
    # YouTube sends 100 videos per page: the rest comes from one browse call.
    assert fake_youtube.count(path="/playlist") == 1
    assert fake_youtube.count(path="/youtubei/v1/browse") == 1


@pytest.mark.parametrize(
    "url",
    [
        f"https://www.youtube.com/watch?v={IDS[1]}&list={PLAYLIST}&index=2",
        f"https://youtu.be/{IDS[1]}?list={PLAYLIST}",
        f"youtube.com/playlist?list={PLAYLIST}",
        f"https://m.youtube.com/playlist?list={PLAYLIST}",
    ],
)
def test_any_url_carrying_list_expands_the_whole_list(fake_youtube, playlist, url):
    info = services.expand_playlist(url)

    assert [e.video_id for e in info.entries] == IDS
    # The watch page is never asked for: the video in the URL is only where
    # the person happened to be in the list.
    assert fake_youtube.count(path="/watch") == 0


def test_private_and_deleted_entries_are_skipped(fake_youtube):
    fake_youtube.add_playlist(PLAYLIST, video_ids=IDS, private=[IDS[1]], deleted=[IDS[3]])

    info = youtube.fetch_playlist(PLAYLIST)

    assert [e.video_id for e in info.entries] == [IDS[0], IDS[2]]
    assert all(not e.title.startswith("[") for e in info.entries)


def test_a_real_video_with_a_bracketed_title_is_kept(fake_youtube):
    fake_youtube.add(IDS[0], title="[Official video]")
    fake_youtube.add_playlist(PLAYLIST, video_ids=IDS[:1])

    assert youtube.fetch_playlist(PLAYLIST).entries[0].title == "[Official video]"


def test_limit_counts_positions_so_skipped_entries_still_use_them(fake_youtube):
    fake_youtube.add_playlist(PLAYLIST, video_ids=IDS, private=[IDS[0]])

    info = youtube.fetch_playlist(PLAYLIST, limit=2)

    assert [e.video_id for e in info.entries] == [IDS[1]]
    assert info.truncated is True


def test_a_missing_playlist_is_unavailable_with_a_readable_message(fake_youtube):
    fake_youtube.add_playlist(PLAYLIST, scenario="unavailable")

    with pytest.raises(PlaylistUnavailable) as caught:
        services.expand_playlist(f"https://www.youtube.com/playlist?list={PLAYLIST}")

    error = caught.value
    assert error.code == "PLAYLIST_UNAVAILABLE"
    assert isinstance(error, VideoUnavailable)  # code paths that handle that still catch it
    assert error.transient is False
    assert error.message == (
        'This playlist is unavailable. YouTube says: "The playlist does not exist".'
    )
    assert "ERROR:" not in error.message and "[youtube" not in error.message
    assert error.suggestions
    assert "The playlist does not exist" in error.detail


def test_network_verdicts_stay_network_verdicts():
    from yt_dlp.utils import DownloadError, ExtractorError

    inner = ExtractorError("HTTP Error 429: Too Many Requests")
    error = classify_playlist_error(DownloadError(str(inner), (None, inner, None)))

    assert isinstance(error, YouTubeRateLimited)


def test_a_second_call_is_answered_from_the_cache(fake_youtube, playlist):
    url = f"https://www.youtube.com/playlist?list={PLAYLIST}"
    first = services.expand_playlist(url)
    fake_youtube.reset_requests()

    # Another address of the same list, same limit: same cache entry.
    again = services.expand_playlist(f"https://youtu.be/{IDS[0]}?list={PLAYLIST}")

    assert again == first
    assert fake_youtube.requests == []


def test_the_cache_keeps_limits_apart(fake_youtube, playlist):
    url = f"https://www.youtube.com/playlist?list={PLAYLIST}"
    services.expand_playlist(url, limit=2)

    assert len(services.expand_playlist(url, limit=3).entries) == 3
    assert fake_youtube.count(path="/playlist") == 2


def test_a_failure_is_not_cached(fake_youtube):
    fake_youtube.add_playlist(PLAYLIST, scenario="unavailable")
    url = f"https://www.youtube.com/playlist?list={PLAYLIST}"
    with pytest.raises(PlaylistUnavailable):
        services.expand_playlist(url)

    fake_youtube.add_playlist(PLAYLIST, video_ids=IDS[:1])

    assert [e.video_id for e in services.expand_playlist(url).entries] == IDS[:1]


@pytest.mark.parametrize(
    ("text", "says"),
    [
        (f"https://www.youtube.com/watch?v={IDS[0]}", "no playlist"),
        (f"https://youtu.be/{IDS[0]}", "no playlist"),
        ("https://www.youtube.com/playlist?list=bad!id", "not a youtube playlist id"),
        ("https://www.youtube.com/playlist?list=", "no playlist"),
        (f"https://example.com/playlist?list={PLAYLIST}", "example.com is not a youtube"),
        ("", "empty"),
        ("   ", "empty"),
    ],
)
def test_an_address_without_a_playlist_is_an_invalid_url(fake_youtube, text, says):
    with pytest.raises(InvalidURL) as caught:
        services.expand_playlist(text)

    assert caught.value.code == "INVALID_URL"
    assert says in caught.value.message.lower()
    assert "playlist" in " ".join(caught.value.suggestions).lower()
    assert fake_youtube.requests == []
