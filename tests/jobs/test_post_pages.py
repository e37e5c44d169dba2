"""A finished post: reading it, editing it with a live preview, and its earlier versions."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.urls import reverse

from jobs.formatting import PostMeta, format_post
from jobs.models import Job, Post, PostVersion
from jobs.post_text import FrontMatterError, parse_post
from tests.jobs.conftest import POST_FROM_MODEL
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = pytest.mark.django_db

META = PostMeta(
    fallback_title="Sourdough",
    source_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    video_id="dQw4w9WgXcQ",
    language="en",
    provider="offline",
    model="extractive-1",
    date="2025-05-01",
)


@pytest.fixture
def post() -> Post:
    video = Video.objects.create(
        youtube_id="dQw4w9WgXcQ",
        url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        title="Sourdough at home",
        channel="Bread Channel",
    )
    job = make_job(video=video, status=Job.Status.COMPLETED, model="extractive-1")
    return job.store_post(format_post(POST_FROM_MODEL, META))


def edited(post: Post, **changes: object) -> str:
    """The post's Markdown with some front matter keys changed."""
    front, body = parse_post(post.markdown)
    front.update(changes)
    return f"---\n{yaml.safe_dump(front, sort_keys=False)}---\n\n{body}"


# --- reading view -------------------------------------------------------------


