"""Soak: N jobs through the real form, a faulty model, and K SIGKILLs of the task cluster.

    .venv/bin/python bench/soak.py [--jobs 100] [--kills 3] [--fault-rate 0.23]

The app's own settings (heartbeat, lost-after, retries) unless --lost-after is given; one
staff person submits every job, with the per-person limits off.

A throwaway SQLite database, a real `manage.py qcluster` in its own process group
(killed whole with SIGKILL, then started again, so its workers die mid-job and the
tasks it had fetched stay locked in the broker), and the fake OpenAI-compatible server
of the tests answering a share of requests with 503. Prints what became of every job
and the longest a job running at a kill waited until it ran again (or ended).
"""

from __future__ import annotations

import argparse
import collections
import datetime
import os
import random
import signal
import sys
import tempfile
import time
from pathlib import Path

import standalone

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=100)
    parser.add_argument("--kills", type=int, default=3)
    parser.add_argument("--fault-rate", type=float, default=0.23)
    parser.add_argument(
        "--lost-after", type=int, help="BLOGTUBE_LOST_AFTER_SECONDS (default: the app's own)"
    )
    parser.add_argument("--timeout", type=int, default=900, help="give up after, seconds")
    args = parser.parse_args()

    folder = tempfile.mkdtemp(prefix="blogtube-soak-")
    print(f"database and cluster log in {folder}", file=sys.stderr)
    standalone.set_up(
        folder,
        database_url=f"sqlite:///{folder}/soak.sqlite3",
        REDIS_URL=None,
        BLOGTUBE_WORKERS="2",
        BLOGTUBE_RETRY_SECONDS="2",
        BLOGTUBE_LOST_AFTER_SECONDS=str(args.lost_after) if args.lost_after else None,
    )
    from tests.fakes.llm_server import FakeLLMServer

    class FaultyModel(FakeLLMServer):
        def _should_fail(self) -> bool:
            return random.random() < args.fault_rate

    with FaultyModel() as model:
        model.configure(reply=standalone.REPLY, token_delay=0.004, fail_status=503)
        report(run(args, model.base_url, folder))


def run(args: argparse.Namespace, base_url: str, folder: str) -> dict:
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from django.utils import timezone

    from jobs.models import Job
    from providers.models import Provider

    provider = Provider.objects.create(
        slug="faulty", name="Faulty model", kind="openai", base_url=base_url,
        default_model="fake-model",
    )  # fmt: skip
    log = Path(folder) / "qcluster.log"
    cluster = standalone.start_cluster(ROOT, log)
    client = Client()
    client.force_login(get_user_model().objects.create_user("soak", is_staff=True))
    for n in range(args.jobs):
        data = standalone.talk_form(provider.pk, f"talk-{n}.srt")
        response = client.post(reverse("jobs:create"), data)
        # To the new job's page: a redirect elsewhere (to sign in, say) queued nothing.
        assert response.status_code == 302 and "/jobs/" in response["Location"], (
            response.status_code,
            response.get("Location"),
            response.content[:500],
        )

    kills: list[tuple[datetime.datetime, list[str]]] = []
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline:
        ended = Job.objects.exclude(status__in=Job.ACTIVE).count()
        if ended == args.jobs:
            break
        due = len(kills) < args.kills and ended >= args.jobs * (len(kills) + 1) // (args.kills + 1)
        running = [
            str(pk)
            for pk in Job.objects.filter(status=Job.Status.RUNNING).values_list("pk", flat=True)
        ]
        if due and running:
            os.killpg(cluster.pid, signal.SIGKILL)
            cluster.wait()
            kills.append((timezone.now(), running))
            cluster = standalone.start_cluster(ROOT, log)
        time.sleep(0.2)
    standalone.stop_cluster(cluster)
    return {"submitted": args.jobs, "kills": kills}


def report(outcome: dict) -> None:
    from jobs.models import Job, JobEvent, Post

    jobs = Job.objects.all()
    failed = collections.Counter(
        jobs.filter(status=Job.Status.FAILED).values_list("error_code", flat=True)
    )
    completed_events = collections.Counter(
        JobEvent.objects.filter(
            kind=JobEvent.Kind.STATUS, data__status=Job.Status.COMPLETED
        ).values_list("job_id", flat=True)
    )
    put_back = (
        JobEvent.objects.filter(message__contains="put back in the queue")
        .values("job_id")
        .distinct()
        .count()
    )
    longest = 0.0
    for at, running in outcome["kills"]:
        for pk in running:
            after = (
                JobEvent.objects.filter(job_id=pk, kind=JobEvent.Kind.STATUS, created__gt=at)
                .exclude(data__status=Job.Status.QUEUED)
                .order_by("id")
                .first()
            )
            if after is not None:
                longest = max(longest, (after.created - at).total_seconds())
    rows = [
        ("submitted", outcome["submitted"]),
        ("cluster SIGKILLs", len(outcome["kills"])),
        ("running jobs seen at the kills", sum(len(r) for _, r in outcome["kills"])),
        ("completed", jobs.filter(status=Job.Status.COMPLETED).count()),
        *((f"failed {code}", n) for code, n in sorted(failed.items())),
        ("cancelled", jobs.filter(status=Job.Status.CANCELLED).count()),
        ("lost (still queued or running)", jobs.filter(status__in=Job.ACTIVE).count()),
        ("duplicated (completed twice)", sum(1 for n in completed_events.values() if n > 1)),
        ("posts", Post.objects.count()),
        ("put back after a lost worker", put_back),
        ("longest wait after a kill, s", f"{longest:.0f}"),
    ]  # fmt: skip
    width = max(len(name) for name, _ in rows)
    for name, value in rows:
        print(f"{name:<{width}}  {value}")


if __name__ == "__main__":
    main()
