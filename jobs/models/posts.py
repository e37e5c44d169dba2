"""A job's post (Post) and the earlier texts of it that edits keep (PostVersion)."""

from __future__ import annotations

import base64
import contextlib
import io
import re
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.utils.text import slugify

from blogtube_site.ownership import OwnedQuerySet
from jobs.models.pictures import PostPicture, pictures_folder

if TYPE_CHECKING:
    from jobs.formatting import FormattedPost
    from jobs.picture_markdown import Section
    from videos.services import Picture


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
            self.html = self._finish_html(rendered.html)
            self.word_count = rendered.word_count

            # Written inside the transaction: a disk error undoes the edit rather
            # than leaving files that disagree with the database.
            self.write_files()
            self.save()
            self.job.reindex()
        return version

    def _finish_html(self, fragment: str) -> str:
        # The job's options apply to an edited text as they did to the written one.
        from jobs.formatting import finish_html

        options = self.job.all_options
        return finish_html(
            fragment,
            toc=bool(options["toc"]),
            embed=bool(options["embed"]),
            video_id=self.video.youtube_id if self.video_id else "",
            title=self.title,
        )

    # --- pictures ---------------------------------------------------------------------

    def set_pictures(
        self, cover: Picture | None, frames: list[tuple[Section, Picture]], *, cover_alt: str = ""
    ) -> list[PostPicture]:
        """Store the post's pictures in its folder (replacing any it had) and put them in
        its Markdown: the cover as front matter ``image:``, each frame under its heading.
        Call inside the transaction that holds the job: a disk error undoes it all."""
        from jobs.picture_markdown import Placed, alt_text, with_pictures
        from jobs.post_text import parse_post, render_body

        # Files of an earlier run go once this commits, unless this run writes them anew.
        earlier = {picture.path for picture in self.pictures.all()}
        self.pictures.all().delete()
        folder = pictures_folder(self.slug)
        files: list[tuple[PostPicture, Picture]] = []
        if cover is not None:
            row = self._picture(PostPicture.Kind.COVER, 0, "cover.jpg", cover, cover_alt)
            files.append((row, cover))
        placed = []
        for position, (section, frame) in enumerate(frames, start=1):
            name = f"{position:02}-{slugify(section.heading)[:40].strip('-') or 'section'}.jpg"
            alt = alt_text(section.heading, frame.seconds or 0)
            row = self._picture(
                PostPicture.Kind.SECTION, position, name, frame, alt, section.heading
            )
            files.append((row, frame))
            placed.append(Placed(section, f"{self.slug}/{name}", alt))
        stale = earlier - {row.path for row, _ in files}
        transaction.on_commit(lambda: remove_files(stale))
        if not files:
            return []
        folder.mkdir(parents=True, exist_ok=True)
        for row, picture in files:
            row.path.write_bytes(picture.data)
        rows = PostPicture.objects.bulk_create([row for row, _ in files])
        front, body = parse_post(self.markdown)
        cover_path = f"{self.slug}/cover.jpg" if cover is not None else None
        self.markdown = with_pictures(front, body, cover_path, placed)
        self.html = self._finish_html(render_body(parse_post(self.markdown)[1]).html)
        self.save(update_fields=["markdown", "html", "updated"])
        return rows

    def _picture(
        self, kind: str, position: int, name: str, picture: Picture, alt: str, section: str = ""
    ) -> PostPicture:
        return PostPicture(
            post=self,
            kind=kind,
            position=position,
            name=name,
            alt=alt[:300],
            section=section[:300],
            seconds=picture.seconds,
            width=picture.width,
            height=picture.height,
            size=len(picture.data),
        )

    @property
    def cover(self) -> PostPicture | None:
        return next((p for p in self.pictures.all() if p.kind == PostPicture.Kind.COVER), None)

    def _picture_srcs(self, replace: Any) -> Any:
        """A function rewriting the ``src`` of this post's pictures in HTML by ``replace``."""
        pictures = {p.name: p for p in self.pictures.all()}
        pattern = re.compile(r'src="' + re.escape(self.slug) + r'/([\w.-]{1,100})"')

        def rewrite(html: str) -> str:
            def one(match: re.Match[str]) -> str:
                picture = pictures.get(match.group(1))
                return f'src="{replace(picture)}"' if picture else match.group(0)

            return pattern.sub(one, html) if pictures else html

        return rewrite

    def page_html(self, html: str | None = None) -> str:
        """The HTML as BlogTube's pages show it: pictures from the picture view."""
        return self._picture_srcs(lambda p: p.get_absolute_url())(
            self.html if html is None else html
        )

    def html_page_embedded(self) -> str:
        """The standalone page with its pictures inside it (data: URIs): one file to send."""

        def data_uri(picture: PostPicture) -> str:
            try:
                data = picture.path.read_bytes()
            except OSError:
                return picture.relative_path
            return f"data:{picture.content_type};base64," + base64.b64encode(data).decode()

        cover = self.cover
        return self._picture_srcs(data_uri)(
            self.formatted().page(cover=cover.relative_path if cover else "")
        )

    def copy_pictures(self, folder: Path) -> list[Path]:
        """The pictures copied into ``folder``/<slug>/, where the post's paths name them."""
        copied = []
        for picture in self.pictures.all():
            if picture.path.is_file():
                target = folder / picture.relative_path
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(picture.path.read_bytes())
                copied.append(target)
        return copied

    def zip_bytes(self) -> bytes:
        """<slug>.md, <slug>.html and the pictures in <slug>/, as the files lie on disk."""
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(f"{self.slug}.md", self.markdown)
            archive.writestr(f"{self.slug}.html", self.html_page())
            for picture in self.pictures.all():
                if picture.path.is_file():
                    # JPEGs do not shrink: stored, not deflated again.
                    archive.write(picture.path, picture.relative_path, zipfile.ZIP_STORED)
        return out.getvalue()

    def download(self, output_format: str) -> tuple[str | bytes, str, str]:
        """(content, content type, file name) of the post as one of OUTPUT_FORMATS or "zip";
        ValueError for any other. The HTML carries its pictures inside it, the zip beside it."""
        from jobs.formatting import OUTPUT_FORMATS

        if output_format == "zip":
            return self.zip_bytes(), "application/zip", f"{self.slug}.zip"
        if output_format not in OUTPUT_FORMATS:
            raise ValueError(f"Unknown output format {output_format!r}.")
        extension, content_type = OUTPUT_FORMATS[output_format]
        content = (
            self.html_page_embedded() if output_format == "html" else self.render(output_format)
        )
        return content, content_type, f"{self.slug}.{extension}"

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
        """Every file write_files and set_pictures may have made for this post, whichever
        exist, and the pictures' folder last (removed once empty)."""
        from django.conf import settings

        folder = Path(settings.MEDIA_ROOT) / "posts"
        pictures = pictures_folder(self.slug)
        found = sorted(pictures.iterdir()) if pictures.is_dir() else []
        return [
            *(folder / f"{self.slug}.{extension}" for extension in self.download_extensions),
            *found,
            pictures,
        ]

    def html_page(self) -> str:
        """The post as a standalone HTML document, as saved: pictures beside it."""
        cover = self.cover
        return self.formatted().page(cover=cover.relative_path if cover else "")

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
    """Remove files a deleted row owned, and folders left empty; one already gone is no
    error."""
    for path in paths:
        if path.is_dir():
            with contextlib.suppress(OSError):  # not empty: something not ours is in it
                path.rmdir()
        else:
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
