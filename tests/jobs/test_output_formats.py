"""A finished post in every output format, with the model's SEO data and the options."""

from __future__ import annotations

import json
import re

import pytest

from jobs.formatting import OUTPUT_FORMATS, PostMeta, format_post
from jobs.post_text import parse_post
from providers.seo import SeoData

META = PostMeta(
    fallback_title="Coffee video",
    source_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    video_id="dQw4w9WgXcQ",
    language="en",
    provider="fake",
    model="fake-model",
    date="2025-05-01",
)
BODY = (
    "# Better Coffee at Home\n\n"
    "Good coffee at home needs **fresh beans**, a scale and a little patience.\n\n"
    "## Grinding ([0:00](https://youtu.be/dQw4w9WgXcQ?t=0))\n\n"
    "Grind just before brewing. A burr grinder gives an even grind.\n\n"
    "## Water ([1:15](https://youtu.be/dQw4w9WgXcQ?t=75))\n\n"
    "- Filtered water\n- 92 to 96 degrees\n\n"
    "As she says at [1:40](https://youtu.be/dQw4w9WgXcQ?t=100), weigh everything.\n\n"
    "## Conclusion\n\nTaste, adjust, repeat.\n"
)
SEO = (
    '\n\n```json\n{"title": "Brew Better Coffee at Home", "description": "Three changes that '
    'make home coffee taste like a café\'s.", "tags": ["coffee", "home brewing"], '
    '"slug": "brew-better-coffee"}\n```\n'
)


def test_the_models_seo_data_becomes_the_front_matter() -> None:
    post = format_post(BODY + SEO, META)

    assert post.title == "Brew Better Coffee at Home"
    assert post.description == "Three changes that make home coffee taste like a café's."
    assert post.tags == ["coffee", "home brewing"]
    assert post.slug == "brew-better-coffee"
    front, _ = parse_post(post.markdown)
    assert front["title"] == post.title and front["tags"] == post.tags
    assert front["source_url"] == META.source_url
    for text in (post.markdown, post.html, post.body):
        assert "```json" not in text and '"slug"' not in text


def test_without_seo_data_it_is_derived_from_the_text() -> None:
    post = format_post(BODY, META)
    assert post.title == "Better Coffee at Home"
    assert post.description.startswith("Good coffee at home needs fresh beans")
    assert post.slug == "better-coffee-at-home"
    assert post.tags


def test_tags_derived_from_a_post_are_never_stop_words_nor_pieces_of_links() -> None:
    body = (
        "# Le café à la maison\n\n"
        "## Mouture ([0:00](https://youtu.be/dQw4w9WgXcQ?t=0))\n\n"
        "Avec un moulin, le café est meilleur pour nous. Avec de l'eau pure, le café est "
        "meilleur pour tout le monde. Pour le café, la mouture compte avec la température.\n"
    )
    meta = PostMeta("", "", "dQw4w9WgXcQ", "fr", "fake", "", "")

    tags = format_post(body, meta).tags

    assert "café" in tags
    for word in ("avec", "pour", "https", "youtu", "dqw4w9wgxcq", "est", "tout"):
        assert word not in tags, tags


def test_seo_data_can_be_given_by_the_caller() -> None:
    seo = SeoData(title="Given", description="Given text.", tags=("a",), slug="given-slug")
    post = format_post(BODY + SEO, META, seo=seo)
    assert (post.title, post.slug, post.tags) == ("Given", "given-slug", ["a"])


def test_timestamps_can_be_left_out() -> None:
    kept = format_post(BODY, META)
    assert "## Grinding ([0:00](https://youtu.be/dQw4w9WgXcQ?t=0))" in kept.markdown

    post = format_post(BODY, META, timestamps=False)
    assert "youtu.be" not in post.body
    assert "## Grinding\n" in post.markdown
    assert "As she says at 1:40, weigh everything." in post.markdown


def test_a_table_of_contents_links_every_section() -> None:
    post = format_post(BODY, META, toc=True)

    assert "**Contents**" in post.markdown
    assert post.markdown.index("**Contents**") < post.markdown.index("## Grinding")
    links = re.findall(r'<a href="#([\w-]+)"', post.html)
    ids = re.findall(r'<h2 id="([\w-]+)"', post.html)
    assert links == ids
    assert len(ids) == 3
    assert "- [Grinding](#grinding-000)" in post.markdown  # GitHub's anchor for the heading
    # The contents are navigation, not words of the post.
    assert post.word_count == format_post(BODY, META).word_count


def test_the_video_embed_is_in_the_html_only() -> None:
    body = BODY + '\n<iframe src="https://evil.example/"></iframe>\n'
    post = format_post(body, META, embed=True)

    assert post.html.count("<iframe") == 1
    assert 'src="https://www.youtube-nocookie.com/embed/dQw4w9WgXcQ"' in post.html
    assert "evil.example" not in post.html
    assert "youtube-nocookie" not in post.markdown
    assert "youtube-nocookie" in post.page()

    no_video = format_post(BODY, PostMeta(**{**META.__dict__, "video_id": ""}), embed=True)
    assert "<iframe" not in no_video.html


def test_plain_text_has_no_markup() -> None:
    text = format_post(BODY + SEO, META).render("text")

    assert text.startswith("Brew Better Coffee at Home\n==========")
    assert "Grinding (0:00)\n---------------" in text
    assert "- Filtered water\n- 92 to 96 degrees" in text
    assert "Good coffee at home needs fresh beans, a scale" in text
    for markup in ("**", "](", "<", "##", "```"):
        assert markup not in text


def test_json_has_the_post_and_where_it_came_from() -> None:
    data = json.loads(format_post(BODY + SEO, META, embed=True).render("json"))

    assert data["title"] == "Brew Better Coffee at Home"
    assert data["slug"] == "brew-better-coffee"
    assert data["tags"] == ["coffee", "home brewing"]
    assert data["description"].endswith("café's.")
    assert data["body_markdown"].startswith("Good coffee at home")
    assert "<h2>Grinding" in data["body_html"] and "youtube-nocookie" in data["body_html"]
    assert data["source"]["video_id"] == "dQw4w9WgXcQ"
    assert data["source"]["provider"] == "fake"
    assert data["word_count"] > 20


@pytest.mark.parametrize("name", list(OUTPUT_FORMATS))
def test_every_format_renders(name: str) -> None:
    post = format_post(BODY + SEO, META)
    content = post.render(name)
    assert "Brew Better Coffee at Home" in content
    if name == "html":
        assert content.lstrip().startswith("<!doctype html>")
        assert '<meta name="description" content="Three changes' in content


def test_an_unknown_format_is_refused() -> None:
    with pytest.raises(ValueError):
        format_post(BODY, META).render("docx")
