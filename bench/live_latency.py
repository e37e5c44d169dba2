"""How long from a worker writing a job event to the page's WebSocket receiving it,
in the embedded configuration (SQLite, no Redis: the web process's poller rings).

    .venv/bin/python bench/live_latency.py [--events 100] [--interval 0.2]

Runs against a throwaway SQLite database; the "worker" is a thread with its own
connection that never rings the in-process doorbell, as a separate process would not.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=100)
    parser.add_argument("--interval", type=float, default=0.2, help="poller interval, seconds")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="blogtube-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = folder
    os.environ["BLOGTUBE_EVENT_POLLER"] = "true"
    os.environ["BLOGTUBE_POLL_INTERVAL"] = str(args.interval)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogtube_site.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    latencies = asyncio.run(measure(args.events))
    latencies.sort()
    p50 = statistics.median(latencies)
    p95 = latencies[int(len(latencies) * 0.95) - 1]
    print(
        f"{len(latencies)} events, poll interval {args.interval * 1000:.0f} ms: "
        f"p50 {p50 * 1000:.0f} ms, p95 {p95 * 1000:.0f} ms, max {latencies[-1] * 1000:.0f} ms"
    )


async def measure(count: int) -> list[float]:
    from channels.db import database_sync_to_async
    from channels.testing import WebsocketCommunicator
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client

    from blogtube_site.asgi import application
    from jobs import doorbell
    from jobs.models import Job
    from providers.models import Provider

    def make_job() -> tuple[Job, list[tuple[bytes, bytes]]]:
        owner = get_user_model().objects.create_user("bench")
        job = Job.objects.create(provider=Provider.objects.get(slug="offline"), owner=owner)
        job.create_steps()
        job.claim()
        job.start_step("generate")
        # The page's socket as a signed-in browser opens it: its origin and session cookie.
        browser = Client()
        browser.force_login(owner)
        cookie = browser.cookies[settings.SESSION_COOKIE_NAME]
        return job, [
            (b"origin", b"http://127.0.0.1:8000"),
            (b"cookie", f"{cookie.key}={cookie.value}".encode()),
        ]

    job, headers = await database_sync_to_async(make_job)()
    doorbell.ring = lambda job_id: None  # the worker is another process: no shared layer
    socket = WebsocketCommunicator(application, f"/ws/jobs/{job.pk}/", headers=headers)
    await socket.connect()
    await socket.receive_from()
    latencies = []
    for n in range(count):
        sent_at: list[float] = []

        def write(n: int = n, sent_at: list[float] = sent_at) -> None:
            time.sleep(0.05 + (n % 7) * 0.03)  # land anywhere in the poll cycle
            sent_at.append(time.perf_counter())
            job.append_draft(f"token{n} ")

        threading.Thread(target=write).start()
        await socket.receive_from(timeout=5)
        latencies.append(time.perf_counter() - sent_at[0])
    await socket.disconnect()
    return latencies


if __name__ == "__main__":
    main()
