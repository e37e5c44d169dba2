"""A job whose worker died (killed, out of memory, machine restarted) is put back within
a minute or so, not when the broker redelivers its task half an hour later."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.db.models import F
from django.utils import timezone

from jobs import pipeline, recovery
from jobs.errors import TimedOut
from jobs.models import Job, JobStep
from jobs.services import JobRequest, create_job
from tests.accounts import signed_in_user
from tests.jobs.conftest import VIDEO_URL

pytestmark = pytest.mark.django_db


@pytest.fixture
def tasks(monkeypatch) -> list[tuple]:
    """The tasks handed to django-q2, as (function, job id)."""
    queued: list[tuple] = []
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: queued.append(a))
    return queued


@pytest.fixture
def abandoned(youtube_video, offline_provider) -> Job:
    """A job a worker claimed and started, then died on: its heartbeat stops here."""
    # The signed-in person's, so the test client sees its page.
    request = JobRequest(provider=offline_provider, url=VIDEO_URL, owner=signed_in_user())
    job = create_job(request, enqueue=False)
    job.claim()
    job.start_step("validate")
    return job


def seconds_later(seconds: float):
    return time_machine.travel(timezone.now() + timedelta(seconds=seconds), tick=False)


def reap_after_silence(settings, django_capture_on_commit_callbacks) -> tuple[int, int]:
    with (
        seconds_later(settings.BLOGTUBE_LOST_AFTER_SECONDS + 5),
        django_capture_on_commit_callbacks(execute=True),
    ):
        return recovery.reap()


def test_the_reaper_puts_back_a_silent_job_and_its_new_task_finishes_it(
    settings, abandoned, tasks, django_capture_on_commit_callbacks, client
):
    assert reap_after_silence(settings, django_capture_on_commit_callbacks) == (1, 0)

    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.QUEUED
    assert abandoned.retry_at is None  # ready at once, not after some back-off
    assert abandoned.steps.get(step="validate").status == JobStep.Status.PENDING
    warning = abandoned.events.filter(level="warning").last()
    assert warning.message.startswith("The worker running this job stopped")
    assert "put back in the queue" in warning.message
    page = client.get(abandoned.get_absolute_url()).content.decode()
    assert "put back in the queue after its worker stopped answering" in page
    assert "Retrying automatically" not in page

    assert tasks == [("jobs.tasks.run", str(abandoned.pk))]
    pipeline.run_job(tasks[0][1])
    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.COMPLETED
    assert abandoned.attempts == 2


def test_a_job_put_back_runs_before_newer_ones(
    settings, abandoned, offline_provider, tasks, django_capture_on_commit_callbacks
):
    newer = create_job(JobRequest(provider=offline_provider, url=VIDEO_URL), enqueue=False)
    reap_after_silence(settings, django_capture_on_commit_callbacks)

    pipeline.run_job(str(newer.pk))  # the newer job's own task comes first in the broker
    assert Job.objects.get(pk=abandoned.pk).status == Job.Status.COMPLETED
    assert Job.objects.get(pk=newer.pk).status == Job.Status.QUEUED


def test_a_job_whose_worker_keeps_beating_is_left_alone(settings, abandoned, tasks):
    limit = settings.BLOGTUBE_LOST_AFTER_SECONDS
    with seconds_later(limit - 5):
        assert recovery.reap_lost_jobs() == 0
        assert abandoned.beat()  # a long model call: only the heartbeat speaks
    with seconds_later(limit + 30):  # long after it started, shortly after it last beat
        assert recovery.reap_lost_jobs() == 0
    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.RUNNING
    assert tasks == []


def test_the_last_attempt_fails_with_the_reason(
    settings, abandoned, tasks, django_capture_on_commit_callbacks
):
    settings.BLOGTUBE_MAX_ATTEMPTS = 1

    assert reap_after_silence(settings, django_capture_on_commit_callbacks) == (1, 0)

    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.FAILED
    assert abandoned.error_code == "WORKER_LOST"
    assert abandoned.steps.get(step="validate").status != JobStep.Status.RUNNING
    assert tasks == []


def test_a_job_claimed_again_meanwhile_is_not_reaped(
    settings, abandoned, monkeypatch, django_capture_on_commit_callbacks
):
    release = Job.release_if_lost

    def another_worker_first(job, *args, **kwargs):
        # Between the reaper's query and its update, the job was run again (a stale
        # heartbeat too: the new run has not beaten yet).
        Job.objects.filter(pk=job.pk).update(attempts=F("attempts") + 1)
        return release(job, *args, **kwargs)

    monkeypatch.setattr(Job, "release_if_lost", another_worker_first)
    assert reap_after_silence(settings, django_capture_on_commit_callbacks) == (0, 0)
    abandoned.refresh_from_db()
    assert abandoned.status == Job.Status.RUNNING
    assert abandoned.error_code == ""
    assert abandoned.steps.get(step="validate").status == JobStep.Status.RUNNING


def test_a_queued_job_nobody_takes_gets_a_task_of_its_own(
    settings, youtube_video, offline_provider, tasks, django_capture_on_commit_callbacks
):
    # Its task was fetched by a cluster that died: the broker keeps it locked for half an hour
    # (here the task never reached the broker at all).
    stranded = create_job(JobRequest(provider=offline_provider, url=VIDEO_URL), enqueue=False)
    assert recovery.nudge_waiting_jobs() == 0  # just queued: its own task may come yet

    assert reap_after_silence(settings, django_capture_on_commit_callbacks) == (0, 1)
    assert tasks == [("jobs.tasks.run", str(stranded.pk))]
    pipeline.run_job(tasks[0][1])
    assert Job.objects.get(pk=stranded.pk).status == Job.Status.COMPLETED


def test_a_queued_job_whose_task_waits_in_the_broker_gets_no_other(
    settings, youtube_video, offline_provider, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        create_job(JobRequest(provider=offline_provider, url=VIDEO_URL))  # its task: queued
    assert reap_after_silence(settings, django_capture_on_commit_callbacks) == (0, 0)


def test_a_job_waiting_out_its_back_off_gets_no_early_task(
    settings, abandoned, tasks, django_capture_on_commit_callbacks
):
    abandoned.defer(TimedOut(), timezone.now() + timedelta(minutes=10))
    assert reap_after_silence(settings, django_capture_on_commit_callbacks) == (0, 0)
    assert tasks == []
