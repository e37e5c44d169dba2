"""A job's post as publishing needs it: an Article with its cover image and pictures.

``post_pictures`` is the one place pictures plug in. Pictures from the video are saved beside
the post, in ``MEDIA_ROOT/posts/<slug>/``, and the post's text refers to them as
``<slug>/<file>``; they are read from the post's picture rows (``post.pictures``, made by the
pictures step), else from that folder: a cover image (``cover.jpg``, ``.png`` or ``.webp``) and
``pictures.json``, a list of ``{"file": ..., "alt": ...}``. A post without a cover file has
the video's thumbnail by address (sites that take an image URL use it).
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

from django.conf import settings

from jobs.models import Post
from publishing import services as publishing

log = logging.getLogger(__name__)

COVER_NAMES = ("cover.jpg", "cover.jpeg", "cover.png", "cover.webp")
MAX_PICTURES = 100


def article_for(post: Post) -> publishing.Article:
    formatted = post.formatted()
    cover, pictures = post_pictures(post)
    return publishing.Article(
        title=post.title,
        slug=post.slug,
        description=post.description,
        tags=tuple(str(tag) for tag in post.tags),
        html=post.html,
        body_markdown=formatted.body,
        date=formatted.source.get("date") or post.created.date().isoformat(),
        cover=cover,
        pictures=tuple(pictures),
    )


def post_pictures(post: Post) -> tuple[publishing.Picture | None, list[publishing.Picture]]:
    """The post's cover image and its pictures, each with alt text and how the text refers
    to it. Nothing outside the post's own folder is read, whatever the manifest says."""
    folder = Path(settings.MEDIA_ROOT) / "posts" / post.slug
    cover, pictures = _stored_pictures(post)
    if cover is None and not pictures:
        cover, pictures = _folder_cover(folder, post), _listed_pictures(folder, post.slug)
    video = post.video if post.video_id else None
    if cover is None and video is not None and video.thumbnail_url:
        cover = publishing.Picture(
            path=None, alt=video.title or post.title, url=video.thumbnail_url
        )
    return cover, pictures


def _stored_pictures(post: Post) -> tuple[publishing.Picture | None, list[publishing.Picture]]:
    """Pictures kept as rows of the post (``post.pictures``: a kind, cover or section, the
    file's ``path``, its ``relative_path`` as the text names it, its ``alt``), when the
    pictures step made them."""
    rows = getattr(post, "pictures", None)
    if rows is None or not hasattr(rows, "all"):
        return None, []
    cover, pictures = None, []
    for row in rows.all()[:MAX_PICTURES]:
        picture = publishing.Picture(path=Path(row.path), alt=row.alt, ref=row.relative_path)
        if row.kind == "cover" and cover is None:
            cover = picture
        else:
            pictures.append(picture)
    return cover, pictures


def _folder_cover(folder: Path, post: Post) -> publishing.Picture | None:
    for name in COVER_NAMES:
        if (folder / name).is_file():
            return publishing.Picture(path=folder / name, alt=post.title, ref=f"{post.slug}/{name}")
    return None


def _listed_pictures(folder: Path, slug: str) -> list[publishing.Picture]:
    manifest = folder / "pictures.json"
    if not manifest.is_file():
        return []
    try:
        entries = json.loads(manifest.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("Unreadable %s: %s", manifest, exc)
        return []
    pictures = []
    root = folder.resolve()
    for entry in entries[:MAX_PICTURES] if isinstance(entries, list) else []:
        if not isinstance(entry, dict) or not isinstance(entry.get("file"), str):
            continue
        path = (folder / entry["file"]).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            continue
        name = path.relative_to(root).as_posix()
        pictures.append(
            publishing.Picture(
                path=path, alt=str(entry.get("alt") or "")[:300], ref=f"{slug}/{name}"
            )
        )
    return pictures
