"""The JSON API's Stats page figures (/api/v1/stats)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Router, Schema
from pydantic import Field, WithJsonSchema

from blogtube_site.api_errors import FieldErrors
from jobs.api.bodies import ERRORS
from jobs.stats import DEFAULT_DAYS, RANGES, job_stats

router = Router(tags=["stats"])


class ProviderUsageOut(Schema):
    name: str
    jobs: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    free: bool
    unpriced_models: list[str]


class StepTimeOut(Schema):
    name: str
    label: str
    seconds: float
    count: int


class StatsOut(Schema):
    days: int
    since: dt.datetime
    total: int
    completed: int
    finished: int
    success_rate: float | None
    by_status: dict[str, int]
    per_day: dict[str, dict[str, int]] = Field(description="ISO date -> jobs by status")
    avg_duration_seconds: float | None
    step_times: list[StepTimeOut]
    providers: list[ProviderUsageOut]
    errors: dict[str, int]
    tokens_in: int
    tokens_out: int
    cost_usd: float


@router.get("", response={200: StatsOut, **ERRORS}, summary="The Stats page's figures")
def stats(
    request: HttpRequest,
    days: Annotated[int, WithJsonSchema({"type": "integer", "enum": list(RANGES)})] = DEFAULT_DAYS,
) -> dict[str, Any]:
    """Your jobs of the last ``days`` days, 7, 30 or 90 (staff: everyone's), as the Stats page
    counts them."""
    if days not in RANGES:
        raise FieldErrors({"days": [f"Choose one of {', '.join(map(str, RANGES))}."]})
    figures = job_stats(days, user=request.user)
    return {
        "days": figures.days,
        "since": figures.since,
        "total": figures.total,
        "completed": figures.completed,
        "finished": figures.finished,
        "success_rate": figures.success_rate,
        "by_status": {k: v for k, v in figures.by_status.items() if k != "other"},
        "per_day": {day.day.isoformat(): day.counts for day in figures.per_day},
        "avg_duration_seconds": figures.avg_duration,
        "step_times": [vars(step) for step in figures.step_times],
        "providers": [
            {
                "name": p.name,
                "jobs": p.jobs,
                "tokens_in": p.tokens_in,
                "tokens_out": p.tokens_out,
                "cost_usd": float(p.cost),
                "free": p.free,
                "unpriced_models": p.unpriced,
            }
            for p in figures.providers
        ],
        "errors": dict(figures.errors),
        "tokens_in": figures.tokens_in,
        "tokens_out": figures.tokens_out,
        "cost_usd": float(figures.cost),
    }
