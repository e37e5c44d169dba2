"""BlogTube's history in numbers: what the stats page shows.

Every figure comes from an aggregate query (GROUP BY in the database); Python
only walks the groups (days, steps, provider+model pairs), never the jobs. The past days
are read from their rollup (jobs.rollup: a few rows per day, whatever the number of jobs),
today from its jobs. Nothing is computed per row in
Python: durations are stored columns (Job.run_seconds) and a job's day is found by
comparing its timestamp with each day's start in SQL.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cached_property
from typing import Any

from django.db import connection
from django.db.models import Count, DateField, F, FloatField, IntegerField, Q, Sum, Value
from django.utils import timezone
from django.utils.safestring import SafeString

from jobs import charts, rollup
from jobs.models import STEPS, Job, JobStep, StatsGroup, StatsSlowest, StatsStep
from jobs.templatetags.blogtube_extras import duration, money
from providers import services as providers

RANGES = (7, 30, 90)
DEFAULT_DAYS = 30

# The stacked series of the per-day chart, bottom to top; queued and running are "other".
SERIES: tuple[tuple[str, str], ...] = (
    ("completed", "Completed"),
    ("failed", "Failed"),
    ("cancelled", "Cancelled"),
    ("other", "Other"),
)
SERIES_KEYS = tuple(key for key, _ in SERIES)
FINISHED = Job.FINISHED


@dataclass(frozen=True)
class Day:
    day: dt.date
    counts: dict[str, int]

    @property
    def total(self) -> int:
        return sum(self.counts.values())


@dataclass(frozen=True)
class StepTime:
    name: str
    label: str
    seconds: float
    count: int


@dataclass
class ProviderUsage:
    name: str
    jobs: int = 0
    tokens_in: int = 0
    tokens_out: int = 0
    cost: Decimal = Decimal(0)
    # A kind not priced (a server of one's own): its tokens cost nothing.
    free: bool = False
    # Models with tokens the price table does not know: their cost is left out.
    unpriced: list[str] = field(default_factory=list)

    @property
    def tokens(self) -> int:
        return self.tokens_in + self.tokens_out

    @property
    def cost_note(self) -> str:
        if self.free:
            return "free"
        if self.unpriced and not self.cost:
            return "price unknown"
        return money(self.cost) + (" + unpriced" if self.unpriced else "")


@dataclass
class JobStats:
    days: int
    since: dt.datetime
    any_jobs: bool
    total: int
    by_status: dict[str, int]
    per_day: list[Day]
    step_times: list[StepTime]
    providers: list[ProviderUsage]
    avg_duration: float | None
    errors: list[tuple[str, int]]
    slowest: list[Job]

    @property
    def finished(self) -> int:
        return sum(self.by_status.get(s, 0) for s in FINISHED)

    @property
    def completed(self) -> int:
        return self.by_status.get(Job.Status.COMPLETED, 0)

    @property
    def success_rate(self) -> float | None:
        """Completed out of finished (completed, failed or cancelled), in percent."""
        return 100 * self.completed / self.finished if self.finished else None

    @property
    def status_totals(self) -> list[tuple[str, str, int]]:
        return [(key, label, self.by_status.get(key, 0)) for key, label in SERIES]

    @property
    def tokens_in(self) -> int:
        return sum(p.tokens_in for p in self.providers)

    @property
    def tokens_out(self) -> int:
        return sum(p.tokens_out for p in self.providers)

    @property
    def cost(self) -> Decimal:
        return sum((p.cost for p in self.providers), Decimal(0))

    @property
    def has_unpriced(self) -> bool:
        return any(p.unpriced for p in self.providers)

    @property
    def unpriced_models(self) -> list[str]:
        return sorted({m for p in self.providers for m in p.unpriced})

    @cached_property  # the page shows it twice
    def prices_as_of(self) -> str:
        return providers.prices_as_of()

    @property
    def series(self) -> tuple[tuple[str, str], ...]:
        return SERIES

    # --- charts -------------------------------------------------------------

    @property
    def per_day_chart(self) -> SafeString:
        every = max(1, math.ceil(len(self.per_day) / 6))
        last = len(self.per_day) - 1

        def tick(i: int, day: dt.date) -> str:
            # Every few days from the right edge, so today always has a label.
            if (last - i) % every:
                return ""
            return day.strftime("%a %d") if self.days <= 7 else day.strftime("%d %b")

        def tooltip(i: int) -> str:
            day = self.per_day[i]
            parts = [f"{n} {label.lower()}" for key, label in SERIES if (n := day.counts[key])]
            detail = f": {', '.join(parts)}" if parts else ""
            return f"{day.day:%a %d %b %Y}, {day.total} job{'s' if day.total != 1 else ''}{detail}"

        return charts.stacked_bars(
            title=f"Jobs per day, last {self.days} days",
            desc=f"{self.total} jobs, stacked by status: "
            + ", ".join(f"{n} {label.lower()}" for _, label, n in self.status_totals),
            labels=[d.day.isoformat() for d in self.per_day],
            tick_labels=[tick(i, d.day) for i, d in enumerate(self.per_day)],
            series=[charts.Series(key, label) for key, label in SERIES],
            values=[d.counts for d in self.per_day],
            tooltip=tooltip,
        )

    @property
    def step_chart(self) -> SafeString:
        return charts.horizontal_bars(
            title="Average time per step",
            bars=[charts.Bar(s.label, [s.seconds]) for s in self.step_times],
            series=[charts.Series("step", "Seconds")],
            fmt=duration,
        )

    @property
    def tokens_chart(self) -> SafeString:
        return charts.horizontal_bars(
            title="Tokens per provider",
            bars=[
                charts.Bar(p.name, [p.tokens_in, p.tokens_out], note=p.cost_note)
                for p in self.providers
                if p.tokens
            ],
            series=[charts.Series("in", "In"), charts.Series("out", "Out")],
            fmt=charts.tokens_display,
        )


def job_stats(days: int = DEFAULT_DAYS, *, user: Any, now: dt.datetime | None = None) -> JobStats:
    """``user``'s history in numbers (staff: everyone's): the past days from their rollup
    (jobs.rollup), today from its jobs."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    first_day = today - dt.timedelta(days=days - 1)
    since = rollup.day_start(first_day)
    rollup.refresh(first_day, today)
    visible = Job.objects.visible_to(user)
    # Every status, named: SQLite then reads today's jobs from (owner, status, created)
    # one status at a time, not every job the person ever had to group them by status.
    live = visible.filter(
        created__gte=rollup.day_start(today), status__in=Job.Status.values
    ).order_by()
    past = {
        "stats_day__time_zone": timezone.get_current_timezone_name(),
        "stats_day__day__gte": first_day,
        "stats_day__day__lt": today,
    }
    by_day, by_provider = _groups(
        StatsGroup.objects.visible_to(user).filter(**past), live, today, first_day
    )

    by_status: dict[str, int] = defaultdict(int)
    errors: dict[str, int] = defaultdict(int)
    for group in by_provider:
        by_status[group["status"]] += group["n"]
        if group["status"] == Job.Status.FAILED and group["error_code"]:
            errors[group["error_code"]] += group["n"]
    by_status["other"] = sum(n for s, n in by_status.items() if s not in FINISHED)
    total = sum(n for s, n in by_status.items() if s != "other")
    runs = sum(group["runs"] for group in by_provider)

    return JobStats(
        days=days,
        since=since,
        any_jobs=total > 0 or visible.exists(),
        total=total,
        by_status=dict(by_status),
        per_day=_per_day(by_day, first_day, days),
        step_times=_step_times(StatsStep.objects.visible_to(user).filter(**past), live),
        providers=_provider_usage(by_provider),
        avg_duration=sum(group["run"] or 0 for group in by_provider) / runs if runs else None,
        errors=sorted(errors.items(), key=lambda item: (-item[1], item[0]))[:5],
        slowest=_slowest(visible, StatsSlowest.objects.visible_to(user).filter(**past), today),
    )


