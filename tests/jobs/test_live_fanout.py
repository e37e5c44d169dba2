"""Many pages open on one job: each gets every update, in order, the draft exactly once,
while the process reads and renders each event once for all of them; and sharing never
shows one person's job to another."""

from __future__ import annotations

import json

import pytest
from channels.db import database_sync_to_async

from blogtube_site.asgi import application
from jobs import live
from jobs.consumers import DashboardConsumer
from tests.accounts import make_user
from tests.jobs.factories import make_job
from tests.jobs.live_pages import open_page, running_job
from tests.websocket import Communicator, signed_in_headers

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

VIEWERS = 6


@pytest.fixture
def renders(monkeypatch) -> list[int]:
    """The event id after which each job-page update was read and rendered."""
    calls: list[int] = []
    real = live.changes_since

    def counted(job_id: str, after_id: int):
        calls.append(after_id)
        return real(job_id, after_id)

    monkeypatch.setattr(live, "changes_since", counted)
    return calls


async def test_every_viewer_gets_the_whole_draft_once_rendered_once_per_event(renders):
    job = await running_job()
    pages = [await open_page(job) for _ in range(VIEWERS)]
    words = [f"word{n} " for n in range(4)]

    for word in words:
        await database_sync_to_async(job.append_draft)(word)

    for page in pages:
        await page.read_until("".join(words))
        assert page.draft == "".join(words)
        assert await page.socket.receive_nothing()
        await page.socket.disconnect()
    # One read and render per event at most, however many pages watch (not one per page).
    assert 1 <= len(renders) <= len(words)


async def test_a_page_opened_mid_stream_ends_with_exactly_the_written_text():
    job = await running_job()
    early = await open_page(job)
    await database_sync_to_async(job.append_draft)("One ")
    await early.read_until("One ")
    late = await open_page(job)
    assert late.draft == "One "
    for word in ("two ", "three"):
        await database_sync_to_async(job.append_draft)(word)
    await database_sync_to_async(job.finish_step)("generate")
    await database_sync_to_async(job.complete)()

    for page in (early, late):
        await page.read_until("One two three")
        while "completed" not in page.statuses:
            await page.read()
        assert page.draft == "One two three"
        await page.socket.disconnect()


async def test_another_persons_socket_is_refused_while_the_owners_pages_share_updates():
    owner_job = await running_job()
    stranger = await database_sync_to_async(make_user)("mallory")
    socket = Communicator(
        application, f"/ws/jobs/{owner_job.pk}/", headers=await signed_in_headers(stranger)
    )
    await socket.connect()
    assert await socket.receive_output() == {"type": "websocket.close", "code": 4404}


async def test_a_dashboard_shows_a_job_only_to_who_may_see_it(monkeypatch):
    monkeypatch.setattr(DashboardConsumer, "MIN_INTERVAL", 0)
    alice_job = await database_sync_to_async(make_job)()
    bob = await database_sync_to_async(make_user)("bob")
    boss = await database_sync_to_async(make_user)("boss", staff=True)
    bob_job = await database_sync_to_async(make_job)(owner=bob)
    sockets = {}
    for name, user in (("alice", None), ("alice-2", None), ("bob", bob), ("boss", boss)):
        socket = Communicator(application, "/ws/dashboard/", headers=await signed_in_headers(user))
        assert (await socket.connect())[0]
        # A page showing both rows (the server still pushes only those its person may see).
        await socket.send_to(
            text_data=json.dumps({"watch": [f"job-row-{alice_job.pk}", f"job-row-{bob_job.pk}"]})
        )
        sockets[name] = socket

    await database_sync_to_async(alice_job.claim)()
    await database_sync_to_async(bob_job.claim)()

    seen: dict[str, str] = dict.fromkeys(sockets, "")
    for name, socket in sockets.items():
        # Each socket hears both jobs move; staff see both rows, the others one each.
        want = 2 if name == "boss" else 1
        while seen[name].count('<tr id="job-row-') < want:
            seen[name] += await socket.receive_from()
    for name in ("alice", "alice-2"):
        assert f"job-row-{alice_job.pk}" in seen[name]
        assert f"job-row-{bob_job.pk}" not in seen[name]
    assert f"job-row-{bob_job.pk}" in seen["bob"] and f"job-row-{alice_job.pk}" not in seen["bob"]
    assert f"job-row-{alice_job.pk}" in seen["boss"] and f"job-row-{bob_job.pk}" in seen["boss"]
    for socket in sockets.values():
        assert await socket.receive_nothing()
        await socket.disconnect()
