"""Limits: one person's own numbers, set by an admin, where the settings' defaults do not fit."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models

NO_LIMIT_HELP = "Empty: the site's default. 0: no limit."


class Limits(models.Model):
    """Overrides of the per-person limits (jobs.limits reads them); an empty field is the
    default from the settings. A person without a row has the defaults throughout."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blogtube_limits"
    )
    jobs_per_minute = models.PositiveIntegerField(
        null=True, blank=True, help_text=f"{NO_LIMIT_HELP} Default: BLOGTUBE_JOBS_PER_MINUTE."
    )
    previews_per_minute = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text=f"{NO_LIMIT_HELP} Default: BLOGTUBE_PREVIEWS_PER_MINUTE.",
    )
    active_jobs = models.PositiveIntegerField(
        "jobs queued or running at once",
        null=True,
        blank=True,
        help_text=f"{NO_LIMIT_HELP} Default: BLOGTUBE_ACTIVE_JOBS_PER_USER.",
    )
    batch_size = models.PositiveIntegerField(
        "videos per playlist or channel batch",
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Empty: the site's default (BLOGTUBE_BATCH_LIMIT).",
    )

    class Meta:
        verbose_name = "limits"
        verbose_name_plural = "limits"

    def __str__(self) -> str:
        return f"Limits of {self.user}"
