"""What one job's run costs the database, so throughput cannot quietly grow back: a worker
writing a step's end and the next step's start, its draft, its post, with as few queries
as its guarantees (guarded UPDATEs, events as rows) allow."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs import pipeline, recovery
from jobs.errors import TimedOut
from jobs.models import Job, JobEvent, JobStep
from jobs.services import JobRequest, create_job
from tests.accounts import signed_in_user
from tests.fakes.transcripts import COMPOST_SRT

pytestmark = pytest.mark.django_db

# About a post's length from a fast model: some 600 streamed words.
LONG_REPLY = "# Compost at home\n\n" + " ".join(
    f"Paragraph {n} says how to keep a compost heap healthy and warm." for n in range(60)
)


def queued_upload(provider) -> Job:
    upload = SimpleUploadedFile("compost-basics.srt", COMPOST_SRT.encode())
    request = JobRequest(provider=provider, transcript_file=upload, owner=signed_in_user())
    return create_job(request, enqueue=False)


def test_it_runs_a_job_with_a_streaming_model_in_a_bounded_number_of_queries(
    settings, llm_provider, fake_llm, django_assert_max_num_queries
):
    settings.BLOGTUBE_DRAFT_FLUSH_SECONDS = 3600  # a draft write every 200 pieces, however slow
    fake_llm.configure(reply=LONG_REPLY)
    job = queued_upload(llm_provider)
    pipeline.run_job(str(job.pk))  # the first run of a process warms its caches

    job = queued_upload(llm_provider)
    recovery.forget_last_reap()  # counted with the reap a finished run may make
    # 198 before this test was written; SAVEPOINT and RELEASE count too.
    with django_assert_max_num_queries(120):
        pipeline.run_job(str(job.pk))

    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED, job.error_message
    assert job.post.title == "Compost at home"
    assert (job.tokens_in, job.tokens_out) != (0, 0)


def test_it_runs_an_offline_job_in_a_bounded_number_of_queries(
    offline_provider, django_assert_max_num_queries
):
    pipeline.run_job(str(queued_upload(offline_provider).pk))

    job = queued_upload(offline_provider)
    recovery.forget_last_reap()
    with django_assert_max_num_queries(105):  # 171 before
        pipeline.run_job(str(job.pk))

    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED, job.error_message


def test_it_still_records_every_step_starting_and_ending_as_events(llm_provider, fake_llm):
    fake_llm.configure(reply=LONG_REPLY)
    job = queued_upload(llm_provider)

    pipeline.run_job(str(job.pk))

    steps = [
        (event.data["step"], event.data["status"])
        for event in job.events.filter(kind=JobEvent.Kind.STEP).exclude(data__status=None)
    ]
    for step in JobStep.objects.filter(job=job).order_by("order"):
        assert (step.step, "running") in steps
        assert (step.step, step.status) in steps
    assert steps.index(("validate", "done")) < steps.index(("fetch_info", "running"))
    draft = "".join(event.data["text"] for event in job.events.filter(kind=JobEvent.Kind.TOKEN))
    assert draft == LONG_REPLY


def test_it_stops_before_the_next_step_when_a_cancel_comes_during_one(
    offline_provider, monkeypatch
):
    job = queued_upload(offline_provider)
    validate = pipeline.STEP_FUNCTIONS["validate"]

    def validate_then_cancel(running: Job) -> pipeline.StepResult:
        Job.objects.get(pk=running.pk).request_cancel()  # someone presses Cancel meanwhile
        return validate(running)

    monkeypatch.setitem(pipeline.STEP_FUNCTIONS, "validate", validate_then_cancel)

    pipeline.run_job(str(job.pk))

    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    statuses = dict(job.steps.values_list("step", "status"))
    assert statuses["validate"] == JobStep.Status.DONE  # the step it was on still ended
    assert statuses["fetch_info"] == JobStep.Status.PENDING  # the next never started


def test_it_restarts_the_draft_an_earlier_attempt_left(llm_provider, fake_llm):
    fake_llm.configure(reply=LONG_REPLY)
    job = queued_upload(llm_provider)
    job.claim()
    job.append_draft("Words of a first attempt that timed out. ")
    job.fail(TimedOut())
    job.retry()

    pipeline.run_job(str(job.pk))

    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED, job.error_message
    assert job.draft == LONG_REPLY
    assert job.events.filter(kind=JobEvent.Kind.DRAFT_RESET).count() == 1


def test_it_reaps_after_runs_at_most_once_a_second(offline_provider, monkeypatch):
    reaps: list[bool] = []
    monkeypatch.setattr(recovery, "reap", lambda: reaps.append(True))
    moments = iter([100.0, 100.5, 101.2])  # the process's clock at the end of each run
    monkeypatch.setattr(recovery, "monotonic", lambda: next(moments))

    for _ in range(3):
        pipeline.run_job(str(queued_upload(offline_provider).pk))

    assert len(reaps) == 2  # after the first run, and again once a second had passed
