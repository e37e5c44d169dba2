"""Crash recovery in seconds, not at the broker's pace.

django-q2 redelivers a task only after Q_CLUSTER["retry"] (longer than the job
timeout) and cannot cancel one, so BlogTube does not wait for it: the reaper runs
from django-q2's scheduler every minute, whatever tasks run, and

- puts back in the queue a running job whose heartbeat stopped (its worker died),
  giving it a task of its own;
- gives tasks to ready jobs when fewer tasks wait in the broker than there are
  such jobs, since a task runs the next ready job, not necessarily its own: a
  task stranded in a dead cluster strands no job. Every finished run checks too.
"""

from __future__ import annotations

import datetime
import logging
import math
from time import monotonic

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django_q.brokers import get_broker

from jobs.errors import WorkerLost
from jobs.models import Dispatch, Job
from jobs.services import run_soon

log = logging.getLogger(__name__)

REAPER_SCHEDULE = "blogtube-reaper"  # created by migration 0008
# A finished run reaps at most this often in its process. After every job, at several jobs a
# second, it cost each job five queries (more round trips on PostgreSQL) for what one look a
# second finds as well: a lost job is put back only once silent BLOGTUBE_LOST_AFTER_SECONDS.
REAP_AFTER_RUNS_EVERY_SECONDS = 1.0
_last_reap_after_run = -math.inf


def reap() -> tuple[int, int]:
    """(jobs put back or failed, waiting jobs given a task)."""
    return reap_lost_jobs(), nudge_waiting_jobs()


def reap_after_run() -> None:
    """reap(), unless a run of this process did within REAP_AFTER_RUNS_EVERY_SECONDS."""
    global _last_reap_after_run
    now = monotonic()
    if now - _last_reap_after_run < REAP_AFTER_RUNS_EVERY_SECONDS:
        return
    _last_reap_after_run = now
    reap()


def forget_last_reap() -> None:
    """The next finished run reaps, however recent the last (for tests)."""
    global _last_reap_after_run
    _last_reap_after_run = -math.inf


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
    """A task for each ready job beyond the tasks waiting in the broker; the number given.

    Any task runs the most urgent ready job, so the broker needs as many waiting tasks
    as there are ready jobs. Tasks a cluster fetched and then died with stay locked for
    Q_CLUSTER["retry"]: their jobs would wait that long. A live cluster's fetched tasks
    are not counted either, so a few spare tasks may go out; each ends at once when it
    finds nothing to claim.
    """
    if Dispatch.objects.filter(paused=True).exists():
        return 0  # a task would find nothing to claim; resuming nudges them
    settled = timezone.now() - datetime.timedelta(seconds=settings.BLOGTUBE_HEARTBEAT_SECONDS)
    ready = Job.objects.filter(status=Job.Status.QUEUED, updated__lt=settled).filter(
        Q(retry_at__isnull=True) | Q(retry_at__lt=settled)
    )  # and settled: a new job's task goes out just after its commit, a retry's a bit later
    missing = ready.count() - get_broker().queue_size()
    nudged = 0
    for job in ready.order_by("-priority", "created")[: max(missing, 0)]:
        log.info("Job %s is ready but no task waits for it; queueing one.", job.pk)
        run_soon(job)
        nudged += 1
    return nudged
