from __future__ import annotations

from jobs.models import Job
from providers.models import Provider


def make_job(provider: Provider | None = None, **fields) -> Job:
    provider = provider or Provider.objects.get(slug="offline")
    job = Job.objects.create(
        provider=provider,
        source_url=fields.pop("source_url", "https://youtu.be/dQw4w9WgXcQ"),
        **fields,
    )
    job.create_steps()
    return job
