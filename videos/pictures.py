"""Pictures from a video without downloading it: its thumbnail, and frames cut from the
storyboard sprite sheets YouTube's player shows while seeking.

Every image is untrusted bytes from the network: its URL comes only from yt-dlp's answer
(videos.storyboards.is_picture_url), the download is bounded in size and time, Pillow decodes
only JPEG, WebP and PNG and only after the header's size is checked (a few bytes can
declare a billion pixels), and what leaves here is a JPEG we encoded ourselves.
"""

from __future__ import annotations

import io
import logging
import time
import warnings
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PIL import Image

from blogtube_site.errors import BlogTubeError
from blogtube_site.timecodes import clock
from videos.errors import PictureUnavailable
from videos.storyboards import Storyboard, is_picture_url
from videos.ytdlp import Ytdlp

log = logging.getLogger(__name__)

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # a storyboard sheet is some 100 KB, a thumbnail 200 KB
MAX_PIXELS = 16_000_000  # a 4K frame is 8.3 million
DOWNLOAD_SECONDS = 30.0  # a whole image, however slowly it drips in
MAX_COVER_WIDTH = 1280
JPEG_QUALITY = 85
DECODERS = ("JPEG", "WEBP", "PNG")


@dataclass(frozen=True)
class Picture:
    """A JPEG we encoded; ``seconds`` is the moment of the video it shows (None: the cover)."""

    data: bytes
    width: int
    height: int
    seconds: float | None = None


def _classify(exc: Exception, log: Iterable[str] = ()) -> BlogTubeError:
    return PictureUnavailable(detail=f"{type(exc).__name__}: {exc}")


class _Downloader:
    """One yt-dlp opener (proxy, cookies, the tests' transport) for every image of a run."""

    def __init__(self) -> None:
        self._ytdlp = Ytdlp({}, failed=PictureUnavailable.message, classify=_classify)

    def __enter__(self) -> _Downloader:
        self._ytdlp.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        self._ytdlp.__exit__(*exc)  # type: ignore[arg-type]

    def image(self, url: str) -> Image.Image:
        if not is_picture_url(url):
            raise PictureUnavailable(detail=f"not a YouTube picture address: {url[:200]}")
        data = self._ytdlp.read(url, limit=MAX_IMAGE_BYTES, seconds=DOWNLOAD_SECONDS)
        return decode(data)


def decode(data: bytes) -> Image.Image:
    """The image in ``data``, fully loaded; PictureUnavailable for anything else."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(io.BytesIO(data), formats=DECODERS)
            if image.width * image.height > MAX_PIXELS:
                raise PictureUnavailable(
                    detail=f"{image.width}x{image.height} pixels is more than {MAX_PIXELS:,}"
                )
            image.load()
    except PictureUnavailable:
        raise
    except (OSError, SyntaxError, ValueError, EOFError, Image.DecompressionBombError,
            Image.DecompressionBombWarning) as exc:  # fmt: skip
        raise PictureUnavailable(detail=f"not an image: {type(exc).__name__}: {exc}") from exc
    return image


def encode(image: Image.Image) -> Picture:
    rgb = image.convert("RGB")
    out = io.BytesIO()
    rgb.save(out, "JPEG", quality=JPEG_QUALITY, optimize=True)
    return Picture(out.getvalue(), rgb.width, rgb.height)


def thumbnail(urls: list[str]) -> Picture:
    """The first of ``urls`` that is an image, no wider than MAX_COVER_WIDTH."""
    last: BlogTubeError = PictureUnavailable(detail="no thumbnail address")
    with _Downloader() as download:
        for url in urls:
            try:
                image = download.image(url)
            except BlogTubeError as error:
                last = error
                continue
            if image.width > MAX_COVER_WIDTH:
                height = max(1, round(image.height * MAX_COVER_WIDTH / image.width))
                image = image.convert("RGB").resize((MAX_COVER_WIDTH, height), Image.LANCZOS)
            return encode(image)
    raise last


Progress = Callable[[int, int], None]  # (done, of)


def frames(
    storyboard: Storyboard, moments: list[float], on_progress: Progress | None = None
) -> list[Picture | BlogTubeError]:
    """The storyboard frame nearest each moment, in the order given: a Picture, or the error
    that kept that one from being cut (the others are still tried)."""
    results: dict[int, Picture | BlogTubeError] = {}
    # In time order, each sheet is downloaded once however many moments fall in it.
    order = sorted(range(len(moments)), key=lambda i: moments[i])
    sheet_index: int | None = None
    sheet: Image.Image | BlogTubeError | None = None
    started = time.monotonic()
    with _Downloader() as download:
        for done, i in enumerate(order, start=1):
            index, tile = storyboard.frame_at(moments[i])
            if index != sheet_index:
                sheet_index = index
                try:
                    sheet = download.image(storyboard.sheet_urls[index])
                except BlogTubeError as error:
                    sheet = error
            results[i] = (
                sheet
                if isinstance(sheet, BlogTubeError)
                else _cut(sheet, storyboard, tile, moments[i])
            )
            if on_progress is not None:
                on_progress(done, len(moments))
    log.debug("Cut %d frames in %.1f s", len(moments), time.monotonic() - started)
    return [results[i] for i in range(len(moments))]


def _cut(
    sheet: Image.Image | None, storyboard: Storyboard, tile: int, seconds: float
) -> Picture | BlogTubeError:
    assert sheet is not None
    row, column = divmod(tile, storyboard.columns)
    w, h = storyboard.width, storyboard.height
    box = (column * w, row * h, (column + 1) * w, (row + 1) * h)
    if box[2] > sheet.width or box[3] > sheet.height:
        # The last sheet holds only the frames left; a moment past them has none.
        return PictureUnavailable(
            detail=f"the sheet is {sheet.width}x{sheet.height}; the frame at {clock(seconds)} "
            f"would be at {box}"
        )
    picture = encode(sheet.crop(box))
    return Picture(picture.data, picture.width, picture.height, seconds)
