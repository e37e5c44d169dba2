"""Recovery in seconds: a running job proves it is alive, a worker that lost its job
cannot overwrite the new run, the reaper runs on a schedule, and the command line
takes its job with it when it is stopped."""

from __future__ import annotations

import logging
import os
import signal
import threading
from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone
from django_q.models import Schedule

from blogtube_site.errors import Cancelled
from jobs import pipeline, recovery
from jobs.errors import TimedOut
from jobs.management.commands import blogtube
from jobs.models import InvalidTransition, Job, JobStep, Post
from jobs.services import JobRequest, create_job
from tests.accounts import signed_in_user
from tests.jobs.conftest import VIDEO_URL
from tests.waiting import HANG_GUARD, wait_until

real_transactions = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def queued_job(provider) -> Job:
    # The signed-in person's, so the test client sees its page.
    request = JobRequest(provider=provider, url=VIDEO_URL, owner=signed_in_user())
    return create_job(request, enqueue=False)


def put_back_and_claimed_again(job: Job, settings) -> Job:
    """The reaper puts the job back after its worker fell silent; another worker claims it."""
    later = timezone.now() + timedelta(seconds=settings.BLOGTUBE_LOST_AFTER_SECONDS + 5)
    with time_machine.travel(later, tick=False):
        assert recovery.reap_lost_jobs() == 1
    new = Job.objects.get(pk=job.pk)
    assert new.claim()
    return new


@pytest.mark.django_db
def test_the_reaper_schedule_exists_after_migrate():
    schedule = Schedule.objects.get(name=recovery.REAPER_SCHEDULE)
    assert schedule.func == "jobs.tasks.reap"
    assert (schedule.schedule_type, schedule.minutes) == (Schedule.MINUTES, 1)
    assert schedule.repeats < 0  # for ever


@pytest.mark.django_db
def test_a_stale_worker_cannot_overwrite_the_new_run(settings, youtube_video, offline_provider):
    old = queued_job(offline_provider)
    old.claim()
    old.start_step("generate")
    new = put_back_and_claimed_again(old, settings)
    new.start_step("generate")
    new.append_draft("The new run's words.", step="generate", percent=40)

    # The old worker wakes up and goes on as if nothing happened.
    for write in (
        lambda: old.append_draft("stale words", step="generate", percent=90),
        lambda: old.reset_draft(),
        lambda: old.step_progress("generate", 80, "stale progress"),
        lambda: old.finish_step("generate", "stale"),
        lambda: old.start_step("format"),
        lambda: pipeline.format_step(old),
        lambda: old.complete(),
        lambda: old.fail(TimedOut()),
        lambda: old.defer(TimedOut(), timezone.now()),
        lambda: old.mark_cancelled(),
    ):
        with pytest.raises(InvalidTransition):
            write()
    assert not old.beat()

    new.refresh_from_db()
    assert new.status == Job.Status.RUNNING and new.attempts == 2
    assert new.draft == "The new run's words."
    assert new.current_step == "generate"
    assert new.steps.get(step="generate").status == JobStep.Status.RUNNING
    assert not Post.objects.exists()


@pytest.mark.django_db
def test_a_worker_that_lost_its_job_stops_quietly(
    settings, youtube_video, offline_provider, monkeypatch, caplog
):
    job = queued_job(offline_provider)
    taken: list[Job] = []
    generate = pipeline.STEP_FUNCTIONS["generate"]

    def taken_over_meanwhile(mine: Job):
        # A long model call: meanwhile this worker fell silent and another took the job.
        taken.append(put_back_and_claimed_again(mine, settings))
        return generate(mine)

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", taken_over_meanwhile)
    with caplog.at_level(logging.WARNING):
        pipeline.run_job(str(job.pk))  # ends without raising
    assert "no longer run by this worker" in caplog.text

    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING and job.attempts == 2  # the new run's
    assert job.draft == ""
    assert job.steps.get(step="generate").status == JobStep.Status.PENDING
    assert not Post.objects.exists()


@real_transactions
def test_the_heartbeat_goes_on_during_a_long_step(
    settings, youtube_video, offline_provider, monkeypatch
):
    settings.BLOGTUBE_HEARTBEAT_SECONDS = 0.01
    job = queued_job(offline_provider)
    seen: list[bool] = []

    def long_model_call(running: Job):
        first = Job.objects.get(pk=running.pk).heartbeat
        # Nothing in this step writes: only the heartbeat thread can move it.
        wait_until(lambda: Job.objects.get(pk=running.pk).heartbeat > first)
        seen.append(True)
        raise Cancelled()

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", long_model_call)
    pipeline.run_job(str(job.pk))
    assert seen == [True]
    assert Job.objects.get(pk=job.pk).status == Job.Status.CANCELLED