def _slowest(visible, past, today: dt.date) -> list[Job]:
    """The window's five slowest completed jobs, exact: they are among the past days' own
    five slowest (rolled up, with their durations) and today's five slowest."""
    completed = visible.filter(status=Job.Status.COMPLETED, run_seconds__isnull=False)
    longest = ("-run_seconds", "pk")
    past_five = past.order_by("-run_seconds", "job_id").values("job_id")[: rollup.SLOWEST]
    today_five = (
        completed.filter(created__gte=rollup.day_start(today))
        .order_by(*longest)
        .values("pk")[: rollup.SLOWEST]
    )
    # Ten ids, read by primary key. PostgreSQL does that for an IN over a UNION, and would
    # walk the run_seconds index past thousands of jobs for an OR of two INs; SQLite
    # allows no LIMIT inside a UNION, and reads an OR of two INs by primary key.
    if connection.features.supports_slicing_ordering_in_compound:
        candidates = Q(pk__in=past_five.union(today_five, all=True))
    else:
        candidates = Q(pk__in=past_five) | Q(pk__in=today_five)
    return list(
        completed.filter(candidates)
        .select_related("video", "provider", "post")
        .order_by(*longest)[: rollup.SLOWEST]
    )


Groups = list[dict[str, Any]]
# The per-day chart's series a day's row counts in its own column ("other": the rest).
DAY_COLUMNS = {"c": Job.Status.COMPLETED, "f": Job.Status.FAILED, "x": Job.Status.CANCELLED}


