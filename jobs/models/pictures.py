"""The pictures of a post (PostPicture): the video's thumbnail as its cover and a frame of
the video under each section heading, stored beside the post's files.

A post's pictures live in MEDIA_ROOT/posts/<slug>/, next to <slug>.md, so the Markdown's
relative paths (``<slug>/01-intro.jpg``) work on disk, in the zip download and on any
static site the folder is copied to. The folder is the job's: deleting the job removes it
(Post.file_paths), and the hourly clean-up removes one no post owns.
"""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.db import models
from django.urls import reverse

POSTS_DIR = "posts"


def pictures_folder(slug: str) -> Path:
    return Path(settings.MEDIA_ROOT) / POSTS_DIR / slug


class PostPicture(models.Model):
    """One picture of a post. What a destination needs to publish it: ``path`` (the file),
    ``relative_path`` (as the Markdown names it), ``alt``, ``section``, ``seconds``."""

    class Kind(models.TextChoices):
        COVER = "cover", "Cover (the video's thumbnail)"
        SECTION = "section", "Frame of a section"

    post = models.ForeignKey("jobs.Post", on_delete=models.CASCADE, related_name="pictures")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    position = models.PositiveSmallIntegerField(help_text="0: the cover; then sections in order")
    name = models.CharField(max_length=100, help_text="File name in the post's folder")
    alt = models.CharField(max_length=300)
    section = models.CharField(max_length=300, blank=True, help_text="The heading it illustrates")
    seconds = models.FloatField(null=True, blank=True, help_text="The moment of the video shown")
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    size = models.PositiveIntegerField(help_text="Bytes")

    class Meta:
        ordering = ["post", "position"]
        constraints = [
            models.UniqueConstraint(fields=["post", "name"], name="one_picture_per_name"),
        ]

    def __str__(self) -> str:
        return f"{self.post.slug}/{self.name}"

    def get_absolute_url(self) -> str:
        """Where the post page shows it (signed-in, visible_to like the post)."""
        return reverse("jobs:post-picture", args=[self.post.slug, self.name])

    @property
    def relative_path(self) -> str:
        """The path the post's Markdown and saved HTML use, from beside <slug>.md."""
        return f"{self.post.slug}/{self.name}"

    @property
    def path(self) -> Path:
        return pictures_folder(self.post.slug) / self.name

    @property
    def content_type(self) -> str:
        return "image/jpeg"
