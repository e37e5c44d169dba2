"""A finished post downloads as Markdown, HTML, plain text or JSON, edits included."""

from __future__ import annotations

import json

import pytest
from django.urls import reverse

from jobs.formatting import format_post
from jobs.models import Job, Post
from tests.jobs.conftest import META
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

BODY = (
    "# Better Coffee at Home\n\n"
    "Good coffee at home needs **fresh beans**, a scale and a little patience.\n\n"
    "## Grinding ([0:00](https://youtu.be/dQw4w9WgXcQ?t=0))\n\n"
    "Grind just before brewing. A [burr grinder](https://example.com/burr) grinds evenly.\n\n"
    "## Water\n\n- Filtered water\n- 92 to 96 degrees\n"
)


def finished(output_format: str = Job.OutputFormat.MARKDOWN) -> Post:
    """A completed job and its post, as the format step stores them."""
    job = make_job(output_format=output_format)
    job.claim()
    post = job.store_post(format_post(BODY, META))
    job.complete()
    return post


def download(client, post: Post, extension: str):
    return client.get(reverse("jobs:download", args=[post.job_id, extension]))


def test_plain_text_download_has_the_words_and_no_markup(client):
    post = finished()
    response = download(client, post, "txt")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="better-coffee-at-home.txt"'
    text = response.content.decode()
    assert text.startswith("Better Coffee at Home\n=====================\n")
    assert "Grinding (0:00)\n---------------" in text
    assert "Good coffee at home needs fresh beans, a scale" in text
    assert "- Filtered water\n- 92 to 96 degrees" in text
    for markup in ("**", "](", "<", "##", "title:"):
        assert markup not in text


def test_json_download_is_the_post_and_where_it_came_from(client):
    post = finished()
    response = download(client, post, "json")

    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="better-coffee-at-home.json"'
    data = json.loads(response.content)
    assert data["title"] == "Better Coffee at Home"
    assert data["slug"] == post.slug
    assert data["tags"] == post.tags and data["word_count"] == post.word_count
    assert data["body_markdown"].startswith("Good coffee at home needs **fresh beans**")
    assert "# Better Coffee" not in data["body_markdown"]  # the title is not body text
    assert "<h2>Water</h2>" in data["body_html"]
    assert data["source"] == {
        "source_url": META.source_url,
        "video_id": "dQw4w9WgXcQ",
        "language": "en",
        "provider": "offline",
        "model": "extractive",
        "date": "2025-05-01",
    }


def test_downloads_follow_the_persons_edits(client):
    post = finished()
    post.edit(post.markdown.replace("## Water", "## Water and temperature"))

    assert (
        "Water and temperature\n---------------------"
        in download(client, post, "txt").content.decode()
    )
    data = json.loads(download(client, post, "json").content)
    assert "## Water and temperature" in data["body_markdown"]
    assert "<h2>Water and temperature</h2>" in data["body_html"]


def test_markdown_and_html_downloads_are_unchanged(client):
    post = finished()
    assert download(client, post, "md").content.decode() == post.markdown
    html = download(client, post, "html").content.decode()
    assert html.lstrip().startswith("<!doctype html>")
    assert "<title>Better Coffee at Home</title>" in html


@pytest.mark.parametrize("extension", ["docx", "exe", "markdown", "text"])
def test_an_unknown_format_is_404_naming_the_ones_there_are(client, extension):
    post = finished()
    response = download(client, post, extension)

    assert response.status_code == 404
    assert response.content.decode() == (
        f"There is no .{extension} download. Posts download as .md, .html, .txt, .json, .zip."
    )


def test_a_job_without_a_post_has_nothing_to_download(client):
    job = make_job()
    assert client.get(reverse("jobs:download", args=[job.pk, "txt"])).status_code == 404


def test_the_job_and_post_pages_offer_every_download(client):
    post = finished()
    job_page = client.get(post.job.get_absolute_url()).content.decode()
    post_page = client.get(reverse("jobs:post", args=[post.slug])).content.decode()

    for page in (job_page, post_page):
        for extension in ("md", "html", "txt", "json"):
            url = reverse("jobs:download", args=[post.job_id, extension])
            assert f'href="{url}" download>Download .{extension}</a>' in page


@pytest.mark.parametrize("output_format, extension", [("text", "txt"), ("json", "json")])
def test_the_saved_files_include_the_jobs_output_format(media_root, output_format, extension):
    post = finished(output_format)
    post.write_files()

    folder = media_root / "posts"
    assert (folder / f"{post.slug}.md").read_text() == post.markdown
    assert (folder / f"{post.slug}.html").exists()
    assert (folder / f"{post.slug}.{extension}").read_text() == post.render(output_format)


def test_markdown_jobs_save_only_markdown_and_html(media_root):
    post = finished()
    post.write_files()
    assert sorted(p.name for p in (media_root / "posts").iterdir()) == [
        f"{post.slug}.html",
        f"{post.slug}.md",
    ]