def _groups(past, live, today: dt.date, first_day: dt.date) -> tuple[Groups, Groups]:
    """The window's jobs counted two ways in one query, from the rolled-up days' groups
    and today's jobs: per day, by status in columns (the per-day chart), and by status,
    provider, model and error (the totals, the providers' usage, the errors, the average
    duration). Python walks a day's row and a few dozen groups at any number of jobs."""
    completed = Q(status=Job.Status.COMPLETED)
    none = {"tokens_in": Value(0), "tokens_out": Value(0), "run": Value(None, FloatField())}
    zeros = {column: Value(0) for column in DAY_COLUMNS}
    parts = [
        _counted(
            past,
            day=F("stats_day__day"),
            by_provider=False,
            sums={
                "n": Sum("jobs"),
                **none,
                "runs": Value(0),
                **{c: Sum("jobs", filter=Q(status=s)) for c, s in DAY_COLUMNS.items()},
            },
        ),
        _counted(
            past,
            day=Value(None, output_field=DateField()),
            by_provider=True,
            sums={
                "n": Sum("jobs"),
                "tokens_in": Sum("tokens_in"),
                "tokens_out": Sum("tokens_out"),
                "run": Sum("run_seconds"),
                "runs": Sum("runs"),
                **zeros,
            },
        ),
        _counted(
            live,
            day=Value(today, output_field=DateField()),
            by_provider=False,
            sums={
                "n": Count("pk"),
                **none,
                "runs": Value(0),
                **{c: Count("pk", filter=Q(status=s)) for c, s in DAY_COLUMNS.items()},
            },
        ),
        _counted(
            live,
            day=Value(None, output_field=DateField()),
            by_provider=True,
            sums={
                "n": Count("pk"),
                "tokens_in": Sum("tokens_in"),
                "tokens_out": Sum("tokens_out"),
                "run": Sum("run_seconds", filter=completed),
                "runs": Count("run_seconds", filter=completed),
                **zeros,
            },
        ),
    ]
    by_day: Groups = []
    by_provider: Groups = []
    counted = ("n", "tokens_in", "tokens_out", "runs", *DAY_COLUMNS)
    for row in parts[0].union(*parts[1:], all=True):
        # Sums of big integers come back as decimals from PostgreSQL.
        group = {**row, **{key: int(row[key] or 0) for key in counted}}
        if row["d"] is None:
            by_provider.append(
                {"status": row["st"], "provider_id": row["pr"], "model": row["mo"]}
                | {"error_code": row["er"]}
                | {key: group[key] for key in ("n", "tokens_in", "tokens_out", "run", "runs")}
            )
        else:
            counts = {status.value: group[column] for column, status in DAY_COLUMNS.items()}
            by_day.append({"day": (row["d"] - first_day).days, "n": group["n"], "counts": counts})
    return by_day, by_provider


