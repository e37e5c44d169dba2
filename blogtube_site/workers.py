"""Whether a django-q2 cluster is running, and when one was last seen.

The cluster's sentinel saves its `Stat` through the broker every half second with a 3-second
expiry: the ORM broker keeps it in the Django cache, the Redis broker in Redis. Both are shared by
every process, so `Stat.get_all()` lets the web process see a cluster in a few reads, with no
schedule of our own: a heartbeat task would wait behind long jobs in the queue and call a busy
worker dead.

A Stat only says "alive in the last 3 seconds". So that a restart of a few seconds does not fail
readiness, a sighting is remembered in the cache (at most every few seconds per process, the
database cache's writes being five queries): "last seen" is the last time anyone looked and found
a cluster.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone

LAST_SEEN_KEY = "blogtube:worker-last-seen"
REMEMBER_EVERY_SECONDS = 5.0

_remembered = {"at": 0.0}


@dataclass(frozen=True)
class Sighting:
    clusters: int  # running now
    last_seen: datetime.datetime | None

    def age_seconds(self, now: datetime.datetime | None = None) -> float | None:
        if self.last_seen is None:
            return None
        return max(0.0, ((now or timezone.now()) - self.last_seen).total_seconds())


def running_clusters() -> int:
    from django_q.status import Stat

    return len(Stat.get_all())


@dataclass(frozen=True)
class Cluster:
    """One running cluster as its sentinel last reported it."""

    host: str
    pid: int
    workers: int
    status: str
    last_seen: datetime.datetime

    def as_dict(self) -> dict[str, object]:
        return {
            "host": self.host,
            "pid": self.pid,
            "workers": self.workers,
            "status": self.status,
            "last_seen": self.last_seen.isoformat(),
        }


def clusters() -> list[Cluster]:
    """The clusters running now: host, pid, worker processes, when each last reported."""
    from django_q.status import Stat

    return [
        Cluster(
            host=str(stat.host),
            pid=int(stat.pid),
            workers=len(stat.workers or []),
            status=str(stat.status),
            last_seen=stat.timestamp,
        )
        for stat in Stat.get_all()
    ]


def look() -> Sighting:
    """Clusters running now, and when one was last seen (now, if any runs)."""
    clusters = running_clusters()
    if clusters:
        now = timezone.now()
        if time.monotonic() - _remembered["at"] >= REMEMBER_EVERY_SECONDS:
            cache.set(LAST_SEEN_KEY, now, None)
            _remembered["at"] = time.monotonic()
        return Sighting(clusters, now)
    return Sighting(0, cache.get(LAST_SEEN_KEY))


def forget() -> None:
    """Write the next sighting whatever the time (tests: each starts with an empty cache)."""
    _remembered["at"] = 0.0
