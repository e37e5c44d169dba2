"""The stats page's past days come from a rollup (jobs.rollup); its figures must always
equal a plain count over the jobs, however the jobs changed after their day."""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections import Counter, defaultdict
from zoneinfo import ZoneInfo

import pytest
from django.apps import apps
from django.db import connection, connections, transaction
from django.urls import reverse
from django.utils import timezone

from jobs import rollup
from jobs.apps import _stats_triggers
from jobs.errors import UnexpectedError
from jobs.models import Job, JobStep, StatsChange, StatsDay, StatsGroup
from jobs.models.rollup import drop_triggers
from jobs.stats import RANGES, job_stats
from providers.models import Provider
from tests.accounts import make_user, signed_in_user
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = pytest.mark.django_db

BERLIN = ZoneInfo("Europe/Berlin")
# Two days after Berlin's clocks went back (26 Oct 2025, a 25-hour day).
NOW = dt.datetime(2025, 10, 28, 12, 0, tzinfo=BERLIN)
STEP_NAMES = ("fetch_info", "generate", "publish")
ERRORS = ("YOUTUBE_BLOCKED", "PROVIDER_ERROR", "RATE_LIMITED")


@pytest.fixture
def berlin(settings):
    settings.TIME_ZONE = "Europe/Berlin"
    with timezone.override(BERLIN):
        yield


@pytest.fixture
def people(db):
    return {
        "alice": signed_in_user(),
        "bob": make_user("bob"),
        "staff": make_user("boss", staff=True),
    }


@pytest.fixture
def history(berlin, people):
    """Jobs of three owners (and none) over 100 days, on both sides of the clock change,
    of every status, two providers, with tokens, errors and step times."""
    rng = random.Random(11)
    providers = [Provider.objects.get(slug="offline"), Provider.objects.get(slug="openai")]
    owners = [people["alice"], people["bob"], people["staff"], None]
    video = Video.objects.create(
        youtube_id="abcdefghijk", url="https://youtu.be/abcdefghijk", title="A video"
    )
    edges = [
        dt.datetime(2025, 10, 26, 0, 30, tzinfo=BERLIN),  # still summer time
        dt.datetime(2025, 10, 26, 2, 30, tzinfo=BERLIN, fold=1),  # the hour that came twice
        dt.datetime(2025, 10, 26, 23, 30, tzinfo=BERLIN),  # winter time, same day
        dt.datetime(2025, 10, 27, 0, 0, tzinfo=BERLIN),  # the next day's first instant
        dt.datetime(2025, 10, 25, 23, 59, 59, tzinfo=BERLIN),  # the day before
        dt.datetime(2025, 10, 28, 0, 0, tzinfo=BERLIN),  # today's first instant
        dt.datetime(2025, 10, 28, 11, 0, tzinfo=BERLIN),  # today
    ]
    whens = edges + [NOW - dt.timedelta(days=rng.uniform(0, 100)) for _ in range(60)]
    statuses = ["completed"] * 5 + ["failed"] * 2 + ["cancelled", "queued", "running"]
    for i, when in enumerate(whens):
        status = rng.choice(statuses)
        provider = rng.choice(providers)
        fields = {"created": when}
        if status != "queued":
            fields["started"] = when + dt.timedelta(seconds=rng.randint(1, 30))
        if status in Job.FINISHED:
            # Distinct durations: the slowest five are one list, whatever the ties.
            fields["finished"] = fields["started"] + dt.timedelta(seconds=10 + i * 7.5)
        if status == "failed":
            fields["error_code"] = rng.choice(ERRORS)
        if status != "queued" and provider.slug == "openai":
            fields |= {"tokens_in": rng.randint(1, 9) * 1000, "tokens_out": rng.randint(1, 900)}
        job = make_job(
            provider,
            owner=rng.choice(owners),
            model="gpt-4o-mini" if provider.slug == "openai" else "",
            video=video if i % 3 else None,
        )
        Job.objects.filter(pk=job.pk).update(status=status, **fields)
        if "started" in fields:
            at = fields["started"]
            for name in STEP_NAMES[: rng.randint(0, len(STEP_NAMES))]:
                took = dt.timedelta(seconds=rng.uniform(0.5, 20))
                JobStep.objects.filter(job=job, step=name).update(
                    status=JobStep.Status.DONE, started=at, finished=at + took
                )
                at += took
    return people


