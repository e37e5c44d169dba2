from __future__ import annotations

import pytest

from videos.errors import InvalidURL
from videos.video_ids import parse_video_id, playlist_id

VID = "dQw4w9WgXcQ"

VALID = [
    VID,
    f"  {VID}\n",
    f"https://www.youtube.com/watch?v={VID}",
    f"http://www.youtube.com/watch?v={VID}",
    f"https://youtube.com/watch?v={VID}",
    f"youtube.com/watch?v={VID}",
    f"www.youtube.com/watch?v={VID}",
    f"HTTPS://WWW.YOUTUBE.COM/watch?v={VID}",
    f"https://www.youtube.com/watch?v={VID}&t=42s",
    f"https://www.youtube.com/watch?t=42&v={VID}",
    f"https://www.youtube.com/watch?v={VID}&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG&index=3",
    f"https://www.youtube.com/watch?v={VID}&feature=youtu.be",
    f"https://www.youtube.com/watch?v={VID}#comments",
    f"https://m.youtube.com/watch?v={VID}",
    f"https://music.youtube.com/watch?v={VID}&si=abc123",
    f"https://youtu.be/{VID}",
    f"youtu.be/{VID}",
    f"https://youtu.be/{VID}?si=Xy12_ab&t=10",
    f"https://www.youtube.com/shorts/{VID}",
    f"https://youtube.com/shorts/{VID}?feature=share",
    f"https://www.youtube.com/live/{VID}?si=abc",
    f"https://www.youtube.com/embed/{VID}",
    f"https://www.youtube.com/embed/{VID}?start=30&autoplay=1",
    f"https://www.youtube-nocookie.com/embed/{VID}",
    f"https://www.youtube.com/v/{VID}?version=3",
    f"https://www.youtube.com/e/{VID}",
    f"https://www.youtube.com/watch/?v={VID}",
    f"https://www.youtube.com:443/watch?v={VID}",
]


@pytest.mark.parametrize("text", VALID)
def test_every_youtube_form_gives_the_id(text):
    assert parse_video_id(text) == VID


@pytest.mark.parametrize("vid", ["abc-DEF_123", "___________", "-----------"])
def test_ids_may_contain_dash_and_underscore(vid):
    assert parse_video_id(f"https://youtu.be/{vid}") == vid


MALFORMED = [
    ("", "empty"),
    ("   \n\t", "empty"),
    ("https://example.com/watch?v=dQw4w9WgXcQ", "example.com is not a YouTube address"),
    ("https://vimeo.com/123456", "vimeo.com is not a YouTube address"),
    ("https://notyoutube.com/watch?v=dQw4w9WgXcQ", "notyoutube.com is not a YouTube address"),
    ("https://youtube.com.evil.example/watch?v=dQw4w9WgXcQ", "is not a YouTube address"),
    ("https://www.youtube.com/", "does not point to a video"),
    ("https://www.youtube.com/watch", "does not point to a video"),
    ("https://www.youtube.com/watch?v=", "no video id in its v= parameter"),
    ("https://youtu.be/", "no video id after youtu.be/"),
    ("https://www.youtube.com/shorts/", "no video id after /shorts/"),
    (
        "https://www.youtube.com/playlist?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
        "this is a playlist; paste one video's URL",
    ),
    (
        "https://www.youtube.com/embed/videoseries?list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG",
        "this is a playlist",
    ),
    ("https://www.youtube.com/@somechannel", "channel page"),
    ("https://www.youtube.com/channel/UCxxxxxxxxxxxxxxxxxxxxxx", "channel page"),
    ("https://www.youtube.com/results?search_query=bread", "search or feed page"),
    (
        "https://www.youtube.com/watch?v=dQw4w9WgXc",
        "is 10 characters long; YouTube ids are exactly 11",
    ),
    ("https://youtu.be/dQw4w9WgXcQQ", "is 12 characters long"),
    ("https://www.youtube.com/watch?v=dQw4w9WgX!Q", "contains characters a YouTube id never has"),
    ("dQw4w9", "6 characters long instead of 11"),
    ("not a url", "is not a YouTube address"),
    ("ftp://youtube.com/watch?v=dQw4w9WgXcQ", '"ftp:" addresses are not YouTube addresses'),
]


@pytest.mark.parametrize(("text", "expected"), MALFORMED)
def test_malformed_input_says_what_is_wrong(text, expected):
    with pytest.raises(InvalidURL) as info:
        parse_video_id(text)
    assert expected.lower() in info.value.message.lower()
    assert info.value.code == "INVALID_URL"
    assert info.value.suggestions


def test_playlist_id():
    assert (
        playlist_id(
            "https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG"
        )
        == "PLx0sYbCqOb8TBPRdmBHs5Iftvv9TPboYG"
    )
    assert playlist_id("youtube.com/playlist?list=PL123abc") == "PL123abc"
    assert playlist_id("https://youtu.be/dQw4w9WgXcQ") is None
    assert playlist_id("") is None
    assert playlist_id("https://www.youtube.com/watch?v=dQw4w9WgXcQ&list=bad!id") is None
