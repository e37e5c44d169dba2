"""A running job's sign of life, written from a thread of its own.

The pipeline's writes (steps, drafts) say the job is alive too, but one model call
or one transcript download may take minutes without any: a small thread per running
job writes the heartbeat every BLOGTUBE_HEARTBEAT_SECONDS meanwhile, so only a dead
worker (killed, out of memory, machine gone) falls silent and gets reaped. Each beat
also reaps: while any job runs, a lost one is put back within a beat of its limit.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from jobs.models import Job
from jobs.recovery import reap_lost_jobs

log = logging.getLogger(__name__)


@contextmanager
def beating(job: Job) -> Iterator[None]:
    """Keep the job's heartbeat fresh while the block runs."""
    stop = threading.Event()
    thread = threading.Thread(
        target=_beat, args=(job, stop), name=f"heartbeat-{job.pk}", daemon=True
    )
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)  # django-q2 kills a timed-out task 3 s after it


def _beat(job: Job, stop: threading.Event) -> None:
    try:
        while not stop.wait(settings.BLOGTUBE_HEARTBEAT_SECONDS):
            if not job.beat():
                # Put back by the reaper (and maybe claimed again), or ended: the run's next
                # write fails on its lease and stops it; nothing left to keep alive.
                if not stop.is_set():  # else the job just ended, and all is well
                    log.warning("Job %s is no longer run by this worker; heartbeat stops.", job.pk)
                return
            if not settings.BLOGTUBE_TASKS_SYNC:  # else the put-back job would run right here
                # A live worker notices a dead one's silence sooner than the minutely schedule.
                reap_lost_jobs()
    except Exception:
        # A missed beat or two is what the reaper's margin is for; never kill the job over it.
        log.exception("Heartbeat of job %s failed", job.pk)
    finally:
        connection.close()  # this thread's own connection
