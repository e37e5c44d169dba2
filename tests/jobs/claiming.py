"""Two workers racing for one job, for the tests that hold the claim to one winner: on
SQLite in-process (tests/jobs/test_worker_guarantees.py) and on PostgreSQL through
`manage.py shell` (tests/scaleout)."""

from __future__ import annotations

import threading

from django.db import connection

from jobs.models import Job, JobEvent
from tests.waiting import HANG_GUARD


def two_workers_claim(job: Job) -> dict[str, object]:
    """Two threads, each with its own database connection, claim one queued job at once.

    Each reads the job while it is still queued, meets the other at a barrier, then
    claims. Also run on PostgreSQL by tests/scaleout, through `manage.py shell`.
    """
    both_loaded = threading.Barrier(2)
    claimed: list[bool] = []
    errors: list[str] = []

    def worker() -> None:
        try:
            mine = Job.objects.get(pk=job.pk)
            both_loaded.wait(HANG_GUARD)
            claimed.append(mine.claim())
        except BaseException as exc:
            errors.append(repr(exc))
        finally:
            connection.close()  # this thread's own connection

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(HANG_GUARD)
    job.refresh_from_db()
    starts = job.events.filter(kind=JobEvent.Kind.STATUS, data__status=Job.Status.RUNNING)
    return {
        "errors": errors,
        "claimed": sorted(claimed),
        "status": job.status,
        "attempts": job.attempts,
        "starts": [event.message for event in starts],
    }
