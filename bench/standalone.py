"""A throwaway BlogTube for a benchmark: its settings, the talk (and the form that uploads it)
and the model's reply, the task cluster started and stopped.

The benchmarks that push jobs through the app set it up the same way, so that their numbers
measure the app and compare with each other: a folder of their own and, unless told otherwise,
a database too (never the developer's by accident), no real model's key, the per-person limits
off (one person submits every job), quiet logs. What differs from one benchmark to another is
passed in, so each keeps its own set-up.

Imported as a sibling module (a benchmark runs as `python bench/x.py`, which puts bench/ on
the import path). It imports the app only inside `set_up`, after the benchmark has put the
checkout it measures first on the import path: with `--code` (another checkout, an older
commit say) the app is that checkout's and this file still serves.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
from pathlib import Path

# A short talk as an uploaded .srt: enough for every step of a job, quick to read.
TRANSCRIPT = "".join(
    f"{n}\n00:00:{n:02d},000 --> 00:00:{n + 1:02d},000\n"
    f"Sentence {n} of the talk says something about compost and gardens.\n\n"
    for n in range(1, 40)
)
# What the fake model answers: a title and a post of about 600 words to format and save.
REPLY = "# Compost at home\n\n" + " ".join(
    f"Paragraph words number {n} about keeping a compost heap healthy." for n in range(60)
)


def talk_form(provider_pk: int, filename: str, transcript: str = TRANSCRIPT) -> dict:
    """What the new-job form posts for an uploaded transcript, a short article in Markdown:
    jobs queued as a person queues them, with no YouTube to reach. `filename` is a fresh
    upload's name, so call this once a job."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(filename, transcript.encode())
    return {"url": "", "transcript_file": upload, "language": "en",
            "provider": provider_pk, "model": "", "style": "article",
            "length": "short", "output_format": "markdown"}  # fmt: skip


def set_up(folder: str | Path, database_url: str | None = None, **settings: str | None) -> None:
    """Configure the app for a benchmark, start Django and migrate its database.

    The settings are environment variables because the app reads them once, at
    `django.setup()`, and a task cluster started afterwards inherits them. Without
    `database_url`, a SQLite file in `folder` (which also holds the media). `settings`
    adds variables or replaces the defaults below; None leaves a variable as the caller's
    environment has it.
    """
    environment: dict[str, str | None] = {
        "DATABASE_URL": (
            f"sqlite:///{folder}/bench.sqlite3" if database_url is None else database_url
        ),
        "MEDIA_ROOT": str(folder),
        "ALLOWED_HOSTS": "testserver",  # django.test.Client's host: jobs go through the form
        "DEBUG": "false",  # as deployed; DEBUG also keeps every query in memory
        "OPENAI_API_KEY": "",  # a developer's key is never spent: offline is the default writer
        "REDIS_URL": "",  # the embedded setup unless a benchmark asks for Redis
        "BLOGTUBE_EVENT_POLLER": "false",  # nobody watches the pages: no polling to pay for
        # One person submits every job: their per-person limits would refuse most of them.
        "BLOGTUBE_JOBS_PER_MINUTE": "0",
        "BLOGTUBE_ACTIVE_JOBS_PER_USER": "0",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "blogtube_site.settings",
        **settings,
    }
    os.environ.update({name: value for name, value in environment.items() if value is not None})
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def start_cluster(root: Path, log: Path, workers: int | None = None) -> subprocess.Popen:
    """`manage.py qcluster` of the checkout at `root`, in a process group of its own (its
    workers are its children: `stop_cluster` and a benchmark's SIGKILL reach them all).
    Without `workers`, as many as the environment's BLOGTUBE_WORKERS says."""
    environment = dict(os.environ)
    if workers is not None:
        environment["BLOGTUBE_WORKERS"] = str(workers)
    output = open(log, "ab")  # noqa: SIM115 - the cluster holds it
    return subprocess.Popen(
        [sys.executable, "manage.py", "qcluster"], cwd=root, env=environment,
        stdout=output, stderr=subprocess.STDOUT, start_new_session=True,
    )  # fmt: skip


def stop_cluster(cluster: subprocess.Popen) -> None:
    """SIGTERM to the whole group, so workers finish their task and the broker is left
    clean; SIGKILL after 30 s, so a stuck worker cannot hold the benchmark up."""
    os.killpg(cluster.pid, signal.SIGTERM)
    try:
        cluster.wait(timeout=30)
    except subprocess.TimeoutExpired:
        os.killpg(cluster.pid, signal.SIGKILL)


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) of a process and all its children, such as a cluster and its
    workers, start-up included: what the jobs cost the cores whatever else the machine runs,
    where wall time says more about the neighbours on a busy machine. A process that ends
    while being counted is left out."""
    import psutil

    top = psutil.Process(pid)
    total = 0.0
    for process in [top, *top.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = process.cpu_times()
            total += times.user + times.system
    return total
