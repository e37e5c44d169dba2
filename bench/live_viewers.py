"""A thousand people watching twenty jobs stream, on one daphne process.

    .venv/bin/python bench/live_viewers.py [--viewers 1000] [--jobs 20] [--seconds 20]
                                           [--mode embedded|redis] [--port 8300]
                                           [--dashboards] [--code DIR] [--profile FILE]
                                           [--nice -10]

Three processes, as in production: daphne serving the app (the embedded setup: SQLite and
its event poller; or --mode redis: channels_redis on 127.0.0.1:6379 db 5, keys of its own),
a "worker" writing each job's draft as a streaming job does (a piece every 0.25 s, the
app's flush interval; each piece carries the moment it was written), and this process,
opening every viewer's WebSocket as a signed-in browser does and reading what arrives.

It reports failed handshakes, updates lost, repeated or out of order (each viewer must
receive every piece of its job's draft exactly once, in order), the latency from a piece
being written to a viewer receiving it, and the CPU daphne used meanwhile.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if "--code" in sys.argv:  # another checkout of BlogTube (an older commit, to compare with)
    ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))
REDIS_URL = "redis://127.0.0.1:6379/5"
PIECE = re.compile(r"\[(\d+)\.(\d+)@(\d+\.\d+)\]")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--viewers", type=int, default=1000)
    parser.add_argument("--jobs", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--flush", type=float, default=0.25, help="seconds between pieces")
    parser.add_argument("--mode", choices=["embedded", "redis"], default="embedded")
    parser.add_argument("--port", type=int, default=8300)
    parser.add_argument(
        "--client-processes", type=int, default=4, help="processes the viewers are spread over"
    )
    parser.add_argument("--code", help="run this checkout's code instead (e.g. an older commit)")
    parser.add_argument(
        "--dashboards", action="store_true", help="each viewer also opens the dashboard socket"
    )
    parser.add_argument(
        "--nice",
        type=int,
        default=0,
        help="run every process of the bench at this niceness (e.g. -10, as root): on a shared "
        "machine, close to having the cores to itself",
    )
    parser.add_argument("--profile", help="write daphne's cProfile statistics to this file")
    parser.add_argument("--write", help=argparse.SUPPRESS)  # the worker process
    parser.add_argument("--watch", help=argparse.SUPPRESS)  # a process of viewers
    args = parser.parse_args()
    if args.watch:
        print(json.dumps(asyncio.run(watch_slice(args))), flush=True)
        return
    if args.nice and not (args.write or args.watch):
        os.setpriority(os.PRIO_PROCESS, 0, args.nice)  # inherited by daphne and the rest
    folder = args.write or tempfile.mkdtemp(prefix="blogtube-viewers-")
    configure(folder, args.mode)
    if args.write:
        write(args)
        return
    run(args, folder)


def configure(folder: str, mode: str) -> None:
    os.environ.update(
        DATABASE_URL=f"sqlite:///{folder}/bench.sqlite3",
        MEDIA_ROOT=folder,
        ALLOWED_HOSTS="127.0.0.1,testserver",
        DEBUG="false",
        LOG_LEVEL="WARNING",
        # The app's settings, with Redis keys of this run's own.
        DJANGO_SETTINGS_MODULE="blogtube_site.settings",
        REDIS_KEY_PREFIX=f"blogtube-live-viewers-{Path(folder).name}",
    )
    if mode == "redis":
        os.environ.update(REDIS_URL=REDIS_URL, BLOGTUBE_EVENT_POLLER="false")
    else:
        os.environ.pop("REDIS_URL", None)
        os.environ["BLOGTUBE_EVENT_POLLER"] = "true"


def setup_django() -> None:
    import django

    django.setup()


def run(args: argparse.Namespace, folder: str) -> None:
    setup_django()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from jobs.models import Job
    from providers.models import Provider

    call_command("migrate", verbosity=0)
    owner = get_user_model().objects.create_user("viewer", is_staff=False)
    job_ids = []
    for _ in range(args.jobs):
        job = Job.objects.create(provider=Provider.objects.get(slug="offline"), owner=owner)
        job.create_steps()
        job.claim()
        job.start_step("generate")
        job_ids.append(str(job.pk))
    browser = Client()
    browser.force_login(owner)
    cookie = browser.cookies[settings.SESSION_COOKIE_NAME]

    serve = ["-b", "127.0.0.1", "-p", str(args.port), "blogtube_site.asgi:application"]
    command = [sys.executable, "-m", "daphne", *serve]
    if args.profile:  # daphne's thread under cProfile, written when it stops
        command = [
            sys.executable, "-c",
            "import cProfile, sys; from daphne.cli import CommandLineInterface; "
            f"sys.path.insert(0, ''); cProfile.run({f'CommandLineInterface().run({serve!r})'!r}, "
            f"{str(Path(args.profile).resolve())!r})",
        ]  # fmt: skip
    daphne = subprocess.Popen(
        command,
        cwd=ROOT,
        stdout=open(Path(folder) / "daphne.log", "ab"),  # noqa: SIM115
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        wait_for_port(args.port)
        result = asyncio.run(watch(args, job_ids, f"{cookie.key}={cookie.value}", daphne.pid))
    finally:
        os.killpg(daphne.pid, signal.SIGTERM)
        daphne.wait(timeout=30)
    report(args, result)


def wait_for_port(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"daphne did not listen on port {port}")


def cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def watch(args: argparse.Namespace, job_ids: list[str], cookie: str, pid: int) -> dict:
    """Spread the viewers over processes (as browsers are), open them all, then stream."""
    pieces = int(args.seconds / args.flush)
    share = -(-args.viewers // args.client_processes)
    viewers = []
    for first in range(0, args.viewers, share):
        viewers.append(
            await asyncio.create_subprocess_exec(
                sys.executable,
                __file__,
                "--watch",
                json.dumps(
                    {
                        "port": args.port,
                        "cookie": cookie,
                        "jobs": job_ids,
                        "first": first,
                        "count": min(share, args.viewers - first),
                        "pieces": pieces,
                        "seconds": args.seconds,
                        "opening": max(1, 50 // args.client_processes),
                        "dashboards": args.dashboards,
                    }
                ),
                cwd=ROOT,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        )
    started = time.monotonic()
    for process in viewers:  # each says when all its sockets are open
        await process.stdout.readline()
    handshakes = time.monotonic() - started
    cpu_before = cpu_seconds(pid)
    writer = await asyncio.create_subprocess_exec(
        sys.executable, __file__, "--write", str(Path(os.environ["MEDIA_ROOT"])),
        "--mode", args.mode, "--jobs", str(args.jobs), "--seconds", str(args.seconds),
        "--flush", str(args.flush), *(["--code", args.code] if args.code else []),
        cwd=ROOT, stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    for process in viewers:
        process.stdin.write(b"go\n")
        await process.stdin.drain()
    await writer.communicate()
    streamed = time.monotonic() - started - handshakes
    results = [json.loads((await p.communicate())[0].decode().splitlines()[-1]) for p in viewers]
    cpu = cpu_seconds(pid) - cpu_before
    return {
        "received": [got for r in results for got in r["received"]],
        "latencies": [x for r in results for x in r["latencies"]],
        "failed": [x for r in results for x in r["failed"]],
        "pieces": pieces,
        "handshakes": handshakes,
        "cpu": cpu,
        "viewers_cpu": sum(r["cpu"] for r in results),
        "wall": streamed,
        "job_count": len(job_ids),
    }


async def watch_slice(args: argparse.Namespace) -> dict:
    """One process's viewers: open, say so, wait for the go, read until all pieces came."""
    import websockets

    plan = json.loads(args.watch)
    jobs, count, first = plan["jobs"], plan["count"], plan["first"]
    received: list[list[tuple[int, int]]] = [[] for _ in range(count)]
    latencies: list[float] = []
    failed: list[str] = []
    # A crowd arrives over a moment, not in one instant: 50 handshakes in flight in all.
    opening = asyncio.Semaphore(plan["opening"])
    sockets: list = [None] * count
    dashboards: list = [None] * count

    async def open_one(n: int) -> None:
        url = f"ws://127.0.0.1:{plan['port']}/ws/jobs/{jobs[(first + n) % len(jobs)]}/"
        async with opening:
            try:
                sockets[n] = await websockets.connect(
                    url,
                    origin=f"http://127.0.0.1:{plan['port']}",
                    additional_headers={"Cookie": plan["cookie"]},
                    open_timeout=60,
                    max_size=None,
                    ping_interval=None,
                )
                await asyncio.wait_for(sockets[n].recv(), 60)  # the full state
                if plan["dashboards"]:  # every page's second socket; a job page shows no rows
                    dashboards[n] = await websockets.connect(
                        f"ws://127.0.0.1:{plan['port']}/ws/dashboard/",
                        origin=f"http://127.0.0.1:{plan['port']}",
                        additional_headers={"Cookie": plan["cookie"]},
                        open_timeout=60,
                        ping_interval=None,
                    )
                    await dashboards[n].send(json.dumps({"watch": []}))
            except Exception as exc:
                failed.append(f"{type(exc).__name__}: {exc} ({exc.__cause__!r})")
                sockets[n] = None

    async def read(n: int) -> None:
        if sockets[n] is None:
            return
        job = (first + n) % len(jobs)
        try:
            async for html in sockets[n]:
                now = time.time()
                for piece_job, piece, written in PIECE.findall(html):
                    received[n].append((int(piece_job), int(piece)))
                    latencies.append(now - float(written))
                if sum(1 for j, _ in received[n] if j == job) >= plan["pieces"]:
                    return
        except websockets.ConnectionClosed:
            pass

    await asyncio.gather(*(open_one(n) for n in range(count)))
    print("open", flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.readline)
    cpu_before = time.process_time()
    readers = [asyncio.create_task(read(n)) for n in range(count)]
    # Every piece, or give up well after the writer's end: what is missing then is lost.
    await asyncio.wait(readers, timeout=plan["seconds"] + 60)
    for s in sockets + dashboards:
        if s is not None:
            await s.close()
    return {
        "received": received,
        "latencies": latencies,
        "failed": failed,
        "cpu": time.process_time() - cpu_before,
    }


