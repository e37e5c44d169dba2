"""A video's storyboard as yt-dlp lists it, and the frame nearest a moment."""

from __future__ import annotations

import pytest

from videos.storyboards import Storyboard, is_picture_url, storyboard_of_formats


def sb(format_id: str, width: int, **changes) -> dict:
    fmt = {
        "format_id": format_id, "width": width, "height": width * 9 // 16, "columns": 5,
        "rows": 5, "fps": 0.2,
        "fragments": [{"url": f"https://i.ytimg.com/sb/x/L/M{i}.jpg", "duration": 125.0}
                      for i in range(3)],
    }  # fmt: skip
    return fmt | changes


def test_the_largest_storyboard_is_chosen():
    board = storyboard_of_formats(
        [sb("sb2", 48), sb("sb0", 160), sb("sb1", 80), {"format_id": "18"}]
    )
    assert (board.width, board.frame_count, len(board.sheet_urls)) == (160, 75, 3)


@pytest.mark.parametrize(
    "bad",
    [
        {"fragments": [{"url": "https://evil.example/x.jpg", "duration": 300}]},
        {"fragments": [{"url": "http://i.ytimg.com/x.jpg", "duration": 300}]},
        {"columns": 0},
        {"height": 100_000},
        {"fps": "many"},
        {"fragments": "not a list of sheets"},
    ],
)
def test_a_storyboard_that_is_not_youtubes_or_not_sane_is_ignored(bad):
    assert storyboard_of_formats([sb("sb0", 160, **bad)]) is None


def test_the_frame_nearest_a_moment():
    board = Storyboard(160, 90, 5, 5, 0.2, 300.0, ("a", "b", "c"))
    assert board.frame_at(0) == (0, 0)
    assert board.frame_at(135) == (1, 2)  # frame 27
    assert board.frame_at(137.4) == (1, 2)  # nearer 135 than 140
    assert board.frame_at(10_000) == (2, 9)  # the last frame, 59


def test_picture_addresses_are_youtubes_over_https():
    assert is_picture_url("https://i.ytimg.com/vi/x/hqdefault.jpg")
    assert is_picture_url("https://i9.ytimg.com/sb/x/M0.jpg")
    assert not is_picture_url("https://ytimg.com.evil.example/x.jpg")
    assert not is_picture_url("file:///etc/passwd")
    assert not is_picture_url(None)
