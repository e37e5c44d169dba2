"""No connection to YouTube: the job fails at once with the preview's words; a slow or
refusing YouTube (timeouts, rate limits, bot checks) keeps the back-off."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django_q.models import Schedule

from blogtube_site.errors import BlogTubeError
from jobs import pipeline
from jobs.models import Job
from jobs.services import JobRequest, create_job
from tests.jobs.conftest import VIDEO_URL
from videos import services as videos
from videos.errors import YouTubeOffline

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(youtube_video, offline_provider, user):
    return create_job(
        JobRequest(provider=offline_provider, url=VIDEO_URL, owner=user), enqueue=False
    )


def preview_text(client) -> str:
    response = client.get(reverse("jobs:preview"), {"url": VIDEO_URL}, HTTP_HX_REQUEST="true")
    return html.unescape(response.content.decode())


@pytest.mark.parametrize("how", ["refused", "dns"])
def test_with_no_connection_the_job_fails_at_once_as_the_preview_said(
    client, job, fake_youtube, how
):
    fake_youtube.unreachable = how
    said = preview_text(client)
    assert YouTubeOffline.message in said

    pipeline.run_job(str(job.pk))

    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.attempts == 1 and job.retry_at is None
    assert not Schedule.objects.filter(func="jobs.tasks.run").exists()
    assert job.error_code == "YOUTUBE_UNREACHABLE"
    assert job.error_message == YouTubeOffline.message
    assert any("internet connection" in s for s in job.error_suggestions)
    assert fake_youtube.refused  # it did try: the failure is the network's, not a guess


def test_a_timeout_keeps_the_back_off(settings, job, fake_youtube):
    settings.BLOGTUBE_RETRY_SECONDS = 60
    fake_youtube.unreachable = "timeout"
    pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.retry_at is not None
    assert job.error_code == "YOUTUBE_UNREACHABLE"


@pytest.mark.parametrize("scenario", ["too_many_requests", "blocked"])
def test_rate_limits_and_bot_checks_keep_the_back_off(
    settings, fake_youtube, offline_provider, user, scenario
):
    settings.BLOGTUBE_RETRY_SECONDS = 60
    fake_youtube.add("AAAAAAAAAAA", scenario=scenario)
    job = create_job(
        JobRequest(
            provider=offline_provider,
            url="https://www.youtube.com/watch?v=AAAAAAAAAAA",
            owner=user,
        ),
        enqueue=False,
    )
    pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED and job.retry_at is not None


def test_one_source_out_of_reach_while_another_is_rate_limited_waits(fake_youtube, db):
    fake_youtube.add("AAAAAAAAAAA", scenario="too_many_requests")
    fake_youtube.unreachable = "refused"
    fake_youtube.unreachable_clients = {"requests"}  # the caption API; yt-dlp gets a 429
    with pytest.raises(BlogTubeError) as raised:
        videos.get_transcript(videos.video_placeholder("AAAAAAAAAAA"), ["en"])
    assert raised.value.transient, raised.value
    assert raised.value.code == "YOUTUBE_RATE_LIMITED"
