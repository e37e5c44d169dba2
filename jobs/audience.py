"""The sockets of this web process watching each job, rung once for all of them.

A socket that joined the channel layer's group itself cost, for every event, a channel-layer
message of its own (copied, queued, and with the in-process layer a sweep over every
channel of the process), a dispatch, and a hop to the database thread (channels closes
old connections before every handler). At a thousand viewers that, not the shared read
and render, was the web process's core. So the process joins each watched job's group
once, with one channel of its own, and on a ring hands the news to its sockets in a plain
loop: each catches up from its own last event id with the read and render the fanout
shares, and sends.

A job's news is handed on by one pass at a time, so every socket gets its updates in
order; rings that come during a pass fold into one more pass, which reads everything that
came since each socket's last event (every log line once, the draft's text appended), so
a burst never builds a queue of stale swaps.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from channels.layers import get_channel_layer

from jobs.doorbell import job_group

log = logging.getLogger(__name__)

# After a failed receive (Redis restarting), wait before asking again.
RETRY_SECONDS = 1.0


class Watcher(Protocol):
    async def catch_up(self, announced: int) -> None: ...


class _Audience:
    def __init__(self, layer: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.layer = layer
        self.loop = loop
        self.channel: str | None = None
        self.listener: asyncio.Task | None = None
        self.watchers: dict[str, set[Watcher]] = {}
        self.rings: dict[str, int] = {}  # rings heard per watched job
        self.news: dict[str, int] = {}  # the newest event id announced, 0: unknown
        self.passes: dict[str, asyncio.Task] = {}
        # Group joins and leaves in the order they were asked: a leave's discard landing
        # after the next watcher's join would leave the job unrung here.
        self.membership = asyncio.Lock()

    async def watch(self, job_id: str, watcher: Watcher) -> None:
        async with self.membership:
            if self.channel is None:
                self.channel = await self.layer.new_channel()
                self.listener = self.loop.create_task(self._listen(self.channel))
            watchers = self.watchers.setdefault(job_id, set())
            if not watchers:
                self.rings[job_id] = 0
                await self.layer.group_add(job_group(job_id), self.channel)
            watchers.add(watcher)

    async def leave(self, job_id: str, watcher: Watcher) -> None:
        async with self.membership:
            watchers = self.watchers.get(job_id)
            if watchers is None or watcher not in watchers:
                return
            watchers.discard(watcher)
            if not watchers:
                del self.watchers[job_id]
                self.rings.pop(job_id, None)
                await self.layer.group_discard(job_group(job_id), self.channel)

    async def _listen(self, channel: str) -> None:
        while True:
            try:
                message = await self.layer.receive(channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("Could not read this process's rings", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if message.get("type") == "job.changed":
                self.ring(str(message.get("job")), message.get("event") or 0)

    def ring(self, job_id: str, event_id: int) -> None:
        if job_id not in self.watchers:
            return
        self.rings[job_id] += 1
        known = self.news.get(job_id)
        self.news[job_id] = 0 if event_id == 0 or known == 0 else max(event_id, known or 0)
        if job_id not in self.passes:
            self.passes[job_id] = self.loop.create_task(self._pass_on(job_id))

    async def _pass_on(self, job_id: str) -> None:
        try:
            while job_id in self.news:
                announced = self.news.pop(job_id)
                for watcher in list(self.watchers.get(job_id, ())):
                    try:
                        await watcher.catch_up(announced)
                    except Exception:
                        # This socket stays where it was and catches up at the next ring.
                        log.warning("Could not update a page of job %s", job_id, exc_info=True)
        finally:
            del self.passes[job_id]


_current: _Audience | None = None


def _audience() -> _Audience:
    """This process's audience, on the running loop and the configured layer (a test may
    start either anew)."""
    global _current
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    if _current is None or _current.loop is not loop or _current.layer is not layer:
        if _current is not None and _current.loop is loop and _current.listener is not None:
            _current.listener.cancel()
        _current = _Audience(layer, loop)
    return _current


async def watch(job_id: str, watcher: Watcher) -> None:
    """Ring ``watcher.catch_up(announced)`` for each of the job's events from now on."""
    await _audience().watch(job_id, watcher)


async def leave(job_id: str, watcher: Watcher) -> None:
    await _audience().leave(job_id, watcher)


def rings(job_id: str) -> int:
    """How many rings for the job this process has heard since it started watching it."""
    return _audience().rings.get(job_id, 0)
