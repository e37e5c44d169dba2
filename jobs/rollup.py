"""Past days' jobs summed once, for the stats page (models: jobs.models.rollup).

``refresh`` makes every past day of a window current before the page reads it: a day
never summed, or one with a StatsChange note inside it (a job created that day changed
since), is summed again from its jobs. Notes are taken and the day summed in one
transaction, the notes first: a change committed before that is in the sums, and one
committed after leaves its note behind for the next read, so a sum is never stale.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, Sum, Value, When
from django.utils import timezone

from jobs.models import Job, JobStep, StatsChange, StatsDay, StatsGroup, StatsSlowest, StatsStep

DAYS_PER_TRANSACTION = 15
# Days older than the longest window are never read again: forgotten when others are summed.
KEEP_DAYS = 90
# Notes are kept a little longer than their days: another time zone's day of the same
# date starts up to a day earlier.
NOTE_MARGIN = dt.timedelta(days=2)
GROUP_KEYS = ("status", "provider_id", "model", "error_code")
# A day's rows to store, each with the fields of its model.
Rows = list[tuple[dt.date, dict[str, Any]]]
# The page shows the window's five slowest jobs: each day keeps its own five (per owner).
SLOWEST = 5


def day_start(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the current time zone (daylight saving aware)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def day_index(first_day: dt.date, days: int, field: str = "created") -> Case | Value:
    """The number of the local day ``field`` falls on, 0 for ``first_day`` (``days`` for
    after the last): a binary search over the days' starts in SQL, so it runs in the
    database at its speed and knows the time zone's daylight saving changes."""
    starts = [day_start(first_day + dt.timedelta(days=i)) for i in range(days + 1)]

    def between(low: int, high: int) -> Case | Value:  # the index, known to be in [low, high]
        if low == high:
            return Value(low, output_field=IntegerField())
        middle = (low + high + 1) // 2
        return Case(
            When(**{f"{field}__gte": starts[middle]}, then=between(middle, high)),
            default=between(low, middle - 1),
            output_field=IntegerField(),
        )

    return between(0, days)


def refresh(first_day: dt.date, today: dt.date) -> None:
    """Sum again each day from ``first_day`` to the day before ``today`` that is not
    summed, or changed since it was."""
    if first_day >= today:
        return
    stale = _stale(first_day, today)
    # A few days per transaction: on SQLite it holds the write lock, which workers wait for.
    for start in range(0, len(stale), DAYS_PER_TRANSACTION):
        roll_up(
            stale[start : start + DAYS_PER_TRANSACTION],
            keep_from=today - dt.timedelta(days=KEEP_DAYS),
        )


def roll_up(days: list[dt.date], *, keep_from: dt.date) -> None:
    """Sum ``days`` (those still stale) from their jobs, in the current time zone."""
    zone = timezone.get_current_timezone_name()
    try:
        with transaction.atomic():
            # Asked again inside the transaction: on SQLite it waited for the write lock,
            # maybe behind another request that summed the same days.
            still = set(_stale(days[0], days[-1] + dt.timedelta(days=1)))
            days = [day for day in days if day in still]
            if not days:
                return
            spans = list(_spans(days))
            StatsChange.objects.filter(_within(spans)).delete()
            groups, steps, slowest = _sums(spans)
            # Another zone's days would have their notes taken by this zone's sums.
            StatsDay.objects.filter(
                Q(day__in=days) | ~Q(time_zone=zone) | Q(day__lt=keep_from)
            ).delete()
            StatsChange.objects.filter(created__lt=day_start(keep_from) - NOTE_MARGIN).delete()
            made = {
                row.day: row
                for row in StatsDay.objects.bulk_create(
                    StatsDay(time_zone=zone, day=day, start=day_start(day), end=_end(day))
                    for day in days
                )
            }
            StatsGroup.objects.bulk_create(
                (StatsGroup(stats_day=made[day], **row) for day, row in groups),
                batch_size=1000,
            )
            StatsStep.objects.bulk_create(
                (StatsStep(stats_day=made[day], **row) for day, row in steps),
                batch_size=1000,
            )
            StatsSlowest.objects.bulk_create(
                (StatsSlowest(stats_day=made[day], **row) for day, row in slowest),
                batch_size=1000,
            )
    except IntegrityError:
        pass  # another request summed the same days at the same moment: theirs stand


def _stale(first_day: dt.date, today: dt.date) -> list[dt.date]:
    """The days of [first_day, today) never summed in this time zone, or changed since."""
    zone = timezone.get_current_timezone_name()
    changed = StatsChange.objects.filter(
        created__gte=OuterRef("start"), created__lt=OuterRef("end")
    )
    current = set(
        StatsDay.objects.filter(time_zone=zone, day__gte=first_day, day__lt=today)
        .exclude(Exists(changed))
        .values_list("day", flat=True)
    )
    days = (first_day + dt.timedelta(days=i) for i in range((today - first_day).days))
    return [day for day in days if day not in current]


