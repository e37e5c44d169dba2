"""Publishing to WordPress through its REST API, against a fake WordPress on loopback."""

from __future__ import annotations

import base64

import pytest

from jobs.models import Job, Publication
from tests.fakes.publishing_sites import WP_PASSWORD, WP_USER

pytestmark = pytest.mark.django_db


def test_a_post_arrives_as_a_draft_with_its_tags_and_pictures(
    written_job, wordpress, fake_wordpress, pictures, publish_now
):
    job = publish_now(written_job, wordpress, published=False)

    assert job.status == Job.Status.COMPLETED
    [post] = fake_wordpress.posts.values()
    assert post["title"] == "Composting at home"
    assert post["status"] == "draft"
    assert "<h2>Getting started</h2>" in post["content"]
    # The picture in the text now points at the media library's copy.
    assert f"{fake_wordpress.url}/wp-content/uploads/frame-1.jpg" in post["content"]
    assert "composting-at-home/frame-1.jpg" not in post["content"].replace("uploads/", "")
    uploaded = {m["source_url"].rsplit("/", 1)[1]: m for m in fake_wordpress.media.values()}
    assert set(uploaded) == {"cover.jpg", "frame-1.jpg"}
    assert uploaded["frame-1.jpg"]["alt_text"] == "The heap"
    assert post["featured_media"] == uploaded["cover.jpg"]["id"]
    tag_names = {i: n for n, i in fake_wordpress.tags.items()}
    assert sorted(tag_names[t] for t in post["tags"]) == sorted(
        ["compost", "garden", "soil", "kitchen-waste", "zero waste"]
    )
    auth = fake_wordpress.requests_to("POST", "/wp/v2/posts")[0].headers["authorization"]
    assert base64.b64decode(auth.split()[1]).decode() == f"{WP_USER}:{WP_PASSWORD}"
    publication = Publication.objects.get(job=job)
    assert publication.state == Publication.State.DONE
    assert publication.remote_id == str(post["id"])
    assert publication.url == post["link"]
    assert publication.remote_status == "draft"
    assert publication.first_published is not None


def test_update_changes_the_same_remote_post(
    written_job, wordpress, fake_wordpress, pictures, publish_now
):
    publish_now(written_job, wordpress, published=False)
    written_job.post.edit(written_job.post.markdown.replace("Mix greens", "Layer greens"))

    job = publish_now(written_job, wordpress, published=True)

    assert job.status == Job.Status.COMPLETED
    assert len(fake_wordpress.posts) == 1
    [post] = fake_wordpress.posts.values()
    assert "Layer greens" in post["content"]
    assert post["status"] == "publish"
    # The pictures were uploaded once: the update re-uses them.
    assert len(fake_wordpress.media) == 2
    assert Publication.objects.get(job=job).remote_status == "publish"


def test_bad_credentials_fail_the_step_with_a_clear_message(
    written_job, fake_wordpress, publish_now
):
    from tests.publishing.conftest import make_destination

    destination = make_destination("wordpress", fake_wordpress.url, secret="wrong password")

    job = publish_now(written_job, destination)

    assert job.status == Job.Status.FAILED
    assert job.error_code == "DESTINATION_BAD_CREDENTIALS"
    assert "refused the credentials" in job.error_message
    assert any("application password" in s for s in job.error_suggestions)
    assert fake_wordpress.posts == {}
    assert Publication.objects.get(job=job).state == Publication.State.FAILED
    # The post itself is still there to read and download.
    assert job.post_is_ready


def test_a_server_error_is_retried_then_succeeds_without_a_second_post(
    written_job, wordpress, fake_wordpress, publish_now
):
    from jobs.pipeline import run_job

    fake_wordpress.fail_status, fake_wordpress.fail_times = 503, 1

    job = publish_now(written_job, wordpress)
    assert job.status == Job.Status.QUEUED
    assert "server error (503)" in job.error_message
    assert job.retry_at is not None

    Job.objects.filter(pk=job.pk).update(retry_at=None)
    run_job(str(job.pk))
    job.refresh_from_db()

    assert job.status == Job.Status.COMPLETED
    assert len(fake_wordpress.posts) == 1


def test_a_server_that_keeps_failing_ends_in_a_clear_failure(
    written_job, wordpress, fake_wordpress, publish_now, settings
):
    from jobs.pipeline import run_job

    settings.BLOGTUBE_MAX_ATTEMPTS = written_job.attempts + 2
    fake_wordpress.fail_status = 500

    job = publish_now(written_job, wordpress)
    assert job.status == Job.Status.QUEUED
    Job.objects.filter(pk=job.pk).update(retry_at=None)
    run_job(str(job.pk))
    job.refresh_from_db()

    assert job.status == Job.Status.FAILED
    assert job.error_code == "DESTINATION_SERVER_ERROR"
    assert job.error_message == "The site answered with a server error (500)."
    assert fake_wordpress.posts == {}
    assert len(fake_wordpress.requests_to("GET", "/wp/v2/tags")) == 2  # one try per run


def test_retry_after_fixing_the_password_publishes_once(
    written_job, fake_wordpress, sync_tasks, django_capture_on_commit_callbacks, publish_now
):
    from jobs import services
    from tests.publishing.conftest import make_destination

    destination = make_destination("wordpress", fake_wordpress.url, secret="wrong password")
    job = publish_now(written_job, destination)
    assert job.status == Job.Status.FAILED

    destination.set_secret(WP_PASSWORD)
    destination.save()
    with django_capture_on_commit_callbacks(execute=True):
        services.retry(job)
    job.refresh_from_db()

    assert job.status == Job.Status.COMPLETED
    assert len(fake_wordpress.posts) == 1
    assert Publication.objects.get(job=job).state == Publication.State.DONE