def _counted(rows, *, day, by_provider: bool, sums: dict[str, Any]):
    """``rows`` grouped by day, or by status, provider, model and error: the same columns
    either way (the other grouping's empty), so one UNION reads them all."""
    if by_provider:
        keys = {"st": F("status"), "pr": F("provider_id"), "mo": F("model"), "er": F("error_code")}
    else:
        keys = {
            "st": Value(""),
            "pr": Value(None, output_field=IntegerField()),
            "mo": Value(""),
            "er": Value(""),
        }
    return (
        rows.order_by().annotate(d=day, **keys).values("d", "st", "pr", "mo", "er").annotate(**sums)
    )


def _per_day(groups: Groups, first_day: dt.date, days: int) -> list[Day]:
    counts: dict[int, dict[str, int]] = defaultdict(_zeros)
    for group in groups:
        day = counts[group["day"]]
        for series, n in group["counts"].items():
            day[series] += n
        day["other"] += group["n"] - sum(group["counts"].values())
    return [
        Day(day=first_day + dt.timedelta(days=i), counts=counts.get(i) or _zeros())
        for i in range(days)
    ]


def _zeros() -> dict[str, int]:
    return dict.fromkeys(SERIES_KEYS, 0)


def _step_times(past, live_jobs) -> list[StepTime]:
    """Each step's average over the rolled-up days' sums and today's runs, in one query."""
    seconds: dict[str, float] = defaultdict(float)
    runs: dict[str, int] = defaultdict(int)
    rows = (
        past.order_by()
        .values("step")
        .annotate(seconds=Sum("seconds"), n=Sum("runs"))
        .union(
            JobStep.objects.filter(
                job__in=live_jobs, status=JobStep.Status.DONE, run_seconds__isnull=False
            )
            .order_by()
            .values("step")
            .annotate(seconds=Sum("run_seconds"), n=Count("id")),
            all=True,
        )
    )
    for row in rows:
        seconds[row["step"]] += row["seconds"] or 0.0
        runs[row["step"]] += int(row["n"])
    return [
        StepTime(spec.name, spec.label, seconds[spec.name] / runs[spec.name], runs[spec.name])
        for spec in STEPS
        if runs.get(spec.name)
    ]


def _provider_usage(groups: Groups) -> list[ProviderUsage]:
    rows: dict[tuple[int, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for group in groups:
        row = rows[group["provider_id"], group["model"]]
        for key in ("n", "tokens_in", "tokens_out"):
            row[key] += group[key] or 0
    usage: dict[int, ProviderUsage] = {}
    by_id = providers.Provider.objects.in_bulk({provider_id for provider_id, _ in rows})
    for (provider_id, model), row in sorted(
        rows.items(), key=lambda item: (by_id[item[0][0]].name, item[0][1])
    ):
        provider = by_id[provider_id]
        entry = usage.setdefault(
            provider_id, ProviderUsage(name=provider.name, free=not provider.is_priced)
        )
        tokens_in, tokens_out = row["tokens_in"] or 0, row["tokens_out"] or 0
        entry.jobs += row["n"]
        entry.tokens_in += tokens_in
        entry.tokens_out += tokens_out
        # The offline writer reports no tokens, and a server of one's own charges none.
        if not (tokens_in or tokens_out) or entry.free:
            continue
        model = Job(provider=provider, model=model).writer_model
        cost = providers.cost_usd(model, tokens_in, tokens_out)
        if cost is None:
            entry.unpriced.append(model or "(no model)")
        else:
            entry.cost += cost
    return sorted(usage.values(), key=lambda p: (-p.tokens, p.name))


def parse_days(raw: str | None) -> int:
    try:
        days = int(raw or "")
    except ValueError:
        return DEFAULT_DAYS
    return days if days in RANGES else DEFAULT_DAYS
