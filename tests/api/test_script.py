"""What a script does with the API: upload a transcript, wait for the post, download it.

The worker is run where a script would be waiting (django-q2's qcluster in production)."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from jobs.pipeline import run_job
from tests.fakes.transcripts import COMPOST_SRT

pytestmark = pytest.mark.django_db


def test_a_script_turns_a_transcript_into_markdown(api, fake_youtube):
    created = api.post(
        "/api/v1/jobs",
        {"transcript_file": SimpleUploadedFile("compost.srt", COMPOST_SRT.encode()),
         "provider": "offline", "style": "summary"},
    )  # fmt: skip
    assert created.status_code == 201, created.content
    job_id = created.json()["id"]

    statuses = []
    for _ in range(10):
        job = api.get(f"/api/v1/jobs/{job_id}").json()
        statuses.append(job["status"])
        if job["status"] in ("completed", "failed", "cancelled"):
            break
        run_job(job_id)  # the worker picks it up while the script waits
    assert statuses == ["queued", "completed"], job["error"]
    assert job["progress"] == 100 and {s["status"] for s in job["steps"]} <= {"done", "skipped"}
    assert job["has_post"]

    markdown = api.get(f"/api/v1/jobs/{job_id}/post/markdown")
    assert markdown.status_code == 200
    text = markdown.content.decode()
    assert text.startswith("---\n") and "kitchen scraps" in text
    assert fake_youtube.requests == []