def direct(user, days: int, now: dt.datetime = NOW) -> dict:
    """The figures the page must show, counted one job at a time."""
    today = timezone.localdate(now)
    first_day = today - dt.timedelta(days=days - 1)
    since = timezone.make_aware(dt.datetime.combine(first_day, dt.time.min))
    jobs = list(Job.objects.visible_to(user).filter(created__gte=since).select_related("provider"))
    by_status = Counter(job.status for job in jobs)
    per_day: dict[dt.date, Counter] = defaultdict(Counter)
    providers: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for job in jobs:
        status = job.status if job.status in Job.FINISHED else "other"
        per_day[timezone.localdate(job.created)][status] += 1
        usage = providers[job.provider.name]
        usage[0] += 1
        usage[1] += job.tokens_in
        usage[2] += job.tokens_out
    durations = {
        job.pk: (job.finished - job.started).total_seconds()
        for job in jobs
        if job.status == "completed" and job.started and job.finished
    }
    step_runs: dict[str, list[float]] = defaultdict(list)
    for step in JobStep.objects.filter(job__in=[job.pk for job in jobs], status="done"):
        if step.started and step.finished:
            step_runs[step.step].append((step.finished - step.started).total_seconds())
    errors = Counter(job.error_code for job in jobs if job.status == "failed" and job.error_code)
    return {
        "total": len(jobs),
        "by_status": {s: by_status[s] for s in Job.FINISHED},
        "other": sum(n for s, n in by_status.items() if s not in Job.FINISHED),
        "per_day": {day: dict(counts) for day, counts in per_day.items() if day >= first_day},
        "providers": {name: tuple(usage) for name, usage in providers.items()},
        "avg_duration": sum(durations.values()) / len(durations) if durations else None,
        "steps": {name: sum(runs) / len(runs) for name, runs in step_runs.items()},
        "errors": sorted(errors.items(), key=lambda item: (-item[1], item[0]))[:5],
        "slowest": sorted(durations, key=durations.get, reverse=True)[:5],
    }


def shown(user, days: int, now: dt.datetime = NOW) -> dict:
    """The same figures as the page (and the API: the same function) shows them."""
    s = job_stats(days, user=user, now=now)
    return {
        "total": s.total,
        "by_status": {status: s.by_status.get(status, 0) for status in Job.FINISHED},
        "other": s.by_status.get("other", 0),
        "per_day": {
            day.day: {k: n for k, n in day.counts.items() if n} for day in s.per_day if day.total
        },
        "providers": {p.name: (p.jobs, p.tokens_in, p.tokens_out) for p in s.providers},
        "avg_duration": s.avg_duration,
        "steps": {step.name: step.seconds for step in s.step_times},
        "errors": s.errors,
        "slowest": [job.pk for job in s.slowest],
    }


def assert_figures_match(people, now: dt.datetime = NOW) -> None:
    for who, user in people.items():
        for days in RANGES:
            expected, got = direct(user, days, now), shown(user, days, now)
            for key in ("avg_duration", "steps"):
                assert got.pop(key) == pytest.approx(expected.pop(key)), (who, days, key)
            assert got == expected, (who, days)


def job_on(day: dt.date, **filters) -> Job:
    """A job created on local ``day`` (not today: those are read live anyway)."""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    return (
        Job.objects.filter(created__gte=start, created__lt=start + dt.timedelta(days=1), **filters)
        .order_by("created")
        .first()
    )


def an_old(**filters) -> Job:
    """A job from a past day of the window (rolled up when the page is read)."""
    today_start = timezone.make_aware(dt.datetime.combine(NOW.date(), dt.time.min))
    job = (
        Job.objects.not_deleted()
        .filter(created__lt=today_start, created__gte=NOW - dt.timedelta(days=29))
        .filter(**filters)
        .order_by("created")
        .first()
    )
    assert job is not None, filters
    return job


