"""django-q2 entry points of the providers app; the work is in providers.health."""

from __future__ import annotations

from providers import health


def check_all() -> int:
    """The scheduled health check; returns how many providers were checked."""
    return len(health.check_all())
