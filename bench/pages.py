"""Pages at 100,000 jobs against 1,000: each page N times, signed in as staff (who sees all)
or, where the page's name says so, as a plain user (who sees their own).

    .venv/bin/python bench/seed_jobs.py          # once: the 1k and 100k databases
    .venv/bin/python bench/pages.py [--runs 30] [--sizes 1000 100000]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/pages .venv/bin/python bench/pages.py

Runs the whole request (middleware, view, template) through Django's test client in one
process per database, after a few warm-up requests, and prints per page: p50 and p95 in
milliseconds at each size, the queries one request makes, and the ratio of the largest
size's p50 to the smallest's. The sizes take turns, a few requests at a time, so a load
that comes and goes on a shared machine weighs on both sides of the ratio alike. SQLite
always; PostgreSQL too when DATABASE_URL names it (the databases bench/seed_jobs.py made
beside it). Target (issue 11): p95 <= 50 ms, at most
10 queries, ratio <= 1.5.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from functools import partial
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from seed_jobs import (  # noqa: E402
    DEFAULT_SIZES,
    STAFF,
    USERS,
    bench_env,
    database_url,
    video_id,
)

WARMUP = 3
TURN = 5  # requests per size per turn


def pages(job_id: str, provider: str, deep: dict[str, str]) -> list[tuple[str, str]]:
    return [
        ("jobs list", "/jobs/"),
        ("jobs list, filtered by status", "/jobs/?status=failed"),
        ("jobs list, filtered by provider", f"/jobs/?provider={provider}"),
        ("jobs list, searched", "/jobs/?q=sourdough"),
        # The same 40 jobs at every size (seed_jobs.NEEDLE): how search grows with the history.
        ("jobs list, searched, 40 at each size", "/jobs/?q=Origami+volcano"),
        # One video's jobs (the same video at every size): a search by a YouTube id.
        ("jobs list, searched, a video's id", f"/jobs/?q={video_id(42)}"),
        # 6 matches at 1k, 237 at 100k: a short page against a full one, so more than search.
        ("jobs list, searched, rare", "/jobs/?q=Marathon+photography"),
        ("jobs list, sorted by title", "/jobs/?sort=title"),
        ("jobs list, sorted by -progress", "/jobs/?sort=-progress"),
        # The last page: what "Next" reaches after clicking through the whole history.
        ("jobs list, deep page", f"/jobs/?after={deep['-created']}"),
        ("jobs list, deep page, by title", f"/jobs/?sort=title&after={deep['title']}"),
        ("jobs list, htmx swap", "/jobs/?status=completed&sort=-status"),
        ("jobs list, sorted by provider", "/jobs/?sort=provider"),
        ("job page", f"/jobs/{job_id}/"),
        ("stats, 7 days", "/stats/?days=7"),
        ("stats, 30 days", "/stats/"),
        ("stats, 90 days", "/stats/?days=90"),
        # One person's own jobs: their rollup rows, not everyone's.
        ("stats, 7 days, plain user", "/stats/?days=7"),
        ("stats, 30 days, plain user", "/stats/"),
        ("stats, 90 days, plain user", "/stats/?days=90"),
        ("videos", "/videos/"),
        ("videos, searched", "/videos/?q=garden"),
        ("batches", "/batches/"),
        ("API jobs", "/api/v1/jobs"),
        ("API jobs, searched", "/api/v1/jobs?q=sourdough"),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    parser.add_argument("--only", help="pages whose name contains this")
    parser.add_argument("--no-sqlite", action="store_true", help="PostgreSQL only")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        serve(args.only)
        return
    backends = [] if args.no_sqlite else [("SQLite", "")]
    if os.environ.get("DATABASE_URL", "").startswith("postgres"):
        backends.append(("PostgreSQL", os.environ["DATABASE_URL"]))
    print(f"# {platform.node()}: {os.cpu_count()} cores, {platform.python_version()}, "
          f"load average before {_load()}")  # fmt: skip
    for name, base in backends:
        children = {}
        for size in args.sizes:
            env = {**os.environ, **bench_env(database_url(base, size))}
            command = [sys.executable, __file__, "--serve"]
            command += ["--only", args.only] if args.only else []
            children[size] = subprocess.Popen(
                command, env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
            )
        names = [json.loads(child.stdout.readline()) for child in children.values()][-1]
        results: dict[int, dict] = {size: {} for size in args.sizes}
        for page in names:
            times: dict[int, list[float]] = {size: [] for size in args.sizes}
            queries = {}
            while len(times[args.sizes[0]]) < args.runs:
                for size, child in children.items():
                    child.stdin.write(json.dumps(page) + "\n")
                    child.stdin.flush()
                    answer = json.loads(child.stdout.readline())
                    times[size] += answer["times"]
                    queries[size] = answer["queries"]
            for size in args.sizes:
                results[size][page] = _summary(times[size], queries[size])
        for child in children.values():
            child.stdin.close()
            child.wait()
        table(name, args.sizes, results)
    print(f"# load average after {_load()}")


def _load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def table(backend: str, sizes: list[int], results: dict[int, dict]) -> None:
    small, large = sizes[0], sizes[-1]
    heads = [f"{backend} page"]
    for size in sizes:
        k = _k(size)
        heads += [f"p50 {k}", f"p95 {k}"]
    heads += ["queries", f"{_k(large)}/{_k(small)}"]
    print()
    print("| " + " | ".join(heads) + " |")
    print("|" + "|".join("---" if i == 0 else "---:" for i in range(len(heads))) + "|")
    for page in results[small]:
        row = [page]
        for size in sizes:
            r = results[size][page]
            row += [f"{r['p50']:.1f}", f"{r['p95']:.1f}"]
        queries = sorted({results[size][page]["queries"] for size in sizes})
        row.append("/".join(str(q) for q in queries))
        row.append(f"{results[large][page]['p50'] / results[small][page]['p50']:.2f}x")
        print("| " + " | ".join(row) + " |")


def _k(size: int) -> str:
    return f"{size // 1000}k" if size >= 1000 else str(size)


def _count(queries: list[str], run, sql, *rest):
    queries.append(sql)
    return run(sql, *rest)


def _summary(times: list[float], queries: int) -> dict:
    times = sorted(times)
    return {
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, round(0.95 * (len(times) - 1)))],
        "queries": queries,
    }


def serve(only: str | None) -> None:
    """A child on one database: prints its pages' names, then for each name read from
    stdin, TURN timed requests of that page and the queries of one."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogtube_site.settings")
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from jobs.models import Job

    # A database seeded before the latest migrations gets them (as a deployment would).
    call_command("migrate", verbosity=0)
    from jobs import listing

    staff = get_user_model().objects.get(username=STAFF)
    clients = {"staff": Client(), "plain user": Client()}
    clients["staff"].force_login(staff)
    clients["plain user"].force_login(get_user_model().objects.get(username=USERS[0]))
    job = Job.objects.filter(status="completed", video__isnull=False).order_by("-created").first()
    deep = {}
    for sort in ("-created", "title"):
        filters = listing.Filters(sort=sort)
        jobs = filters.apply(Job.objects.visible_to(staff))
        # The row 30 from the end (found once, by OFFSET, outside the timing).
        deep[sort] = listing.encode(jobs[jobs.count() - 30], filters.keys)
    urls = {
        name: url
        for name, url in pages(str(job.pk), job.provider.slug, deep)
        if not only or only in name
    }
    if any(name.startswith("stats") for name in urls):
        _backfill()
    print(json.dumps(list(urls)), flush=True)
    warm: set[str] = set()
    for line in sys.stdin:
        name = json.loads(line)
        url = urls[name]
        headers = {"HX-Request": "true"} if "htmx" in name else {}
        client = clients["plain user" if "plain user" in name else "staff"]
        if name not in warm:
            warm.add(name)
            for _ in range(WARMUP):
                response = client.get(url, headers=headers)
                assert response.status_code == 200, (url, response.status_code)
        queries: list[str] = []
        with connection.execute_wrapper(partial(_count, queries)):
            client.get(url, headers=headers)
        times = []
        for _ in range(TURN):
            start = time.perf_counter()
            client.get(url, headers=headers)
            times.append((time.perf_counter() - start) * 1000)
        print(json.dumps({"times": times, "queries": len(queries)}), flush=True)


def _backfill() -> None:
    """The first read after migrate sums every past day of the longest window (migrate
    forgets the rollup): timed once, apart from the pages' runs."""
    import datetime as dt

    from django.db import connection
    from django.utils import timezone

    from jobs import rollup

    today = timezone.localdate()
    start = time.perf_counter()
    rollup.refresh(today - dt.timedelta(days=rollup.KEEP_DAYS - 1), today)
    took = (time.perf_counter() - start) * 1000
    name = Path(connection.settings_dict["NAME"]).name
    print(f"# {name}: the rollup of {rollup.KEEP_DAYS - 1} days summed in {took:.0f} ms",
          file=sys.stderr, flush=True)  # fmt: skip


if __name__ == "__main__":
    main()