@real_transactions
def test_a_running_job_puts_back_a_lost_one_without_waiting_for_the_schedule(
    settings, youtube_video, offline_provider, monkeypatch
):
    settings.BLOGTUBE_HEARTBEAT_SECONDS = 0.01
    tasks: list[tuple] = []
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: tasks.append(a))
    lost = queued_job(offline_provider)
    lost.claim()
    silent_since = timezone.now() - timedelta(seconds=settings.BLOGTUBE_LOST_AFTER_SECONDS + 5)
    Job.objects.filter(pk=lost.pk).update(heartbeat=silent_since)

    def long_model_call(running: Job):
        wait_until(lambda: Job.objects.get(pk=lost.pk).status == Job.Status.QUEUED)
        raise Cancelled()

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", long_model_call)
    pipeline.run_job(str(queued_job(offline_provider).pk))
    assert tasks and set(tasks) == {("jobs.tasks.run", str(lost.pk))}


@pytest.mark.django_db
def test_a_short_job_finishing_puts_back_a_lost_one_behind_a_deep_queue(
    settings, youtube_video, offline_provider, monkeypatch, django_capture_on_commit_callbacks
):
    # Far more jobs wait than workers run, so the reaper's scheduled task waits behind them;
    # each job ends before its first heartbeat. Finishing one still puts the lost one back.
    settings.BLOGTUBE_HEARTBEAT_SECONDS = 3600
    tasks: list[tuple] = []
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: tasks.append(a))
    lost = queued_job(offline_provider)
    lost.claim()
    silent_since = timezone.now() - timedelta(seconds=settings.BLOGTUBE_LOST_AFTER_SECONDS + 5)
    Job.objects.filter(pk=lost.pk).update(heartbeat=silent_since)

    with django_capture_on_commit_callbacks(execute=True):
        pipeline.run_job(str(queued_job(offline_provider).pk))

    lost.refresh_from_db()
    assert lost.status == Job.Status.QUEUED
    assert ("jobs.tasks.run", str(lost.pk)) in tasks


@pytest.mark.django_db
def test_the_page_promises_a_retry_only_while_one_is_scheduled(
    client, youtube_video, offline_provider, monkeypatch
):
    def rate_limited(job):
        raise TimedOut()

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", rate_limited)
    job = queued_job(offline_provider)
    pipeline.run_job(str(job.pk))
    assert "Retrying automatically in" in client.get(job.get_absolute_url()).content.decode()

    # The schedule fired: its task waits for a worker; no time to promise any more.
    Schedule.objects.filter(func="jobs.tasks.run").update(repeats=0)
    page = client.get(job.get_absolute_url()).content.decode()
    assert "Retrying automatically" not in page
    assert "Waiting for a worker" in page


def new_threads_end(before: set[threading.Thread]) -> None:
    wait_until(lambda: not (set(threading.enumerate()) - before))


def sigterm_to_this_process(signum: int = signal.SIGTERM) -> None:
    # Without the command's handler this would end the test run: check it is there first.
    assert signal.getsignal(signum) not in (
        signal.SIG_DFL,
        signal.SIG_IGN,
        signal.default_int_handler,
        None,
    )
    os.kill(os.getpid(), signum)


@real_transactions
@pytest.mark.usefixtures("operator")  # the CLI writes as the first staff account
@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "Ctrl-C"])
def test_sigterm_cancels_the_command_line_job(
    youtube_video, offline_provider, monkeypatch, command_line, signum
):
    def listening_step(job: Job):
        sigterm_to_this_process(signum)
        wait_until(job.cancel_is_requested)
        raise Cancelled()

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", listening_step)
    before = set(threading.enumerate())
    handler = signal.getsignal(signum)
    status, _, err = command_line("blogtube", VIDEO_URL)
    new_threads_end(before)

    assert status == 1 and "Cancelled." in err
    job = Job.objects.get()
    assert job.status == Job.Status.CANCELLED
    assert signal.getsignal(signum) is handler  # put back as it was


@real_transactions
@pytest.mark.usefixtures("operator")  # the CLI writes as the first staff account
def test_sigterm_takes_the_job_from_a_step_that_does_not_listen(
    youtube_video, offline_provider, monkeypatch, command_line
):
    released = threading.Event()

    def deaf_step(job: Job):
        sigterm_to_this_process()
        released.wait(HANG_GUARD)  # a model call that hears no cancel
        return "written", False

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "generate", deaf_step)
    monkeypatch.setattr(blogtube, "CANCEL_GRACE_SECONDS", 0.01)
    before = set(threading.enumerate())
    status, _, err = command_line("blogtube", VIDEO_URL)
    assert Job.objects.get().status == Job.Status.CANCELLED  # before the step even returns
    released.set()
    new_threads_end(before)  # the old run's writes all fail on its lease

    assert status == 1 and "Cancelled." in err
    job = Job.objects.get()
    assert job.status == Job.Status.CANCELLED
    assert job.steps.get(step="generate").status == JobStep.Status.CANCELLED
