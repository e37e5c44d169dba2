"""How long from a worker writing a job event to the page's WebSocket receiving the swap.

    .venv/bin/python bench/live_latency.py [--events 200] [--modes embedded redis]

One row per configuration, each run in its own process (settings are per process):

- embedded: SQLite, the in-process channel layer, the web process's poller rings (the
  worker's own ring reaches nobody, as in a separate process).
- redis: the same database, channels_redis on 127.0.0.1:6379 db 5 with keys of its own;
  the worker's ring crosses Redis (skipped when Redis is not running).

The "worker" is a thread with its own database connection writing draft text at
irregular moments (so events land anywhere in a poll cycle); the page is the app's
socket opened as a signed-in browser does. Waits are sized from the poll interval and
the machine's load: an event that never arrives is counted as lost, not a crash.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--code" in sys.argv:  # another checkout of BlogTube (an older commit, to compare with)
    ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))
REDIS = ("127.0.0.1", 6379)
REDIS_URL = "redis://127.0.0.1:6379/5"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=200)
    parser.add_argument("--modes", nargs="+", default=["embedded", "redis"])
    parser.add_argument("--interval", type=float, help="poll interval (default: the app's)")
    parser.add_argument("--code", help="run this checkout's code instead (e.g. an older commit)")
    parser.add_argument("--one", help=argparse.SUPPRESS)  # a child process runs one mode
    args = parser.parse_args()
    if args.one:
        print(json.dumps(run_one(args.one, args.events, args.interval)))
        return
    rows = []
    for mode in args.modes:
        if mode == "redis" and not reachable(REDIS):
            rows.append({"mode": mode, "skipped": "Redis is not running on 127.0.0.1:6379"})
            continue
        command = [sys.executable, __file__, "--one", mode, "--events", str(args.events)]
        if args.interval:
            command += ["--interval", str(args.interval)]
        if args.code:
            command += ["--code", args.code]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT)
        if done.returncode:
            rows.append({"mode": mode, "skipped": done.stderr.strip().splitlines()[-1:]})
        else:
            rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
    print_table(rows)


def reachable(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return False
    return True


def print_table(rows: list[dict]) -> None:
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    print(f"load average {load}, {os.cpu_count()} cores, code: {ROOT}")
    print(
        f"{'mode':<10} {'events':>7} {'lost':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  notes"
    )
    for row in rows:
        if "skipped" in row:
            print(f"{row['mode']:<10} skipped: {row['skipped']}")
            continue
        print(
            f"{row['mode']:<10} {row['events']:>7} {row['lost']:>5} {row['p50']:>7.1f} "
            f"{row['p95']:>7.1f} {row['max']:>7.1f}  {row['notes']}"
        )


def run_one(mode: str, count: int, interval: float | None) -> dict:
    folder = tempfile.mkdtemp(prefix="blogtube-bench-")
    os.environ["DATABASE_URL"] = f"sqlite:///{folder}/bench.sqlite3"
    os.environ["MEDIA_ROOT"] = folder
    if mode == "redis":
        os.environ["REDIS_URL"] = REDIS_URL
        os.environ["BLOGTUBE_EVENT_POLLER"] = "false"
    else:
        os.environ.pop("REDIS_URL", None)
        os.environ["BLOGTUBE_EVENT_POLLER"] = "true"
    if interval:
        os.environ["BLOGTUBE_POLL_INTERVAL"] = str(interval)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogtube_site.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    if mode == "redis":
        settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"live-bench-{os.getpid()}"
    call_command("migrate", verbosity=0)
    latencies, lost = asyncio.run(measure(mode, count))
    latencies.sort()
    ms = [x * 1000 for x in latencies] or [float("nan")]
    notes = (
        f"poll every {settings.BLOGTUBE_POLL_INTERVAL * 1000:.0f} ms"
        if mode == "embedded"
        else "worker rings through Redis"
    )
    return {
        "mode": mode,
        "events": len(latencies),
        "lost": lost,
        "p50": statistics.median(ms),
        "p95": ms[max(0, int(len(ms) * 0.95) - 1)],
        "max": ms[-1],
        "notes": notes,
    }


async def measure(mode: str, count: int) -> tuple[list[float], int]:
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
    if mode == "embedded":
        doorbell.ring = lambda job_id, event_id=0: None  # a worker process reaches no socket here
    # A hang guard sized for a loaded machine, never a measure.
    load = os.getloadavg()[0] / (os.cpu_count() or 1)
    wait = max(5.0, 50 * settings.BLOGTUBE_POLL_INTERVAL) * max(1.0, load)
    page = WebsocketCommunicator(application, f"/ws/jobs/{job.pk}/", headers=headers)
    connected, _ = await page.connect(timeout=wait)
    if not connected:
        raise SystemExit("the page's socket was refused")
    await page.receive_from(timeout=wait)
    latencies: list[float] = []
    lost = 0
    for n in range(count):
        sent_at: list[float] = []

        def write(n: int = n, sent_at: list[float] = sent_at) -> None:
            time.sleep(0.01 + (n % 7) * 0.013)  # land anywhere in the poll cycle
            sent_at.append(time.perf_counter())
            job.append_draft(f"token{n} ")

        threading.Thread(target=write).start()
        try:
            while True:
                html = await page.receive_from(timeout=wait)
                if f"token{n} " in html:
                    break
        except TimeoutError:
            lost += 1
            continue
        latencies.append(time.perf_counter() - sent_at[0])
    await page.disconnect()
    if mode == "redis" and hasattr(doorbell, "flush"):
        doorbell.flush()
    return latencies, lost


if __name__ == "__main__":
    main()
