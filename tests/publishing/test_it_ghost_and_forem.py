"""Publishing to Ghost (Admin API) and dev.to (Forem API), against fakes on loopback."""

from __future__ import annotations

import pytest

from jobs.models import Job, Publication
from tests.publishing.conftest import make_destination

pytestmark = pytest.mark.django_db


def test_ghost_gets_html_tags_and_a_feature_image_as_a_draft(
    written_job, ghost, fake_ghost, pictures, publish_now
):
    job = publish_now(written_job, ghost, published=False)

    assert job.status == Job.Status.COMPLETED
    [create] = fake_ghost.requests_to("POST", "/posts/")
    assert create.query == {"source": "html"}
    assert create.headers["authorization"].startswith("Ghost ")
    [post] = create.json["posts"]
    assert post["title"] == "Composting at home"
    assert post["status"] == "draft"
    assert [t["name"] for t in post["tags"]] == [
        "compost", "garden", "soil", "kitchen-waste", "zero waste",
    ]  # fmt: skip
    assert post["feature_image"] == f"{fake_ghost.url}/content/images/cover.jpg"
    assert f'src="{fake_ghost.url}/content/images/frame-1.jpg"' in post["html"]
    assert fake_ghost.media["frame-1.jpg"]["bytes"] == b"\xff\xd8\xff frame bytes"
    publication = Publication.objects.get(job=job)
    assert publication.url == f"{fake_ghost.url}/composting-at-home/"


def test_ghost_update_sends_updated_at_to_the_same_post(
    written_job, ghost, fake_ghost, publish_now
):
    publish_now(written_job, ghost)
    written_job.post.edit(written_job.post.markdown.replace("Mix greens", "Layer greens"))

    job = publish_now(written_job, ghost, published=True)

    assert job.status == Job.Status.COMPLETED, job.error_message
    assert len(fake_ghost.posts) == 1
    [put] = fake_ghost.requests_to("PUT", "/posts/")
    assert put.json["posts"][0]["updated_at"]
    [post] = fake_ghost.posts.values()
    assert post["status"] == "published"
    assert "Layer greens" in post["html"]


def test_ghost_refuses_a_key_signed_with_another_secret(written_job, fake_ghost, publish_now):
    destination = make_destination(
        "ghost", fake_ghost.url, secret="64f1a2b3c4d5e6f7a8b9c0d1:" + "00" * 32
    )

    job = publish_now(written_job, destination)

    assert job.status == Job.Status.FAILED
    assert job.error_code == "DESTINATION_BAD_CREDENTIALS"
    assert fake_ghost.posts == {}


def test_devto_gets_markdown_four_tags_and_the_published_flag(
    written_job, devto, fake_forem, pictures, publish_now
):
    job = publish_now(written_job, devto, published=True)

    assert job.status == Job.Status.COMPLETED, job.error_message
    [create] = fake_forem.requests_to("POST", "/api/articles")
    assert create.headers["api-key"] == "forem-key-1234567890"
    article = create.json["article"]
    assert article["title"] == "Composting at home"
    assert article["published"] is True
    assert article["tags"] == ["compost", "garden", "soil", "kitchenwaste"]
    assert article["body_markdown"].startswith("## Getting started")
    # dev.to's API uploads no images: a local picture is left out rather than left broken.
    assert "frame-1.jpg" not in article["body_markdown"]
    logged = " ".join(job.events.values_list("message", flat=True))
    assert "at most 4 tags" in logged
    assert "picture(s) from the video were left out" in logged


def test_devto_update_puts_to_the_same_article(written_job, devto, fake_forem, publish_now):
    publish_now(written_job, devto)
    job = publish_now(written_job, devto, published=True)

    assert job.status == Job.Status.COMPLETED
    assert len(fake_forem.posts) == 1
    [put] = fake_forem.requests_to("PUT", "/api/articles/")
    assert put.path == f"/api/articles/{Publication.objects.get(job=job).remote_id}"
    assert next(iter(fake_forem.posts.values()))["published"] is True


def test_devto_with_a_wrong_key_says_so(written_job, fake_forem, publish_now):
    destination = make_destination("forem", fake_forem.url, secret="not-the-key")

    job = publish_now(written_job, destination)

    assert job.error_code == "DESTINATION_BAD_CREDENTIALS"
    assert "(401)" in job.error_message


def test_without_a_cover_file_the_videos_thumbnail_is_the_feature_image(
    written_job, ghost, fake_ghost, publish_now
):
    from videos.models import Video

    video = Video.objects.create(
        youtube_id="dQw4w9WgXcQ", title="Compost", url="https://youtu.be/dQw4w9WgXcQ",
        thumbnail_url="https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg",
    )  # fmt: skip
    written_job.post.video = video
    written_job.post.save(update_fields=["video"])

    publish_now(written_job, ghost)

    [post] = fake_ghost.requests_to("POST", "/posts/")[0].json["posts"]
    assert post["feature_image"] == "https://i.ytimg.com/vi/dQw4w9WgXcQ/maxresdefault.jpg"
    assert fake_ghost.requests_to("POST", "/images/upload/") == []
