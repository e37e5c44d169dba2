"""/metrics: BlogTube's state in Prometheus' text format, computed from the database per scrape.

Why a custom Collector and not per-process counters (django-prometheus): the web and the worker
are several processes that come and go, and a counter kept in one dies with it. The database
already knows every job, step, error, token and provider check, so each scrape asks it, with a
fixed number of aggregate queries whatever the number of rows: by status; the queue; job and
step durations as histograms over the jobs finished in the last BLOGTUBE_METRICS_WINDOW_MINUTES;
failures by error code; tokens and cost by provider; each provider's last check; the worker's
last sighting. Only the open WebSockets are per process: a socket lives in one process, so that
gauge is the process's own.
The page itself, and who may read it: jobs/views/metrics.py.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal

from django.conf import settings
from django.db.models import Count, DurationField, ExpressionWrapper, F, Min, Q, Sum
from django.utils import timezone
from prometheus_client import CollectorRegistry, Gauge
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)

from blogtube_site import workers
from jobs.models import Job, JobStep
from providers import services as providers

JOB_BUCKETS = (5, 15, 30, 60, 120, 300, 600, 1200, 1800, 3600)
STEP_BUCKETS = (0.5, 1, 2, 5, 10, 30, 60, 120, 300, 600)

_DURATION = ExpressionWrapper(F("finished") - F("started"), output_field=DurationField())


def _histogram_aggregates(buckets: tuple[float, ...]) -> dict:
    """Count, sum and one cumulative count per bucket, for `.aggregate()` or `.annotate()`."""
    per_bucket = {
        f"le_{i}": Count("pk", filter=Q(duration__lte=datetime.timedelta(seconds=bound)))
        for i, bound in enumerate(buckets)
    }
    return {"n": Count("pk"), "total": Sum("duration"), **per_bucket}


def _buckets(row: dict, buckets: tuple[float, ...]) -> list[tuple[str, float]]:
    counts = [(str(float(bound)), row[f"le_{i}"]) for i, bound in enumerate(buckets)]
    return [*counts, ("+Inf", row["n"])]


def _seconds(value: datetime.timedelta | None) -> float:
    return value.total_seconds() if value is not None else 0.0


class BlogTubeCollector:
    """Reads the figures from the database at each scrape; see the module's docstring."""

    def describe(self) -> list[Metric]:
        # Nothing at registration: describing would query the database at import.
        return []

    def collect(self) -> Iterator[Metric]:
        now = timezone.now()
        since = now - datetime.timedelta(minutes=settings.BLOGTUBE_METRICS_WINDOW_MINUTES)
        yield from self.jobs_by_status()
        yield from self.queue(now)
        yield from self.durations(since)
        yield from self.failures(since)
        yield from self.usage()
        yield from self.provider_checks(now)
        yield from self.worker(now)

    def jobs_by_status(self) -> Iterator[Metric]:
        # The bin apart: a job deleted on the dashboard is gone for its owner, and counting
        # it by status would keep it in every figure a dashboard sums.
        family = GaugeMetricFamily(
            "blogtube_jobs", "Jobs by status (Recently deleted apart).", labels=["status"]
        )
        in_bin = Q(deleted_at__isnull=False)
        rows = list(
            Job.objects.order_by()
            .values_list("status")
            .annotate(
                live=Count("pk", filter=~in_bin),
                deleted=Count("pk", filter=in_bin),
                extra_runs=Sum(F("attempts") - 1, filter=Q(attempts__gt=1)),
            )
        )
        counts = {status: (live, deleted) for status, live, deleted, _ in rows}
        for status in Job.Status.values:
            family.add_metric([status], counts.get(status, (0, 0))[0])
        yield family
        yield GaugeMetricFamily(
            "blogtube_jobs_deleted",
            "Jobs in Recently deleted: hidden, restorable until the clean-up purges them.",
            value=sum(deleted for _, deleted in counts.values()),
        )
        yield CounterMetricFamily(
            "blogtube_job_retries",
            "Runs beyond each job's first: retries after a passing failure or a lost worker, "
            "and retries asked for, over the jobs kept.",
            value=sum(extra or 0 for *_, extra in rows),
        )

    def queue(self, now: datetime.datetime) -> Iterator[Metric]:
        ready = Q(retry_at__isnull=True) | Q(retry_at__lte=now)
        row = Job.objects.filter(status=Job.Status.QUEUED).aggregate(
            depth=Count("pk", filter=ready),
            oldest=Min("created", filter=ready),
            waiting=Count("pk", filter=~ready),
        )
        yield GaugeMetricFamily(
            "blogtube_queue_depth", "Queued jobs ready to run.", value=row["depth"]
        )
        oldest = (now - row["oldest"]).total_seconds() if row["oldest"] else 0.0
        yield GaugeMetricFamily(
            "blogtube_queue_oldest_age_seconds",
            "Age of the oldest queued job ready to run (0: none).",
            value=max(0.0, oldest),
        )
        yield GaugeMetricFamily(
            "blogtube_jobs_waiting_retry",
            "Jobs that failed for a passing reason and wait to run again.",
            value=row["waiting"],
        )

    def durations(self, since: datetime.datetime) -> Iterator[Metric]:
        timed = dict(started__isnull=False, finished__gte=since)
        job_row = (
            Job.objects.filter(status=Job.Status.COMPLETED, **timed)
            .annotate(duration=_DURATION)
            .aggregate(**_histogram_aggregates(JOB_BUCKETS))
        )
        jobs = HistogramMetricFamily(
            "blogtube_job_duration_seconds",
            "Start to finish of the jobs completed in the window.",
        )
        jobs.add_metric([], _buckets(job_row, JOB_BUCKETS), _seconds(job_row["total"]))
        yield jobs

        steps = HistogramMetricFamily(
            "blogtube_step_duration_seconds",
            "Duration of the steps done in the window, by step.",
            labels=["step"],
        )
        rows = (
            JobStep.objects.filter(status=JobStep.Status.DONE, **timed)
            .annotate(duration=_DURATION)
            .order_by()
            .values("step")
            .annotate(**_histogram_aggregates(STEP_BUCKETS))
            .order_by("step")
        )
        for row in rows:
            steps.add_metric([row["step"]], _buckets(row, STEP_BUCKETS), _seconds(row["total"]))
        yield steps

    def failures(self, since: datetime.datetime) -> Iterator[Metric]:
        family = GaugeMetricFamily(
            "blogtube_failed_jobs",
            "Jobs that failed in the window, by error code (provider, YouTube, input...).",
            labels=["error_code"],
        )
        rows = (
            Job.objects.filter(status=Job.Status.FAILED, finished__gte=since)
            .order_by()
            .values_list("error_code")
            .annotate(n=Count("pk"))
            .order_by("error_code")
        )
        for code, n in rows:
            family.add_metric([code or "UNKNOWN"], n)
        yield family

    def usage(self) -> Iterator[Metric]:
        tokens = CounterMetricFamily(
            "blogtube_tokens",
            "Tokens sent to and received from providers, by every job kept, deleted ones too.",
            labels=["provider", "direction"],
        )
        cost = CounterMetricFamily(
            "blogtube_cost_usd",
            "What the tokens cost at admin's prices (unpriced models count 0), all jobs kept.",
            labels=["provider"],
        )
        rows = (
            Job.objects.order_by()
            .values("provider_id", "model")
            .annotate(tokens_in=Sum("tokens_in"), tokens_out=Sum("tokens_out"))
        )
        by_id = providers.Provider.objects.in_bulk({row["provider_id"] for row in rows})
        tokens_by: dict[str, list[int]] = {}
        cost_by: dict[str, Decimal] = {}
        for row in rows:
            provider = by_id[row["provider_id"]]
            tokens_in, tokens_out = row["tokens_in"] or 0, row["tokens_out"] or 0
            totals = tokens_by.setdefault(provider.slug, [0, 0])
            totals[0] += tokens_in
            totals[1] += tokens_out
            spent = cost_by.setdefault(provider.slug, Decimal(0))
            if (tokens_in or tokens_out) and provider.is_priced:
                model = Job(provider=provider, model=row["model"]).writer_model
                cost_by[provider.slug] = spent + (
                    providers.cost_usd(model, tokens_in, tokens_out) or Decimal(0)
                )
        for slug in sorted(tokens_by):
            tokens.add_metric([slug, "in"], tokens_by[slug][0])
            tokens.add_metric([slug, "out"], tokens_by[slug][1])
            cost.add_metric([slug], float(cost_by[slug]))
        yield tokens
        yield cost

    def provider_checks(self, now: datetime.datetime) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "blogtube_provider_up", "1 if the provider's last check passed.", labels=["provider"]
        )
        latency = GaugeMetricFamily(
            "blogtube_provider_latency_seconds",
            "How long the provider's last check took.",
            labels=["provider"],
        )
        age = GaugeMetricFamily(
            "blogtube_provider_check_age_seconds",
            "How long ago the provider was last checked.",
            labels=["provider"],
        )
        for row in providers.health_summary():
            if row["checked_at"] is None:
                continue
            up.add_metric([row["slug"]], 1 if row["ok"] else 0)
            if row["latency_ms"] is not None:
                latency.add_metric([row["slug"]], row["latency_ms"] / 1000)
            age.add_metric([row["slug"]], (now - row["checked_at"]).total_seconds())
        yield from (up, latency, age)

    def worker(self, now: datetime.datetime) -> Iterator[Metric]:
        sighting = workers.look()
        yield GaugeMetricFamily(
            "blogtube_worker_clusters", "django-q2 clusters running now.", value=sighting.clusters
        )
        age = sighting.age_seconds(now)
        yield GaugeMetricFamily(
            "blogtube_worker_last_seen_seconds",
            "Seconds since a django-q2 cluster was last seen (-1: never).",
            value=-1 if age is None else age,
        )


REGISTRY = CollectorRegistry(auto_describe=False)
REGISTRY.register(BlogTubeCollector())
# The one per-process figure: a socket lives in the process that accepted it.
WEBSOCKETS = Gauge(
    "blogtube_websocket_connections",
    "Open WebSockets in this process, by kind.",
    ["socket"],
    registry=REGISTRY,
)
