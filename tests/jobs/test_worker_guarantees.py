"""What the worker promises whatever happens: one run per job, a clean stop on
cancel, and never a job left 'running' after the worker gave up on it."""

from __future__ import annotations

import logging
import threading

import pytest

from jobs import pipeline, tasks
from jobs.models import Job, JobEvent, JobStep, Post
from jobs.services import JobRequest, create_job, delete
from tests.jobs.claiming import two_workers_claim
from tests.jobs.conftest import POST_FROM_MODEL, VIDEO_URL
from tests.waiting import HANG_GUARD, wait_until

pytestmark = pytest.mark.django_db
# Threads have database connections of their own: what they see must be committed.
real_transactions = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def queued_job(provider) -> Job:
    return create_job(JobRequest(provider=provider, url=VIDEO_URL), enqueue=False)


@real_transactions
def test_cancel_stops_a_streaming_job_and_keeps_its_draft(
    settings, youtube_video, fake_llm, llm_provider
):
    settings.BLOGTUBE_DRAFT_FLUSH_SECONDS = 0.05
    # Long enough that the job still streams when the cancel comes (half a minute in all).
    fake_llm.configure(reply=POST_FROM_MODEL * 20, token_delay=0.02)
    job = queued_job(llm_provider)
    worker = threading.Thread(target=pipeline.run_job, args=(str(job.pk),))
    worker.start()
    wait_until(lambda: bool(Job.objects.get(pk=job.pk).draft))
    job.request_cancel()
    worker.join(HANG_GUARD)
    assert not worker.is_alive(), "the worker never stopped"

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.steps.get(step="generate").status == JobStep.Status.CANCELLED
    assert 0 < len(job.draft) < len(POST_FROM_MODEL * 20)
    assert job.events.filter(message="Cancellation requested").exists()


@real_transactions
def test_two_workers_claiming_the_same_job_at_once_start_it_once(offline_provider):
    outcome = two_workers_claim(queued_job(offline_provider))

    assert outcome == {
        "errors": [],
        "claimed": [False, True],
        "status": Job.Status.RUNNING,
        "attempts": 1,
        "starts": ["Started"],
    }


def test_a_second_delivery_of_the_same_task_does_nothing(youtube_video, offline_provider):
    job = queued_job(offline_provider)
    pipeline.run_job(str(job.pk))
    events = JobEvent.objects.filter(job=job).count()
    pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED
    assert job.attempts == 1
    assert JobEvent.objects.filter(job=job).count() == events


def test_a_worker_timeout_retries_the_job_later_instead_of_leaving_it_running(
    youtube_video, offline_provider, monkeypatch
):
    class TaskTimeout(SystemExit):
        """What django-q2 raises in a task that ran past its timeout."""

    def hang(job):
        raise TaskTimeout()

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", hang)
    job = queued_job(offline_provider)
    with pytest.raises(TaskTimeout):  # django-q2 still sees its task end as it asked
        pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.error_code == "TIMEOUT"
    assert job.retry_at is not None and job.retry_is_scheduled
    assert job.steps.get(step="generate").status == JobStep.Status.PENDING


def test_a_worker_timeout_on_the_last_attempt_fails_the_job(
    settings, youtube_video, offline_provider, monkeypatch
):
    settings.BLOGTUBE_MAX_ATTEMPTS = 1

    class TaskTimeout(SystemExit):
        pass

    def hang(job):
        raise TaskTimeout()

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", hang)
    job = queued_job(offline_provider)
    with pytest.raises(TaskTimeout):
        pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_code == "TIMEOUT"
    assert job.can_retry


def test_an_unexpected_crash_is_reported_without_the_traceback(
    youtube_video, offline_provider, monkeypatch
):
    def crash(job):
        raise KeyError("internal detail")

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "format", crash)
    job = queued_job(offline_provider)
    pipeline.run_job(str(job.pk))
    job.refresh_from_db()
    assert job.status == Job.Status.FAILED
    assert job.error_code == "INTERNAL_ERROR"
    assert "internal detail" not in job.error_message
    assert job.steps.get(step="format").status == JobStep.Status.FAILED


def test_a_deleted_job_is_skipped_quietly(offline_provider, caplog):
    job = queued_job(offline_provider)
    delete(job)  # deleted while its task waits in the queue
    with caplog.at_level(logging.INFO):
        tasks.run(str(job.pk))  # the task's delivery ends without raising
    assert not Job.objects.exists()
    assert not JobEvent.objects.filter(job_id=job.pk).exists()
    assert not JobStep.objects.filter(job_id=job.pk).exists()
    assert not Post.objects.exists()
    assert [r.levelno for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert f"Job {job.pk} is not queued any more" in caplog.text


def test_a_more_urgent_job_runs_first_and_every_job_runs_once(youtube_video, offline_provider):
    low = queued_job(offline_provider)
    urgent = create_job(
        JobRequest(provider=offline_provider, url=VIDEO_URL, priority=1), enqueue=False
    )
    # The first task in the queue was low's, but the urgent job goes first...
    pipeline.run_job(str(low.pk))
    assert Job.objects.get(pk=urgent.pk).status == Job.Status.COMPLETED
    assert Job.objects.get(pk=low.pk).status == Job.Status.QUEUED
    # ...and the urgent job's own task then runs the one left waiting.
    pipeline.run_job(str(urgent.pk))
    assert Job.objects.get(pk=low.pk).status == Job.Status.COMPLETED


def test_a_job_deleted_as_its_task_starts_is_skipped_quietly(offline_provider, monkeypatch):
    job = queued_job(offline_provider)
    ready_to_run = Job.ready_to_run

    def deleted_meanwhile():
        # The person deletes the job after the task saw it queued, before it is claimed.
        Job.objects.filter(pk=job.pk).delete()
        return ready_to_run()

    monkeypatch.setattr(Job, "ready_to_run", staticmethod(deleted_meanwhile))
    tasks.run(str(job.pk))  # ends without raising
    assert not Job.objects.exists()
