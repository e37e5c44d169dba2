from __future__ import annotations

import asyncio
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from jobs import audience, fanout, live, poller
from jobs.doorbell import DASHBOARD_GROUP
from jobs.metrics import WEBSOCKETS

# 4xxx: the htmx ws extension retries after 1006/1011/1012/1013 only, so a
# job that does not exist (or is someone else's) stops the client for good
# instead of looping, and so does a visitor who is not signed in.
CLOSE_NOT_SIGNED_IN = 4401
CLOSE_NOT_FOUND = 4404


def _signed_in(scope: dict) -> bool:
    user = scope.get("user")
    return user is not None and user.is_authenticated


class JobConsumer(AsyncWebsocketConsumer):
    """Pushes a job's regions: everything on connect, then what each event adds."""

    # Rung through the process's audience (jobs/audience.py), not a channel of its own:
    # a channel per socket cost a message, a dispatch and a thread hop per socket and event.
    channel_layer_alias = None

    async def connect(self) -> None:
        self.job_id = str(self.scope["url_route"]["kwargs"]["job_id"])
        self.last_event_id: int | None = None  # None until the full state is sent
        self.sending = asyncio.Lock()
        await self.accept()
        if not _signed_in(self.scope):
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        if not await database_sync_to_async(live.can_see)(self.scope["user"], self.job_id):
            await self.close(code=CLOSE_NOT_FOUND)
            return
        # Watch before reading, so no ring can fall between the read and the watch.
        await audience.watch(self.job_id, self)
        self.watching = True
        WEBSOCKETS.labels("job").inc()
        rung = audience.rings(self.job_id)
        await poller.ensure_running()
        update = await fanout.full_state(self.job_id)
        async with self.sending:
            self.last_event_id = update.last_event_id
            await self.send(text_data=update.html)
        if audience.rings(self.job_id) != rung:
            # Rings heard during the read passed this socket by, as it had nothing yet.
            await self.catch_up(0)

    async def disconnect(self, code: int) -> None:
        if getattr(self, "watching", False):
            WEBSOCKETS.labels("job").dec()
            await audience.leave(self.job_id, self)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page sends nothing we act on; ignore instead of erroring the socket.
        return

    async def catch_up(self, announced: int) -> None:
        """Send what the page lacks; ``announced`` is the newest event id rung (0: unknown)."""
        if self.last_event_id is None:
            return  # still connecting: it catches up itself once its full state is sent
        if announced and announced <= self.last_event_id:
            return  # sent already (the ring of an event that came with an earlier one)
        async with self.sending:
            after = self.last_event_id
            if announced and announced <= after:
                return
            update = await fanout.changes_since(self.job_id, after, announced)
            if update is None or update.last_event_id <= after:
                return
            self.last_event_id = update.last_event_id
            await self.send(text_data=update.html)


class DashboardConsumer(AsyncWebsocketConsumer):
    """Every page's second socket: live job rows and toasts for finished jobs."""

    # Rows change with every streamed batch; a person needs at most two redraws a second.
    MIN_INTERVAL = 0.5

    async def connect(self) -> None:
        if not _signed_in(self.scope):
            await self.accept()
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.user = self.scope["user"]
        self.joined = True
        await self.channel_layer.group_add(DASHBOARD_GROUP, self.channel_name)
        WEBSOCKETS.labels("dashboard").inc()
        await poller.ensure_running()
        self.last_event_id = await database_sync_to_async(live.latest_event_id)()
        self.last_sent = 0.0
        # No rows until the page says which it shows: most pages show none.
        self.watched = live.Watched()
        # Open only now: a change made once the browser sees the socket open comes after
        # this id, so it is sent. Accepted first, a change made while Redis took the
        # group_add was read into the id above and never sent.
        await self.accept()

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            WEBSOCKETS.labels("dashboard").dec()
            await self.channel_layer.group_discard(DASHBOARD_GROUP, self.channel_name)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page's rows, whenever they change; anything else is ignored.
        watched = live.Watched.from_message(text_data)
        if watched is not None:
            self.watched = watched

    async def job_changed(self, event: dict) -> None:
        announced = event.get("event") or 0
        if announced and announced <= self.last_event_id:
            return
        wait = self.MIN_INTERVAL - (time.monotonic() - self.last_sent)
        if wait > 0:
            await asyncio.sleep(wait)
        update = await fanout.dashboard_changes(
            self.last_event_id, self.user, announced, self.watched
        )
        if update is None or update.last_event_id <= self.last_event_id:
            return
        self.last_event_id = update.last_event_id
        if not update.html:
            return  # only other people's jobs moved
        self.last_sent = time.monotonic()
        await self.send(text_data=update.html)
