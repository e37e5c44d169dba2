"""Every page's dashboard socket: live rows and toasts; and the job socket across a
reconnect in the middle of generation."""

from __future__ import annotations

import json
import re

import pytest
from channels.db import database_sync_to_async

from blogtube_site.asgi import application
from jobs.consumers import DashboardConsumer
from jobs.models import Job
from tests.jobs.factories import make_job
from tests.websocket import Communicator, signed_in_headers

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture(autouse=True)
def no_throttle(monkeypatch):
    monkeypatch.setattr(DashboardConsumer, "MIN_INTERVAL", 0)


async def connect(path: str, *, showing: list[str] | None = None) -> Communicator:
    """A page's socket; `showing`: the live rows (element ids) the page tells it it shows."""
    communicator = Communicator(application, path, headers=await signed_in_headers())
    connected, _ = await communicator.connect()
    assert connected
    if showing is not None:
        await communicator.send_to(text_data=json.dumps({"watch": showing}))
    return communicator


async def test_every_open_dashboard_gets_the_row_and_a_toast_when_a_job_finishes():
    job = await database_sync_to_async(make_job)()
    await database_sync_to_async(job.claim)()
    row = [f"job-row-{job.pk}"]
    first = await connect("/ws/dashboard/", showing=row)
    second = await connect("/ws/dashboard/", showing=row)
    await database_sync_to_async(job.complete)()
    for page in (first, second):
        html = await page.receive_from()
        assert f'<tr id="job-row-{job.pk}"' in html and 'hx-swap-oob="true"' in html
        assert "Completed" in html
        assert '<div id="toasts" hx-swap-oob="beforeend">' in html and "Post ready" in html
        await page.disconnect()


async def test_progress_updates_rows_without_a_toast():
    job = await database_sync_to_async(make_job)()
    page = await connect("/ws/dashboard/", showing=[f"job-row-{job.pk}"])
    await database_sync_to_async(job.claim)()
    html = await page.receive_from()
    assert "Running" in html
    assert "toast" not in html
    await page.disconnect()


async def test_a_page_without_the_row_gets_no_row_only_the_toast():
    job, other = await database_sync_to_async(lambda: (make_job(), make_job()))()
    await database_sync_to_async(job.claim)()
    # The job's own page, say, showing another job's row: never a row it cannot place.
    page = await connect("/ws/dashboard/", showing=[f"job-row-{other.pk}"])
    await database_sync_to_async(job.complete)()
    html = await page.receive_from()
    assert "job-row" not in html
    assert "Post ready" in html
    await page.disconnect()


async def test_a_page_with_no_rows_hears_nothing_of_progress():
    job = await database_sync_to_async(make_job)()
    await database_sync_to_async(job.log)("Queued")  # not new when it moves: no table refetch
    page = await connect("/ws/dashboard/")  # it said nothing: no rows
    await database_sync_to_async(job.claim)()
    assert await page.receive_nothing(timeout=0.5)
    await page.disconnect()


class Browser:
    """Applies the job socket's swaps to a draft the way htmx does: replace or append."""

    def __init__(self) -> None:
        self.draft = ""

    def apply(self, html: str) -> None:
        for attributes, text in re.findall(r'<div id="draft"([^>]*)>(.*?)</div>', html, re.S):
            appends = 'hx-swap-oob="beforeend"' in attributes
            self.draft = self.draft + text if appends else text


async def test_a_reconnect_mid_generation_ends_with_exactly_the_written_text():
    job = await database_sync_to_async(make_job)()
    await database_sync_to_async(job.claim)()
    await database_sync_to_async(job.start_step)("generate")
    browser = Browser()
    socket = await connect(f"/ws/jobs/{job.pk}/")
    browser.apply(await socket.receive_from())
    for word in ("The ", "post "):
        await database_sync_to_async(job.append_draft)(word)
        browser.apply(await socket.receive_from())
    await socket.disconnect()  # the network drops...
    for word in ("keeps ", "growing "):  # ...while the worker writes on
        await database_sync_to_async(job.append_draft)(word)
    socket = await connect(f"/ws/jobs/{job.pk}/")  # the ws extension reconnects
    browser.apply(await socket.receive_from())
    await database_sync_to_async(job.append_draft)("live.")
    browser.apply(await socket.receive_from())
    await socket.disconnect()
    saved = await database_sync_to_async(lambda: Job.objects.get(pk=job.pk).draft)()
    assert browser.draft == saved == "The post keeps growing live."


async def test_a_new_job_tells_open_tables_to_refresh():
    page = await connect("/ws/dashboard/")
    await database_sync_to_async(lambda: make_job().log("Queued"))()
    html = await page.receive_from()
    assert 'id="dashboard-signal" hx-swap-oob="true" data-jobs-added' in html
    await page.disconnect()
