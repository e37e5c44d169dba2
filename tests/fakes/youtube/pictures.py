"""i.ytimg.com: a video's thumbnails and its storyboard sprite sheets, drawn with Pillow."""

from __future__ import annotations

import functools
import io
import re
from typing import Any

from PIL import Image

from tests.fakes.youtube.catalogue import THUMBNAIL_COLOUR, FakeStoryboard, FakeVideo
from tests.fakes.youtube.replies import FakeReply

PICTURE_HOST = "i.ytimg.com"
SHEET_PATH = re.compile(r"/sb/([\w-]{11})/storyboard3_L(\d)/(?:M(\d+)|default)\.jpg")
THUMBNAIL_PATH = re.compile(r"/vi/([\w-]{11})/\w+\.jpg")
# The small level every video has, as YouTube serves it: one sheet of 10x10 tiles.
SMALL_LEVEL = "48#27#100#10#10#0#default#rs$fakeSmall"


def storyboard_spec(video: FakeVideo) -> dict[str, Any]:
    """The player response's "storyboards", as yt-dlp reads it: the address pattern, then one
    "width#height#frames#columns#rows#interval_ms#name#signature" a level, smallest first."""
    board = video.storyboard
    assert board is not None
    base = f"https://{PICTURE_HOST}/sb/{video.video_id}/storyboard3_L$L/$N.jpg?sqp=fake"
    frames = board.frame_count(video.duration)
    level = (
        f"{board.width}#{board.height}#{frames}#{board.columns}#{board.rows}"
        f"#{int(board.interval * 1000)}#M$M#rs$fakeLarge"
    )
    return {
        "playerStoryboardSpecRenderer": {
            "spec": "|".join([base, SMALL_LEVEL, level]),
            "recommendedLevel": 1,
        }
    }


def sheet(video: FakeVideo, level: int, index: int) -> FakeReply:
    board = video.storyboard
    if board is None:
        return FakeReply(404, b"", "text/html")
    if board.body is not None:
        return FakeReply(200, board.body, "image/jpeg")
    if level == 0:
        return FakeReply(200, _solid(480, 270, (128, 128, 128)), "image/jpeg")
    return FakeReply(200, _sheet(board, board.frame_count(video.duration), index), "image/jpeg")


def thumbnail(video: FakeVideo) -> FakeReply:
    if not video.thumbnail:
        return FakeReply(404, b"", "text/html")
    return FakeReply(200, _solid(320, 180, THUMBNAIL_COLOUR), "image/jpeg")


@functools.cache
def _solid(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, "JPEG", quality=95)
    return out.getvalue()


@functools.cache
def _sheet(board: FakeStoryboard, frames: int, index: int) -> bytes:
    """Sheet ``index``: its frames' tiles left to right, top to bottom; the last sheet only
    as many rows tall as it has frames, as YouTube's are."""
    per_sheet = board.columns * board.rows
    first = index * per_sheet
    count = max(0, min(per_sheet, frames - first))
    rows = max(1, -(-count // board.columns))
    image = Image.new("RGB", (board.columns * board.width, rows * board.height), (0, 0, 0))
    for tile in range(count):
        row, column = divmod(tile, board.columns)
        box = (column * board.width, row * board.height)
        image.paste(Image.new("RGB", (board.width, board.height), board.colour(first + tile)), box)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()
