"""The queue room's state: whether workers may take new jobs, and who changed what.

Dispatch is one row (pk 1) that claim_next reads inside its claiming UPDATE, so a pause
takes effect on the next claim with no check-then-act gap. QueueAction is the audit log of
the queue room's buttons and of `manage.py queue_status`: append-only, read-only in admin.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Dispatch(models.Model):
    """The singleton row; no row at all means dispatching as usual."""

    SINGLETON = 1

    id = models.PositiveSmallIntegerField(primary_key=True, default=SINGLETON, editable=False)
    paused = models.BooleanField(default=False)
    # Paused by "drain": the page says how many still run until none do.
    draining = models.BooleanField(default=False)
    changed = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = "dispatch"
        verbose_name_plural = "dispatch"

    def __str__(self) -> str:
        return "draining" if self.draining else "paused" if self.paused else "dispatching"

    @classmethod
    def dispatching(cls) -> models.Q:
        """True in SQL unless dispatching is paused: the guard claim_next's UPDATE carries."""
        return ~models.Q(models.Exists(cls.objects.filter(pk=cls.SINGLETON, paused=True)))


class QueueAction(models.Model):
    class Kind(models.TextChoices):
        PAUSE = "pause", "Paused dispatching"
        RESUME = "resume", "Resumed dispatching"
        DRAIN = "drain", "Started draining"
        CLEAR = "clear", "Cleared the queue"

    # Empty for the command line run without --user: `actor` says who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_actions",
    )
    actor = models.CharField(max_length=150, help_text="The account, or cli:<system user>")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    jobs = models.PositiveIntegerField(default=0, help_text="Jobs the action changed")
    at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} by {self.actor} ({self.jobs} jobs)"