def _end(day: dt.date) -> dt.datetime:
    return day_start(day + dt.timedelta(days=1))


def _spans(days: list[dt.date]) -> Iterable[tuple[dt.date, int]]:
    """Runs of consecutive days, as (first day, how many)."""
    first, count = days[0], 1
    for day in days[1:]:
        if day == first + dt.timedelta(days=count):
            count += 1
        else:
            yield first, count
            first, count = day, 1
    yield first, count


def _within(spans: list[tuple[dt.date, int]], field: str = "created") -> Q:
    condition = Q(pk__in=[])
    for first, count in spans:
        condition |= Q(
            **{
                f"{field}__gte": day_start(first),
                f"{field}__lt": _end(first + dt.timedelta(days=count - 1)),
            }
        )
    return condition


def _sums(spans: list[tuple[dt.date, int]]) -> tuple[Rows, Rows, Rows]:
    """The days' group, step and slowest rows, each once per owner and once for everyone."""
    first = spans[0][0]
    length = (spans[-1][0] - first).days + spans[-1][1]
    completed = Q(status=Job.Status.COMPLETED)
    jobs = (
        Job.objects.not_deleted()
        .filter(_within(spans))
        .order_by()
        .annotate(day=day_index(first, length))
        .values("day", "owner_id", *GROUP_KEYS)
        .annotate(
            jobs=Count("pk"),
            tokens_in=Sum("tokens_in"),
            tokens_out=Sum("tokens_out"),
            run=Sum("run_seconds", filter=completed),
            runs=Count("run_seconds", filter=completed),
        )
    )
    steps = (
        JobStep.objects.filter(
            _within(spans, "job__created"),
            job__deleted_at__isnull=True,
            status=JobStep.Status.DONE,
            run_seconds__isnull=False,
        )
        .order_by()
        .annotate(day=day_index(first, length, "job__created"))
        .values("day", "job__owner_id", "step")
        .annotate(seconds=Sum("run_seconds"), runs=Count("pk"))
    )
    group_rows = _with_everyone(
        ({**row, "run_seconds": row.pop("run")} for row in jobs),
        GROUP_KEYS,
        ("jobs", "tokens_in", "tokens_out", "run_seconds", "runs"),
        first,
    )
    step_rows = _with_everyone(
        ({**row, "owner_id": row.pop("job__owner_id")} for row in steps),
        ("step",),
        ("seconds", "runs"),
        first,
    )
    return group_rows, step_rows, _slowest(spans, first, length)


def _slowest(spans: list[tuple[dt.date, int]], first: dt.date, length: int) -> Rows:
    """Each day's five slowest completed jobs, of each owner and of everyone."""
    runs = (
        Job.objects.not_deleted()
        .filter(_within(spans), status=Job.Status.COMPLETED, run_seconds__isnull=False)
        .order_by("-run_seconds", "pk")
        .annotate(day=day_index(first, length))
        .values_list("day", "owner_id", "pk", "run_seconds")
    )
    kept: dict[tuple, int] = defaultdict(int)
    rows: Rows = []
    for index, owner_id, pk, run_seconds in runs.iterator(chunk_size=2000):
        day = first + dt.timedelta(days=index)
        for everyone in (False, True):
            scope = (day, everyone, None if everyone else owner_id)
            if kept[scope] < SLOWEST:
                kept[scope] += 1
                rows.append(
                    (
                        day,
                        {
                            "everyone": everyone,
                            "owner_id": scope[2],
                            "job_id": pk,
                            "run_seconds": run_seconds,
                        },
                    )
                )
    return rows


def _with_everyone(
    rows: Iterable[dict[str, Any]], keys: tuple[str, ...], sums: tuple[str, ...], first: dt.date
) -> Rows:
    """Each owner's rows as they are, and everyone's: the same summed over owners."""
    out: Rows = []
    everyone: dict[tuple, dict[str, Any]] = defaultdict(lambda: dict.fromkeys(sums, 0))
    for row in rows:
        day = first + dt.timedelta(days=row["day"])
        values = {key: row[key] or 0 for key in sums}
        out.append(
            (
                day,
                {
                    "everyone": False,
                    "owner_id": row["owner_id"],
                    **{k: row[k] for k in keys},
                    **values,
                },
            )
        )
        total = everyone[day, *(row[k] for k in keys)]
        for key in sums:
            total[key] += values[key]
    for (day, *group), values in everyone.items():
        out.append(
            (
                day,
                {
                    "everyone": True,
                    "owner_id": None,
                    **dict(zip(keys, group, strict=True)),
                    **values,
                },
            )
        )
    return out
