"""What BlogTube keeps: deleting a job removes what it owns."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs import services
from jobs.models import Job, JobEvent
from tests.fakes.transcripts import COMPOST_SRT
from videos.models import Transcript

pytestmark = pytest.mark.django_db


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


@pytest.fixture
def uploaded_job(run_new_job, offline_provider) -> Job:
    """A completed job written from an uploaded transcript: post files and an upload on disk."""
    upload = SimpleUploadedFile("compost.srt", COMPOST_SRT.encode())
    job = run_new_job(services.JobRequest(provider=offline_provider, transcript_file=upload))
    assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    return job


# --- deleting a job -------------------------------------------------------------


def test_deleting_a_job_leaves_none_of_its_files_or_rows(
    uploaded_job, media_root, django_capture_on_commit_callbacks
):
    media = Path(media_root)
    slug = uploaded_job.post.slug
    assert f"posts/{slug}.md" in files_under(media)
    assert any(name.startswith("uploads/") for name in files_under(media))

    with django_capture_on_commit_callbacks(execute=True):
        services.delete(uploaded_job)

    assert files_under(media) == []
    assert not Job.objects.filter(pk=uploaded_job.pk).exists()
    assert not Transcript.objects.filter(pk=uploaded_job.transcript_id).exists()
    assert not JobEvent.objects.filter(job_id=uploaded_job.pk).exists()


def test_a_reprocessed_upload_stays_while_the_new_job_uses_it(
    uploaded_job, media_root, django_capture_on_commit_callbacks, monkeypatch
):
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    again = services.reprocess(uploaded_job, uploaded_job.owner)
    upload = Path(uploaded_job.transcript_file.path)

    with django_capture_on_commit_callbacks(execute=True):
        services.delete(uploaded_job)

    assert upload.exists()
    again.refresh_from_db()
    assert again.transcript_file.read().decode() == COMPOST_SRT
    assert again.transcript.text  # the stored transcript it reprocesses from
    assert not any(name.startswith("posts/") for name in files_under(Path(media_root)))


def test_deleting_in_admin_removes_the_jobs_files(
    uploaded_job, media_root, admin_client, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        admin_client.post(reverse("admin:jobs_job_delete", args=[uploaded_job.pk]), {"post": "yes"})
    assert not Job.objects.filter(pk=uploaded_job.pk).exists()
    assert files_under(Path(media_root)) == []
