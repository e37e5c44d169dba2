"""A job's post as publishing needs it: an Article with its cover image and pictures.

``post_pictures`` is the one place pictures plug in: the post's PostPicture rows (the pictures
step's cover and frames, saved in ``MEDIA_ROOT/posts/<slug>/`` and named ``<slug>/<file>`` in
the post's text).
"""

from __future__ import annotations

from jobs.models import Post, PostPicture
from publishing import services as publishing

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
    """The post's cover image and its frames, each with alt text and how the text refers to
    it. A post without a cover file has the video's thumbnail by address (sites that take an
    image URL use it)."""
    cover, pictures = None, []
    for row in post.pictures.all()[:MAX_PICTURES]:
        picture = publishing.Picture(path=row.path, alt=row.alt, ref=row.relative_path)
        if row.kind == PostPicture.Kind.COVER and cover is None:
            cover = picture
        else:
            pictures.append(picture)
    video = post.video if post.video_id else None
    if cover is None and video is not None and video.thumbnail_url:
        cover = publishing.Picture(
            path=None, alt=video.title or post.title, url=video.thumbnail_url
        )
    return cover, pictures
