"""Jobs a second through the real task cluster, with a model that answers at once.

    .venv/bin/python bench/throughput.py [--jobs 200] [--workers 2]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/live_bench \\
        .venv/bin/python bench/throughput.py --workers 1 2 4

Without DATABASE_URL: a throwaway SQLite database (the embedded setup). With it: that
database, migrated and emptied of jobs first (create it beforehand: `createdb live_bench`).
Each row queues --jobs jobs through the real form (uploaded transcripts: no YouTube), then
starts `manage.py qcluster` with that many workers; the rate is jobs over the time from
the first job's start to the last one's end, so the cluster's own start-up is left out.
The model is the tests' fake OpenAI-compatible server with no delay (`--model offline`:
the built-in offline writer instead), in this process. "CPU ms/job" is the cluster's own CPU
time (all its processes, start-up included) over the jobs: on a busy machine it says what a
job costs better than the rate does.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import standalone

ROOT = Path(__file__).resolve().parents[1]
if "--code" in sys.argv:  # another checkout of BlogTube (an older commit, to compare with)
    ROOT = Path(sys.argv[sys.argv.index("--code") + 1]).resolve()
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=200)
    parser.add_argument("--workers", type=int, nargs="+", default=[2])
    parser.add_argument("--model", choices=["instant", "offline"], default="instant")
    parser.add_argument("--timeout", type=float, default=600, help="give up a row after, s")
    parser.add_argument("--code", help="run this checkout's code instead (e.g. an older commit)")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="blogtube-throughput-")
    standalone.set_up(folder, database_url=os.environ.get("DATABASE_URL"))
    from django.db import connection

    database = connection.vendor
    sys.path.insert(1, str(Path(__file__).resolve().parents[1]))  # this bench's fake model
    from tests.fakes.llm_server import FakeLLMServer

    rows = []
    with FakeLLMServer() as model:
        model.configure(reply=standalone.REPLY)
        for workers in args.workers:
            rows.append(run_row(args, workers, model.base_url, folder))
            print_row(database, rows[-1], rows[0], header=len(rows) == 1)


def run_row(args: argparse.Namespace, workers: int, base_url: str, folder: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.db.models import Max, Min
    from django.test import Client
    from django.urls import reverse
    from django_q.models import OrmQ, Task

    from jobs.models import Job
    from providers.models import Provider

    Job.objects.all().delete()
    OrmQ.objects.all().delete()
    Task.objects.all().delete()
    if args.model == "offline":
        provider = Provider.objects.get(slug="offline")
    else:
        provider, _ = Provider.objects.update_or_create(
            slug="instant",
            defaults={"name": "Instant model", "kind": "openai", "base_url": base_url,
                      "default_model": "fake-model"},
        )  # fmt: skip
    user, _ = get_user_model().objects.get_or_create(username="bench", is_staff=True)
    client = Client()
    client.force_login(user)
    for n in range(args.jobs):
        data = standalone.talk_form(provider.pk, f"talk-{n}.srt")
        response = client.post(reverse("jobs:create"), data)
        if response.status_code != 302:
            raise SystemExit(f"the form refused job {n}: {response.status_code}")

    cluster = standalone.start_cluster(ROOT, Path(folder) / f"qcluster-{workers}.log", workers)
    deadline = time.monotonic() + args.timeout
    cpu = 0.0
    try:
        while time.monotonic() < deadline:
            if not Job.objects.filter(status__in=Job.ACTIVE).exists():
                break
            time.sleep(0.2)
        cpu = standalone.cpu_seconds(cluster.pid)
    finally:
        standalone.stop_cluster(cluster)
    span = Job.objects.aggregate(first=Min("started"), last=Max("finished"))
    completed = Job.objects.filter(status=Job.Status.COMPLETED).count()
    seconds = (
        (span["last"] - span["first"]).total_seconds() if span["first"] and span["last"] else 0
    )
    return {
        "workers": workers,
        "jobs": args.jobs,
        "completed": completed,
        "unfinished": Job.objects.filter(status__in=Job.ACTIVE).count(),
        "seconds": seconds,
        "rate": completed / seconds if seconds else 0.0,
        "model": args.model,
        "cpu": cpu,
    }


def print_row(database: str, row: dict, first: dict, *, header: bool) -> None:
    if header:
        load = " ".join(f"{x:.2f}" for x in os.getloadavg())
        print(f"load average {load}, {os.cpu_count()} cores, model: {row['model']}, code: {ROOT}")
        print(
            f"{'database':<10} {'workers':>7} {'jobs':>5} {'done':>5} {'left':>5} "
            f"{'seconds':>8} {'jobs/s':>7} {'per worker':>10} {'vs first row':>12} "
            f"{'CPU ms/job':>10}"
        )
    per_worker = row["rate"] / row["workers"]
    base = first["rate"] / first["workers"] if first["rate"] else 0
    scaling = f"{row['rate'] / first['rate']:.2f}x" if first["rate"] else "-"
    efficiency = f" ({per_worker / base:.0%})" if base else ""
    print(
        f"{database:<10} {row['workers']:>7} {row['jobs']:>5} {row['completed']:>5} "
        f"{row['unfinished']:>5} {row['seconds']:>8.2f} {row['rate']:>7.2f} "
        f"{per_worker:>10.2f} {scaling + efficiency:>12} "
        f"{1000 * row['cpu'] / max(row['completed'], 1):>10.0f}",
        flush=True,
    )


if __name__ == "__main__":
    main()
