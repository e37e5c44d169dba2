"""What BlogTube keeps, and the hourly clean-up that lets go of the rest.

Run by a django-q2 Schedule (migration 0011) through jobs.tasks.clean_up. Each part
does a bounded batch per run (BLOGTUBE_CLEANUP_BATCH), so a year of backlog is worked
off over some hours instead of holding SQLite's write lock for minutes. No part ever
touches a queued or running job: each deletion is guarded in the database, not only
chosen by a query that may be stale by the time it runs.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from jobs import services
from jobs.models import Job, JobEvent, Post
from jobs.models.posts import remove_files
from videos import services as videos

log = logging.getLogger(__name__)

CLEANUP_SCHEDULE = "blogtube-cleanup"  # created by migration 0011
# The draft's events: a saved post says the same, once and whole.
DRAFT_KINDS = (JobEvent.Kind.TOKEN, JobEvent.Kind.DRAFT_RESET)
# A file this young may belong to a row not yet committed (an upload saved, a post
# written, inside the transaction that creates its row): never an orphan yet.
ORPHAN_GRACE = datetime.timedelta(hours=1)
POSTS_DIR = "posts"
UPLOADS_DIR = "uploads"
CHUNK = 500


@dataclass(frozen=True)
class Policy:
    """The settings in force, as admin shows them."""

    keep_jobs_days: int
    restore_days: int
    compact_events: bool
    batch: int

    @classmethod
    def current(cls) -> Policy:
        return cls(
            keep_jobs_days=settings.BLOGTUBE_KEEP_JOBS_DAYS,
            restore_days=settings.BLOGTUBE_RESTORE_DAYS,
            compact_events=settings.BLOGTUBE_COMPACT_EVENTS,
            batch=settings.BLOGTUBE_CLEANUP_BATCH,
        )


@dataclass(frozen=True)
class Report:
    compacted_jobs: int
    deleted_jobs: int
    purged_jobs: int
    removed_files: int
    purged_videos: int = 0
    removed_audio: int = 0


def clean_up() -> Report:
    """One run of every part, each within its batch."""
    policy = Policy.current()
    report = Report(
        compacted_jobs=compact_events(policy.batch) if policy.compact_events else 0,
        deleted_jobs=delete_old_jobs(policy.keep_jobs_days, policy.batch),
        purged_jobs=purge_deleted_jobs(policy.restore_days, policy.batch),
        removed_files=remove_orphan_files(policy.batch),
        purged_videos=purge_deleted_videos(policy.restore_days, policy.batch),
        removed_audio=remove_leftover_audio(),
    )
    if report != Report(0, 0, 0, 0):
        log.info("Clean-up: %s", report)
    return report


def compact_events(batch: int) -> int:
    """Drop the draft's events of up to ``batch`` completed jobs whose post is saved.

    The log keeps its status, step and message events; the job page and the API show
    a completed job's post, not its draft, and an event stream resumed past the
    removed ids reads on from the next one that is left.
    """
    job_ids = list(
        Job.objects.filter(
            status=Job.Status.COMPLETED,  # final: no run can write a draft again
            post__isnull=False,
            events__kind__in=DRAFT_KINDS,
        )
        .values_list("pk", flat=True)
        .distinct()[:batch]
    )
    if job_ids:
        JobEvent.objects.filter(
            job_id__in=job_ids, job__status=Job.Status.COMPLETED, kind__in=DRAFT_KINDS
        ).delete()
    return len(job_ids)


def delete_old_jobs(keep_days: int, batch: int) -> int:
    """Delete up to ``batch`` jobs finished more than ``keep_days`` ago, with their
    files; 0 keeps every job."""
    if keep_days <= 0:
        return 0
    cutoff = timezone.now() - datetime.timedelta(days=keep_days)
    chosen = Job.objects.filter(status__in=Job.FINISHED, finished__lt=cutoff)
    chosen = chosen.order_by("finished")[:batch]
    return sum(1 for job in chosen if job.delete_if_finished_before(cutoff))


def purge_deleted_jobs(restore_days: int, batch: int) -> int:
    """Delete for good up to ``batch`` jobs in the bin for more than ``restore_days``."""
    cutoff = timezone.now() - datetime.timedelta(days=restore_days)
    chosen = Job.objects.filter(deleted_at__lt=cutoff).order_by("deleted_at")[:batch]
    return sum(1 for job in chosen if job.delete_if_deleted_before(cutoff))


def purge_deleted_videos(restore_days: int, batch: int) -> int:
    """Delete for good, with their jobs, transcripts and files, up to ``batch`` videos in
    the bin for more than ``restore_days``."""
    cutoff = timezone.now() - datetime.timedelta(days=restore_days)
    chosen = videos.Video.objects.filter(deleted_at__lt=cutoff).order_by("deleted_at")[:batch]
    return sum(1 for video in chosen if services.purge_video_if_deleted_before(video, cutoff))


def remove_leftover_audio() -> int:
    """A video's audio, downloaded for speech-to-text, lives in a temporary folder for the
    length of one job run; a worker killed meanwhile leaves it behind. Older than a run
    may last, nobody reads it."""
    limit = datetime.timedelta(seconds=settings.BLOGTUBE_JOB_TIMEOUT) + ORPHAN_GRACE
    return videos.remove_leftover_audio((timezone.now() - limit).timestamp())


def remove_orphan_files(batch: int) -> int:
    """Remove up to ``batch`` files under MEDIA_ROOT's posts and uploads that no row
    points to (left by a crash between a file and its row, or by older versions that
    deleted rows only)."""
    media = Path(settings.MEDIA_ROOT)
    old_enough = (timezone.now() - ORPHAN_GRACE).timestamp()
    orphans: list[Path] = []
    for found in (_orphan_posts(media / POSTS_DIR), _orphan_uploads(media)):
        for path in found:
            if len(orphans) >= batch:
                break
            if path.stat().st_mtime < old_enough:
                orphans.append(path)
    # A picture folder whose last file goes goes too (remove_files leaves one not empty).
    folders = {path.parent for path in orphans if path.parent.parent == media / POSTS_DIR}
    remove_files([*orphans, *folders])
    return len(orphans)


def _chunks(folder: Path) -> Iterator[list[Path]]:
    # One query a chunk: the database is asked about CHUNK names at a time.
    if not folder.is_dir():
        return
    files = sorted(p for p in folder.rglob("*") if p.is_file())
    for start in range(0, len(files), CHUNK):
        yield files[start : start + CHUNK]


def _slug(path: Path, folder: Path) -> str:
    # <slug>.<extension>, or a picture in <slug>/.
    return path.relative_to(folder).parts[0].split(".", 1)[0]


def _orphan_posts(folder: Path) -> Iterator[Path]:
    # A post's files are <slug>.<extension> and <slug>/<picture>, and its slug is unique.
    for files in _chunks(folder):
        slugs = {_slug(p, folder) for p in files}
        kept = set(Post.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        yield from (p for p in files if _slug(p, folder) not in kept)


def _orphan_uploads(media: Path) -> Iterator[Path]:
    for files in _chunks(media / UPLOADS_DIR):
        names = {p.relative_to(media).as_posix(): p for p in files}
        referenced = Job.objects.filter(transcript_file__in=names)
        kept = set(referenced.values_list("transcript_file", flat=True))
        yield from (path for name, path in names.items() if name not in kept)
