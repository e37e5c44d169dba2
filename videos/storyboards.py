"""A video's storyboard: the seek-preview sprite sheets yt-dlp lists among its formats, the
frames the pictures step cuts section pictures from, and which image addresses are trusted."""

from __future__ import annotations

import urllib.parse
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Storyboard:
    """The seek-preview sprite sheets of a video, as yt-dlp lists them (an ``sb*`` format):
    ``columns`` x ``rows`` tiles of ``width`` x ``height`` a sheet, ``fps`` tiles a second of
    video, one URL a sheet in time order."""

    width: int
    height: int
    columns: int
    rows: int
    fps: float
    duration: float  # seconds the sheets cover
    sheet_urls: tuple[str, ...]

    @property
    def frame_count(self) -> int:
        return max(1, round(self.fps * self.duration))

    def frame_at(self, seconds: float) -> tuple[int, int]:
        """(sheet, tile) of the frame nearest ``seconds``, within the video."""
        frame = min(self.frame_count - 1, max(0, round(seconds * self.fps)))
        per_sheet = self.columns * self.rows
        sheet, tile = divmod(frame, per_sheet)
        return min(sheet, len(self.sheet_urls) - 1), tile


# Where storyboard and thumbnail images come from; a URL elsewhere in yt-dlp's answer is
# ignored, so a changed page can never point the worker at another host.
PICTURE_HOSTS = ("ytimg.com", "img.youtube.com")
# What a sane storyboard looks like: anything outside is a broken or hostile answer.
_MAX_TILE_SIDE = 1920
_MAX_GRID_SIDE = 25
_MAX_SHEETS = 20_000


def is_picture_url(url: object) -> bool:
    if not isinstance(url, str) or len(url) > 4000:
        return False
    parts = urllib.parse.urlsplit(url)
    host = (parts.hostname or "").lower()
    return parts.scheme == "https" and any(
        host == domain or host.endswith("." + domain) for domain in PICTURE_HOSTS
    )


def storyboard_of_formats(formats: list[Any]) -> Storyboard | None:
    """The storyboard with the largest tiles among yt-dlp's ``sb*`` formats, or None."""
    found = []
    for fmt in formats:
        if not isinstance(fmt, dict) or not str(fmt.get("format_id") or "").startswith("sb"):
            continue
        try:
            width, height = int(fmt["width"]), int(fmt["height"])
            columns, rows, fps = int(fmt["columns"]), int(fmt["rows"]), float(fmt["fps"])
            fragments = list(fmt["fragments"])
            urls = tuple(str(f["url"]) for f in fragments)
            duration = sum(float(f.get("duration") or 0) for f in fragments)
        except (KeyError, TypeError, ValueError):
            continue
        if not (
            0 < width <= _MAX_TILE_SIDE
            and 0 < height <= _MAX_TILE_SIDE
            and 0 < columns <= _MAX_GRID_SIDE
            and 0 < rows <= _MAX_GRID_SIDE
            and 0 < fps < 100
            and 0 < len(urls) <= _MAX_SHEETS
            and duration > 0
            and all(is_picture_url(url) for url in urls)
        ):
            continue
        found.append(Storyboard(width, height, columns, rows, fps, duration, urls))
    return max(found, key=lambda s: s.width * s.height, default=None)
