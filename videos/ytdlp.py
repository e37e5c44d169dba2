"""Calling yt-dlp: its chatter into our log, its failures into BlogTubeErrors.

Every use of yt-dlp (a video's details, a playlist, a channel, subtitles,
audio) goes through ``Ytdlp``, so each one logs yt-dlp the same way and no
yt-dlp exception leaves the videos app as anything but a BlogTubeError.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any

from yt_dlp.utils import YoutubeDLError

from blogtube_site.errors import BlogTubeError
from videos import http
from videos.errors import YouTubeError, classify_ytdlp_error

logger = logging.getLogger(__name__)

# (yt-dlp's exception, its warnings so far) -> ours; see videos.errors.
Classify = Callable[..., BlogTubeError]


class _Log:
    """Collects yt-dlp's warnings: its final error often hides the real cause."""

    def __init__(self) -> None:
        self.warnings: list[str] = []

    def debug(self, msg: str) -> None:
        logger.debug("yt-dlp: %s", msg)

    def info(self, msg: str) -> None:
        logger.debug("yt-dlp: %s", msg)

    def warning(self, msg: str) -> None:
        self.warnings.append(msg)
        logger.info("yt-dlp warning: %s", msg)

    def error(self, msg: str) -> None:
        logger.info("yt-dlp error: %s", msg)


class ResponseTooLarge(YouTubeError):
    code = "RESPONSE_TOO_LARGE"
    message = "YouTube's answer was larger or slower than any such answer should be."


def _bounded(response: Any, limit: int | None, seconds: float | None) -> bytes:
    deadline = time.monotonic() + seconds if seconds is not None else None
    declared = response.headers.get("Content-Length")
    if limit is not None and declared and declared.isdigit() and int(declared) > limit:
        raise ResponseTooLarge(detail=f"Content-Length {declared} > {limit}")
    chunks: list[bytes] = []
    total = 0
    while chunk := response.read(64 * 1024):
        total += len(chunk)
        if limit is not None and total > limit:
            raise ResponseTooLarge(detail=f"more than {limit} bytes")
        if deadline is not None and time.monotonic() > deadline:
            raise ResponseTooLarge(detail=f"still arriving after {seconds} s")
        chunks.append(chunk)
    return b"".join(chunks)


class Ytdlp:
    """One paced YoutubeDL (videos.http) with ``options``, used as a context manager.

    A YoutubeDLError (RequestError is one) becomes ``classify(exc, log=warnings)``;
    a BlogTubeError (a proxy failure raised from urlopen) passes unchanged; any
    other exception is a bug inside yt-dlp, YouTube having changed a page under
    it, and becomes a YouTubeError saying ``failed``.
    """

    def __init__(
        self,
        options: dict[str, Any],
        *,
        failed: str,
        classify: Classify = classify_ytdlp_error,
    ) -> None:
        self._log = _Log()
        self._failed = failed
        self._classify = classify
        self._ydl = http.youtube_dl({**options, "logger": self._log})

    @property
    def warnings(self) -> list[str]:
        """yt-dlp's warnings so far, oldest first."""
        return self._log.warnings

    def __enter__(self) -> Ytdlp:
        with self._ours():
            self._ydl.__enter__()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        with self._ours():
            self._ydl.__exit__(exc_type, exc, tb)

    def extract_info(self, url: str, **kwargs: Any) -> dict[str, Any] | None:
        with self._ours():
            return self._ydl.extract_info(url, **kwargs)

    def read(self, url: str, *, limit: int | None = None, seconds: float | None = None) -> bytes:
        """The body at ``url``, through this YoutubeDL's proxy, cookies and (in tests) transport.

        With ``limit``, a body over that many bytes, and with ``seconds``, one still arriving
        after that long, raises ResponseTooLarge: neither is read into memory whole."""
        with self._ours(), self._ydl.urlopen(url) as response:
            if limit is None and seconds is None:
                return response.read()
            return _bounded(response, limit, seconds)

    @contextmanager
    def _ours(self) -> Iterator[None]:
        try:
            yield
        except YoutubeDLError as exc:
            raise self._classify(exc, log=self.warnings) from exc
        except BlogTubeError:
            raise
        except Exception as exc:
            raise YouTubeError(self._failed, detail=f"{type(exc).__name__}: {exc}") from exc
