"""Who may see what: the one rule every view, socket, page and count applies.

People see and change only what they own; staff see everything, including rows made
before there were accounts (their owner is empty). Everything else is as if it did not
exist: views answer 404, not 403, so another person's ids leak nothing.
"""

from __future__ import annotations

from typing import Any

from django.db import models


def visible_filter(user: Any, owner_field: str = "owner") -> models.Q | None:
    """The filter for rows ``user`` may see, through ``owner_field``; None: all of them."""
    if user is None or not user.is_authenticated or not user.is_active:
        return models.Q(pk__in=[])
    if user.is_staff:
        return None
    return models.Q(**{owner_field: user})


def visible_to(queryset: models.QuerySet, user: Any, owner_field: str) -> models.QuerySet:
    """The rows of ``queryset`` that ``user`` may see; distinct, as an owner reached through
    a many-valued relation (a transcript's jobs) would repeat a row once per match."""
    condition = visible_filter(user, owner_field)
    if condition is None:
        return queryset
    if "__" in owner_field:
        return queryset.filter(pk__in=queryset.model.objects.filter(condition).values("pk"))
    return queryset.filter(condition)


class OwnedQuerySet(models.QuerySet):
    """A queryset whose rows belong to a user through ``owner_field``."""

    owner_field = "owner"

    def visible_to(self, user: Any) -> OwnedQuerySet:
        return visible_to(self, user, self.owner_field)
