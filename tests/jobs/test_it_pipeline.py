"""A job end to end: the form, the worker (django-q2 sync mode), the post, with
YouTube and the AI faked at their HTTP boundaries."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs.models import Job, JobEvent, JobStep
from tests.jobs.conftest import POST_FROM_MODEL, VIDEO_ID

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("sync_tasks"),
]

SRT = b"""1
00:00:01,000 --> 00:00:04,000
Welcome to this talk about growing tomatoes on a balcony.

2
00:00:04,500 --> 00:00:09,000
Tomatoes need at least six hours of direct sun every day to ripen well.

3
00:00:09,500 --> 00:00:14,000
Water them deeply in the morning, and feed them every two weeks once flowers appear.
"""


@pytest.fixture
def post(client, django_capture_on_commit_callbacks):
    """POST as the browser does; a job it queued then runs, as a worker runs it after the commit."""

    def send(url: str, data: dict | None = None):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data or {})

    return send


@pytest.fixture
def submit(post):
    def send(data: dict) -> Job:
        response = post(reverse("jobs:create"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        return Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])

    return send


def test_it_turns_a_video_into_a_post_with_an_llm(
    client, submit, settings, youtube_video, fake_llm, llm_provider, form_data, media_root
):
    settings.BLOGTUBE_DRAFT_FLUSH_SECONDS = 0  # every streamed token reaches the draft log
    fake_llm.configure(reply=POST_FROM_MODEL)
    job = submit(form_data(llm_provider))

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    assert job.progress == 100
    assert list(job.steps.values_list("status", flat=True)) == [JobStep.Status.DONE] * 8 + [
        JobStep.Status.SKIPPED  # published nowhere
    ]
    assert job.video.title == youtube_video.title
    assert job.transcript.language_code == "en"

    # The model got the transcript, and its answer was streamed into the draft.
    prompt = json.dumps(fake_llm.requests[-1].json["messages"])
    assert job.transcript.text.split()[3] in prompt
    assert youtube_video.title in prompt
    assert job.events.filter(kind=JobEvent.Kind.TOKEN).count() > 5
    assert job.tokens_out > 0

    post = job.post
    assert post.title == "Sourdough Bread for Beginners"
    assert post.markdown.startswith("---\ntitle: Sourdough Bread for Beginners\n")
    for line in (f"video_id: {VIDEO_ID}", "provider: fake", "model: fake-model", "language: en"):
        assert line in post.markdown
    assert "<h2>The starter</h2>" in post.html
    assert (media_root / "posts" / f"{post.slug}.md").read_text() == post.markdown
    assert (
        "<title>Sourdough Bread for Beginners</title>"
        in (media_root / "posts" / f"{post.slug}.html").read_text()
    )

    page = client.get(job.get_absolute_url()).content.decode()
    assert "Bake at 250 degrees" in page
    download = client.get(reverse("jobs:download", args=[job.pk, "md"]))
    assert download["Content-Disposition"] == f'attachment; filename="{post.slug}.md"'
    assert download.content.decode() == post.markdown


def test_it_writes_a_post_offline_with_the_videos_chapters(
    client, submit, youtube_video, offline_provider, form_data
):
    job = submit(form_data(offline_provider))
    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    for _, chapter in youtube_video.chapters:
        assert f"## {chapter}" in job.post.markdown
    assert "extractive" in job.post.markdown.lower()


def test_it_writes_from_an_uploaded_transcript_without_a_url(
    client, submit, fake_youtube, offline_provider, form_data
):
    upload = SimpleUploadedFile("balcony-tomatoes.srt", SRT)
    job = submit(form_data(offline_provider, url="", transcript_file=upload))
    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    assert job.video is None
    assert job.transcript.source == "upload"
    assert "six hours of direct sun" in job.post.markdown
    assert job.steps.get(step="fetch_info").status == JobStep.Status.SKIPPED
    assert fake_youtube.requests == []


def test_an_upload_survives_youtube_blocking_the_server(
    client, submit, fake_youtube, offline_provider, form_data
):
    fake_youtube.add(VIDEO_ID, scenario="blocked")
    upload = SimpleUploadedFile("talk.srt", SRT)
    job = submit(form_data(offline_provider, transcript_file=upload))
    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    warning = job.events.get(level="warning")
    assert "YouTube info unavailable" in warning.message


def test_model_output_is_sanitized(
    client, submit, youtube_video, fake_llm, llm_provider, form_data
):
    fake_llm.configure(
        reply='# Safe\n\nHello <script>alert("x")</script> <a href="javascript:alert(1)">x</a>\n'
    )
    job = submit(form_data(llm_provider))
    assert job.status == Job.Status.COMPLETED
    assert "<script" not in job.post.html
    assert "javascript:" not in job.post.html
    page = client.get(job.get_absolute_url()).content.decode()
    assert '<script>alert("x")' not in page


def test_a_bad_api_key_fails_with_an_actionable_message(
    client, submit, youtube_video, fake_llm, llm_provider, form_data
):
    fake_llm.configure(fail_status=401)
    job = submit(form_data(llm_provider))
    assert job.status == Job.Status.FAILED
    assert job.error_code == "PROVIDER_AUTH"
    assert job.steps.get(step="generate").status == JobStep.Status.FAILED
    page = client.get(job.get_absolute_url()).content.decode()
    assert job.error_message in page
    assert "PROVIDER_AUTH" in page
    assert "Retry" in page


def test_retry_resumes_at_the_failed_step_without_downloading_again(
    client, submit, post, settings, fake_youtube, youtube_video, fake_llm, llm_provider, form_data
):
    settings.BLOGTUBE_MAX_ATTEMPTS = 1  # no automatic retry: the person retries
    fake_llm.configure(fail_status=500)
    job = submit(form_data(llm_provider))
    assert job.status == Job.Status.FAILED
    assert job.error_code == "PROVIDER_UNAVAILABLE"
    # The video's details and transcript; its pictures (i.ytimg.com) come with each post.
    youtube_requests = fake_youtube.count(host="www.youtube.com")

    fake_llm.reset()
    fake_llm.configure(reply=POST_FROM_MODEL)
    response = post(reverse("jobs:retry", args=[job.pk]))
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    assert job.attempts == 2
    assert fake_youtube.count(host="www.youtube.com") == youtube_requests


def test_reprocess_reuses_the_stored_transcript(
    client, submit, post, fake_youtube, youtube_video, offline_provider, form_data
):
    first = submit(form_data(offline_provider))
    assert first.status == Job.Status.COMPLETED
    youtube_requests = fake_youtube.count(host="www.youtube.com")

    response = post(reverse("jobs:reprocess", args=[first.pk]))
    second = Job.objects.exclude(pk=first.pk).get()
    assert response.url == second.get_absolute_url()
    assert second.status == Job.Status.COMPLETED
    assert second.transcript == first.transcript
    assert fake_youtube.count(host="www.youtube.com") == youtube_requests


def test_a_second_job_on_the_same_video_reuses_its_transcript(
    client, submit, fake_youtube, youtube_video, offline_provider, form_data
):
    first = submit(form_data(offline_provider))
    transcript_downloads = fake_youtube.count(path="/api/timedtext")
    assert transcript_downloads >= 1
    second = submit(form_data(offline_provider))
    assert second.status == Job.Status.COMPLETED
    assert second.transcript == first.transcript
    assert fake_youtube.count(path="/api/timedtext") == transcript_downloads


@pytest.mark.parametrize(
    "scenario, code",
    [
        ("transcripts_disabled", "TRANSCRIPTS_DISABLED"),
        ("unavailable", "VIDEO_UNAVAILABLE"),
        ("age_restricted", "AGE_RESTRICTED"),
        ("blocked", "YOUTUBE_BLOCKED"),
        ("po_token", "PO_TOKEN_REQUIRED"),
        ("too_many_requests", "YOUTUBE_RATE_LIMITED"),
    ],
)
def test_youtube_failures_end_in_their_error(
    client, submit, settings, fake_youtube, offline_provider, form_data, scenario, code
):
    settings.BLOGTUBE_MAX_ATTEMPTS = 1  # the last attempt: transient ones fail too
    fake_youtube.add(VIDEO_ID, scenario=scenario)
    job = submit(form_data(offline_provider))
    assert job.status == Job.Status.FAILED
    assert job.error_code == code
    assert job.error_message and job.error_suggestions
    page = client.get(job.get_absolute_url()).content.decode()
    assert code in page


def test_a_missing_language_lists_the_ones_there_are(
    client, submit, youtube_video, offline_provider, form_data
):
    job = submit(form_data(offline_provider, language="ko"))
    assert job.status == Job.Status.FAILED
    assert job.error_code == "NO_TRANSCRIPT_IN_LANGUAGE"
    assert "de" in " ".join(job.error_suggestions)


def test_an_uploads_job_is_known_by_its_posts_title_once_written(
    client, submit, fake_youtube, offline_provider, form_data
):
    upload = SimpleUploadedFile("balcony-tomatoes.srt", SRT)
    job = submit(form_data(offline_provider, url="", transcript_file=upload))
    assert job.title == job.post.title != "balcony-tomatoes.srt"
    page = client.get(reverse("jobs:list")).content.decode()
    assert job.post.title in page
    # Searching finds it by a word of that title the file's name does not have.
    word = next(w for w in job.post.title.split() if w.lower() not in "balcony-tomatoes.srt")
    found = client.get(reverse("jobs:list"), {"q": word}).content.decode()
    assert f"job-row-{job.pk}" in found


CAPTIONS_FOR_THE_DEAF = (
    Path(__file__).resolve().parent.parent / "fixtures" / "transcripts" / "pycaption_sample.srt"
)


def test_every_writer_reads_the_cleaned_transcript_and_the_stored_one_stays_as_uploaded(
    client, submit, fake_llm, llm_provider, form_data
):
    fake_llm.configure(reply=POST_FROM_MODEL)
    upload = SimpleUploadedFile("einstein.srt", CAPTIONS_FOR_THE_DEAF.read_bytes())
    job = submit(form_data(llm_provider, url="", transcript_file=upload))
    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)

    prompt = json.dumps(fake_llm.requests[-1].json["messages"], ensure_ascii=False)
    assert "clock ticking" not in prompt and "♪" not in prompt
    assert "Man 2: E equals m c-squared" in prompt  # who speaks, as a name
    assert "MAN 2:" not in prompt
    # The stored transcript, and the file people download, are the upload's own words.
    assert "( clock ticking )" in job.transcript.text
    assert "MAN 2:" in job.transcript.text
    download = client.get(reverse("videos:transcript", args=[job.transcript.pk, "srt"]))
    assert download.status_code == 200
    assert "( clock ticking )" in download.content.decode()


def test_the_offline_post_of_a_film_summarises_its_scenes(
    client, submit, offline_provider, form_data
):
    film = CAPTIONS_FOR_THE_DEAF.with_name("webvtt_netflix_chicas_del_cable_excerpt.vtt")
    upload = SimpleUploadedFile("chicas.vtt", film.read_bytes())
    job = submit(form_data(offline_provider, url="", transcript_file=upload, language="es"))
    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)

    post = job.post
    assert "una conversación" in post.markdown
    assert "## Escena 1" in post.markdown
    assert post.tags and not {"para", "esta", "como", "https"} & set(post.tags)
    assert "[truenos]" not in post.markdown and "<i>" not in post.markdown
