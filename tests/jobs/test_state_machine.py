from __future__ import annotations

import pytest

from blogtube_site.errors import BlogTubeError
from jobs.formatting import format_post
from jobs.models import STEP_NAMES, InvalidTransition, Job, JobEvent, JobStep, Post
from tests.jobs.conftest import META
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


def test_a_step_does_not_start_on_a_job_cancelled_since_it_was_loaded():
    job = make_job()
    job.claim()
    Job.objects.get(pk=job.pk).request_cancel()
    Job.objects.get(pk=job.pk).mark_cancelled()
    # The worker's copy still says running; the database does not.
    assert job.status == Job.Status.RUNNING
    with pytest.raises(InvalidTransition):
        job.start_step("validate")
    job.refresh_from_db()
    assert (job.status, job.current_step) == (Job.Status.CANCELLED, "")
    assert job.steps.get(step="validate").status == JobStep.Status.PENDING


def test_a_job_that_started_since_it_was_loaded_is_not_deleted():
    job = make_job()
    job.log("Queued")
    stale = Job.objects.get(pk=job.pk)
    job.claim()
    # The copy loaded before the worker claimed the job still says queued.
    assert stale.status == Job.Status.QUEUED
    assert stale.delete_unless_running() is False
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.steps.count() == len(STEP_NAMES)
    assert job.events.filter(message="Queued").exists()


def test_an_idle_job_is_deleted_with_its_steps_events_and_post():
    job = make_job()
    job.claim()
    job.store_post(format_post("# A post\n\nSome words here.\n", META))
    job.complete()
    assert job.delete_unless_running() is True
    assert not Job.objects.filter(pk=job.pk).exists()
    assert not JobStep.objects.filter(job_id=job.pk).exists()
    assert not JobEvent.objects.filter(job_id=job.pk).exists()
    assert not Post.objects.exists()


def test_two_posts_with_the_same_slug_both_get_saved():
    formatted = format_post("# Cold Brew at Home\n\nSteep the grounds overnight.\n", META)
    first, second = make_job(), make_job()
    one = first.store_post(formatted)
    two = second.store_post(formatted)
    assert one.slug == "cold-brew-at-home"
    assert two.slug.startswith("cold-brew-at-home-") and two.slug != one.slug
    assert str(second.pk).startswith(two.slug.removeprefix("cold-brew-at-home-"))
    assert Post.objects.count() == 2


def test_formatting_again_updates_the_post_and_keeps_its_slug():
    job = make_job()
    first = job.store_post(format_post("# Cold Brew\n\nSteep overnight.\n", META))
    again = job.store_post(format_post("# Iced Coffee\n\nPour over ice.\n", META))
    assert (again.pk, again.slug) == (first.pk, "cold-brew")
    assert again.title == "Iced Coffee"
    assert "Pour over ice." in again.markdown
    assert Post.objects.count() == 1
