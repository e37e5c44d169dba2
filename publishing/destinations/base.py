"""What every destination is given (an Article with its pictures) and answers (a Remote)."""

from __future__ import annotations

import hashlib
import mimetypes
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

import requests

from publishing import outbound
from publishing.errors import DestinationError

Progress = Callable[[int, str], None]

# Larger files are left out rather than uploaded: a media library has limits of its own.
MAX_PICTURE_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Picture:
    """A picture of the post: a file beside it, how the post's text refers to it (``ref``,
    "" when it is not in the text, as a cover), its alt text, and where it already is on
    the web (a video's thumbnail), if anywhere."""

    path: Path | None
    alt: str
    ref: str = ""
    url: str = ""

    @property
    def filename(self) -> str:
        return self.path.name if self.path else self.url.rsplit("/", 1)[-1] or "picture.jpg"

    @property
    def content_type(self) -> str:
        return mimetypes.guess_type(self.filename)[0] or "application/octet-stream"

    def read(self) -> bytes | None:
        """The file's bytes; None when there is no file, it is gone or too large."""
        if self.path is None or not self.path.is_file():
            return None
        if self.path.stat().st_size > MAX_PICTURE_BYTES:
            return None
        return self.path.read_bytes()

    def digest(self) -> str:
        data = self.read()
        return hashlib.sha256(data).hexdigest()[:32] if data is not None else self.url


@dataclass(frozen=True)
class Article:
    """A post as every destination needs it; ``body_markdown`` and ``html`` carry no title."""

    title: str
    slug: str
    description: str
    tags: tuple[str, ...]
    html: str
    body_markdown: str
    date: str = ""
    canonical_url: str = ""
    cover: Picture | None = None
    pictures: tuple[Picture, ...] = ()

    def with_pictures_at(self, urls: dict[str, str]) -> Article:
        """The text with each picture's ref replaced by where it now is (ref -> url)."""
        html, markdown = self.html, self.body_markdown
        for ref, url in urls.items():
            if not ref:
                continue
            html = html.replace(f'src="{ref}"', f'src="{url}"')
            markdown = markdown.replace(f"]({ref})", f"]({url})")
        return replace(self, html=html, body_markdown=markdown)


@dataclass
class Remote:
    """The post on the destination, as stored on the publication and given back to update it.

    ``media``: what was uploaded, by content digest, so an update uploads only new pictures."""

    remote_id: str = ""
    url: str = ""
    status: str = ""
    media: dict[str, dict[str, Any]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)


class DestinationKind:
    """One kind of destination, bound to a site and its credentials."""

    slug: ClassVar[str]
    label: ClassVar[str]
    default_url: ClassVar[str] = ""
    needs_url: ClassVar[bool] = True
    needs_username: ClassVar[bool] = False
    username_label: ClassVar[str] = "User name"
    needs_secret: ClassVar[bool] = True
    secret_label: ClassVar[str] = "API key"
    secret_help: ClassVar[str] = ""
    # A remote destination publishes over HTTP; the static site is a download.
    is_remote: ClassVar[bool] = True

    def __init__(
        self, *, site_url: str, username: str = "", secret: str = "", options: dict | None = None
    ) -> None:
        self.site_url = (site_url or self.default_url).rstrip("/")
        self.username = username
        self.secret = secret
        self.options = options or {}
        self._session: requests.Session | None = None

    @classmethod
    def check_secret(cls, secret: str) -> str:
        """The secret as stored; ValueError saying what is wrong with its form."""
        return secret.strip()

    def check(self) -> str:
        """Whether the credentials may publish: a sentence saying who and where, or a
        DestinationError saying exactly what is wrong."""
        raise NotImplementedError

    def publish(
        self, article: Article, *, published: bool, previous: Remote | None, progress: Progress
    ) -> Remote:
        raise NotImplementedError

    # --- HTTP, through publishing.outbound --------------------------------------------

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        if self._session is None:
            self._session = outbound.session()
        url = path if path.startswith(("http://", "https://")) else f"{self.site_url}{path}"
        return outbound.send(self._session, method, url, **kwargs)

    @staticmethod
    def json_of(response: requests.Response, what: str) -> Any:
        try:
            return response.json()
        except ValueError:
            raise DestinationError(
                f"The site's answer to {what} is not JSON ({response.status_code}).",
                detail=response.text[:500],
            ) from None

    @staticmethod
    def refused(response: requests.Response, what: str, message: str = "") -> DestinationError:
        """A 4xx answer as an error quoting the site's own message."""
        said = message or response.text[:300]
        return DestinationError(
            f"The site refused {what} ({response.status_code}): {said}",
            suggestions=["Check the post for anything the site does not accept"],
            detail=response.text[:1000],
        )