def write(args: argparse.Namespace) -> None:
    """The worker: each running job gets a piece of draft every --flush seconds."""
    setup_django()
    from jobs.models import Job

    jobs = list(Job.objects.order_by("created"))
    pieces = int(args.seconds / args.flush)
    start = time.monotonic()
    for piece in range(pieces):
        # Spread the jobs over the interval, as independent workers would be.
        for n, job in enumerate(jobs):
            due = start + (piece + n / len(jobs)) * args.flush
            time.sleep(max(0.0, due - time.monotonic()))
            job.append_draft(f"[{n}.{piece}@{time.time():.6f}] ")
    from jobs import doorbell

    doorbell.flush()
    print(pieces)


def report(args: argparse.Namespace, result: dict) -> None:
    pieces, job_count = result["pieces"], result["job_count"]
    complete = repeated = disordered = lost = 0
    for n, got in enumerate(result["received"]):
        job = n % job_count
        numbers = [p for j, p in got if j == job]
        lost += max(0, pieces - len(set(numbers)))
        repeated += len(numbers) - len(set(numbers))
        disordered += numbers != sorted(numbers)
        complete += sorted(set(numbers)) == list(range(pieces))
    ms = sorted(x * 1000 for x in result["latencies"]) or [float("nan")]
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    nice = f", niceness {args.nice}" if args.nice else ""
    print(f"load average {load}, {os.cpu_count()} cores, mode {args.mode}{nice}, code: {ROOT}")
    rows = [
        ("viewers (on one daphne)", args.viewers),
        ("sockets a viewer opens", 2 if args.dashboards else 1),
        ("jobs streaming", job_count),
        (f"pieces per job (one every {args.flush:g} s)", pieces),
        ("failed handshakes", len(result["failed"])),
        ("seconds to open every socket", f"{result['handshakes']:.1f}"),
        ("viewers with every piece", f"{complete} of {args.viewers}"),
        ("pieces lost", lost),
        ("pieces repeated", repeated),
        ("viewers out of order", disordered),
        ("updates delivered", len(result["latencies"])),
        ("latency p50 ms", f"{statistics.median(ms):.0f}"),
        ("latency p95 ms", f"{ms[max(0, int(len(ms) * 0.95) - 1)]:.0f}"),
        ("latency max ms", f"{ms[-1]:.0f}"),
        ("daphne CPU while streaming", f"{result['cpu'] / result['wall']:.0%} of one core"),
        (
            "daphne CPU per update delivered",
            f"{result['cpu'] / max(1, len(result['latencies'])) * 1e6:.0f} µs",
        ),
        ("viewers' CPU (all processes)", f"{result['viewers_cpu'] / result['wall']:.0%} of a core"),
    ]
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")
    if result["failed"]:
        print("first handshake failure:", result["failed"][0])


if __name__ == "__main__":
    main()
