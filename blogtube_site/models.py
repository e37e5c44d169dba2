"""API tokens: how a script signs in to the JSON API (blogtube_site/api.py).

Only a token's SHA-256 is stored, so a copied database signs no one in; the token itself is
shown once, when it is made. Its first characters are kept to tell tokens apart in a list.
A token is random (256 bits), so a plain hash is enough: there is nothing to guess slowly.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

# Seen in a list and in the token itself: "bt_" tells a leaked string's kind at a glance.
TOKEN_PREFIX = "bt_"
SHOWN_CHARS = 8


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiToken(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What it is for: a script, a machine")
    prefix = models.CharField(max_length=20, editable=False)
    digest = models.CharField(max_length=64, unique=True, editable=False)
    created = models.DateTimeField(auto_now_add=True)
    last_used = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @classmethod
    def issue(cls, user: Any, name: str) -> tuple[ApiToken, str]:
        """A new token of ``user``'s, and the token itself: the only time it is known."""
        token = TOKEN_PREFIX + secrets.token_urlsafe(32)
        row = cls.objects.create(
            user=user, name=name, prefix=token[: len(TOKEN_PREFIX) + SHOWN_CHARS],
            digest=digest(token),
        )  # fmt: skip
        return row, token

    @classmethod
    def user_for(cls, token: str) -> Any:
        """The active user ``token`` signs in, or None."""
        row = cls.objects.select_related("user").filter(digest=digest(token)).first()
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        # A write a minute at most: every request of a busy script need not take the lock.
        if row.last_used is None or (now - row.last_used).total_seconds() > 60:
            cls.objects.filter(pk=row.pk).update(last_used=now)
        return row.user
