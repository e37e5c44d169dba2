from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs import charts
from jobs.models import Job, JobStep
from jobs.stats import job_stats
from providers.models import Provider
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = pytest.mark.django_db


def _job(provider, *, status, days_ago=0, took=None, steps=(), **fields):
    """A job created `days_ago`, with `steps` as (name, seconds) pairs done."""
    job = make_job(provider, status=status, **fields)
    created = timezone.now() - dt.timedelta(days=days_ago)
    update = {"created": created}
    if took is not None:
        update |= {"started": created, "finished": created + dt.timedelta(seconds=took)}
    Job.objects.filter(pk=job.pk).update(**update)
    for name, seconds in steps:
        JobStep.objects.filter(job=job, step=name).update(
            status=JobStep.Status.DONE,
            started=created,
            finished=created + dt.timedelta(seconds=seconds),
        )
    return job


@pytest.fixture
def history():
    offline = Provider.objects.get(slug="offline")
    openai = Provider.objects.get(slug="openai")
    nasty = Provider.objects.create(
        slug="nasty",
        name="<script>alert('p')</script>",
        kind="openai",
        base_url="http://127.0.0.1:9/v1",
        default_model="my-local-model",
    )
    video = Video.objects.create(
        youtube_id="abcdefghijk",
        url="https://youtu.be/abcdefghijk",
        title="<script>alert(1)</script>",
    )
    _job(
        openai,
        status="completed",
        took=40,
        steps=[("fetch_info", 2), ("generate", 30)],
        model="gpt-4o-mini",
        tokens_in=1_000_000,
        tokens_out=1_000_000,
        video=video,
    )
    _job(
        openai,
        status="completed",
        days_ago=1,
        took=20,
        steps=[("fetch_info", 4), ("generate", 10)],
        model="gpt-4o-mini",
        tokens_in=1_000_000,
    )
    _job(offline, status="completed", days_ago=2, took=2, steps=[("generate", 1)])
    _job(offline, status="failed", days_ago=2, error_code="YOUTUBE_BLOCKED")
    _job(nasty, status="cancelled", days_ago=3, model="my-local-model", tokens_in=500)
    _job(offline, status="queued")
    # Outside the 30-day window: counted in 90 days only.
    _job(offline, status="failed", days_ago=45, error_code="VIDEO_UNAVAILABLE")


def test_stats_numbers(history, user):
    s = job_stats(30, user=user)

    assert s.total == 6
    assert s.by_status["completed"] == 3
    assert s.by_status["failed"] == 1
    assert s.by_status["cancelled"] == 1
    assert s.by_status["other"] == 1
    assert s.finished == 5
    assert s.success_rate == pytest.approx(60.0)
    assert s.avg_duration == pytest.approx((40 + 20 + 2) / 3)
    assert len(s.per_day) == 30
    assert s.per_day[-1].counts == {"completed": 1, "failed": 0, "cancelled": 0, "other": 1}
    assert s.per_day[-3].counts["failed"] == 1
    assert sum(d.total for d in s.per_day) == 6
    steps = {t.name: t for t in s.step_times}
    assert list(steps) == ["fetch_info", "generate"]  # in STEPS order
    assert steps["fetch_info"].seconds == pytest.approx(3.0)
    assert steps["generate"].seconds == pytest.approx((30 + 10 + 1) / 3)
    assert steps["generate"].label == "Write the post"
    usage = {p.name: p for p in s.providers}
    assert usage["OpenAI"].jobs == 2
    assert usage["OpenAI"].tokens_in == 2_000_000
    assert usage["OpenAI"].tokens_out == 1_000_000
    # gpt-4o-mini: 0.15 per 1M in, 0.60 per 1M out
    assert usage["OpenAI"].cost == Decimal("0.90")
    assert usage["Offline (no AI, no key)"].cost == 0
    assert usage["<script>alert('p')</script>"].unpriced == ["my-local-model"]
    assert s.cost == Decimal("0.90")
    assert s.errors == [("YOUTUBE_BLOCKED", 1)]

    assert job_stats(90, user=user).total == 7
    assert job_stats(7, user=user).errors == [("YOUTUBE_BLOCKED", 1)]


