from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import execute_from_command_line

from jobs.formatting import PostMeta
from jobs.models import Job
from jobs.services import JobRequest, create_job
from tests.accounts import make_user, signed_in_user
from tests.fakes.transcripts import COMPOST_SRT, short_talk
from tests.jobs.factories import make_job
from videos.models import Transcript

VIDEO_ID = "dQw4w9WgXcQ"
VIDEO_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}&t=42s"
# What the format step knows of a post's source, for tests that format a post themselves.
META = PostMeta(
    fallback_title="Coffee video",
    source_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
    video_id="dQw4w9WgXcQ",
    language="en",
    provider="offline",
    model="extractive",
    date="2025-05-01",
)

POST_FROM_MODEL = (
    "# Sourdough Bread for Beginners\n\n"
    "Baking sourdough at home is easier than it looks, and this post walks through it.\n\n"
    "## The starter\n\nFeed the starter twice a day until it doubles.\n\n"
    "## Baking\n\nBake at 250 degrees with steam for the first twenty minutes.\n"
)


@pytest.fixture
def youtube_video(fake_youtube):
    """A five-minute talk with three chapters and a real-sized transcript."""
    title, segments, chapters = short_talk()
    return fake_youtube.add(
        VIDEO_ID,
        title=title,
        duration=int(segments[-1]["start"] + segments[-1]["duration"]),
        chapters=[(int(c["start"]), c["title"]) for c in chapters],
        transcript=[(s["start"], s["duration"], s["text"]) for s in segments],
    )


@pytest.fixture
def form_data():
    def make(provider, **overrides):
        data = {
            "url": VIDEO_URL,
            "language": "en",
            "provider": provider.pk,
            "model": "",
            "style": "article",
            "length": "medium",
            "output_format": "markdown",
        }
        data.update(overrides)
        return data

    return make


@pytest.fixture
def done_job(monkeypatch) -> Job:
    """A completed job with a stored transcript, so it can be reprocessed."""
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    transcript = Transcript.objects.create(
        language_code="en", source="upload", segments=[], text="Some words."
    )
    job = make_job(
        transcript=transcript,
        options={"style": "newsletter", "length": "short", "tone": "friendly",
                 "write_language": "de", "toc": True, "timestamps": True, "embed": False},
    )  # fmt: skip
    job.claim()
    job.complete()
    return job


@pytest.fixture
def compost_srt(tmp_path) -> Path:
    path = tmp_path / "compost-basics.srt"
    path.write_text(COMPOST_SRT)
    return path


@pytest.fixture
def run_new_job(sync_tasks, django_capture_on_commit_callbacks):
    """Create a job; it runs as a worker runs it, once the creating transaction commits."""

    def create_and_run(request: JobRequest) -> Job:
        request.owner = request.owner or signed_in_user()
        with django_capture_on_commit_callbacks(execute=True):
            job = create_job(request)
        job.refresh_from_db()
        return job

    return create_and_run


@pytest.fixture
def operator(db):
    """A staff account: `manage.py blogtube` makes its jobs in the first one's name."""
    return make_user("operator", staff=True)


@pytest.fixture
def command_line(capsys):
    """`manage.py ARGS` as a shell runs it, in this process: (exit status, stdout, stderr)."""

    def run(*args: str) -> tuple[int, str, str]:
        try:
            execute_from_command_line(["manage.py", *args])
        except SystemExit as exited:
            status = exited.code if isinstance(exited.code, int) else 1
        else:
            status = 0
        out, err = capsys.readouterr()
        return status, out, err

    return run
