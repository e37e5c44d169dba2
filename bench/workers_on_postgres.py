"""Jobs a second on the scale-out configuration, by number of workers: how many to run.

    .venv/bin/python bench/workers_on_postgres.py [--jobs 200] [--workers 1,2,4]
        [--provider instant|offline] [--model-seconds 0.5]
        [--postgres postgres://postgres@127.0.0.1:5432]
        [--redis redis://127.0.0.1:6379/0]

A throwaway PostgreSQL database (dropped at the end) and Redis keys under a prefix of their
own; for each worker count, N jobs from uploaded transcripts are queued first, then one
`manage.py qcluster` with that many workers runs them all. Throughput is N over the time from
the first job's start to the last one's end (the cluster's own start-up left out). "instant"
is the tests' fake OpenAI-compatible server answering at once (the app's own cost per job);
"offline" is the built-in writer (TextRank and YAKE on each transcript: CPU in the worker).
With --model-seconds the fake model first waits that long, as a real one does: a worker then
spends most of a job waiting, not computing, and the rows show whether workers scale when
cores are not what runs out (on a 2-core machine, four workers of an instant model cannot).
Prints one row per worker count: jobs/s, the cluster's CPU time per job (what sizing
needs on a busy machine, where wall time says more about the neighbours), how many of the
machine's cores were busy while the cluster ran (the cluster, PostgreSQL, Redis and this
script together: at the core count, more workers cannot help), and the load average before
and after it.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

import standalone

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--workers", default="1,2,4", help="comma-separated counts")
    parser.add_argument("--provider", choices=("instant", "offline"), default="instant")
    parser.add_argument(
        "--model-seconds",
        type=float,
        default=0.0,
        help="the fake model waits this long before its first token (a real model's wait)",
    )
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432")
    parser.add_argument("--redis", default="redis://127.0.0.1:6379/0")
    parser.add_argument("--timeout", type=int, default=900, help="per worker count, seconds")
    args = parser.parse_args()

    run = secrets.token_hex(4)
    database = f"blogtube_bench_{run}"
    folder = Path(f"/tmp/blogtube-bench-{run}")
    folder.mkdir()
    admin(args.postgres, f"CREATE DATABASE {database}")
    try:
        standalone.set_up(
            folder,
            database_url=f"{args.postgres}/{database}",
            REDIS_URL=args.redis,
            REDIS_KEY_PREFIX=f"blogtube-bench-{run}",
            # The app's defaults, as deployed with Redis (which turns the poller off).
            ALLOWED_HOSTS=None,
            BLOGTUBE_EVENT_POLLER=None,
        )
        from tests.fakes.llm_server import FakeLLMServer

        with FakeLLMServer() as model:
            model.configure(reply=standalone.REPLY, first_token_delay=args.model_seconds)
            counts = [int(n) for n in args.workers.split(",")]
            rows = [measure(args, workers, model.base_url, folder) for workers in counts]
        report(args, rows)
    finally:
        from django.db import connections

        connections.close_all()
        admin(args.postgres, f"DROP DATABASE IF EXISTS {database} WITH (FORCE)")
        print(f"cluster logs in {folder}", file=sys.stderr)


def admin(postgres: str, sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def measure(args: argparse.Namespace, workers: int, base_url: str, folder: Path) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.db.models import Max, Min

    from jobs.models import Job
    from jobs.services import JobRequest, create_job
    from providers.models import Provider

    Job.objects.all().delete()
    if args.provider == "instant":
        provider, _ = Provider.objects.get_or_create(
            slug="instant",
            defaults={"name": "Instant model", "kind": "openai", "base_url": base_url,
                      "default_model": "fake-model"},
        )  # fmt: skip
    else:
        provider = Provider.objects.get(slug="offline")
    owner, _ = get_user_model().objects.get_or_create(username="bench")
    for n in range(args.jobs):
        upload = SimpleUploadedFile(f"talk-{n}.srt", standalone.TRANSCRIPT.encode())
        create_job(JobRequest(provider=provider, transcript_file=upload, owner=owner))
    load_before = os.getloadavg()[0]
    cluster = standalone.start_cluster(ROOT, folder / f"qcluster-{workers}.log", workers)
    try:
        deadline = time.monotonic() + args.timeout
        machine_before = None
        while Job.objects.filter(status__in=Job.ACTIVE).exists():
            if time.monotonic() > deadline or cluster.poll() is not None:
                raise SystemExit(f"{workers} workers: jobs left unfinished; see {folder}")
            # The machine's cores from the first job's start, the span jobs/s counts, not
            # the cluster's own start-up (one process alone).
            if machine_before is None and Job.objects.filter(started__isnull=False).exists():
                machine_before = busy_seconds(), time.monotonic()
            time.sleep(0.1)
        cpu = standalone.cpu_seconds(cluster.pid)
        busy = 0.0
        if machine_before is not None:
            busy = (busy_seconds() - machine_before[0]) / (time.monotonic() - machine_before[1])
    finally:
        standalone.stop_cluster(cluster)
    span = Job.objects.aggregate(first=Min("started"), last=Max("finished"))
    seconds = (span["last"] - span["first"]).total_seconds()
    return {
        "workers": workers,
        "completed": Job.objects.filter(status=Job.Status.COMPLETED).count(),
        "seconds": seconds,
        "cpu": cpu,
        "busy": busy,
        "load": (load_before, os.getloadavg()[0]),
    }


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent on anything but waiting, all cores."""
    import psutil

    times = psutil.cpu_times()
    return sum(times) - times.idle - getattr(times, "iowait", 0.0)


def report(args: argparse.Namespace, rows: list[dict]) -> None:
    wait = f", the model waits {args.model_seconds:g} s" if args.model_seconds else ""
    print(
        f"{args.jobs} jobs, provider {args.provider}{wait}, PostgreSQL + Redis, "
        f"{os.cpu_count()} cores"
    )
    print(
        f"{'workers':>7}  {'completed':>9}  {'seconds':>7}  {'jobs/s':>6}  {'per worker':>10}  "
        f"{'vs first':>8}  {'CPU ms/job':>10}  {'cores busy':>10}  load before/after"
    )
    base = None
    for row in rows:
        rate = row["completed"] / row["seconds"]
        base = base or rate / row["workers"]
        print(
            f"{row['workers']:>7}  {row['completed']:>9}  {row['seconds']:>7.1f}  {rate:>6.2f}  "
            f"{rate / row['workers']:>10.2f}  {rate / base:>7.2f}x  "
            f"{1000 * row['cpu'] / row['completed']:>10.0f}  "
            f"{row['busy']:>5.2f} of {os.cpu_count()}  "
            f"{row['load'][0]:.1f} / {row['load'][1]:.1f}"
        )


if __name__ == "__main__":
    main()
