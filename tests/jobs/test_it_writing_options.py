"""What a person picks in the form reaches the writer and the post, and a failing
provider hands the job to the next one without leaving half a post behind."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs import services
from jobs.models import Job, JobEvent, JobStep
from providers.models import Provider
from tests.fakes.llm_server import FakeLLMServer
from tests.fakes.transcripts import GERMAN_SRT, long_talk
from tests.jobs.conftest import POST_FROM_MODEL, VIDEO_ID, VIDEO_URL

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.usefixtures("no_cloud_provider_keys"),
]


@pytest.fixture
def backup_provider() -> Iterator[Provider]:
    with FakeLLMServer() as server:
        server.configure(reply="# The Backup Post\n\nThe backup model wrote this post.\n")
        yield Provider.objects.create(
            slug="backup",
            name="Backup",
            kind="custom",
            base_url=server.base_url,
            default_model="backup-model",
            position=99,
        )


@pytest.fixture
def run(run_new_job):
    def run_with(provider: Provider, **options) -> Job:
        return run_new_job(
            services.JobRequest(provider=provider, url=VIDEO_URL, language="en", options=options)
        )

    return run_with


def test_tone_style_and_post_language_reach_the_model(run, youtube_video, fake_llm, llm_provider):
    fake_llm.configure(reply=POST_FROM_MODEL)

    job = run(llm_provider, style="newsletter", tone="humorous", write_language="de")

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    system = fake_llm.requests[-1].json["messages"][0]["content"]
    assert "newsletter issue" in system
    assert "humorous tone" in system
    assert "written in German" in system
    assert "language: de" in job.post.markdown


def test_table_of_contents_embed_and_no_timestamps(run, youtube_video, offline_provider):
    job = run(offline_provider, toc=True, embed=True, timestamps=False)

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    post = job.post
    assert f"https://www.youtube-nocookie.com/embed/{youtube_video.video_id}" in post.html
    assert "?t=" not in post.markdown  # no links to moments in the headings
    contents = post.markdown.split("## ", 1)[0]
    assert "](#" in contents  # the table of contents links to the sections


def test_offline_headings_link_to_moments_of_the_jobs_video(run, youtube_video, offline_provider):
    job = run(offline_provider)

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    headings = [line for line in job.post.markdown.splitlines() if line.startswith("## ")]
    assert any(f"](https://youtu.be/{VIDEO_ID}?t=" in h for h in headings)


def test_a_failing_provider_hands_the_job_to_the_next(
    run, settings, youtube_video, fake_llm, llm_provider, backup_provider
):
    settings.BLOGTUBE_DRAFT_FLUSH_SECONDS = 0  # the first words reach the draft before the drop
    fake_llm.configure(reply="one two three four five six seven", drop_after_tokens=3)

    job = run(llm_provider)

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    # The job names who wrote it, so its cost is that model's.
    assert job.provider == backup_provider
    assert job.model == "backup-model"
    assert "The backup model wrote this post." in job.post.markdown
    assert "one two" not in job.draft
    logs = list(job.events.filter(kind=JobEvent.Kind.LOG).values_list("message", flat=True))
    assert any("is unavailable (not answering); continuing with Backup" in m for m in logs)
    # The handover restarts the draft (a new job's empty one needed no restart at the start).
    assert job.events.filter(kind=JobEvent.Kind.DRAFT_RESET).count() == 1
    step = job.steps.get(step="generate")
    assert step.message.endswith("written by Backup (backup-model)")


def test_a_long_transcript_reports_its_parts_as_progress(
    run_new_job, settings, fake_youtube, fake_llm
):
    settings.BLOGTUBE_LLM_CONCURRENCY = 2
    title, segments, chapters = long_talk(1)
    fake_youtube.add(
        "aaaaaaaaaaa",
        title=title,
        duration=3600,
        chapters=[(int(c["start"]), c["title"]) for c in chapters],
        transcript=[(s["start"], s["duration"], s["text"]) for s in segments],
    )
    fake_llm.configure(reply="Notes on this part, and later the post.", context_limit=4000)
    provider = Provider.objects.create(
        slug="small",
        name="Small",
        kind="lmstudio",  # a 4k context unless told otherwise
        base_url=fake_llm.base_url,
        default_model="small-model",
    )

    job = run_new_job(
        services.JobRequest(provider=provider, url="https://youtu.be/aaaaaaaaaaa", language="en")
    )

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    logs = list(job.events.filter(kind=JobEvent.Kind.LOG).order_by("id"))
    assert any(e.message.startswith("Long transcript:") for e in logs)
    parts = [e.data["percent"] for e in logs if e.message.startswith("Summarized chunk")]
    assert len(parts) > 2
    assert parts == sorted(parts) and parts[-1] == 50  # notes are the first half of the step
    assert job.steps.get(step="generate").status == JobStep.Status.DONE
    assert len(fake_llm.requests) == len(parts) + 1  # one call per part, one for the post


def test_the_offline_writer_says_it_cannot_translate(run_new_job, offline_provider):
    upload = SimpleUploadedFile("kompost.srt", GERMAN_SRT.encode())
    job = run_new_job(
        services.JobRequest(
            provider=offline_provider,
            transcript_file=upload,
            language="auto",
            options={"write_language": "en"},
        )
    )

    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    warning = job.events.get(level="warning")
    assert warning.message.startswith("The offline writer cannot translate")
    assert "language: de" in job.post.markdown  # the front matter tells the truth


def test_editing_a_post_keeps_its_contents_links_and_embed(run, youtube_video, offline_provider):
    job = run(offline_provider, toc=True, embed=True)
    post = job.post

    post.edit(post.markdown.replace("\n## ", "\n\nAn added line.\n\n## ", 1), note="tweak")

    post.refresh_from_db()
    assert "An added line." in post.html
    assert "youtube-nocookie.com/embed/" in post.html
    first_link = post.markdown.split("](#", 1)[1].split(")", 1)[0]
    assert f'id="{first_link}"' in post.html  # the contents still lead somewhere
