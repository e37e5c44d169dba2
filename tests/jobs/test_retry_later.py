"""Transient failures (rate limits, outages) wait and retry instead of failing."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_q.models import Schedule

from jobs import pipeline
from jobs.models import Job, JobStep
from jobs.services import JobRequest, create_job
from tests.jobs.conftest import POST_FROM_MODEL, VIDEO_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def job(youtube_video, llm_provider, user):
    return create_job(JobRequest(provider=llm_provider, url=VIDEO_URL, owner=user), enqueue=False)


def run_when_due(job: Job) -> None:
    """What the one-off schedule does when it fires: run the job at its retry time."""
    job.refresh_from_db()
    if job.retry_at is None:
        pipeline.run_job(str(job.pk))
        return
    with time_machine.travel(job.retry_at + timedelta(seconds=1), tick=True):
        pipeline.run_job(str(job.pk))


def test_a_rate_limit_puts_the_job_back_in_the_queue_with_a_retry_time(settings, job, fake_llm):
    settings.BLOGTUBE_RETRY_SECONDS = 60
    fake_llm.configure(fail_status=429)
    before = timezone.now()
    pipeline.run_job(str(job.pk))

    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.error_code == "PROVIDER_RATE_LIMIT"
    assert before + timedelta(seconds=55) < job.retry_at < before + timedelta(seconds=65)
    assert job.steps.get(step="generate").status == JobStep.Status.PENDING
    warning = job.events.filter(level="warning").last()
    assert "Retrying at" in warning.message and "(attempt 2)" in warning.message
    schedule = Schedule.objects.get(func="jobs.tasks.run")
    assert schedule.args == repr(str(job.pk))
    assert schedule.next_run == job.retry_at


def test_the_retry_resumes_and_completes(job, fake_llm, fake_youtube):
    # Three failures outlast the client's own two quick retries; the job's retry succeeds.
    fake_llm.configure(fail_status=500, fail_times=3, reply=POST_FROM_MODEL)
    pipeline.run_job(str(job.pk))
    # The video's details and transcript are not asked again (its pictures come with the post).
    youtube_requests = fake_youtube.count(host="www.youtube.com")
    run_when_due(job)
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert job.attempts == 2
    assert job.retry_at is None
    assert fake_youtube.count(host="www.youtube.com") == youtube_requests


def test_waits_grow_and_the_last_attempt_fails_for_good(settings, job, fake_llm):
    settings.BLOGTUBE_MAX_ATTEMPTS = 3
    settings.BLOGTUBE_RETRY_SECONDS = 10
    fake_llm.configure(fail_status=503)
    waits = []
    for _ in range(3):
        run_when_due(job)
        job.refresh_from_db()
        if job.retry_at:
            deferred = job.events.filter(level="warning").last().created
            waits.append(round((job.retry_at - deferred).total_seconds()))
    assert waits == [10, 20]
    assert job.status == Job.Status.FAILED
    assert job.error_code == "PROVIDER_UNAVAILABLE"


def test_a_waiting_job_is_not_started_early(settings, job, fake_llm, offline_provider):
    settings.BLOGTUBE_RETRY_SECONDS = 60
    fake_llm.configure(fail_status=429)
    pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED

    # Neither a stale task of its own nor another job's task may start it before its time.
    other = create_job(JobRequest(provider=offline_provider, url=VIDEO_URL), enqueue=False)
    pipeline.run_job(str(other.pk))
    pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.attempts == 1

    fake_llm.configure(fail_status=None, reply=POST_FROM_MODEL)
    run_when_due(job)
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert job.attempts == 2


def test_a_permanent_error_fails_at_once(job, fake_llm):
    fake_llm.configure(fail_status=401)
    pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert not Schedule.objects.filter(func="jobs.tasks.run").exists()


def test_the_job_page_says_when_it_retries(client, job, fake_llm):
    fake_llm.configure(fail_status=429)
    pipeline.run_job(str(job.pk))
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Retrying automatically in" in html and "(attempt 2)" in html
