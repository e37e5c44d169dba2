"""django-q2 entry points of the providers app."""

from __future__ import annotations

from providers import services


def check_all() -> int:
    """The scheduled health check; returns how many providers were checked."""
    return len(services.check_all())