def test_the_reading_view_shows_the_post_and_its_front_matter(client, post):
    response = client.get(reverse("jobs:post", args=[post.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert '<h1 id="post-title">Sourdough Bread for Beginners</h1>' in html
    assert "<h2>The starter</h2>" in html  # the sanitized HTML, rendered
    assert post.description in html
    assert post.tags  # else the loop below would check nothing
    for tag in post.tags:
        assert f'<span class="badge tag">{tag}</span>' in html
    assert "Sourdough at home" in html and "https://www.youtube.com/watch?v=dQw4w9WgXcQ" in html
    assert "extractive-1" in html and "2025-05-01" in html
    assert f"<dd>{post.word_count}</dd>" in html and f"{post.reading_minutes} min" in html
    assert 'data-copy-target="#post-markdown"' in html
    assert '<textarea id="post-markdown" hidden' in html
    assert reverse("jobs:download", args=[post.job_id, "md"]) in html
    assert reverse("jobs:download", args=[post.job_id, "html"]) in html
    assert reverse("jobs:post-edit", args=[post.slug]) in html
    assert post.job.get_absolute_url() in html
    assert "None yet" in html  # no earlier versions


def test_an_unknown_post_is_a_404(client):
    assert client.get(reverse("jobs:post", args=["nope"])).status_code == 404
    assert client.get(reverse("jobs:post-edit", args=["nope"])).status_code == 404
    assert client.post(reverse("jobs:post-preview", args=["nope"])).status_code == 404


# --- editor -------------------------------------------------------------------


def test_the_editor_shows_the_text_and_a_live_preview(client, post):
    response = client.get(reverse("jobs:post-edit", args=[post.slug]))
    assert response.status_code == 200
    html = response.content.decode()
    assert "title: Sourdough Bread for Beginners" in html  # front matter in the textarea
    assert f'hx-post="{reverse("jobs:post-preview", args=[post.slug])}"' in html
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert 'hx-target="#preview"' in html
    assert '<div id="preview"' in html and "<h2>The starter</h2>" in html
    assert '<label for="id_note">' in html


def test_the_preview_returns_only_the_fragment(client, post):
    text = edited(post, title="A New Title") + "\n\nAnother **bold** paragraph.\n"
    response = client.post(
        reverse("jobs:post-preview", args=[post.slug]), {"markdown": text}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="preview"')
    assert "<html" not in html and "<textarea" not in html
    assert "A New Title" in html and "<strong>bold</strong>" in html
    assert "title:" not in html  # the front matter is not rendered as text


def test_the_preview_escapes_scripts(client, post):
    text = '---\ntitle: "<script>alert(1)</script>"\n---\n\nHi <script>alert(2)</script> there.\n'
    response = client.post(reverse("jobs:post-preview", args=[post.slug]), {"markdown": text})
    html = response.content.decode()
    assert "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_preview_says_when_the_front_matter_is_invalid(client, post):
    text = "---\ntitle: [unclosed\n---\n\nBody text.\n"
    response = client.post(reverse("jobs:post-preview", args=[post.slug]), {"markdown": text})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html and "not valid YAML" in html
    assert "Body text." in html  # the body still shows


def test_saving_keeps_the_previous_text_and_updates_the_post(client, post, media_root):
    before = post.markdown
    text = edited(post, title="Sourdough Made Simple", tags=["bread", "baking"])
    text += "\nOne more paragraph about the crust.\n"
    response = client.post(
        reverse("jobs:post-edit", args=[post.slug]), {"markdown": text, "note": "New title"}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:post", args=[post.slug])

    post.refresh_from_db()
    assert post.title == "Sourdough Made Simple"
    assert post.tags == ["bread", "baking"]
    assert post.description  # not in the edit: kept
    assert "One more paragraph about the crust." in post.html
    assert post.word_count > 0 and post.markdown == text
    version = PostVersion.objects.get(post=post)
    assert version.markdown == before and version.title == "Sourdough Bread for Beginners"
    assert version.note == "New title"

    md_file = Path(media_root) / "posts" / f"{post.slug}.md"
    assert md_file.read_text(encoding="utf-8") == text
    assert post.file_path == str(md_file)
    html_file = md_file.with_suffix(".html")
    assert "<title>Sourdough Made Simple</title>" in html_file.read_text(encoding="utf-8")

    page = client.get(response["Location"]).content.decode()
    assert "Saved." in page  # the success message
    assert "New title" in page and "Replaced" in page  # the version is listed


def test_a_title_removed_from_the_front_matter_keeps_the_old_one(client, post):
    text = "---\ndescription: Shorter.\n---\n\nJust a body without heading.\n"
    client.post(reverse("jobs:post-edit", args=[post.slug]), {"markdown": text})
    post.refresh_from_db()
    assert post.title == "Sourdough Bread for Beginners"
    assert post.description == "Shorter."
    assert post.html == "<p>Just a body without heading.</p>"


def test_invalid_front_matter_keeps_the_text_and_saves_nothing(client, post, media_root):
    before = post.markdown
    text = "---\ntitle: [unclosed\n---\n\nMy careful edits.\n"
    response = client.post(reverse("jobs:post-edit", args=[post.slug]), {"markdown": text})
    assert response.status_code == 400
    html = response.content.decode()
    assert "not valid YAML" in html and 'role="alert"' in html
    assert "My careful edits." in html and "title: [unclosed" in html  # the text is kept
    post.refresh_from_db()
    assert post.markdown == before
    assert not PostVersion.objects.exists()
    assert not (Path(media_root) / "posts").exists()


def test_empty_text_is_refused(client, post):
    response = client.post(reverse("jobs:post-edit", args=[post.slug]), {"markdown": "  \n"})
    assert response.status_code == 400
    assert "empty" in response.content.decode()
    assert not PostVersion.objects.exists()


def test_the_no_javascript_preview_button_saves_nothing(client, post):
    text = edited(post, title="Only Previewed")
    response = client.post(
        reverse("jobs:post-edit", args=[post.slug]), {"markdown": text, "action": "preview"}
    )
    assert response.status_code == 200
    assert "<h1>Only Previewed</h1>" in response.content.decode()
    assert not PostVersion.objects.exists()


def test_windows_line_endings_are_saved_as_unix_ones(client, post):
    text = edited(post, title="CRLF").replace("\n", "\r\n")
    client.post(reverse("jobs:post-edit", args=[post.slug]), {"markdown": text})
    post.refresh_from_db()
    assert "\r" not in post.markdown and post.title == "CRLF"


# --- versions -----------------------------------------------------------------


def test_an_earlier_version_can_be_viewed(client, post):
    original = post.markdown
    post.edit(edited(post, title="Second"), note="retitled")
    version = post.versions.get()
    response = client.get(reverse("jobs:post", args=[post.slug]), {"version": version.pk})
    html = response.content.decode()
    assert "An earlier version" in html and "retitled" in html
    assert "Restore this version" in html
    assert original.splitlines()[1] in html  # its Markdown, shown on demand


def test_restoring_keeps_both_texts(client, post):
    original = post.markdown
    post.edit(edited(post, title="Second"), note="retitled")
    second = Post.objects.get(pk=post.pk).markdown
    version = post.versions.get()

    response = client.post(reverse("jobs:post-edit", args=[post.slug]), {"restore": version.pk})
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.markdown == original and post.title == "Sourdough Bread for Beginners"
    kept = list(post.versions.values_list("markdown", flat=True))
    assert kept == [second, original]  # newest first: nothing lost
    assert post.versions.first().note.startswith("Restored")


def test_restoring_a_version_of_another_post_is_a_404(client, post):
    other_job = make_job(status=Job.Status.COMPLETED)
    other = Post.objects.create(job=other_job, title="Other", slug="other", markdown="x", html="")
    other.edit("# Other\n\nNew text.\n")
    response = client.post(
        reverse("jobs:post-edit", args=[post.slug]), {"restore": other.versions.get().pk}
    )
    assert response.status_code == 404


def test_saving_from_a_stale_page_still_versions_what_the_database_holds(post):
    stale = Post.objects.get(pk=post.pk)
    post.edit(edited(post, title="First Writer"))
    first = Post.objects.get(pk=post.pk).markdown
    stale.edit(edited(stale, title="Second Writer"))
    assert first in list(PostVersion.objects.values_list("markdown", flat=True))


# --- parse_post ---------------------------------------------------------------


def test_parse_post_splits_front_matter_from_the_body():
    front, body = parse_post("---\ntitle: Hi\ntags: [a, b]\n---\n\n# Hi\n\nText.\n")
    assert front == {"title": "Hi", "tags": ["a", "b"]}
    assert body == "# Hi\n\nText.\n"
    assert parse_post("No front matter.\n") == ({}, "No front matter.\n")


@pytest.mark.parametrize(
    "text",
    [
        "---\ntitle: [oops\n---\nBody",
        "---\ntitle: Hi\nBody without a closing line",
        "---\n- a list\n- not a mapping\n---\nBody",
        "---\ntags: 3\n---\nBody",
    ],
)
def test_parse_post_refuses_broken_front_matter(text):
    with pytest.raises(FrontMatterError):
        parse_post(text)
