"""Batch: the jobs made from one playlist or channel, and the figures a batch page shows."""

from __future__ import annotations

import uuid
from collections.abc import Iterable

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.functional import cached_property

from blogtube_site.ownership import OwnedQuerySet
from jobs.models.job import Job


class Batch(models.Model):
    """The jobs made from one playlist or channel, followed as one."""

    class Kind(models.TextChoices):
        PLAYLIST = "playlist", "Playlist"
        CHANNEL = "channel", "Channel"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Empty for batches made before there were accounts: only staff see those.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="batches",
    )
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_url = models.CharField(max_length=500)
    source_id = models.CharField(max_length=100, blank=True, help_text="Playlist or channel id")
    title = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    truncated = models.BooleanField(default=False, help_text="More videos than the limit")
    created = models.DateTimeField(auto_now_add=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return self.title or self.source_url

    def get_absolute_url(self) -> str:
        return reverse("jobs:batch", args=[self.pk])

    @staticmethod
    def with_totals(batches: Iterable[Batch]) -> list[Batch]:
        """``batches``, their figures read for all of them in one query: a list of
        batches asks once, not once per batch."""
        batches = list(batches)
        totals: dict[uuid.UUID, dict[str, tuple[int, int]]] = {b.pk: {} for b in batches}
        rows = (
            Job.objects.not_deleted()
            .filter(batch__in=batches)
            .order_by()
            .values_list("batch_id", "status")
            .annotate(n=models.Count("id"), done=models.Sum("progress"))
        )
        for batch_id, status, n, done in rows:
            totals[batch_id][status] = (n, done or 0)
        for batch in batches:
            batch.__dict__["_totals"] = totals[batch.pk]  # what the cached_property holds
        return batches

    @cached_property
    def _totals(self) -> dict[str, tuple[int, int]]:
        # One query for every figure a page shows: status -> (jobs, summed progress). Jobs
        # in "Recently deleted" count no more than the batch's page lists them.
        rows = (
            self.jobs.not_deleted()
            .order_by()
            .values_list("status")
            .annotate(n=models.Count("id"), done=models.Sum("progress"))
        )
        return {status: (n, done or 0) for status, n, done in rows}

    @property
    def total(self) -> int:
        return sum(n for n, _ in self._totals.values())

    @property
    def progress(self) -> int:
        """The average progress of its jobs, in percent: 100 only when every job completed."""
        total = self.total
        if not total:
            return 0
        # Floored, so it says 100 only when every job is at 100.
        return sum(d for _, d in self._totals.values()) // total

    @property
    def counts(self) -> list[tuple[str, str, int]]:
        """(status, label, jobs) for each status some of its jobs are in, in the state order."""
        return [
            (value, label, self._totals[value][0])
            for value, label in Job.Status.choices
            if value in self._totals
        ]

    def count(self, status: str) -> int:
        return self._totals.get(status, (0, 0))[0]

    @property
    def is_active(self) -> bool:
        return any(self.count(status) for status in Job.ACTIVE)
