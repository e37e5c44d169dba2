"""A static site's post as a zip: Hugo, Jekyll or Astro front matter and folder layout,
with the pictures where that generator looks for them. Nothing is sent anywhere."""

from __future__ import annotations

import io
import zipfile
from typing import Any, ClassVar

import yaml

from publishing.destinations.base import Article, DestinationKind, Picture

GENERATORS = {"hugo": "Hugo", "jekyll": "Jekyll", "astro": "Astro"}


class StaticSite(DestinationKind):
    slug = "static"
    label = "Static site (zip)"
    needs_url = False
    needs_secret = False
    is_remote = False
    generators: ClassVar[dict[str, str]] = GENERATORS

    def check(self) -> str:
        generator = GENERATORS.get(self.options.get("generator", ""), "")
        return f"Ready: posts download as a {generator or 'static site'} zip."

    def export(self, article: Article, *, published: bool) -> tuple[str, bytes]:
        """(file name, zip bytes) of the post laid out for the generator."""
        generator = self.options.get("generator") or "hugo"
        layout = _LAYOUTS.get(generator, _LAYOUTS["hugo"])
        date = article.date or "1970-01-01"
        post_path, picture_dir, picture_ref = layout(article.slug, date)
        pictures = [p for p in (article.cover, *article.pictures) if p is not None]
        files: dict[str, bytes] = {}
        urls: dict[str, str] = {}
        names: dict[int, str] = {}
        for picture in pictures:
            data = picture.read()
            if data is None:
                continue
            name = _unique(picture.filename, files, picture_dir)
            files[f"{picture_dir}/{name}"] = data
            names[id(picture)] = name
            urls[picture.ref] = f"{picture_ref}/{name}"
        article = article.with_pictures_at(urls)
        front: dict[str, Any] = {"title": article.title, "description": article.description}
        cover = article.cover
        cover_ref = (
            f"{picture_ref}/{names[id(cover)]}"
            if cover is not None and id(cover) in names
            else (cover.url if cover else "")
        )
        if generator == "astro":
            front.update(pubDate=date, tags=list(article.tags), draft=not published)
            if cover_ref:
                front["heroImage"] = cover_ref
        elif generator == "jekyll":
            front = {
                "layout": "post",
                **front,
                "date": date,
                "tags": list(article.tags),
                "published": published,
            }
            if cover_ref:
                front["image"] = {"path": cover_ref, "alt": cover.alt if cover else ""}
        else:
            front.update(date=date, tags=list(article.tags), draft=not published)
            if cover_ref:
                front["images"] = [cover_ref]
                front["cover"] = {"image": cover_ref, "alt": cover.alt if cover else ""}
        if article.canonical_url:
            front["source"] = article.canonical_url
        text = "---\n" + yaml.safe_dump(front, allow_unicode=True, sort_keys=False) + "---\n\n"
        text += article.body_markdown.strip() + "\n"
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr(post_path, text)
            for path, data in files.items():
                archive.writestr(path, data)
        return f"{article.slug}-{generator}.zip", buffer.getvalue()


def _hugo(slug: str, date: str) -> tuple[str, str, str]:
    # A page bundle: the post and its pictures in one folder, referred to by file name.
    return f"content/posts/{slug}/index.md", f"content/posts/{slug}", "."


def _jekyll(slug: str, date: str) -> tuple[str, str, str]:
    return f"_posts/{date}-{slug}.md", f"assets/images/{slug}", f"/assets/images/{slug}"


def _astro(slug: str, date: str) -> tuple[str, str, str]:
    # Astro's content collections resolve relative image paths through its image pipeline.
    return f"src/content/blog/{slug}.md", f"src/assets/blog/{slug}", f"../../assets/blog/{slug}"


_LAYOUTS = {"hugo": _hugo, "jekyll": _jekyll, "astro": _astro}


def _unique(name: str, files: dict[str, bytes], folder: str) -> str:
    stem, dot, ext = name.rpartition(".")
    candidate, n = name, 1
    while f"{folder}/{candidate}" in files or candidate == "index.md":
        n += 1
        candidate = f"{stem or ext}-{n}{dot}{ext if stem else ''}"
    return candidate


__all__ = ["GENERATORS", "Picture", "StaticSite"]
