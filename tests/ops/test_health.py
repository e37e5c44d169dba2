"""/health/live and /health/ready: what a probe sees when all is well and when a part is down."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from blogtube_site import health
from tests.ops.workers import a_cluster_reports, its_report_expires

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_migration_answer():
    health.forget_migrations()
    yield
    health.forget_migrations()


def ready() -> tuple[int, dict]:
    response = Client().get("/health/ready")
    assert response["Content-Type"] == "application/json"
    return response.status_code, response.json()


def failing(body: dict) -> set[str]:
    return {name for name, check in body["checks"].items() if not check["ok"]}


def test_live_answers_anyone_without_touching_anything():
    response = Client().get("/health/live")
    assert response.status_code == 200
    assert response.json()["status"] == "ok"
    assert Client().head("/health/live").status_code == 200  # probes that only ask HEAD


def test_ready_is_ok_when_every_part_answers():
    a_cluster_reports()
    status, body = ready()
    assert (status, body["status"]) == (200, "ok"), body
    assert set(body["checks"]) == {"database", "cache", "channel_layer", "worker", "migrations"}
    assert body["checks"]["worker"]["detail"]["clusters"] == 1
    assert body["checks"]["migrations"]["detail"]["unapplied"] == []


def test_no_worker_ever_seen_fails_ready():
    status, body = ready()
    assert (status, body["status"]) == (503, "fail")
    assert failing(body) == {"worker"}
    assert "never" in body["checks"]["worker"]["detail"]["problem"]


def test_a_worker_gone_for_more_than_a_minute_fails_ready_and_a_short_gap_does_not():
    report = a_cluster_reports()
    assert ready()[0] == 200  # seen, and remembered
    seen = timezone.now()
    with time_machine.travel(seen + datetime.timedelta(seconds=30)):
        its_report_expires(report)
        # Its Stat expired (3 s), but a restart of half a minute is not an outage.
        status, body = ready()
        assert status == 200, body
        assert body["checks"]["worker"]["detail"]["clusters"] == 0
    with time_machine.travel(seen + datetime.timedelta(minutes=2)):
        status, body = ready()
    assert status == 503
    assert failing(body) == {"worker"}
    assert body["checks"]["worker"]["detail"]["last_seen_seconds_ago"] >= 120


def test_a_cache_that_fails_is_named(monkeypatch):
    a_cluster_reports()

    class Broken:
        def set(self, *args, **kwargs):
            raise ConnectionError("cache server went away")

    monkeypatch.setattr(health, "cache", Broken())
    status, body = ready()
    assert status == 503
    assert failing(body) == {"cache"}
    assert "went away" in body["checks"]["cache"]["detail"]


def test_unapplied_migrations_are_listed(monkeypatch):
    a_cluster_reports()

    class Plan:
        def __init__(self, connection):
            self.loader = type("L", (), {"graph": type("G", (), {"leaf_nodes": list})()})()

        def migration_plan(self, targets):
            return [(type("M", (), {"app_label": "jobs", "name": "0099_new"})(), False)]

    monkeypatch.setattr(health, "MigrationExecutor", Plan)
    status, body = ready()
    assert status == 503
    assert failing(body) == {"migrations"}
    assert body["checks"]["migrations"]["detail"]["unapplied"] == ["jobs.0099_new"]


def test_ready_costs_a_handful_of_queries(django_assert_max_num_queries):
    a_cluster_reports()
    ready()  # the migration plan, once per process
    with django_assert_max_num_queries(16):
        assert ready()[0] == 200
