from __future__ import annotations

import datetime
from decimal import Decimal

from jobs.models import Job
from providers.models import ModelPrice, Provider
from tests.accounts import signed_in_user


def make_job(provider: Provider | None = None, **fields) -> Job:
    provider = provider or Provider.objects.get(slug="offline")
    # The signed-in client's, unless a test says whose (owner=None: made before accounts).
    fields.setdefault("owner", signed_in_user())
    job = Job.objects.create(
        provider=provider,
        source_url=fields.pop("source_url", "https://youtu.be/dQw4w9WgXcQ"),
        **fields,
    )
    # As jobs.services.create_job does: searchable and sortable by title from the start.
    job.reindex()
    job.create_steps()
    return job


def make_price(model: str, input_usd_per_mtok: str, output_usd_per_mtok: str) -> ModelPrice:
    return ModelPrice.objects.create(
        model=model,
        input_usd_per_mtok=Decimal(input_usd_per_mtok),
        output_usd_per_mtok=Decimal(output_usd_per_mtok),
        as_of=datetime.date(2025, 6, 1),
    )
