from __future__ import annotations

import pytest

from blogtube_site.errors import BlogTubeError
from jobs.models import InvalidTransition, Job, JobEvent, JobStep
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db


class Boom(BlogTubeError):
    code = "BOOM"
    message = "It broke."
    suggestions = ("Try again.",)


def test_a_queued_job_is_claimed_once():
    job = make_job()
    assert job.claim() is True
    # A second delivery of the same task finds the job running and does nothing.
    second = Job.objects.get(pk=job.pk)
    assert second.claim() is False
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.attempts == 1


@pytest.mark.parametrize(
    "status, method",
    [
        (Job.Status.QUEUED, "complete"),
        (Job.Status.COMPLETED, "claim_strict"),
        (Job.Status.COMPLETED, "retry"),
        (Job.Status.RUNNING, "retry"),
        (Job.Status.QUEUED, "retry"),
        (Job.Status.CANCELLED, "complete"),
    ],
)
def test_forbidden_transitions_raise(status, method):
    job = make_job(status=status)
    if method == "claim_strict":
        with pytest.raises(InvalidTransition):
            job._transition(Job.Status.RUNNING, event="x")
    else:
        with pytest.raises(InvalidTransition):
            getattr(job, method)()
    job.refresh_from_db()
    assert job.status == status
    assert not job.events.exists()  # a refused transition leaves no event behind


def test_failing_records_the_error_and_an_event():
    job = make_job()
    job.claim()
    job.start_step("validate")
    job.fail(Boom())
    job.refresh_from_db()
    assert (job.status, job.error_code, job.error_message) == ("failed", "BOOM", "It broke.")
    assert job.error_suggestions == ["Try again."]
    assert job.steps.get(step="validate").status == JobStep.Status.FAILED
    assert job.events.filter(kind=JobEvent.Kind.STATUS, level="error").exists()


def test_retry_requeues_and_keeps_finished_steps():
    job = make_job()
    job.claim()
    job.start_step("validate")
    job.finish_step("validate")
    job.start_step("fetch_info")
    job.fail(Boom())
    job.retry()
    job.refresh_from_db()
    assert job.status == Job.Status.QUEUED
    assert job.error_code == ""
    assert job.pending_steps()[0] == "fetch_info"
    assert job.claim() is True
    assert job.attempts == 2


def test_progress_never_goes_backwards():
    job = make_job()
    job.claim()
    job.start_step("generate")
    job.append_draft("text", step="generate", percent=50)
    job.refresh_from_db()
    halfway = job.progress
    assert halfway > 0
    job.append_draft("more", step="generate", percent=10)
    job.start_step("validate")
    job.refresh_from_db()
    assert job.progress == halfway


def test_cancel_of_a_queued_job_is_immediate():
    job = make_job()
    job.request_cancel()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert job.claim() is False


def test_cancel_of_a_running_job_asks_the_worker():
    job = make_job()
    job.claim()
    job.request_cancel()
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.cancel_is_requested()
    job.mark_cancelled()
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED


def test_cancel_of_a_finished_job_is_refused():
    job = make_job()
    job.claim()
    job.complete()
    with pytest.raises(InvalidTransition):
        job.request_cancel()


def test_steps_need_a_running_job():
    job = make_job()
    with pytest.raises(InvalidTransition):
        job.start_step("validate")
