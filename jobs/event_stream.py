"""A job's history as Server-Sent Events, for scripts: GET /api/v1/jobs/<id>/events.

Each JobEvent row is one event whose ``id`` is the row's id, so a client that reconnects with
``Last-Event-ID`` (as EventSource does by itself) gets exactly the events after it: the draft's
text arrives once, however often the connection drops, as the job page's socket does (jobs/live.py).
The database is polled by id (the doorbell rings only sockets); the stream ends with an ``end``
event once the job is no longer queued or running, or after MAX_SECONDS for the client to resume.

An async generator: under ASGI (daphne) a synchronous one would be read to its end before the
first byte is sent.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator

from asgiref.sync import sync_to_async

from jobs.models import Job, JobEvent

POLL_SECONDS = 0.5
# A comment line now and then keeps proxies from closing a quiet stream.
KEEPALIVE_SECONDS = 15
# Then the stream ends without ``end``: the client reconnects with Last-Event-ID.
MAX_SECONDS = 300
BATCH = 500


def message(event_id: int | None, kind: str, data: dict) -> str:
    head = "" if event_id is None else f"id: {event_id}\n"
    return f"{head}event: {kind}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n"


def _read(job_id: str, after_id: int) -> tuple[str, list[JobEvent]]:
    # The status first: every event written before the job stopped is then in the read after.
    status = Job.objects.values_list("status", flat=True).get(pk=job_id)
    events = list(JobEvent.objects.filter(job_id=job_id, id__gt=after_id).order_by("id")[:BATCH])
    return status, events


def _as_data(event: JobEvent) -> dict:
    if event.kind == JobEvent.Kind.TOKEN:
        return {"text": event.data.get("text", "")}
    return {
        "level": event.level,
        "message": event.message,
        **{k: v for k, v in event.data.items() if k != "text"},
        "created": event.created.isoformat(),
    }


async def pause(seconds: float) -> None:
    # A seam: tests move the job on here, where the stream waits for the worker.
    await asyncio.sleep(seconds)


async def stream(job_id: str, after_id: int) -> AsyncIterator[str]:
    """The events of ``job_id`` after ``after_id``, then the new ones as they come."""
    read = sync_to_async(_read)
    started = quiet_since = time.monotonic()
    yield f"retry: {int(POLL_SECONDS * 2000)}\n\n"
    while True:
        status, events = await read(job_id, after_id)
        for event in events:
            after_id = event.pk
            yield message(event.pk, event.kind, _as_data(event))
        if len(events) == BATCH:
            continue  # more already waiting: no pause
        if status not in Job.ACTIVE:
            yield message(None, "end", {"status": status})
            return
        now = time.monotonic()
        if events:
            quiet_since = now
        elif now - quiet_since >= KEEPALIVE_SECONDS:
            quiet_since = now
            yield ": still running\n\n"
        if now - started >= MAX_SECONDS:
            return
        await pause(POLL_SECONDS)
