"""Every log line names its request (web) or its job (worker), as text or as JSON."""

from __future__ import annotations

import copy
import io
import json
import logging.config
import re

import pytest
from django.conf import settings
from django.test import Client

from blogtube_site import health
from jobs import pipeline
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

RECORD_START = re.compile(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d")
TEXT_IDS = re.compile(r"\[req=(?P<request_id>\S+) job=(?P<job_id>\S+)\]")


@pytest.fixture
def console():
    """The console handler of settings.LOGGING, writing into a buffer: (format) -> buffer."""
    buffers = []

    def configure(log_format: str = "text") -> io.StringIO:
        config = copy.deepcopy(settings.LOGGING)
        buffer = io.StringIO()
        config["handlers"]["console"]["stream"] = buffer
        config["handlers"]["console"]["formatter"] = log_format
        logging.config.dictConfig(config)
        buffers.append(buffer)
        return buffer

    yield configure
    logging.config.dictConfig(settings.LOGGING)


def text_lines(buffer: io.StringIO) -> list[dict]:
    """Each record's first line (a traceback's lines follow it in the text format)."""
    lines = [line for line in buffer.getvalue().splitlines() if RECORD_START.match(line)]
    assert lines, "nothing was logged"
    return [{"line": line, **TEXT_IDS.search(line).groupdict()} for line in lines]


def broken_cache(monkeypatch):
    class Broken:
        def set(self, *args, **kwargs):
            raise ConnectionError("down")

    # Two lines: the check's own warning inside the view, django.request's 503 after it.
    monkeypatch.setattr(health, "cache", Broken())


def test_every_line_of_a_request_carries_the_id_the_response_returns(console, monkeypatch):
    buffer = console()
    broken_cache(monkeypatch)
    response = Client().get("/health/ready")
    request_id = response["X-Request-ID"]
    assert re.fullmatch(r"[0-9a-f]{32}", request_id)
    lines = text_lines(buffer)
    assert len(lines) >= 2
    assert {line["request_id"] for line in lines} == {request_id}
    assert any("Health check cache failed" in line["line"] for line in lines)


def test_a_proxys_request_id_is_kept_and_a_hostile_one_replaced(console):
    buffer = console()
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID="edge-42.abc")
    assert response.status_code == 404
    assert response["X-Request-ID"] == "edge-42.abc"
    assert {line["request_id"] for line in text_lines(buffer)} == {"edge-42.abc"}
    assert "edge-42.abc" in response.content.decode()  # the 404 page shows it

    forged = "x\n2026-01-01 INFO fake line " + "a" * 80
    response = Client().get("/no-such-page/", HTTP_X_REQUEST_ID=forged)
    assert re.fullmatch(r"[0-9a-f]{32}", response["X-Request-ID"])


def test_the_500_page_shows_the_request_id(console, monkeypatch):
    buffer = console()
    monkeypatch.setattr("jobs.views.stats.job_stats.job_stats", _crash)
    client = Client(raise_request_exception=False)
    client.force_login(make_job().owner)
    response = client.get("/stats/", HTTP_X_REQUEST_ID="report-me-7")
    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong" in page and "report-me-7" in page
    assert response["X-Request-ID"] == "report-me-7"
    lines = text_lines(buffer)
    assert any("Internal Server Error" in line["line"] for line in lines)
    assert {line["request_id"] for line in lines} == {"report-me-7"}


def test_a_jobs_lines_carry_its_id(console):
    job = make_job()
    job.claim()  # already running: the worker says so and leaves it
    buffer = console()
    pipeline.run_job(str(job.pk))
    lines = text_lines(buffer)
    assert any("not queued any more" in line["line"] for line in lines)
    assert {line["job_id"] for line in lines} == {str(job.pk)}
    assert {line["request_id"] for line in lines} == {"-"}
    # And none after the run.
    logging.getLogger("jobs").warning("after")
    assert text_lines(buffer)[-1]["job_id"] == "-"


def test_json_lines_parse_and_carry_the_ids(console, monkeypatch):
    buffer = console("json")
    broken_cache(monkeypatch)
    response = Client().get("/health/ready", HTTP_X_REQUEST_ID="json-1")
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    assert len(records) >= 2
    for record in records:
        assert record["request_id"] == response["X-Request-ID"] == "json-1"
        assert record["job_id"] == "-"
        assert {"time", "level", "logger", "message"} <= set(record)
    assert any(r["level"] == "ERROR" and "Service Unavailable" in r["message"] for r in records)


def test_a_traceback_stays_inside_its_json_line(console, monkeypatch):
    buffer = console("json")
    monkeypatch.setattr("jobs.views.stats.job_stats.job_stats", _crash)
    client = Client(raise_request_exception=False)
    client.force_login(make_job().owner)
    client.get("/stats/", HTTP_X_REQUEST_ID="tb-1")
    records = [json.loads(line) for line in buffer.getvalue().splitlines()]
    (error,) = [r for r in records if r["message"].startswith("Internal Server Error")]
    assert "RuntimeError: boom" in error["exc_info"] and error["request_id"] == "tb-1"


def _crash(*args, **kwargs):
    raise RuntimeError("boom")
