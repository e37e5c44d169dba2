"""One read and one render per event for all the sockets of a web process.

Every socket watching a job is rung for each of its events, and nearly all of them stand
at the same event id: what they are sent next is the same HTML, since a swap holds nothing
personal (who may see the job was checked when the socket connected). So the process
reads and renders once per (job, last event id sent) and every socket asking the same
gets that one result, while the read runs and for a while after. A thousand viewers then
cost one query and one render per event, not a thousand.

Sharing never loses an event: a socket takes a result only if it reaches the event id
its ring announced, or if its read started after the ring came; otherwise it reads anew.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from typing import Any

from channels.db import database_sync_to_async
from django.conf import settings
from django.db import connection

from jobs import live
from jobs.live import Update

# Results kept after their read: sockets rung together ask within moments of each other.
KEEP_RESULTS = 512
KEEP_SECONDS = 5.0

_numbers = itertools.count(1)


@dataclass
class _Read:
    number: int  # reads are numbered as they start
    task: asyncio.Future


_reading: dict[Hashable, _Read] = {}
_results: OrderedDict[Hashable, tuple[float, Update | None]] = OrderedDict()
_last_number = 0


def _reaches(update: Update | None, event_id: int) -> bool:
    return update is not None and event_id > 0 and update.last_event_id >= event_id


async def _shared(key: Hashable, read: Callable[[], Update | None], event_id: int) -> Update | None:
    """``read()``'s result for ``key``, shared with every caller asking the same."""
    asked = _last_number  # a read numbered above this one started after this call
    kept = _results.get(key)
    if (
        kept is not None
        and time.monotonic() - kept[0] < KEEP_SECONDS
        and _reaches(kept[1], event_id)
    ):
        return kept[1]
    while True:
        current = _reading.get(key)
        if current is None or current.task.get_loop() is not asyncio.get_running_loop():
            current = _start(key, read)
        # Shielded: a socket closing mid-read does not cancel the others' read.
        update = await asyncio.shield(current.task)
        if current.number > asked or _reaches(update, event_id):
            return update


def _start(key: Hashable, read: Callable[[], Update | None]) -> _Read:
    global _last_number
    _last_number = number = next(_numbers)
    current = _Read(number, asyncio.ensure_future(database_sync_to_async(_kept(read))()))
    _reading[key] = current

    def finished(task: asyncio.Future) -> None:
        if _reading.get(key) is current:
            del _reading[key]
        if task.cancelled() or task.exception() is not None:
            return  # every caller awaiting it gets the error; nothing is kept
        _results[key] = (time.monotonic(), task.result())
        _results.move_to_end(key)
        while len(_results) > KEEP_RESULTS:
            _results.popitem(last=False)

    current.task.add_done_callback(finished)
    return current


def _kept(read: Callable[[], Update | None]) -> Callable[[], Update | None]:
    """``read``, leaving the connection open for the next one (BLOGTUBE_LIVE_CONN_SECONDS).

    Web processes run with CONN_MAX_AGE 0, as Django advises under ASGI (a request's thread
    goes away with it), so every read here connected anew: 2.4 ms on SQLite, with a WAL
    checkpoint at each close, and a connection and authentication on PostgreSQL, for every
    event of every streaming job. These reads all run on the one long-lived thread channels
    gives the sockets, so its one connection is kept (and health-checked before reuse)
    without leaking any.
    """

    def run() -> Update | None:
        try:
            return read()
        finally:
            seconds = settings.BLOGTUBE_LIVE_CONN_SECONDS
            if seconds and connection.connection is not None:
                connection.close_at = time.monotonic() + seconds

    return run


async def full_state(job_id: str) -> Update:
    """Every region of the job page up to its newest event: one render per event id."""
    last_id = await database_sync_to_async(live.latest_job_event_id)(job_id)
    update = await _shared(
        ("full", job_id, last_id), lambda: live.full_state_until(job_id, last_id), last_id
    )
    assert update is not None
    return update


async def changes_since(job_id: str, after_id: int, event_id: int) -> Update | None:
    """What the job page lacks after ``after_id``; ``event_id`` is what the ring announced."""
    return await _shared(
        ("changes", job_id, after_id), lambda: live.changes_since(job_id, after_id), event_id
    )


async def dashboard_changes(
    after_id: int, user: Any, event_id: int, watched: live.Watched
) -> Update | None:
    """The dashboard's rows that moved after ``after_id``, shared by every socket that sees the
    same jobs (all staff, or one person's sockets) and shows the same rows (a page's)."""
    sees = "everything" if user.is_staff else user.pk
    return await _shared(
        ("dashboard", sees, watched, after_id),
        lambda: live.dashboard_changes(after_id, user, watched),
        event_id,
    )


def forget() -> None:
    """Drop every kept result and read (tests start a database again under one process)."""
    _results.clear()
    _reading.clear()
