"""Is a provider up? One timed model listing, kept as a ProviderHealth row.

Listing models is the cheapest request every OpenAI-compatible server answers, it
needs the key (so a bad key shows), and it costs no tokens. The same check runs
from the Test button, the admin action and a django-q2 schedule (check_all).
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError
from django.db.models import Prefetch, QuerySet

from blogtube_site.errors import BlogTubeError
from providers.kinds.base import CHECK_TIMEOUT
from providers.models import Provider, ProviderHealth
from providers.redaction import redact_error

log = logging.getLogger(__name__)

MODELS_CACHE_SECONDS = 60 * 60
# A provider that is down is asked again after this long, not on every form change.
MODELS_FAILURE_CACHE_SECONDS = 60
HISTORY_LENGTH = 5
# Checks older than this are pruned by the scheduled run.
KEEP_DAYS = 30

SCHEDULE_NAME = "Provider health check"
SCHEDULE_FUNC = "providers.tasks.check_all"


def models_cache_key(provider: Provider) -> str:
    return f"providers:models:{provider.pk}"


def check(provider: Provider, *, timeout: float = CHECK_TIMEOUT) -> ProviderHealth:
    """Time one model listing and record it; never raises a BlogTubeError."""
    problem = provider.configuration_problem()
    if problem:
        return ProviderHealth.objects.create(
            provider=provider, ok=False, error_code="PROVIDER_NOT_CONFIGURED", error=problem
        )
    client = provider.client(timeout=timeout, max_retries=0)
    started = time.perf_counter()
    try:
        ids = client.check(timeout=timeout)
    except BlogTubeError as exc:
        # A 403's message quotes the server, which may quote the key it refused.
        exc = redact_error(exc, provider.api_key)
        return ProviderHealth.objects.create(
            provider=provider,
            ok=False,
            latency_ms=_elapsed_ms(started),
            error_code=exc.code,
            error=exc.message,
        )
    health = ProviderHealth.objects.create(
        provider=provider, ok=True, latency_ms=_elapsed_ms(started), model_ids=ids
    )
    # A fresh list is the best answer the model picker can give.
    cache.set(models_cache_key(provider), ids, MODELS_CACHE_SECONDS)
    return health


def check_minutes() -> int:
    """BLOGTUBE_HEALTH_CHECK_MINUTES; 0 (or less) turns the scheduled check off."""
    return max(0, int(settings.BLOGTUBE_HEALTH_CHECK_MINUTES))


def sync_schedule(**_signal_kwargs: object) -> None:
    """Make the django-q2 schedule match BLOGTUBE_HEALTH_CHECK_MINUTES (0: none).

    Runs after every migrate (post_migrate, which `make run` triggers at each
    start), so a changed setting takes effect without a new migration.
    """
    from django_q.models import Schedule

    minutes = check_minutes()
    existing = Schedule.objects.filter(func=SCHEDULE_FUNC)
    try:
        existing.exists()
    except DatabaseError:
        # `migrate providers` on a database where django_q is not migrated yet.
        log.warning("No django_q tables yet: the provider health check is not scheduled.")
        return
    if minutes <= 0:
        existing.delete()
        return
    schedule = existing.first()
    if schedule is None:
        Schedule.objects.create(
            name=SCHEDULE_NAME,
            func=SCHEDULE_FUNC,
            schedule_type=Schedule.MINUTES,
            minutes=minutes,
            repeats=-1,
        )
    elif schedule.minutes != minutes or schedule.schedule_type != Schedule.MINUTES:
        schedule.schedule_type = Schedule.MINUTES
        schedule.minutes = minutes
        schedule.save(update_fields=["schedule_type", "minutes"])


def _elapsed_ms(started: float) -> int:
    return max(0, round((time.perf_counter() - started) * 1000))


@dataclass
class ProviderCard:
    """What the providers page shows about one provider."""

    provider: Provider
    key_hint: str
    base_url: str = ""
    history: list[ProviderHealth] = field(default_factory=list)

    @property
    def health(self) -> ProviderHealth | None:
        return self.history[0] if self.history else None

    @property
    def models_check(self) -> ProviderHealth | None:
        """The latest check that listed models: a failed test does not erase the list."""
        return next((h for h in self.history if h.ok and h.model_ids), None)


def cards(providers: QuerySet[Provider]) -> list[ProviderCard]:
    """Each provider with its last checks, in one query for all the history."""
    recent = Prefetch(
        "health_checks",
        # Sliced prefetches are done per provider with a window function (Django 4.2+).
        queryset=ProviderHealth.objects.order_by("-checked_at", "-id")[:HISTORY_LENGTH],
        to_attr="recent_checks",
    )
    return [
        ProviderCard(
            provider=p,
            key_hint=p.key_hint(),
            base_url=p.effective_base_url,
            history=p.recent_checks,
        )
        for p in providers.prefetch_related(recent)
    ]