def test_it_counts_every_job_on_its_local_day_from_the_rollup(history):
    assert_figures_match(history)

    # The past days were summed once (one row per day of the longest window)...
    assert StatsDay.objects.count() == 89
    assert StatsGroup.objects.filter(everyone=True).exists()
    # ...and a day's jobs changing behind the rollup's back would show: the page reads it.
    StatsGroup.objects.filter(everyone=True).update(jobs=1000)
    assert job_stats(90, user=history["staff"], now=NOW).total > 1000


def test_it_follows_jobs_that_change_after_their_day(history):
    """Every way a job changes after its day moves the page's figures as it moves a
    plain count of the jobs: run again, failed, written by another provider, binned
    (alone or with its video), restored, purged, deleted, its owner deleted."""
    assert_figures_match(history)
    openai = Provider.objects.get(slug="openai")

    failed = an_old(status="failed")
    failed.retry()
    assert_figures_match(history)
    assert failed.claim()
    failed.record_writer(openai, "gpt-4o-mini")
    failed.add_usage(5000, 700)
    failed.start_step("publish")
    failed.finish_step("publish")
    failed.complete()
    assert_figures_match(history)

    queued = an_old(status="queued")
    assert queued.claim()
    queued.fail(UnexpectedError())
    assert_figures_match(history)

    completed = an_old(status="completed")
    completed.reopen_for_publish()
    assert_figures_match(history)
    assert completed.claim()
    completed.start_step("publish")
    completed.finish_step("publish")
    completed.complete()
    assert_figures_match(history)

    binned = an_old(status="completed")
    assert binned.move_to_bin()
    assert_figures_match(history)
    assert binned.restore()
    assert_figures_match(history)

    with_video = Job.objects.filter(video__isnull=False)
    assert with_video.move_to_bin(timezone.now(), "Moved with its video") > 0
    assert_figures_match(history)
    assert Job.objects.filter(video__isnull=False).restore("Restored with its video") > 0
    assert_figures_match(history)

    purged = an_old(status="failed")
    assert purged.move_to_bin()
    assert purged.delete_if_deleted_before(timezone.now() + dt.timedelta(days=1))
    assert_figures_match(history)

    assert an_old(status="cancelled").delete_if_finished()
    assert_figures_match(history)

    history["bob"].delete()  # his jobs stay, with no owner: staff still count them
    history.pop("bob")
    assert_figures_match(history)


def test_it_follows_changes_made_outside_the_state_machine(history):
    """An admin's edit, a bulk update, a step edited by hand: the database notes them all."""
    assert_figures_match(history)
    job = an_old(status="completed")
    job.tokens_in += 123_456
    job.save()
    assert_figures_match(history)

    Job.objects.filter(status="cancelled").update(status="failed", error_code="RATE_LIMITED")
    assert_figures_match(history)

    step = JobStep.objects.filter(status="done", job__created__lt=NOW - dt.timedelta(days=2))
    step = step.order_by("job__created").first()
    JobStep.objects.filter(pk=step.pk).update(finished=step.finished + dt.timedelta(hours=1))
    assert_figures_match(history)
    JobStep.objects.filter(pk=step.pk).update(status="failed")
    assert_figures_match(history)

    # A job moved to another day leaves both days changed.
    moved = an_old(status="completed")
    Job.objects.filter(pk=moved.pk).update(created=moved.created - dt.timedelta(days=3))
    assert_figures_match(history)


def test_the_rollup_keeps_every_day_the_longest_window_shows():
    assert max(RANGES) <= rollup.KEEP_DAYS


def test_today_is_summed_once_it_is_past_and_old_days_are_forgotten(history):
    assert_figures_match(history)
    today = NOW.date()
    assert not StatsDay.objects.filter(day=today).exists()  # read live

    for later in (1, 2, 45, 200):
        assert_figures_match(history, NOW + dt.timedelta(days=later))
    # The window moved on: only the last 89 days before "today" are kept.
    days = set(StatsDay.objects.values_list("day", flat=True))
    assert min(days) == today + dt.timedelta(days=200 - 89)


