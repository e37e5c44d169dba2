"""Channel expansion: the real yt-dlp youtube:tab extractor against the fake YouTube."""

from __future__ import annotations

import pytest

from tests.caches import clear_cache
from videos import channels
from videos.channels import parse_channel_url
from videos.errors import ChannelUnavailable, InvalidURL
from videos.youtube import PlaylistEntry

pytestmark = pytest.mark.django_db

CHANNEL_ID = "UCbreadlab00000000000000"


@pytest.fixture(autouse=True)
def empty_cache():
    # The cache is the database cache: rows written by one test would answer the next.
    clear_cache()


@pytest.fixture
def channel(fake_youtube):
    fake_youtube.add("aaaaaaaaaa1", title="Feeding the starter", duration=125)
    fake_youtube.add("bbbbbbbbbb2", title="Shaping a boule", duration=610)
    return fake_youtube.add_channel(
        "@breadlab",
        title="The Bread Lab",
        channel_id=CHANNEL_ID,
        video_ids=["aaaaaaaaaa1", "bbbbbbbbbb2", "cccccccccc3"],
    )


@pytest.fixture
def big_channel(fake_youtube):
    # More than two of YouTube's 30-video pages.
    ids = [f"v{n:010d}" for n in range(70)]
    fake_youtube.add_channel("@bigbakery", title="Big Bakery", video_ids=ids)
    return ids


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("https://www.youtube.com/@breadlab", "https://www.youtube.com/@breadlab"),
        ("https://www.youtube.com/@breadlab/videos", "https://www.youtube.com/@breadlab"),
        ("youtube.com/@bread.lab-2/featured?x=1", "https://www.youtube.com/@bread.lab-2"),
        ("https://m.youtube.com/@breadlab", "https://www.youtube.com/@breadlab"),
        ("@breadlab", "https://www.youtube.com/@breadlab"),
        (
            f"https://www.youtube.com/channel/{CHANNEL_ID}/videos",
            f"https://www.youtube.com/channel/{CHANNEL_ID}",
        ),
        ("https://www.youtube.com/c/BreadLab", "https://www.youtube.com/c/BreadLab"),
        ("https://www.youtube.com/user/breadlab", "https://www.youtube.com/user/breadlab"),
        # Not channels:
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", None),
        ("https://www.youtube.com/playlist?list=PL123abc", None),
        ("https://www.youtube.com/@breadlab?list=PL123abc", None),
        ("https://www.youtube.com/channel/UCtooshort", None),
        ("https://vimeo.com/@breadlab", None),
        ("https://youtu.be/dQw4w9WgXcQ", None),
        ("@ab", None),
        ("", None),
    ],
)
def test_parse_channel_url(text, expected):
    assert parse_channel_url(text) == expected


def test_a_handle_expands_to_its_uploads_in_order(fake_youtube, channel):
    info = channels.fetch_channel("https://www.youtube.com/@breadlab", limit=10)

    assert info.title == info.channel == "The Bread Lab"
    assert info.playlist_id == CHANNEL_ID
    assert info.truncated is False
    assert info.entries == [
        PlaylistEntry("aaaaaaaaaa1", "Feeding the starter", 125),
        PlaylistEntry("bbbbbbbbbb2", "Shaping a boule", 610),
        PlaylistEntry("cccccccccc3", "Video cccccccccc3", 316),
    ]
    # Flat extraction: the videos tab only, nothing per video.
    assert [r.path for r in fake_youtube.requests] == ["/@breadlab/videos"]


def test_a_channel_id_url_reads_the_same_channel(fake_youtube, channel):
    info = channels.fetch_channel(f"https://www.youtube.com/channel/{CHANNEL_ID}", limit=10)
    assert [e.video_id for e in info.entries] == channel.video_ids
    assert [r.path for r in fake_youtube.requests] == [f"/channel/{CHANNEL_ID}/videos"]


def test_limit_truncates_says_so_and_reads_no_further_page(fake_youtube, big_channel):
    info = channels.fetch_channel("@bigbakery", limit=5)
    assert [e.video_id for e in info.entries] == big_channel[:5]
    assert info.truncated is True
    assert fake_youtube.count(path="/youtubei/v1/browse") == 0


def test_continuation_pages_are_followed_up_to_the_limit(fake_youtube, big_channel):
    info = channels.fetch_channel("@bigbakery", limit=40)
    assert [e.video_id for e in info.entries] == big_channel[:40]
    assert info.truncated is True
    # The first page holds 30: one continuation brings 31 to 60, and that is enough.
    assert fake_youtube.count(path="/youtubei/v1/browse") == 1

    everything = channels.fetch_channel("@bigbakery", limit=100)
    assert len(everything.entries) == 70
    assert everything.truncated is False


def test_a_handle_nobody_has_is_a_clear_error(fake_youtube):
    with pytest.raises(ChannelUnavailable) as caught:
        channels.fetch_channel("https://www.youtube.com/@nobodyhere", limit=10)
    assert caught.value.code == "CHANNEL_UNAVAILABLE"
    assert "no channel @nobodyhere" in caught.value.message
    assert "playlist" not in caught.value.message  # yt-dlp's own wording asks about one


def test_text_that_is_no_channel_is_refused_before_any_request(fake_youtube):
    with pytest.raises(InvalidURL):
        channels.fetch_channel("https://www.youtube.com/watch?v=dQw4w9WgXcQ", limit=10)
    assert fake_youtube.requests == []


def test_expand_channel_remembers_the_answer(fake_youtube, channel):
    first = channels.expand_channel("https://www.youtube.com/@breadlab/videos", limit=10)
    again = channels.expand_channel("@breadlab", limit=10)
    assert again == first
    assert len(fake_youtube.requests) == 1
