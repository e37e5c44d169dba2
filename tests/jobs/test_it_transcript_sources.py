"""The job log tells which transcript source was tried and which one won."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs import services
from jobs.models import Job, JobEvent
from tests.fakes.transcripts import GERMAN_SRT, short_talk
from tests.jobs.conftest import VIDEO_ID, VIDEO_URL

pytestmark = pytest.mark.django_db


def logs(job: Job) -> list[tuple[str, str]]:
    events = job.events.filter(kind=JobEvent.Kind.LOG).order_by("id")
    return [(e.level, e.message) for e in events]


def test_yt_dlp_subtitles_rescue_a_job_the_caption_api_is_refused(
    run_new_job, fake_youtube, offline_provider
):
    _, segments, _ = short_talk()
    fake_youtube.add(
        VIDEO_ID,
        scenario="api_blocked",
        title="Balcony tomatoes",
        transcript=[(s["start"], s["duration"], s["text"]) for s in segments],
    )

    job = run_new_job(services.JobRequest(provider=offline_provider, url=VIDEO_URL, language="en"))

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    assert job.transcript.source == "ytdlp"
    seen = logs(job)
    assert ("info", "Trying YouTube captions…") in seen
    assert any(
        level == "warning" and message.startswith("YouTube captions:") and "yt-dlp" in message
        for level, message in seen
    )
    step = job.steps.get(step="fetch_transcript")
    assert "yt-dlp subtitles" in step.message


def test_an_upload_left_on_auto_gets_its_language_detected(
    run_new_job, fake_youtube, offline_provider
):
    upload = SimpleUploadedFile("kompost.srt", GERMAN_SRT.encode())
    job = run_new_job(
        services.JobRequest(provider=offline_provider, transcript_file=upload, language="auto")
    )

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    assert job.language == ""
    assert job.transcript.language_code == "de"
    assert ("info", "Detected the transcript's language: German") in logs(job)
    assert "language: de" in job.post.markdown


def test_the_html_page_of_a_german_post_says_it_is_german(run_new_job, client, offline_provider):
    upload = SimpleUploadedFile("kompost.srt", GERMAN_SRT.encode())
    job = run_new_job(
        services.JobRequest(provider=offline_provider, transcript_file=upload, language="auto")
    )
    page = client.get(f"/jobs/{job.pk}/post.html").content.decode()
    assert page.startswith('<!doctype html>\n<html lang="de">')
