"""/metrics: Prometheus text a scraper parses, computed from the database, for staff or a token."""

from __future__ import annotations

import datetime

import pytest
from channels.db import database_sync_to_async
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from prometheus_client.parser import text_string_to_metric_families

from blogtube_site.asgi import application
from jobs.models import Job, JobStep
from providers.models import ModelPrice, Provider, ProviderHealth
from tests.accounts import make_user
from tests.jobs.factories import make_job
from tests.ops.workers import a_cluster_reports
from tests.websocket import Communicator, signed_in_headers

TOKEN = "s3cret-scrape-token"


@pytest.fixture(autouse=True)
def metrics_token(settings):
    settings.BLOGTUBE_METRICS_TOKEN = TOKEN


def scrape(client: Client | None = None) -> dict[str, dict]:
    """{family name: {(labels...): value}} of one scrape, as a Prometheus server reads it."""
    client = client or Client(HTTP_AUTHORIZATION=f"Bearer {TOKEN}")
    response = client.get("/metrics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain; version=")
    families = {}
    for family in text_string_to_metric_families(response.content.decode()):
        families[family.name] = {
            (sample.name, tuple(sorted(sample.labels.items()))): sample.value
            for sample in family.samples
        }
    return families


def value(families: dict, family: str, sample: str | None = None, **labels) -> float:
    return families[family][(sample or family, tuple(sorted(labels.items())))]


def finished_jobs() -> None:
    now = timezone.now()
    openai = Provider.objects.get(slug="openai")
    ModelPrice.objects.update_or_create(
        model="gpt-4o-mini",
        defaults={"input_usd_per_mtok": 1, "output_usd_per_mtok": 2, "as_of": now.date()},
    )
    done = make_job(provider=openai, model="gpt-4o-mini")
    Job.objects.filter(pk=done.pk).update(
        status=Job.Status.COMPLETED,
        started=now - datetime.timedelta(seconds=40),
        finished=now,
        tokens_in=1_000_000,
        tokens_out=500_000,
        attempts=3,  # two retries before it completed
    )
    JobStep.objects.filter(job=done).update(
        status=JobStep.Status.DONE,
        started=now - datetime.timedelta(seconds=3),
        finished=now - datetime.timedelta(seconds=1),
    )
    failed = make_job()
    Job.objects.filter(pk=failed.pk).update(
        status=Job.Status.FAILED, finished=now, error_code="PROVIDER_UNAVAILABLE"
    )
    make_job()  # queued, ready
    make_job(retry_at=now + datetime.timedelta(minutes=5))  # waiting to retry
    ProviderHealth.objects.create(provider=openai, ok=False, latency_ms=250)


@pytest.mark.django_db
def test_anonymous_visitors_need_the_token_and_people_need_staff(client):
    anonymous = Client().get("/metrics")
    assert anonymous.status_code == 401
    assert anonymous["WWW-Authenticate"].startswith("Bearer")
    assert Client(HTTP_AUTHORIZATION="Bearer wrong").get("/metrics").status_code == 401
    assert client.get("/metrics").status_code == 403  # signed in, not staff
    staff = Client()
    staff.force_login(make_user("boss", staff=True))
    assert "blogtube_jobs" in scrape(staff)


@pytest.mark.django_db
def test_no_token_configured_lets_no_scraper_in(settings):
    settings.BLOGTUBE_METRICS_TOKEN = ""
    assert Client(HTTP_AUTHORIZATION="Bearer ").get("/metrics").status_code == 401


