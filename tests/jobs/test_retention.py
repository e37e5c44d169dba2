"""What BlogTube keeps: deleting a job removes what it owns, and the hourly clean-up
compacts finished jobs' draft events, deletes jobs past the limit and removes files
no row points to, never touching a queued or running job."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from jobs import retention, services
from jobs.models import Batch, Job, JobEvent
from tests.accounts import make_user
from tests.fakes.transcripts import COMPOST_SRT
from tests.jobs.factories import make_job
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


@pytest.fixture
def clean_up(django_capture_on_commit_callbacks):
    """One run of the hourly clean-up, its files removed as after its commits."""

    def run() -> retention.Report:
        with django_capture_on_commit_callbacks(execute=True):
            return retention.clean_up()

    return run


def finished_days_ago(days: int, status: str = Job.Status.COMPLETED) -> Job:
    with time_machine.travel(timezone.now() - timedelta(days=days), tick=False):
        job = make_job()
        job.claim()
        if status == Job.Status.COMPLETED:
            job.complete()
        else:
            job.mark_cancelled()
            job.refresh_from_db()
    assert job.status == status
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


# --- compaction -------------------------------------------------------------------


# The test client reads the async event stream synchronously, as WSGI would; daphne does not.
@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
def test_compaction_drops_the_draft_events_and_keeps_the_page_and_post(
    uploaded_job, clean_up, client
):
    assert uploaded_job.events.filter(kind=JobEvent.Kind.TOKEN).exists()
    log_before = [e.message for e in uploaded_job.events.all() if e.shows_in_log]
    page_before = client.get(uploaded_job.get_absolute_url()).content.decode()

    assert clean_up().compacted_jobs == 1

    assert not uploaded_job.events.filter(kind__in=retention.DRAFT_KINDS).exists()
    assert [e.message for e in uploaded_job.events.all() if e.shows_in_log] == log_before
    page = client.get(uploaded_job.get_absolute_url()).content.decode()
    post = uploaded_job.post
    assert post.title in page and post.html in page
    for message in log_before:
        assert message in page_before and message in page
    download = client.get(reverse("jobs:download", args=[uploaded_job.pk, "md"]))
    assert b"".join(download).decode() == post.markdown
    # The API's stream of a compacted job still ends, with its steps and status.
    stream = b"".join(client.get(f"/api/v1/jobs/{uploaded_job.pk}/events")).decode()
    assert "event: token" not in stream
    assert "event: step" in stream
    last = stream.strip().split("\n\n")[-1]
    assert json.loads(last.split("data: ", 1)[1]) == {"status": "completed"}
    assert clean_up().compacted_jobs == 0


def test_compaction_keeps_the_draft_of_a_job_without_a_post(clean_up):
    failed = make_job()
    failed.claim()
    failed.append_draft("Half a post", step="generate", percent=50)
    failed.mark_cancelled()
    running = make_job()
    running.claim()
    running.append_draft("Being written", step="generate", percent=50)

    clean_up()

    assert failed.events.filter(kind=JobEvent.Kind.TOKEN).exists()
    assert running.events.filter(kind=JobEvent.Kind.TOKEN).exists()


def test_compaction_can_be_switched_off(uploaded_job, clean_up, settings):
    settings.BLOGTUBE_COMPACT_EVENTS = False
    clean_up()
    assert uploaded_job.events.filter(kind=JobEvent.Kind.TOKEN).exists()


# --- old jobs -------------------------------------------------------------------------


def test_jobs_finished_past_the_limit_go_and_newer_ones_stay(settings, clean_up):
    settings.BLOGTUBE_KEEP_JOBS_DAYS = 30
    old, old_cancelled = finished_days_ago(40), finished_days_ago(31, Job.Status.CANCELLED)
    recent = finished_days_ago(20)
    with time_machine.travel(timezone.now() - timedelta(days=90), tick=False):
        queued = make_job()
        running = make_job()
        running.claim()

    assert clean_up().deleted_jobs == 2

    kept = set(Job.objects.values_list("pk", flat=True))
    assert kept == {recent.pk, queued.pk, running.pk}
    assert old.pk not in kept and old_cancelled.pk not in kept
    assert running.steps.exists() and running.events.exists()


def test_no_limit_keeps_every_job(settings, clean_up):
    settings.BLOGTUBE_KEEP_JOBS_DAYS = 0
    job = finished_days_ago(3650)
    assert clean_up().deleted_jobs == 0
    assert Job.objects.filter(pk=job.pk).exists()


def test_a_run_deletes_at_most_a_batch(settings, clean_up):
    settings.BLOGTUBE_KEEP_JOBS_DAYS = 30
    settings.BLOGTUBE_CLEANUP_BATCH = 2
    for days in (40, 41, 42):
        finished_days_ago(days)
    assert clean_up().deleted_jobs == 2
    assert Job.objects.count() == 1
    assert clean_up().deleted_jobs == 1
    assert Job.objects.count() == 0


def test_a_job_started_again_after_it_was_chosen_is_not_deleted(settings, clean_up, monkeypatch):
    settings.BLOGTUBE_KEEP_JOBS_DAYS = 30
    job = finished_days_ago(40, Job.Status.CANCELLED)
    guarded_delete = Job.delete_if_finished_before

    def retried_then_delete(self, cutoff):
        # Between the clean-up's query and its DELETE, someone retries it and a worker runs it.
        other = Job.objects.get(pk=self.pk)
        other.retry()
        other.claim()
        return guarded_delete(self, cutoff)

    monkeypatch.setattr(Job, "delete_if_finished_before", retried_then_delete)

    assert clean_up().deleted_jobs == 0
    job.refresh_from_db()
    assert job.status == Job.Status.RUNNING
    assert job.steps.exists() and job.events.exists()


# --- orphaned files ---------------------------------------------------------------------


def test_orphaned_files_go_and_referenced_ones_stay(uploaded_job, media_root, clean_up):
    media = Path(media_root)
    referenced = files_under(media)
    (media / "posts" / "deleted-long-ago.md").write_text("# Gone")
    (media / "posts" / "deleted-long-ago.html").write_text("<h1>Gone</h1>")
    (media / "uploads" / "2020" / "01").mkdir(parents=True)
    (media / "uploads" / "2020" / "01" / "nobodys.srt").write_text(COMPOST_SRT)

    # Just written: it may belong to a row whose transaction has yet to commit.
    assert clean_up().removed_files == 0
    assert len(files_under(media)) == len(referenced) + 3

    with time_machine.travel(timezone.now() + timedelta(hours=2), tick=False):
        assert clean_up().removed_files == 3

    assert files_under(media) == referenced


def test_the_clean_up_is_scheduled_every_hour():
    schedule = Schedule.objects.get(name=retention.CLEANUP_SCHEDULE)
    assert schedule.func == "jobs.tasks.clean_up"
    assert schedule.schedule_type == Schedule.HOURLY
    assert schedule.repeats == -1


def test_admin_shows_what_the_clean_up_keeps(admin_client, settings):
    settings.BLOGTUBE_KEEP_JOBS_DAYS = 90
    page = admin_client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert "Keep finished jobs: 90 days" in page
    settings.BLOGTUBE_KEEP_JOBS_DAYS = 0
    page = admin_client.get(reverse("admin:jobs_job_changelist")).content.decode()
    assert "Keep finished jobs: forever" in page


# --- soft delete --------------------------------------------------------------------------


def test_a_deleted_job_is_hidden_then_restorable_then_purged(
    uploaded_job, client, clean_up, media_root, settings
):
    settings.BLOGTUBE_RESTORE_DAYS = 30
    title = uploaded_job.post.title
    detail = uploaded_job.get_absolute_url()

    client.post(reverse("jobs:delete", args=[uploaded_job.pk]))

    assert title not in client.get(reverse("jobs:list")).content.decode()
    assert client.get(detail).status_code == 404
    assert client.get(reverse("jobs:post", args=[uploaded_job.post.slug])).status_code == 404
    assert str(uploaded_job.pk) not in client.get("/api/v1/jobs").content.decode()
    assert client.get(f"/api/v1/jobs/{uploaded_job.pk}").status_code == 404
    bin_page = client.get(reverse("jobs:deleted")).content.decode()
    assert title in bin_page and "30 days" in bin_page

    client.post(reverse("jobs:restore", args=[uploaded_job.pk]))

    assert client.get(detail).status_code == 200
    assert title in client.get(reverse("jobs:list")).content.decode()
    assert title not in client.get(reverse("jobs:deleted")).content.decode()

    client.post(reverse("jobs:delete", args=[uploaded_job.pk]))
    with time_machine.travel(timezone.now() + timedelta(days=29), tick=False):
        assert clean_up().purged_jobs == 0
    assert Job.objects.filter(pk=uploaded_job.pk).exists()
    assert files_under(Path(media_root)) != []
    with time_machine.travel(timezone.now() + timedelta(days=31), tick=False):
        assert clean_up().purged_jobs == 1
    assert not Job.objects.filter(pk=uploaded_job.pk).exists()
    assert files_under(Path(media_root)) == []


def test_a_running_job_is_not_moved_to_the_bin(client):
    running = make_job()
    running.claim()
    response = client.post(reverse("jobs:delete", args=[running.pk]), follow=True)
    assert "Cancel the job before deleting it." in response.content.decode()
    running.refresh_from_db()
    assert running.deleted_at is None


def test_a_queued_job_is_cancelled_on_its_way_to_the_bin(client):
    queued = make_job()
    client.post(reverse("jobs:delete", args=[queued.pk]))
    queued.refresh_from_db()
    assert queued.status == Job.Status.CANCELLED and queued.deleted_at is not None


def test_a_person_cannot_restore_someone_elses_job(client):
    theirs = make_job(owner=make_user("bob"))
    theirs.move_to_bin()
    assert client.post(reverse("jobs:restore", args=[theirs.pk])).status_code == 404
    theirs.refresh_from_db()
    assert theirs.deleted_at is not None


def test_a_deleted_job_leaves_its_batch_page(client, user):
    batch = Batch.objects.create(kind=Batch.Kind.PLAYLIST, title="Sourdough Basics", owner=user)
    kept = make_job(batch=batch, source_url="https://youtu.be/aaaaaaaaaaa")
    binned = make_job(batch=batch, source_url="https://youtu.be/bbbbbbbbbbb")
    binned.move_to_bin()

    page = client.get(batch.get_absolute_url()).content.decode()
    assert kept.source_url in page and binned.source_url not in page
    listed = client.get(f"/api/v1/batches/{batch.pk}").json()["job_ids"]
    assert listed == [str(kept.pk)]
    # Its figures count the jobs it lists: one, not two.
    assert Batch.objects.get(pk=batch.pk).total == 1