def test_another_time_zone_sums_its_own_days(history, settings):
    assert_figures_match(history)
    settings.TIME_ZONE = "America/New_York"
    with timezone.override(ZoneInfo("America/New_York")):
        assert_figures_match(history)
        assert set(StatsDay.objects.values_list("time_zone", flat=True)) == {"America/New_York"}
    assert_figures_match(history)  # and back: summed again in Berlin's days


def test_a_day_is_summed_again_only_when_one_of_its_jobs_changed(history):
    job_stats(90, user=history["staff"], now=NOW)
    # Left: today's (read live) and those of days no window reaches.
    notes = StatsChange.objects.count()
    summed = dict(StatsDay.objects.values_list("day", "pk"))

    job = an_old(status="completed")
    job.log("Nothing the stats count")
    Job.objects.filter(pk=job.pk).update(progress=42, heartbeat=timezone.now())
    assert StatsChange.objects.count() == notes

    assert job.move_to_bin()
    assert StatsChange.objects.count() == notes + 1
    job_stats(90, user=history["staff"], now=NOW)
    assert StatsChange.objects.count() == notes

    day = timezone.localdate(job.created)
    again = dict(StatsDay.objects.values_list("day", "pk"))
    assert again.pop(day) != summed.pop(day)
    assert again == summed


def test_the_triggers_come_back_after_every_migrate(history):
    """SQLite drops a table's triggers when a migration rebuilds it: migrate puts them back
    (and forgets the sums, which writes made meanwhile may have outdated)."""
    assert_figures_match(history)
    drop_triggers(connection)
    an_old(status="completed").move_to_bin()
    _stats_triggers(apps.get_app_config("jobs"))
    assert_figures_match(history)
    assert an_old(status="completed").move_to_bin()
    assert_figures_match(history)


def test_a_plain_users_page_asks_ten_queries_at_most(client, django_assert_max_num_queries):
    openai = Provider.objects.get(slug="openai")
    for days_ago in (0, 1, 5, 40):
        job = make_job(openai, status="completed", model="gpt-4o-mini", tokens_in=10)
        created = timezone.now() - dt.timedelta(days=days_ago)
        Job.objects.filter(pk=job.pk).update(
            created=created, started=created, finished=created + dt.timedelta(seconds=9)
        )
        JobStep.objects.filter(job=job, step="generate").update(
            status="done", started=created, finished=created + dt.timedelta(seconds=5)
        )
    for days in RANGES:
        client.get(reverse("jobs:stats"), {"days": days})  # sums the days, fills caches
        with django_assert_max_num_queries(10):
            assert client.get(reverse("jobs:stats"), {"days": days}).status_code == 200


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_change_committed_while_its_day_is_summed_is_not_lost(berlin, people):
    """A worker's transaction changes a job of a day already stale while a page sums that
    day: the page waits for it (PostgreSQL: the note it holds; SQLite: the write lock), so
    either the sums hold the change or its note outlives them. Never neither."""
    job = make_job(Provider.objects.get(slug="offline"), status="completed", owner=None)
    yesterday = NOW - dt.timedelta(days=1)
    Job.objects.filter(pk=job.pk).update(
        created=yesterday, started=yesterday, finished=yesterday + dt.timedelta(seconds=5)
    )
    job_stats(7, user=people["staff"], now=NOW)  # summed
    Job.objects.filter(pk=job.pk).update(tokens_in=1)  # stale, with a note
    changed, release = threading.Event(), threading.Event()

    def worker() -> None:
        try:
            with transaction.atomic():
                Job.objects.filter(pk=job.pk).update(status="failed", error_code="LATE")
                changed.set()
                release.wait(10)
        finally:
            connections.close_all()

    def page() -> None:
        try:
            job_stats(7, user=people["staff"], now=NOW)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker), threading.Thread(target=page)]
    threads[0].start()
    assert changed.wait(10)
    threads[1].start()
    time.sleep(0.5)  # the page is waiting for the worker's transaction now
    release.set()
    for thread in threads:
        thread.join(20)

    s = job_stats(7, user=people["staff"], now=NOW)
    assert s.by_status.get("failed") == 1
    assert s.errors == [("LATE", 1)]
    assert_figures_match(people)
