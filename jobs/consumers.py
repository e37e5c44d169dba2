from __future__ import annotations

import asyncio
import time

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncWebsocketConsumer

from jobs import audience, fanout, live, poller
from jobs.doorbell import DASHBOARD_GROUP, job_group
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
        self.group = job_group(self.job_id)
        await audience.watch(self.group, self)
        WEBSOCKETS.labels("job").inc()
        rung = audience.rings(self.group)
        await poller.ensure_running()
        update = await fanout.full_state(self.job_id)
        async with self.sending:
            self.last_event_id = update.last_event_id
            await self.send(text_data=update.html)
        if audience.rings(self.group) != rung:
            # Rings heard during the read passed this socket by, as it had nothing yet.
            await self.catch_up(0)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            WEBSOCKETS.labels("job").dec()
            await audience.leave(self.group, self)

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

    # Rung through the process's audience, as the job page's socket is.
    channel_layer_alias = None
    # Rows change with every streamed batch; a person needs at most two redraws a second.
    MIN_INTERVAL = 0.5

    async def connect(self) -> None:
        if not _signed_in(self.scope):
            await self.accept()
            await self.close(code=CLOSE_NOT_SIGNED_IN)
            return
        self.user = self.scope["user"]
        self.last_event_id: int | None = None  # None until the socket is open
        self.last_sent = 0.0
        self.later: asyncio.Task | None = None
        self.sending = asyncio.Lock()
        # No rows until the page says which it shows: most pages show none.
        self.watched = live.Watched()
        await audience.watch(DASHBOARD_GROUP, self)
        self.joined = True
        WEBSOCKETS.labels("dashboard").inc()
        rung = audience.rings(DASHBOARD_GROUP)
        await poller.ensure_running()
        last_event_id = await database_sync_to_async(live.latest_event_id)()
        # Open only now: a change made once the browser sees the socket open comes after
        # this id, so it is sent. Accepted first, a change made while Redis took the
        # group_add was read into the id above and never sent.
        await self.accept()
        self.last_event_id = last_event_id
        if audience.rings(DASHBOARD_GROUP) != rung:
            await self.catch_up(0)  # rings heard during the read passed this socket by

    async def disconnect(self, code: int) -> None:
        if getattr(self, "joined", False):
            WEBSOCKETS.labels("dashboard").dec()
            if self.later is not None:
                self.later.cancel()
            await audience.leave(DASHBOARD_GROUP, self)

    async def dispatch(self, message: dict) -> None:
        if message["type"] == "websocket.receive":
            # The page's rows touch no database: taken at once, without channels' hop to the
            # database thread first, so a ring read after the page said which rows it shows
            # (rung on its own task) sees them.
            await self.websocket_receive(message)
            return
        await super().dispatch(message)

    async def receive(self, text_data: str | None = None, bytes_data: bytes | None = None) -> None:
        # The page's rows, whenever they change; anything else is ignored.
        watched = live.Watched.from_message(text_data)
        if watched is not None:
            self.watched = watched

    async def catch_up(self, announced: int) -> None:
        if self.last_event_id is None:
            return  # still connecting: it catches up itself once open
        if announced and announced <= self.last_event_id:
            return
        wait = self.MIN_INTERVAL - (time.monotonic() - self.last_sent)
        if wait > 0:
            # Too soon after the last redraw: one later catch-up reads all that came by then.
            if self.later is None or self.later.done():
                self.later = asyncio.get_running_loop().create_task(self._catch_up_in(wait))
            return
        async with self.sending:
            after = self.last_event_id
            update = await fanout.dashboard_changes(after, self.user, announced, self.watched)
            if update is None or update.last_event_id <= after:
                return
            self.last_event_id = update.last_event_id
            if not update.html:
                return  # only other people's jobs moved
            self.last_sent = time.monotonic()
            await self.send(text_data=update.html)

    async def _catch_up_in(self, seconds: float) -> None:
        await asyncio.sleep(seconds)
        await self.catch_up(0)