def test_stats_page_shows_the_numbers_and_charts(client, history):
    response = client.get(reverse("jobs:stats"))

    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-testid="success-rate">60%' in html
    assert 'data-testid="total">6<' in html
    assert 'data-testid="cost">≈ $0.9000' in html
    assert html.count("<svg") == 3
    assert 'role="img"' in html
    assert "<title>Jobs per day, last 30 days</title>" in html
    assert "<title>Average time per step</title>" in html
    # Screen readers get the bars' values in words, formatted as on the bars.
    assert "Fetch video info: 3.0 s; Write the post: 14 s</desc>" in html
    assert "OpenAI: 2,000,000 in, 1,000,000 out;" in html
    assert "Write the post" in html
    assert "YOUTUBE_BLOCKED" in html
    assert "2,000,000" in html
    assert "my-local-model" in html  # named as not priced
    # Titles and names from the database are escaped, in the page and inside the SVG.
    assert "<script>" not in html.split("</head>", 1)[1]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;script&gt;alert(&#x27;p&#x27;)&lt;/script&gt;" in html


def test_range_switch_and_htmx_partial(client, history):
    response = client.get(reverse("jobs:stats"), {"days": "90"}, headers={"HX-Request": "true"})

    html = response.content.decode()
    assert html.lstrip().startswith('<div id="stats-body"')
    assert "<html" not in html
    assert 'data-testid="total">7<' in html
    assert 'href="?days=90" hx-get="?days=90"' in html
    assert "VIDEO_UNAVAILABLE" in html

    # Anything else falls back to 30 days.
    html = client.get(reverse("jobs:stats"), {"days": "1000"}).content.decode()
    assert 'data-testid="total">6<' in html


def test_empty_database_shows_a_friendly_empty_state(client):
    html = client.get(reverse("jobs:stats")).content.decode()

    assert "No jobs yet" in html
    assert "<svg" not in html
    assert f'href="{reverse("jobs:home")}"' in html


def test_no_jobs_in_the_range_offers_a_longer_one(client):
    _job(Provider.objects.get(slug="offline"), status="completed", days_ago=20)

    html = client.get(reverse("jobs:stats"), {"days": "7"}).content.decode()

    assert "No jobs in the last 7 days" in html
    assert 'href="?days=90"' in html


def test_stacked_bars_escape_labels_and_scale_to_the_tallest_day():
    svg = charts.stacked_bars(
        title="Jobs <per> day",
        desc="d",
        labels=["a", "b"],
        tick_labels=["<a>", ""],
        series=[charts.Series("completed", "Completed"), charts.Series("failed", "Failed")],
        values=[{"completed": 2, "failed": 2}, {"completed": 1}],
        tooltip=lambda i: f"bar {i} & more",
    )
    assert svg.startswith("<svg")
    assert "<title>Jobs &lt;per&gt; day</title>" in svg
    assert "&lt;a&gt;" in svg
    assert "bar 0 &amp; more" in svg
    assert svg.count('class="s-completed"') == 2
    assert svg.count('class="s-failed"') == 1  # zero-height segments are not drawn


def test_nice_max():
    assert charts.nice_max(0) == (1, 1)
    assert charts.nice_max(7) == (8, 2)
    assert charts.nice_max(93) == (100, 25)


def test_each_job_counts_on_its_local_day_across_a_daylight_saving_change(settings, user):
    """Days are the reader's time zone's: Berlin's clocks went back on 26 Oct 2025, a
    25-hour day; a job at 23:30 local time that day still counts on the 26th."""
    settings.TIME_ZONE = "Europe/Berlin"
    berlin = ZoneInfo("Europe/Berlin")
    offline = Provider.objects.get(slug="offline")
    now = dt.datetime(2025, 10, 28, 12, 0, tzinfo=berlin)
    for when in (
        dt.datetime(2025, 10, 26, 0, 30, tzinfo=berlin),  # still summer time
        dt.datetime(2025, 10, 26, 23, 30, tzinfo=berlin),  # winter time, same day
        dt.datetime(2025, 10, 27, 0, 0, tzinfo=berlin),  # the next day's first second
        dt.datetime(2025, 10, 25, 23, 59, 59, tzinfo=berlin),  # the day before
    ):
        job = make_job(offline, status="completed")
        Job.objects.filter(pk=job.pk).update(created=when)
    with timezone.override(berlin):
        s = job_stats(7, user=user, now=now)
    totals = {day.day.isoformat(): day.total for day in s.per_day}
    assert totals["2025-10-25"] == 1
    assert totals["2025-10-26"] == 2
    assert totals["2025-10-27"] == 1
    assert s.total == 4


def test_durations_are_stored_by_the_database_to_the_microsecond(offline_provider):
    job = make_job(offline_provider)
    job.claim()
    started = Job.objects.get(pk=job.pk).started
    finished = started + dt.timedelta(seconds=83, microseconds=250_001)
    Job.objects.filter(pk=job.pk).update(finished=finished)
    assert Job.objects.get(pk=job.pk).run_seconds == pytest.approx(83.250001, abs=1e-6)
    job.refresh_from_db()
    job.complete()
    job.refresh_from_db()
    assert job.run_seconds == pytest.approx((job.finished - job.started).total_seconds(), abs=1e-6)
    assert Job.objects.filter(pk=make_job(offline_provider).pk).get().run_seconds is None


@pytest.mark.parametrize("days", [7, 30, 90])
def test_the_stats_page_asks_ten_queries_at_most(
    staff_client, history, days, django_assert_max_num_queries
):
    staff_client.get(reverse("jobs:stats"), {"days": days})  # fills the price table's cache
    with django_assert_max_num_queries(10):
        assert staff_client.get(reverse("jobs:stats"), {"days": days}).status_code == 200
