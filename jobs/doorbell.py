"""Tell live pages that a job has news. Only a hint: pages read the news from JobEvent.

A ring costs the job that rings nothing it can avoid. With the in-process layer (the
embedded setup) it reaches sockets of this very process only, so a worker, where no
socket ever listens, returns at once; the web process's poller (jobs/poller.py) rings
there instead. A layer between processes (Redis) is rung from one background event
loop per process, kept with its connections: the job's thread hands the ring over and
goes on, instead of building an event loop and a Redis connection for every event.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import logging
import os
import threading
import uuid
from concurrent.futures import Future
from concurrent.futures import TimeoutError as FutureTimeout

from asgiref.sync import async_to_sync
from channels.layers import BaseChannelLayer, InMemoryChannelLayer, get_channel_layer

log = logging.getLogger(__name__)

DASHBOARD_GROUP = "dashboard"
# How long a finishing process waits for the rings it handed over to leave.
EXIT_WAIT_SECONDS = 2.0


def job_group(job_id: uuid.UUID | str) -> str:
    return f"job-{job_id}"


def message(job_id: uuid.UUID | str, event_id: int = 0) -> dict:
    """The ring: which job, and the newest event id it announces (0: unknown).

    The id lets a socket that already sent that event skip the ring without reading.
    """
    return {"type": "job.changed", "job": str(job_id), "event": event_id}


def ring(job_id: uuid.UUID | str, event_id: int = 0) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    groups = [job_group(job_id), DASHBOARD_GROUP]
    if isinstance(layer, InMemoryChannelLayer):
        groups = [group for group in groups if layer.groups.get(group)]
        if not groups:
            return  # nobody listens in this process
        try:
            # On the loop of the sockets listening here: the in-process layer's
            # queues belong to it.
            async_to_sync(_send)(layer, groups, message(job_id, event_id))
        except Exception:
            log.warning("Could not ring the doorbell for job %s", job_id, exc_info=True)
        return
    _ringer().hand_over(_send(layer, groups, message(job_id, event_id)), job_id)


async def _send(layer: BaseChannelLayer, groups: list[str], body: dict) -> None:
    for group in groups:
        await layer.group_send(group, body)


class _Ringer:
    """One event loop thread per process that sends rings in the order they came."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        self.pending: set[Future] = set()
        self.lock = threading.Lock()
        threading.Thread(target=self.loop.run_forever, name="doorbell", daemon=True).start()

    def hand_over(self, coroutine, job_id: uuid.UUID | str) -> None:
        future = asyncio.run_coroutine_threadsafe(coroutine, self.loop)
        with self.lock:
            self.pending.add(future)
        future.add_done_callback(lambda done: self._done(done, job_id))

    def _done(self, future: Future, job_id: uuid.UUID | str) -> None:
        with self.lock:
            self.pending.discard(future)
        if not future.cancelled() and future.exception() is not None:
            # A lost doorbell costs latency, not correctness: never fail a job for it.
            log.warning(
                "Could not ring the doorbell for job %s",
                job_id,
                exc_info=future.exception(),
            )

    def wait(self, timeout: float) -> None:
        with self.lock:
            pending = list(self.pending)
        for future in pending:
            # Its failure, if any, was logged when it ended.
            with contextlib.suppress(FutureTimeout, Exception):
                future.result(timeout)


_the_ringer: _Ringer | None = None
_ringer_lock = threading.Lock()


def _ringer() -> _Ringer:
    global _the_ringer
    with _ringer_lock:
        if _the_ringer is None:
            _the_ringer = _Ringer()
        return _the_ringer


def _forget_ringer() -> None:
    # A forked worker has none of its parent's threads: it starts its own loop.
    global _the_ringer, _ringer_lock
    _the_ringer = None
    _ringer_lock = threading.Lock()


def flush(timeout: float = EXIT_WAIT_SECONDS) -> None:
    """Wait (a bounded time) until the rings handed over have been sent."""
    if _the_ringer is not None:
        _the_ringer.wait(timeout)


os.register_at_fork(after_in_child=_forget_ringer)
atexit.register(flush)
