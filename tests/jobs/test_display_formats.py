"""Money and durations read the same on every page: one set of template filters."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from jobs.templatetags.blogtube_extras import duration, money, money_estimate, time_left
from providers.models import ProviderHealth
from tests.jobs.factories import make_job


@pytest.mark.parametrize(
    "value, shown",
    [
        (None, ""),
        (Decimal(0), "$0"),
        (Decimal("0.0027"), "≈ $0.0027"),
        (Decimal("0.9"), "≈ $0.9000"),
        (Decimal("1234.5"), "≈ $1,234.50"),
    ],
)
def test_money(value, shown):
    assert money(value) == shown


@pytest.mark.parametrize(
    "value, shown",
    [
        (Decimal("0.0004"), "less than $0.001"),
        (Decimal("0.0031"), "about $0.003"),
        (Decimal("0.054"), "about $0.05"),
        (Decimal("1234.5"), "about $1,234.50"),
    ],
)
def test_money_estimate(value, shown):
    assert money_estimate(value) == shown


@pytest.mark.parametrize(
    "seconds, shown",
    [(None, ""), (4.21, "4.2 s"), (42.4, "42 s"), (59.7, "1m 00s"), (187, "3m 07s")],
)
def test_duration(seconds, shown):
    assert duration(seconds) == shown


def test_time_left():
    assert (time_left(None), time_left(30), time_left(290)) == (
        "",
        "less than a minute left",
        "about 5 min left",
    )


@pytest.mark.django_db
def test_the_job_page_and_the_jobs_list_show_a_run_time_alike(client):
    job = make_job()
    job.claim()
    job.complete()
    started = timezone.now() - timedelta(seconds=65)
    Job.objects.filter(pk=job.pk).update(started=started, finished=started + timedelta(seconds=65))
    assert "took 1m 05s" in client.get(job.get_absolute_url()).content.decode()
    assert "<td>1m 05s</td>" in client.get("/jobs/").content.decode()


@pytest.mark.django_db
def test_a_step_time_on_the_job_page_is_a_duration(client):
    job = make_job()
    job.claim()
    job.start_step("validate")
    job.finish_step("validate")
    now = timezone.now()
    job.steps.filter(step="validate").update(started=now - timedelta(seconds=75), finished=now)
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Done · 1m 15s" in html


@pytest.mark.django_db
def test_moments_read_alike_on_the_jobs_list_and_the_provider_pages(client, llm_provider):
    job = make_job()
    three_minutes_ago = timezone.now() - timedelta(minutes=3)
    Job.objects.filter(pk=job.pk).update(created=three_minutes_ago)
    ProviderHealth.objects.create(provider=llm_provider, ok=True, latency_ms=5)
    ProviderHealth.objects.filter(provider=llm_provider).update(checked_at=three_minutes_ago)
    stamp = timezone.localtime(three_minutes_ago).strftime("%Y-%m-%d %H:%M:%S")
    moment = f'title="{stamp}">3\xa0minutes ago</time>'
    assert moment in client.get("/jobs/").content.decode()
    providers_page = client.get(reverse("providers:list")).content.decode()
    assert moment in providers_page
