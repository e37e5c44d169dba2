"""The queue room: what the workers are doing, and the operators' levers on dispatching.

The figures come from a fixed number of aggregate queries (lists are capped), so the page
costs the same at a hundred jobs or a hundred thousand. The levers are guarded UPDATEs:
pausing flips the Dispatch row claim_next's own UPDATE checks, and clearing cancels only
rows still queued at the moment of the UPDATE. Each lever writes one QueueAction.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Count, Min, Q
from django.utils import timezone
from django.utils.safestring import SafeString

from blogtube_site import workers
from jobs import charts
from jobs.models import Dispatch, Job, JobEvent, QueueAction
from jobs.recovery import nudge_waiting_jobs

LIST_LIMIT = 50  # running and waiting jobs listed at most: the counts say the rest
BUCKET_MINUTES = 10
BUCKETS = 6  # the last hour
CLEAR_BATCH = 500

FINISHED_SERIES = (
    charts.Series("completed", "Completed"),
    charts.Series("failed", "Failed"),
    charts.Series("cancelled", "Cancelled"),
)


@dataclass(frozen=True)
class Bucket:
    start: dt.datetime
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass
class QueueStatus:
    now: dt.datetime
    paused: bool
    draining: bool
    clusters: list[workers.Cluster]
    last_seen: dt.datetime | None
    queued_by_priority: list[tuple[int, int]]  # (priority, ready jobs), most urgent first
    running: list[Job]
    running_count: int
    waiting: list[Job]  # waiting out a transient failure, soonest first
    waiting_count: int
    oldest_waiting: dt.datetime | None  # the oldest ready job's creation
    throughput: list[Bucket] = field(default_factory=list)

    @property
    def queued_count(self) -> int:
        return sum(n for _, n in self.queued_by_priority)

    @property
    def oldest_waiting_seconds(self) -> float | None:
        if self.oldest_waiting is None:
            return None
        return max(0.0, (self.now - self.oldest_waiting).total_seconds())

    @property
    def finished_last_hour(self) -> int:
        return sum(b.total for b in self.throughput)

    @property
    def state(self) -> str:
        if self.draining:
            return (
                f"draining, {self.running_count} still running" if self.running_count else "drained"
            )
        return "paused" if self.paused else "dispatching"

    def heartbeat_age(self, job: Job) -> float | None:
        beat = job.heartbeat or job.started
        return None if beat is None else max(0.0, (self.now - beat).total_seconds())

    @property
    def running_rows(self) -> list[tuple[Job, float | None]]:
        """Each running job listed, with how long ago its worker last spoke."""
        return [(job, self.heartbeat_age(job)) for job in self.running]

    @property
    def series(self) -> tuple[charts.Series, ...]:
        return FINISHED_SERIES

    def chart(self) -> SafeString:
        labels = [timezone.localtime(b.start).strftime("%H:%M") for b in self.throughput]
        return charts.stacked_bars(
            title="Jobs finished per 10 minutes",
            desc="; ".join(
                f"{lab}: {b.total}" for lab, b in zip(labels, self.throughput, strict=True)
            ),
            labels=labels,
            tick_labels=labels,
            series=FINISHED_SERIES,
            values=[b.counts for b in self.throughput],
            tooltip=lambda i: f"{labels[i]}: {self.throughput[i].total} finished",
        )

    def as_dict(self) -> dict[str, Any]:
        """The same figures for the command line and the JSON API."""
        return {
            "state": self.state,
            "paused": self.paused,
            "draining": self.draining,
            "workers": [c.as_dict() for c in self.clusters],
            "last_seen": self.last_seen.isoformat() if self.last_seen else None,
            "queued": self.queued_count,
            "queued_by_priority": [{"priority": p, "jobs": n} for p, n in self.queued_by_priority],
            "running": self.running_count,
            "running_jobs": [
                {"id": str(j.pk), "heartbeat_age_seconds": self.heartbeat_age(j)}
                for j in self.running
            ],
            "waiting_to_retry": self.waiting_count,
            "retries": [
                {"id": str(j.pk), "retry_at": j.retry_at.isoformat() if j.retry_at else None}
                for j in self.waiting
            ],
            "oldest_waiting_seconds": self.oldest_waiting_seconds,
            "finished_last_hour": [
                {"start": b.start.isoformat(), **b.counts} for b in self.throughput
            ],
        }


def dispatch() -> Dispatch:
    return Dispatch.objects.filter(pk=Dispatch.SINGLETON).first() or Dispatch()


def status(now: dt.datetime | None = None) -> QueueStatus:
    now = now or timezone.now()
    state = dispatch()
    queued = Job.objects.filter(status=Job.Status.QUEUED)
    ready = queued.filter(Q(retry_at__isnull=True) | Q(retry_at__lte=now))
    later = queued.filter(retry_at__gt=now)
    running = Job.objects.filter(status=Job.Status.RUNNING)
    sighting = workers.look()
    return QueueStatus(
        now=now,
        paused=state.paused,
        draining=state.draining,
        clusters=workers.clusters() if sighting.clusters else [],
        last_seen=sighting.last_seen,
        queued_by_priority=list(
            ready.order_by("-priority")
            .values("priority")
            .annotate(n=Count("pk"))
            .values_list("priority", "n")
        ),
        running=list(running.select_related("video").order_by("started")[:LIST_LIMIT]),
        running_count=running.count(),
        waiting=list(later.select_related("video").order_by("retry_at")[:LIST_LIMIT]),
        waiting_count=later.count(),
        oldest_waiting=ready.aggregate(oldest=Min("created"))["oldest"],
        throughput=throughput(now),
    )


def throughput(now: dt.datetime) -> list[Bucket]:
    """Jobs finished in each 10-minute bucket of the last hour, oldest first: one query."""
    step = dt.timedelta(minutes=BUCKET_MINUTES)
    end = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=now.minute % BUCKET_MINUTES)
    starts = [end - step * (BUCKETS - 1 - i) for i in range(BUCKETS)]
    counts = {
        f"{i}_{s.key}": Count(
            "pk", filter=Q(status=s.key, finished__gte=start, finished__lt=start + step)
        )
        for i, start in enumerate(starts)
        for s in FINISHED_SERIES
    }
    row = Job.objects.filter(finished__gte=starts[0]).aggregate(**counts)
    return [
        Bucket(start, {s.key: row[f"{i}_{s.key}"] for s in FINISHED_SERIES})
        for i, start in enumerate(starts)
    ]


# --- levers ---------------------------------------------------------------------------


def _set_dispatch(*, paused: bool, draining: bool) -> None:
    Dispatch.objects.update_or_create(
        pk=Dispatch.SINGLETON,
        defaults={"paused": paused, "draining": draining, "changed": timezone.now()},
    )


def _record(kind: str, user: Any, actor: str, jobs: int) -> QueueAction:
    return QueueAction.objects.create(
        user=user if user is not None and user.is_authenticated else None,
        actor=actor or (user.get_username() if user is not None else ""),
        kind=kind,
        jobs=jobs,
    )


def pause(user: Any = None, *, actor: str = "") -> QueueAction:
    """Workers take no new job; running ones finish."""
    with transaction.atomic():
        _set_dispatch(paused=True, draining=False)
        return _record(QueueAction.Kind.PAUSE, user, actor, 0)


def drain(user: Any = None, *, actor: str = "") -> QueueAction:
    """A pause that watches the running jobs finish: the page counts them down."""
    with transaction.atomic():
        _set_dispatch(paused=True, draining=True)
        running = Job.objects.filter(status=Job.Status.RUNNING).count()
        return _record(QueueAction.Kind.DRAIN, user, actor, running)


def resume(user: Any = None, *, actor: str = "") -> QueueAction:
    """Dispatch again, and give the jobs whose tasks found the queue paused a task each."""
    with transaction.atomic():
        _set_dispatch(paused=False, draining=False)
        action = _record(QueueAction.Kind.RESUME, user, actor, 0)
    action.jobs = nudge_waiting_jobs()
    QueueAction.objects.filter(pk=action.pk).update(jobs=action.jobs)
    return action


def clear(user: Any = None, *, actor: str = "") -> QueueAction:
    """Cancel every job queued now (waiting to retry included); running ones go on.

    Each batch is one guarded UPDATE (still queued at that moment) and a "Cancelled"
    event for exactly the rows it changed, which it marks by their shared finish time.
    Jobs queued after the click are left alone, so the loop ends.
    """
    started = timezone.now()
    cancelled = 0
    while True:
        pks = list(
            Job.objects.filter(status=Job.Status.QUEUED, created__lte=started)
            .order_by("created")
            .values_list("pk", flat=True)[:CLEAR_BATCH]
        )
        if not pks:
            break
        now = timezone.now()
        with transaction.atomic():
            Job.objects.filter(pk__in=pks, status=Job.Status.QUEUED).update(
                status=Job.Status.CANCELLED, finished=now, updated=now, retry_at=None
            )
            changed = list(
                Job.objects.filter(
                    pk__in=pks, status=Job.Status.CANCELLED, finished=now
                ).values_list("pk", flat=True)
            )
            JobEvent.objects.bulk_create(
                JobEvent(
                    job_id=pk,
                    kind=JobEvent.Kind.STATUS,
                    level=JobEvent.Level.WARNING,
                    message="Cancelled: the queue was cleared",
                    data={"status": Job.Status.CANCELLED},
                )
                for pk in changed
            )
            transaction.on_commit(lambda changed=changed: _ring_all(changed))
        cancelled += len(changed)
    return _record(QueueAction.Kind.CLEAR, user, actor, cancelled)


def _ring_all(pks: list[Any]) -> None:
    from jobs.doorbell import ring

    for pk in pks:
        ring(pk)
