"""A web process's pages of a job are rung once for all of them: every page still gets every
log line once and in order, a page closing or opening mid-stream disturbs no other, and no
page ever gets a job its person may not see."""

from __future__ import annotations

import json
import re

import pytest
from channels.db import database_sync_to_async
from channels.layers import get_channel_layer

from blogtube_site.asgi import application
from jobs.doorbell import job_group
from tests.accounts import make_user
from tests.jobs.factories import make_job
from tests.jobs.live_pages import Page, open_page, running_job
from tests.websocket import Communicator, signed_in_headers

pytestmark = [
    pytest.mark.asyncio,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

LOG_LINE = re.compile(r"</time> (line \d+)</li>")


class LogPage(Page):
    """A page that also keeps the log lines it was sent, in the order they came."""

    def __init__(self, socket: Communicator) -> None:
        super().__init__(socket)
        self.lines: list[str] = []

    async def read(self) -> None:
        html = await self.socket.receive_from()
        self.lines += LOG_LINE.findall(html)
        for attributes, text in re.findall(r'<div id="draft"([^>]*)>(.*?)</div>', html, re.S):
            self.draft = self.draft + text if "beforeend" in attributes else text


async def open_log_page(job, user=None) -> LogPage:
    socket = Communicator(application, f"/ws/jobs/{job.pk}/", headers=await signed_in_headers(user))
    assert (await socket.connect())[0]
    page = LogPage(socket)
    await page.read()  # the full state
    return page


@database_sync_to_async
def write_burst(job, count: int) -> None:
    """Log lines and draft text as fast as a worker writes them, each event rung."""
    for n in range(count):
        job.log(f"line {n}")
        job.append_draft(f"w{n} ")


async def test_it_sends_every_log_line_once_and_in_order_when_events_come_in_a_burst():
    job = await running_job()
    pages = [await open_log_page(job) for _ in range(4)]

    await write_burst(job, 30)

    want_lines = [f"line {n}" for n in range(30)]
    want_draft = "".join(f"w{n} " for n in range(30))
    for page in pages:
        await page.read_until(want_draft)
        while len(page.lines) < len(want_lines):
            await page.read()
        assert page.lines == want_lines
        assert page.draft == want_draft
        assert await page.socket.receive_nothing()
        await page.socket.disconnect()


async def test_a_page_closing_mid_stream_leaves_the_others_every_update():
    job = await running_job()
    leaving, staying = await open_page(job), await open_page(job)
    await database_sync_to_async(job.append_draft)("one ")
    await leaving.read_until("one ")
    await leaving.socket.disconnect()

    await database_sync_to_async(job.append_draft)("two")
    await staying.read_until("one two")
    assert staying.draft == "one two"
    await staying.socket.disconnect()


@pytest.fixture
def joins(monkeypatch) -> list[tuple[str, str]]:
    """Each group join ("add") and leave ("discard") asked of the channel layer, in order."""
    layer = get_channel_layer()
    asked: list[tuple[str, str]] = []
    for name in ("group_add", "group_discard"):
        real = getattr(layer, name)

        async def spy(group: str, channel: str, real=real, name=name) -> None:
            asked.append((name.removeprefix("group_"), group))
            await real(group, channel)

        monkeypatch.setattr(layer, name, spy)
    return asked


async def test_the_process_joins_a_jobs_group_once_however_many_pages_watch_it(joins):
    job, other = await running_job(), await running_job()
    pages = [await open_page(job) for _ in range(5)]
    other_page = await open_page(other)
    group = job_group(job.pk)
    assert [kind for kind, name in joins if name == group] == ["add"]

    for page in pages:
        await page.socket.disconnect()
    # Nobody here watches the job now: the process leaves its group, once.
    assert [kind for kind, name in joins if name == group] == ["add", "discard"]
    await database_sync_to_async(other.append_draft)("still live")
    await other_page.read_until("still live")
    await other_page.socket.disconnect()


async def test_a_persons_page_never_gets_another_persons_job_streaming_on_the_same_process():
    alice_job = await running_job()
    bob = await database_sync_to_async(make_user)("bob")
    bob_job = await running_job(owner=bob)
    alice_page = await open_page(alice_job)
    bob_page = await open_page(bob_job, user=bob)

    await database_sync_to_async(alice_job.append_draft)("alice's secret draft")
    await database_sync_to_async(bob_job.append_draft)("bob's draft")

    await alice_page.read_until("alice's secret draft")
    await bob_page.read_until("bob's draft")
    assert "secret" not in bob_page.draft
    assert await bob_page.socket.receive_nothing()
    await alice_page.socket.disconnect()
    await bob_page.socket.disconnect()


async def test_a_dashboard_redrawn_at_most_twice_a_second_ends_showing_the_jobs_latest_state():
    job = await database_sync_to_async(make_job)()
    socket = Communicator(application, "/ws/dashboard/", headers=await signed_in_headers())
    assert (await socket.connect())[0]
    await socket.send_to(text_data=json.dumps({"watch": [f"job-row-{job.pk}"]}))

    @database_sync_to_async
    def run_to_the_end() -> None:
        job.claim()
        job.start_step("generate")
        for n in range(10):
            job.append_draft(f"w{n} ")
        job.finish_step("generate")
        job.complete()

    await run_to_the_end()
    pushed = ""
    while "Post ready" not in pushed:  # the toast comes with the row of the finished job
        pushed += await socket.receive_from()
    assert "Completed" in pushed.rsplit(f'<tr id="job-row-{job.pk}"', 1)[1]
    assert await socket.receive_nothing()
    await socket.disconnect()
