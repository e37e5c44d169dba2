"""Which jobs: the queryset of Job (jobs/models/job.py), what every list, page, stats figure
and clean-up asks of many jobs at once: those a person may see, those out of the bin, those
a search finds, as a table's rows read them, and the bin and search index kept for many at
once."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import timezone

from blogtube_site.ownership import OwnedQuerySet
from jobs.models.history import JobEvent
from jobs.models.search import (
    JobSearch,
    contains,
    indexed_text,
    provider_sort_key,
    row_contains,
)

# The long texts a row of a jobs table never shows; a page of 25 would carry them for nothing.
ROW_DEFERRED = (
    "draft",
    "video__description",
    "video__chapters",
    "post__markdown",
    "post__html",
    "post__description",
    "post__tags",
)


class JobQuerySet(OwnedQuerySet):
    def for_rows(self) -> JobQuerySet:
        """Jobs as a row of a jobs table shows them (jobs/list.html#job-row): with their
        video, provider, batch and post in one join, without ROW_DEFERRED."""
        return self.select_related("video", "provider", "batch", "post").defer(*ROW_DEFERRED)

    def not_deleted(self) -> JobQuerySet:
        """Jobs out of the bin: what pages, stats and the API show."""
        return self.filter(deleted_at__isnull=True)

    def visible_to(self, user: Any, *, deleted: bool = False) -> JobQuerySet:
        """The jobs ``user`` may see: those not deleted, or with ``deleted`` those in the
        bin (soft-deleted, restorable until the clean-up purges them)."""
        return super().visible_to(user).filter(deleted_at__isnull=not deleted)

    def move_to_bin(self, when: datetime.datetime, message: str) -> int:
        """Put the finished jobs among these in the bin at ``when`` (a video's, all at once),
        each with ``message`` in its log; queued and running ones stay where they are."""
        finished, jobs = self.model.FINISHED, self.model.objects
        pks = list(
            self.filter(status__in=finished, deleted_at__isnull=True).values_list("pk", flat=True)
        )
        jobs.filter(pk__in=pks, status__in=finished, deleted_at__isnull=True).update(
            deleted_at=when, updated=when
        )
        moved = list(jobs.filter(pk__in=pks, deleted_at=when).values_list("pk", flat=True))
        JobEvent.objects.bulk_create(
            JobEvent(job_id=pk, kind=JobEvent.Kind.LOG, message=message) for pk in moved
        )
        return len(moved)

    def restore(self, message: str) -> int:
        """Take these jobs out of the bin, each with ``message`` in its log."""
        pks = list(self.filter(deleted_at__isnull=False).values_list("pk", flat=True))
        restored = self.model.objects.filter(pk__in=pks, deleted_at__isnull=False).update(
            deleted_at=None, updated=timezone.now()
        )
        JobEvent.objects.bulk_create(
            JobEvent(job_id=pk, kind=JobEvent.Kind.LOG, message=message) for pk in pks
        )
        return restored

    def matching(self, text: str, *, many: bool = False) -> JobQuerySet:
        """Jobs whose video title, post title, file name or URL contains ``text``.

        Few matches are read from the search index and sorted; with ``many`` (a common word:
        a thousand or more), jobs are read in the list's own order and each one's search text
        checked, so a page stops after its 25 instead of sorting them all (on SQLite, which
        cannot tell the two apart, 15 ms rather than 75 ms at 12,000 of 100,000 jobs), and
        without the index, which would first collect all 12,000."""
        text = text.strip()
        if not text:
            return self
        if many:
            # Joined, not EXISTS: a search row is one a job, and PostgreSQL planned the
            # EXISTS four times as long (1.7 ms) and ran it twice as long.
            return self.filter(row_contains(text, "search_row__"))
        return self.filter(contains(text, "search_row__"))

    def reindex(self) -> None:
        """Store what these jobs show as their title (sort_title, for sorting), their
        provider's name (sort_provider) and what search reads (JobSearch), from the video,
        post, file, URL and provider they hold now. Called wherever one of those changes:
        creating a job, fetching its video, writing or editing its post, a fallback provider
        writing it, admin editing it (a provider renamed: jobs.apps)."""
        rows = self.order_by().values_list(
            "pk", "provider__name", "video__title", "post__title", "transcript_file_name",
            "source_url",
        )  # fmt: skip
        jobs, texts = [], []
        for pk, provider, *sources in rows:
            sort_title, text = indexed_text(*sources)
            jobs.append(
                self.model(pk=pk, sort_title=sort_title, sort_provider=provider_sort_key(provider))
            )
            texts.append(JobSearch(job_id=pk, text=text))
        self.model.objects.bulk_update(jobs, ["sort_title", "sort_provider"], batch_size=500)
        JobSearch.objects.bulk_create(
            texts,
            batch_size=500,
            update_conflicts=True,
            unique_fields=["job"],
            update_fields=["text"],
        )
