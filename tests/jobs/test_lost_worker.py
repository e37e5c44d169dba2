"""A job whose worker died (killed, out of memory, machine restarted) is not stuck "running"."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from jobs import pipeline
from jobs.models import Job, JobStep
from jobs.services import JobRequest, create_job
from tests.jobs.conftest import VIDEO_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def abandoned(settings, youtube_video, offline_provider) -> Job:
    """A job a worker claimed and started writing, then died on, longer ago than any timeout."""
    job = create_job(JobRequest(provider=offline_provider, url=VIDEO_URL), enqueue=False)
    job.claim()
    job.start_step("validate")
    long_ago = timezone.now() - timedelta(seconds=settings.BLOGTUBE_JOB_TIMEOUT + 120)
    Job.objects.filter(pk=job.pk).update(started=long_ago)
    return job


def test_the_task_delivered_again_finishes_the_job(abandoned):
    pipeline.run_job(str(abandoned.pk))  # django-q2 delivers the unacknowledged task again

    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.COMPLETED
    assert abandoned.attempts == 2
    warning = abandoned.events.filter(level="warning").first()
    assert warning.message.startswith("The worker running this job stopped")


def test_a_job_still_within_its_time_is_left_alone(settings, youtube_video, offline_provider):
    job = create_job(JobRequest(provider=offline_provider, url=VIDEO_URL), enqueue=False)
    job.claim()

    assert pipeline.reap_lost_jobs() == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING


def test_the_last_attempt_fails_with_the_reason(settings, abandoned):
    settings.BLOGTUBE_MAX_ATTEMPTS = 1

    assert pipeline.reap_lost_jobs() == 1

    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.FAILED
    assert abandoned.error_code == "WORKER_LOST"
    assert abandoned.steps.get(step="validate").status != JobStep.Status.RUNNING


def test_a_job_that_started_again_meanwhile_is_not_reaped(abandoned, monkeypatch):
    release = Job.release_if_lost

    def another_worker_first(job, *args, **kwargs):
        # Between the reaper's query and its update, the job was run again.
        Job.objects.filter(pk=job.pk).update(started=timezone.now(), attempts=F("attempts") + 1)
        return release(job, *args, **kwargs)

    monkeypatch.setattr(Job, "release_if_lost", another_worker_first)
    assert pipeline.reap_lost_jobs() == 0
    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.RUNNING
    assert abandoned.error_code == ""
    assert abandoned.steps.get(step="validate").status == JobStep.Status.RUNNING
