"""The embedded configuration's doorbell: one poller per web process.

Without Redis a worker's group_send never leaves the worker, so the web
process asks the database for new JobEvents and rings its own local groups.
One loop per process, not per socket: idle sockets then cost nothing.
"""

from __future__ import annotations

import asyncio
import logging

from channels.db import database_sync_to_async
from channels.layers import get_channel_layer
from django.conf import settings
from django.db.models import Max

from jobs.doorbell import DASHBOARD_GROUP, job_group, message
from jobs.models import JobEvent

log = logging.getLogger(__name__)

_task: asyncio.Task | None = None
_ready: asyncio.Event | None = None


@database_sync_to_async
def _latest_id() -> int:
    return JobEvent.objects.aggregate(m=Max("id"))["m"] or 0


@database_sync_to_async
def _jobs_with_events_after(after_id: int) -> tuple[int, dict[str, int]]:
    """The newest event id, and each job's newest event after ``after_id``."""
    rows = JobEvent.objects.filter(id__gt=after_id).values_list("id", "job_id")
    newest: dict[str, int] = {}
    for event_id, job_id in rows:
        newest[str(job_id)] = max(event_id, newest.get(str(job_id), 0))
    return max(newest.values(), default=after_id), newest


async def _poll_forever(interval: float, ready: asyncio.Event) -> None:
    layer = get_channel_layer()
    last_id = await _latest_id()
    ready.set()
    while True:
        await asyncio.sleep(interval)
        try:
            last_id, newest = await _jobs_with_events_after(last_id)
            for job_id, event_id in newest.items():
                await layer.group_send(job_group(job_id), message(job_id, event_id))
            if newest:
                # One ring for every dashboard: each reads all it missed by id anyway.
                await layer.group_send(DASHBOARD_GROUP, message("", max(newest.values())))
        except asyncio.CancelledError:
            raise
        except Exception:
            log.warning("Event poller iteration failed", exc_info=True)


async def ensure_running() -> None:
    """Start the process's poller on the running loop, once.

    Returns when the poller knows where it starts, so that a consumer reading
    the full state afterwards cannot miss an event in between.
    """
    global _task, _ready
    if not settings.BLOGTUBE_EVENT_POLLER:
        return
    loop = asyncio.get_running_loop()
    if _task is None or _task.done() or _task.get_loop() is not loop:
        _ready = asyncio.Event()
        _task = loop.create_task(_poll_forever(settings.BLOGTUBE_POLL_INTERVAL, _ready))
    await _ready.wait()
