"""Crash recovery in seconds, not at the broker's pace.

django-q2 redelivers a task only after Q_CLUSTER["retry"] (longer than the job
timeout) and cannot cancel one, so BlogTube does not wait for it: the reaper runs
from django-q2's scheduler every minute, whatever tasks run, and

- puts back in the queue a running job whose heartbeat stopped (its worker died),
  giving it a task of its own;
- gives a task to queued jobs that have waited ready to run for longer than
  BLOGTUBE_LOST_AFTER_SECONDS, since a task only ever runs the next ready job,
  not necessarily its own: a task stranded in a dead cluster strands no job.
"""

from __future__ import annotations

import datetime
import logging

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from jobs.errors import WorkerLost
from jobs.models import Job
from jobs.services import run_soon

log = logging.getLogger(__name__)

REAPER_SCHEDULE = "blogtube-reaper"  # created by migration 0008


def reap() -> tuple[int, int]:
    """(jobs put back or failed, waiting jobs given a task)."""
    return reap_lost_jobs(), nudge_waiting_jobs()


def lost_after() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(seconds=settings.BLOGTUBE_LOST_AFTER_SECONDS)


def reap_lost_jobs() -> int:
    """Put back (or fail, out of attempts) running jobs whose worker stopped answering."""
    cutoff = lost_after()
    reaped = 0
    for job in Job.objects.filter(Job.silent_since(cutoff), status=Job.Status.RUNNING):
        released = job.release_if_lost(
            WorkerLost(), silent_since=cutoff, max_attempts=settings.BLOGTUBE_MAX_ATTEMPTS
        )
        if not released:
            continue  # it finished, answered, started again, or another reaper was first
        log.warning("Job %s was left running by a lost worker: %s", job.pk, job.status)
        if job.status == Job.Status.QUEUED:
            run_soon(job)
        reaped += 1
    return reaped


def nudge_waiting_jobs() -> int:
    """A task for each of the longest-waiting ready jobs, as many as a cluster has workers.

    A task that finds nothing to run ends at once, so a spare one costs little; a job
    whose own task is locked in the broker (fetched by a cluster that died) waits no more.
    """
    cutoff = lost_after()
    waiting = (
        Job.objects.filter(status=Job.Status.QUEUED, updated__lt=cutoff)
        .filter(Q(retry_at__isnull=True) | Q(retry_at__lt=cutoff))
        .order_by("-priority", "created")[: settings.Q_CLUSTER["workers"]]
    )
    nudged = 0
    for job in waiting:
        log.info(
            "Job %s waited over %ss for a worker; queueing a task.",
            job.pk,
            settings.BLOGTUBE_LOST_AFTER_SECONDS,
        )
        run_soon(job)
        nudged += 1
    return nudged
