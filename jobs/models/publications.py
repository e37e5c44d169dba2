"""Where a job's post went: one Publication per destination, so "Update" finds the
remote post again instead of making a second one."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone


class Publication(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to publish"
        DONE = "done", "Published"
        FAILED = "failed", "Failed"

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="publications")
    # Deleting a destination keeps the record of where posts went, under its old name.
    destination = models.ForeignKey(
        "publishing.Destination",
        null=True,
        on_delete=models.SET_NULL,
        related_name="publications",
    )
    destination_name = models.CharField(max_length=100)
    # What was asked: published for everyone, or a draft on the site.
    publish = models.BooleanField(default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    remote_id = models.CharField(max_length=100, blank=True)
    url = models.URLField(max_length=1000, blank=True)
    # As the site says it: draft, publish, published...
    remote_status = models.CharField(max_length=30, blank=True)
    # Pictures uploaded, by content digest: an update uploads only new ones.
    media = models.JSONField(default=dict, blank=True)
    error_message = models.TextField(blank=True)
    requested = models.DateTimeField(default=timezone.now)
    first_published = models.DateTimeField(null=True, blank=True)
    last_pushed = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "destination_name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["job", "destination"], name="one_publication_per_destination"
            )
        ]
        indexes = [models.Index(fields=["job", "state"])]

    def __str__(self) -> str:
        return f"{self.destination_name}: {self.get_state_display()}"

    @property
    def is_draft(self) -> bool:
        return self.remote_status.lower() in ("draft", "pending", "")

    @property
    def status_label(self) -> str:
        """The site's word for it, as a person reads it: WordPress says "publish"."""
        status = self.remote_status.lower()
        if status in ("publish", "published"):
            return "Published"
        return status.capitalize() or "Published"

    @classmethod
    def request(cls, job: Any, destination: Any, *, publish: bool) -> Publication:
        """Queue the post for ``destination``: a new row, or the existing one again (Update)."""
        publication, _ = cls.objects.get_or_create(
            job=job, destination=destination, defaults={"destination_name": destination.name}
        )
        cls.objects.filter(pk=publication.pk).update(
            state=cls.State.QUEUED,
            publish=publish,
            error_message="",
            requested=timezone.now(),
            destination_name=destination.name,
        )
        publication.refresh_from_db()
        return publication

    def record(self, *, remote_id: str, url: str, status: str, media: dict[str, Any]) -> bool:
        """The site's answer; False when the row was queued again or deleted meanwhile."""
        now = timezone.now()
        updated = Publication.objects.filter(pk=self.pk, state=self.State.QUEUED).update(
            state=self.State.DONE,
            remote_id=remote_id,
            url=url[:1000],
            remote_status=status[:30],
            media=media,
            error_message="",
            last_pushed=now,
            first_published=models.functions.Coalesce(
                models.F("first_published"), models.Value(now)
            ),
        )
        self.refresh_from_db()
        return bool(updated)

    def mark_failed(self, message: str) -> None:
        Publication.objects.filter(pk=self.pk, state=self.State.QUEUED).update(
            state=self.State.FAILED, error_message=message
        )

    @classmethod
    def queue_failed_again(cls, job: Any) -> int:
        """A retried job tries its failed publications again."""
        return cls.objects.filter(job=job, state=cls.State.FAILED).update(
            state=cls.State.QUEUED, error_message=""
        )