@pytest.mark.django_db
def test_the_figures_are_the_databases():
    finished_jobs()
    a_cluster_reports()
    families = scrape()
    assert value(families, "blogtube_jobs", status="completed") == 1
    assert value(families, "blogtube_jobs", status="failed") == 1
    assert value(families, "blogtube_jobs", status="queued") == 2
    assert value(families, "blogtube_queue_depth") == 1
    assert value(families, "blogtube_job_retries", "blogtube_job_retries_total") == 2
    assert value(families, "blogtube_jobs_waiting_retry") == 1
    assert value(families, "blogtube_queue_oldest_age_seconds") >= 0
    duration = "blogtube_job_duration_seconds"
    assert value(families, duration, f"{duration}_count") == 1
    assert value(families, duration, f"{duration}_sum") == pytest.approx(40, abs=1)
    assert value(families, duration, f"{duration}_bucket", le="30.0") == 0
    assert value(families, duration, f"{duration}_bucket", le="60.0") == 1
    steps = "blogtube_step_duration_seconds"
    assert value(families, steps, f"{steps}_count", step="generate") == 1
    assert value(families, steps, f"{steps}_bucket", step="generate", le="2.0") == 1
    assert value(families, steps, f"{steps}_bucket", step="generate", le="1.0") == 0
    assert value(families, "blogtube_failed_jobs", error_code="PROVIDER_UNAVAILABLE") == 1
    tokens = "blogtube_tokens"
    assert value(families, tokens, f"{tokens}_total", provider="openai", direction="in") == 1e6
    assert value(families, tokens, f"{tokens}_total", provider="openai", direction="out") == 5e5
    # 1M tokens in at $1 and 0.5M out at $2 a million.
    assert value(families, "blogtube_cost_usd", "blogtube_cost_usd_total", provider="openai") == 2
    assert value(families, "blogtube_provider_up", provider="openai") == 0
    assert value(families, "blogtube_provider_latency_seconds", provider="openai") == 0.25
    assert value(families, "blogtube_worker_clusters") == 1
    assert 0 <= value(families, "blogtube_worker_last_seen_seconds") < 60


@pytest.mark.django_db
def test_jobs_in_recently_deleted_are_counted_apart():
    finished_jobs()
    failed = Job.objects.get(status=Job.Status.FAILED)
    assert failed.move_to_bin()
    families = scrape()
    assert value(families, "blogtube_jobs", status="failed") == 0
    assert value(families, "blogtube_jobs", status="completed") == 1
    assert value(families, "blogtube_jobs_deleted") == 1
    failed.restore()
    families = scrape()
    assert value(families, "blogtube_jobs", status="failed") == 1
    assert value(families, "blogtube_jobs_deleted") == 0


@pytest.mark.django_db
def test_finished_jobs_older_than_the_window_leave_the_histograms(settings):
    finished_jobs()
    settings.BLOGTUBE_METRICS_WINDOW_MINUTES = 60
    Job.objects.update(finished=timezone.now() - datetime.timedelta(hours=2))
    JobStep.objects.update(finished=timezone.now() - datetime.timedelta(hours=2))
    families = scrape()
    duration = "blogtube_job_duration_seconds"
    assert value(families, duration, f"{duration}_count") == 0
    assert not families["blogtube_step_duration_seconds"]
    assert not families["blogtube_failed_jobs"]
    assert value(families, "blogtube_jobs", status="completed") == 1  # still counted


@pytest.mark.django_db
def test_a_scrape_costs_the_same_queries_for_one_job_or_many():
    finished_jobs()
    scrape()  # the price table lands in the cache
    with CaptureQueriesContext(connection) as few:
        scrape()
    for _ in range(10):
        finished_jobs_again = make_job()
        Job.objects.filter(pk=finished_jobs_again.pk).update(
            status=Job.Status.FAILED, finished=timezone.now(), error_code="VIDEO_PRIVATE"
        )
    with CaptureQueriesContext(connection) as many:
        scrape()
    assert len(many) == len(few)


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_open_websockets_are_counted_while_they_are_open():
    def sockets() -> float:
        families = scrape()
        return families["blogtube_websocket_connections"].get(
            ("blogtube_websocket_connections", (("socket", "dashboard"),)), 0
        )

    before = await database_sync_to_async(sockets)()
    page = Communicator(application, "/ws/dashboard/", headers=await signed_in_headers())
    connected, _ = await page.connect()
    assert connected
    assert await database_sync_to_async(sockets)() == before + 1
    await page.disconnect()
    assert await database_sync_to_async(sockets)() == before
