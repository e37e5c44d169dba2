"""The job page's WebSocket: full state on connect, then only what is new."""

from __future__ import annotations

import re

import pytest
from channels.db import database_sync_to_async

from blogtube_site.asgi import application
from jobs import doorbell
from tests.jobs.factories import make_job
from tests.websocket import Communicator, signed_in_headers

# serialized_rollback: the flush between transactional tests would drop the seeded providers.
pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def draft_text(html: str) -> str:
    match = re.search(r'<div id="draft"[^>]*>(.*?)</div>', html, re.S)
    return match.group(1) if match else ""


@database_sync_to_async
def running_job_with_draft(text: str):
    job = make_job()
    job.claim()
    job.start_step("generate")
    job.append_draft(text)
    return job


async def connect(job) -> Communicator:
    headers = await signed_in_headers()
    communicator = Communicator(application, f"/ws/jobs/{job.pk}/", headers=headers)
    connected, _ = await communicator.connect()
    assert connected
    return communicator


async def test_it_sends_the_full_state_on_connect():
    job = await running_job_with_draft("Hello ")
    communicator = await connect(job)
    html = await communicator.receive_from()
    assert 'id="job-status" class="card" hx-swap-oob="true"' in html
    assert 'data-step="generate"' in html and "step-running" in html
    assert draft_text(html) == "Hello "
    await communicator.disconnect()


async def test_it_appends_only_the_new_text_after_connect():
    job = await running_job_with_draft("Hello ")
    communicator = await connect(job)
    await communicator.receive_from()
    await database_sync_to_async(job.append_draft)("world & <b>you</b>")
    delta = await communicator.receive_from()
    assert '<div id="draft" hx-swap-oob="beforeend">' in delta
    # Escaped: model text never becomes markup on the page.
    assert draft_text(delta) == "world &amp; &lt;b&gt;you&lt;/b&gt;"
    await communicator.disconnect()


async def test_a_reconnect_gets_the_whole_draft_exactly_once():
    job = await running_job_with_draft("One ")
    first = await connect(job)
    await first.receive_from()
    await first.disconnect()
    for word in ("two ", "three"):
        await database_sync_to_async(job.append_draft)(word)
    second = await connect(job)
    html = await second.receive_from()
    assert draft_text(html) == "One two three"
    # Messages arrive in order: had any word been sent again, it would come before this one.
    await database_sync_to_async(job.append_draft)(" four")
    delta = await second.receive_from()
    assert '<div id="draft" hx-swap-oob="beforeend">' in delta
    assert draft_text(delta) == " four"
    await second.disconnect()


async def test_a_status_change_resends_the_regions():
    job = await running_job_with_draft("Text")
    communicator = await connect(job)
    await communicator.receive_from()
    await database_sync_to_async(job.complete)()
    html = await communicator.receive_from()
    assert 'data-testid="job-status">Completed<' in html
    assert "Completed" in html and 'id="event-log" class="event-log" hx-swap-oob="true"' in html
    await communicator.disconnect()


async def test_an_unknown_job_closes_with_a_code_the_client_does_not_retry():
    communicator = Communicator(
        application,
        "/ws/jobs/00000000-0000-0000-0000-000000000000/",
        headers=await signed_in_headers(),
    )
    await communicator.connect()
    output = await communicator.receive_output()
    assert output == {"type": "websocket.close", "code": 4404}


async def test_the_poller_delivers_events_written_by_another_process(settings, monkeypatch):
    # Embedded default: the worker's doorbell never reaches the web process.
    settings.BLOGTUBE_EVENT_POLLER = True
    settings.BLOGTUBE_POLL_INTERVAL = 0.05
    job = await running_job_with_draft("Start ")
    communicator = await connect(job)
    await communicator.receive_from()
    monkeypatch.setattr(doorbell, "ring", lambda job_id, event_id=0: None)
    await database_sync_to_async(job.append_draft)("from the worker")
    delta = await communicator.receive_from()
    assert draft_text(delta) == "from the worker"
    await communicator.disconnect()
