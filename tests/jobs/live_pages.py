"""A job's page as the live tests open it: a running job, its socket signed in, and the
draft and statuses the page shows after applying each swap as htmx does.

Shared by the live tests that open many pages on one job, so each reads the page the same
way; a test file imports this module rather than another test file.
"""

from __future__ import annotations

import re

from channels.db import database_sync_to_async

from blogtube_site.asgi import application
from tests.jobs.factories import make_job
from tests.websocket import Communicator, signed_in_headers


class Page:
    """Applies the job socket's swaps the way htmx does: the draft replaced or appended."""

    def __init__(self, socket: Communicator) -> None:
        self.socket = socket
        self.draft = ""
        self.statuses: list[str] = []

    async def read(self) -> None:
        html = await self.socket.receive_from()
        for attributes, text in re.findall(r'<div id="draft"([^>]*)>(.*?)</div>', html, re.S):
            appends = 'hx-swap-oob="beforeend"' in attributes
            self.draft = self.draft + text if appends else text
        self.statuses += re.findall(r'class="badge status-(\w+)"', html)

    async def read_until(self, draft: str) -> None:
        while len(self.draft) < len(draft):
            await self.read()


@database_sync_to_async
def running_job(owner=None):
    """A job in its generate step: the one whose page streams a draft."""
    job = make_job(**({"owner": owner} if owner else {}))
    job.claim()
    job.start_step("generate")
    return job


async def open_page(job, user=None) -> Page:
    """The job's page opened by `user` (default: the tests' signed-in person, who owns what
    tests make), its full state read."""
    socket = Communicator(application, f"/ws/jobs/{job.pk}/", headers=await signed_in_headers(user))
    connected, _ = await socket.connect()
    assert connected
    page = Page(socket)
    await page.read()  # the full state
    return page
