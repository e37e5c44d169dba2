"""django-q2 entry points: take an id, call one function."""

from __future__ import annotations

from jobs.pipeline import run_job
from jobs.recovery import reap as reap_jobs
from jobs.retention import clean_up as clean_up_jobs


def run(job_id: str) -> None:
    run_job(job_id)


def reap() -> None:
    reap_jobs()


def clean_up() -> None:
    clean_up_jobs()
