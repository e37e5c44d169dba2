"""The sockets of this web process watching each group (a job's, the dashboards'), rung
once for all of them.

A socket that joined the channel layer's group itself cost, for every event, a channel-layer
message of its own (copied, queued, and with the in-process layer a sweep over every
channel of the process), a dispatch, and a hop to the database thread (channels closes
old connections before every handler). At a thousand viewers that, not the shared read
and render, was the web process's core. So the process joins each group its sockets watch
once, with a channel of its own, and on a ring hands the news to those sockets in a plain
loop: each catches up from its own last event id with the read and render the fanout
shares, and sends.

A group's news is handed on by one pass at a time, so every socket gets its updates in
order; rings that come during a pass fold into one more pass, which reads everything that
came since each socket's last event (every log line once, the draft's text appended), so
a burst never builds a queue of stale swaps.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Protocol

from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

# After a failed receive (Redis restarting), wait before asking again.
RETRY_SECONDS = 1.0


class Watcher(Protocol):
    async def catch_up(self, announced: int) -> None: ...


class _Group:
    """A group this process listens to for its sockets, on a channel of its own."""

    def __init__(self, channel: str) -> None:
        self.channel = channel
        self.watchers: set[Watcher] = set()
        self.listener: asyncio.Task | None = None
        self.rings = 0  # rings heard since the process joined
        self.news: int | None = None  # the newest event id announced (0: unknown), not yet passed
        self.passing: asyncio.Task | None = None


class _Audience:
    def __init__(self, layer: Any, loop: asyncio.AbstractEventLoop) -> None:
        self.layer = layer
        self.loop = loop
        self.groups: dict[str, _Group] = {}
        # Joins and leaves in the order they were asked: a leave's discard landing after
        # the next watcher's join would leave the group unrung here.
        self.membership = asyncio.Lock()

    async def watch(self, name: str, watcher: Watcher) -> None:
        async with self.membership:
            group = self.groups.get(name)
            if group is None:
                group = _Group(await self.layer.new_channel())
                await self.layer.group_add(name, group.channel)
                group.listener = self.loop.create_task(self._listen(group))
                self.groups[name] = group
            group.watchers.add(watcher)

    async def leave(self, name: str, watcher: Watcher) -> None:
        async with self.membership:
            group = self.groups.get(name)
            if group is None or watcher not in group.watchers:
                return
            group.watchers.discard(watcher)
            if not group.watchers:
                del self.groups[name]
                if group.listener is not None:
                    group.listener.cancel()
                await self.layer.group_discard(name, group.channel)

    async def _listen(self, group: _Group) -> None:
        while True:
            try:
                message = await self.layer.receive(group.channel)
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("Could not read this process's rings", exc_info=True)
                await asyncio.sleep(RETRY_SECONDS)
                continue
            if message.get("type") == "job.changed":
                self._ring(group, message.get("event") or 0)

    def _ring(self, group: _Group, event_id: int) -> None:
        group.rings += 1
        known = group.news
        group.news = 0 if event_id == 0 or known == 0 else max(event_id, known or 0)
        if group.passing is None:
            group.passing = self.loop.create_task(self._pass_on(group))

    async def _pass_on(self, group: _Group) -> None:
        try:
            while group.news is not None:
                announced, group.news = group.news, None
                for watcher in list(group.watchers):
                    try:
                        await watcher.catch_up(announced)
                    except Exception:
                        # This socket stays where it was and catches up at the next ring.
                        log.warning("Could not update a live page", exc_info=True)
        finally:
            group.passing = None


_current: _Audience | None = None


def _audience() -> _Audience:
    """This process's audience, on the running loop and the configured layer (a test may
    start either anew)."""
    global _current
    loop = asyncio.get_running_loop()
    layer = get_channel_layer()
    if _current is None or _current.loop is not loop or _current.layer is not layer:
        if _current is not None and _current.loop is loop:
            for group in _current.groups.values():
                if group.listener is not None:
                    group.listener.cancel()
        _current = _Audience(layer, loop)
    return _current


async def watch(group: str, watcher: Watcher) -> None:
    """Call ``watcher.catch_up(announced)`` after each ring of ``group`` from now on."""
    await _audience().watch(group, watcher)


async def leave(group: str, watcher: Watcher) -> None:
    await _audience().leave(group, watcher)


def rings(group: str) -> int:
    """How many rings of ``group`` this process has heard since it joined it."""
    found = _audience().groups.get(group)
    return found.rings if found is not None else 0
