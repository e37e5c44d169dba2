"""django-q2 entry points: take an id, call one function."""

from __future__ import annotations

from jobs.pipeline import run_job


def run(job_id: str) -> None:
    run_job(job_id)
