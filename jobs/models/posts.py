"""A job's post (Post) and the earlier texts of it that edits keep (PostVersion)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import models, transaction

from blogtube_site.ownership import OwnedQuerySet

if TYPE_CHECKING:
    from jobs.formatting import FormattedPost


class PostQuerySet(OwnedQuerySet):
    # A post is its job's: whoever may see the job may see and edit the post.
    owner_field = "job__owner"

    def visible_to(self, user: Any) -> PostQuerySet:
        # A job in the bin takes its post with it.
        return super().visible_to(user).filter(job__deleted_at__isnull=True)


class Post(models.Model):
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="post")
    video = models.ForeignKey(
        "videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    tags = models.JSONField(default=list, blank=True)
    markdown = models.TextField()
    html = models.TextField()
    word_count = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    objects = PostQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / 230))

    def edit(self, markdown: str, *, note: str = "") -> PostVersion:
        """Save new Markdown; the text it replaces is kept as a version.

        Title, description and tags follow the front matter (a key left out keeps
        its value), the HTML and word count follow the body, and the files under
        MEDIA_ROOT/posts are rewritten. Text that cannot be a post raises
        PostTextError before anything is saved.
        """
        # Formatting imports the template engine; models stay importable without it.
        from jobs.formatting import finish_html
        from jobs.post_text import PostTextError, front_tags, parse_post, render_body

        # Browsers send textarea lines as CRLF; the files and the versions keep LF.
        markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
        if not markdown.strip():
            raise PostTextError(
                "The post is empty. Write some text, or restore an earlier version."
            )
        front, body = parse_post(markdown)
        rendered = render_body(body)
        if not rendered.html.strip():
            raise PostTextError("The post has no text below its front matter and title.")
        if not markdown.endswith("\n"):
            markdown += "\n"

        with transaction.atomic():
            # Version what the database holds, not this object's copy: a concurrent
            # save since this object was loaded must not vanish from the history.
            current = Post.objects.select_for_update().get(pk=self.pk)
            version = PostVersion.objects.create(
                post=current,
                title=current.title,
                markdown=current.markdown,
                html=current.html,
                note=note.strip()[:200],
            )
            title = str(front.get("title") or "").strip() or rendered.heading or current.title
            self.title = title[:300]
            if "description" in front:
                self.description = " ".join(str(front["description"] or "").split())[:300]
            else:
                self.description = current.description
            tags = front_tags(front)
            self.tags = current.tags if tags is None else tags
            self.markdown = markdown
            # The job's options apply to the edited text as they did to the written one.
            options = self.job.all_options
            self.html = finish_html(
                rendered.html,
                toc=bool(options["toc"]),
                embed=bool(options["embed"]),
                video_id=self.video.youtube_id if self.video_id else "",
                title=self.title,
            )
            self.word_count = rendered.word_count

            # Written inside the transaction: a disk error undoes the edit rather
            # than leaving files that disagree with the database.
            self.write_files()
            self.save()
            self.job.reindex()
        return version

    def write_files(self) -> Path:
        """MEDIA_ROOT/posts/<slug>.md and .html, as a person would publish them, and the
        job's output format (.txt or .json) when it asked for another one."""
        from django.conf import settings

        from jobs.formatting import OUTPUT_FORMATS

        folder = Path(settings.MEDIA_ROOT) / "posts"
        folder.mkdir(parents=True, exist_ok=True)
        md_path = folder / f"{self.slug}.md"
        md_path.write_text(self.markdown, encoding="utf-8")
        (folder / f"{self.slug}.html").write_text(self.html_page(), encoding="utf-8")
        chosen = self.job.output_format
        if chosen not in (self.job.OutputFormat.MARKDOWN, self.job.OutputFormat.HTML):
            extension = OUTPUT_FORMATS[chosen][0]
            (folder / f"{self.slug}.{extension}").write_text(self.render(chosen), encoding="utf-8")
        self.file_path = str(md_path)
        return md_path

    def file_paths(self) -> list[Path]:
        """Every file write_files may have made for this post, whichever exist."""
        from django.conf import settings

        folder = Path(settings.MEDIA_ROOT) / "posts"
        return [folder / f"{self.slug}.{extension}" for extension in self.download_extensions]

    def html_page(self) -> str:
        """The post as a standalone HTML document, as downloaded and saved."""
        return self.formatted().page()

    @property
    def download_extensions(self) -> list[str]:
        """md, html, txt, json: what the download links offer."""
        from jobs.formatting import OUTPUT_FORMATS

        return [extension for extension, _ in OUTPUT_FORMATS.values()]

    def formatted(self) -> FormattedPost:
        """The stored post (edits included) in the shape format_post gives a new one."""
        from jobs.formatting import FormattedPost, split_title
        from jobs.post_text import PostTextError, parse_post

        try:
            front, body = parse_post(self.markdown)
        except PostTextError:
            # Saved before edits were checked: the text is still the post.
            front, body = {}, self.markdown
        _, body = split_title(body.strip(), self.title)
        source_keys = ("source_url", "video_id", "language", "provider", "model", "date")
        return FormattedPost(
            title=self.title,
            slug=self.slug,
            description=self.description,
            tags=list(self.tags),
            body=body,
            markdown=self.markdown,
            html=self.html,
            word_count=self.word_count,
            source={key: str(front.get(key) or "") for key in source_keys},
        )

    def render(self, output_format: str) -> str:
        """The post as one of jobs.formatting.OUTPUT_FORMATS; ValueError for any other."""
        return self.formatted().render(output_format)


def remove_files(paths: Iterable[Path]) -> None:
    """Remove files a deleted row owned; one already gone is no error."""
    for path in paths:
        path.unlink(missing_ok=True)


class PostVersion(models.Model):
    """An earlier text of a post, kept whenever someone saves an edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    title = models.CharField(max_length=300)
    markdown = models.TextField()
    html = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.post} @ {self.created:%Y-%m-%d %H:%M}"
