"""A job and its state machine.

Status changes happen only in the methods below, each one a conditional
``UPDATE ... WHERE status IN (...)`` so that two processes (a web request and a
worker, or two deliveries of the same task) can never both win. Every change
also appends a JobEvent: the event log is what live pages read, so nothing is
ever overwritten in place without a row saying so. What a worker does with a job it holds
(steps, the draft, the post, events) is JobRun, in jobs/models/job_run.py; what is asked of
many jobs at once (who sees them, search, the bin) is JobQuerySet, in job_queries.py.
"""

from __future__ import annotations

import contextlib
import datetime
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.db.models import Case, F, Value, When
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django_q.models import Schedule

from blogtube_site.errors import BlogTubeError
from jobs.errors import InvalidTransition, WorkerLost
from jobs.models.elapsed import ElapsedSeconds
from jobs.models.history import (
    STEP_NAMES,
    JobEvent,
    JobStep,
    overall_progress,
)
from jobs.models.job_queries import JobQuerySet
from jobs.models.job_run import JobRun
from jobs.models.posts import Post, remove_files
from jobs.models.search import (
    SORT_PROVIDER_LENGTH,
    SORT_TITLE_LENGTH,
    title_of,
)
from jobs.templatetags.blogtube_extras import FREE_OFFLINE, FREE_ON_OWN_SERVER, money

_LIVE = models.Q(deleted_at__isnull=True)


class Job(JobRun, models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        COMPLETED = "completed", "Completed"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    class OutputFormat(models.TextChoices):
        MARKDOWN = "markdown", "Markdown"
        HTML = "html", "HTML"
        TEXT = "text", "Plain text"
        JSON = "json", "JSON"

    # Where each status may go. Anything else raises InvalidTransition.
    TRANSITIONS: dict[str, frozenset[str]] = {
        Status.QUEUED: frozenset({Status.RUNNING, Status.CANCELLED}),
        # running -> queued: a transient failure puts the job back to wait and retry.
        Status.RUNNING: frozenset(
            {Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.QUEUED}
        ),
        Status.FAILED: frozenset({Status.QUEUED}),
        Status.CANCELLED: frozenset({Status.QUEUED}),
        # completed -> queued: only to run the publish step alone (reopen_for_publish).
        Status.COMPLETED: frozenset({Status.QUEUED}),
    }
    ACTIVE = (Status.QUEUED, Status.RUNNING)
    FINISHED = (Status.COMPLETED, Status.FAILED, Status.CANCELLED)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Empty for jobs made before there were accounts: only staff see those.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="jobs",
    )
    video = models.ForeignKey(
        "videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    transcript = models.ForeignKey(
        "videos.Transcript", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    batch = models.ForeignKey(
        "jobs.Batch", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    source_url = models.CharField(max_length=500, blank=True)
    transcript_file = models.FileField(upload_to="uploads/%Y/%m/", blank=True)
    # Storage may rename a file on collision; people know it by the name they chose.
    transcript_file_name = models.CharField(max_length=255, blank=True)
    # "" only with an uploaded transcript: its language is detected from the text.
    language = models.CharField(
        max_length=20, default="en", blank=True, help_text="Empty: detect the upload's language"
    )
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, related_name="jobs"
    )
    model = models.CharField(max_length=200, blank=True)
    output_format = models.CharField(
        max_length=10, choices=OutputFormat.choices, default=OutputFormat.MARKDOWN
    )
    options = models.JSONField(default=dict, blank=True)
    priority = models.SmallIntegerField(default=0, db_index=True, help_text="Higher runs first")

    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED, db_index=True
    )
    current_step = models.CharField(max_length=30, blank=True)
    progress = models.PositiveSmallIntegerField(default=0)
    error_code = models.CharField(max_length=50, blank=True)
    error_message = models.TextField(blank=True)
    error_suggestions = models.JSONField(default=list, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    tokens_in = models.PositiveIntegerField(default=0)
    tokens_out = models.PositiveIntegerField(default=0)
    cancel_requested = models.BooleanField(default=False)
    # Set while a transient failure waits for its automatic retry.
    retry_at = models.DateTimeField(null=True, blank=True)
    # The worker running the job writes it every few seconds: a stale one means nobody does.
    heartbeat = models.DateTimeField(null=True, blank=True)
    draft = models.TextField(blank=True)

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # Kept by the database itself, so no write path can forget it: what stats average
    # and rank ("slowest") without computing it per row.
    run_seconds = models.GeneratedField(
        expression=ElapsedSeconds("started", "finished"),
        output_field=models.FloatField(null=True, blank=True),
        db_persist=True,
    )
    updated = models.DateTimeField(auto_now=True)
    # The title the list shows, casefolded, written by reindex(): sorting by title reads an
    # index instead of joining videos and posts and sorting every job.
    sort_title = models.CharField(max_length=SORT_TITLE_LENGTH, blank=True, editable=False)
    # Its provider's name, casefolded, written by reindex() and again for every job of a
    # provider renamed: sorting by provider reads an index (job_live_sort_provider) instead
    # of joining providers and sorting every job (505 ms at 100,000).
    sort_provider = models.CharField(max_length=SORT_PROVIDER_LENGTH, blank=True, editable=False)
    # Set: in the bin, hidden from lists, stats and the API until restored or purged.
    # Indexed only where set (job_binned): an index holding every live job's NULL would
    # look cheaper to SQLite than the lists' own indexes, and it would sort every row.
    deleted_at = models.DateTimeField(null=True, blank=True)

    objects = JobQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        # Each of the lists' orders, and the stats' window, read in index order, without
        # the bin (every page leaves it out): a page costs the same at any size.
        indexes = [
            models.Index(fields=[*fields, "created"], name=f"job_live_{name}", condition=_LIVE)
            for name, fields in (
                ("created", ()),
                ("owner", ("owner",)),
                ("status", ("status",)),
                ("owner_status", ("owner", "status")),
                ("provider", ("provider",)),
                ("progress", ("progress",)),
                ("title", ("sort_title",)),
                ("sort_provider", ("sort_provider",)),
            )
        ] + [
            # Recently deleted, and the clean-up's purge of it.
            models.Index(
                fields=["deleted_at"],
                name="job_binned",
                condition=models.Q(deleted_at__isnull=False),
            ),
            # The stats' slowest jobs, longest first.
            models.Index(
                fields=["status", "-run_seconds"], name="job_live_slowest", condition=_LIVE
            ),
            # The live jobs' ids alone, for a search that finds jobs through its own index and
            # looks each one up. SQLite's count of a common word reads this instead of each
            # job's wide row (1.7 ms at 100,000 jobs, not 2.3). PostgreSQL, guessing from a
            # sample of 100 texts, takes a phrase that one of them happens to hold (a video's
            # id, say) for 1% of all jobs; without this index it then hashed every job's row
            # to join the two matches (38 ms at 100,000 jobs), and with it looks them up (1 ms).
            models.Index(fields=["id"], name="job_live_id", condition=_LIVE),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    # --- reading --------------------------------------------------------

    @property
    def title(self) -> str:
        video_title = self.video.title if self.video_id else ""
        # The post is only read when the title comes from it: a list does not ask for it.
        post = self.post_or_none if self.transcript_file_name and not video_title else None
        post_title = post.title if post else ""
        return title_of(video_title, post_title, self.transcript_file_name, self.source_url)

    def reindex(self) -> None:
        """See JobQuerySet.reindex: this job's title and search text, stored again."""
        Job.objects.filter(pk=self.pk).reindex()

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE

    @property
    def all_options(self) -> dict[str, object]:
        """Every option jobs.options defines, the default where the job stored none."""
        from jobs.options import with_defaults

        return with_defaults(self.options)

    @property
    def options_summary(self) -> str:
        """The writing choices in a line: "Article · Friendly tone · Medium length"."""
        from jobs.options import summary

        return " · ".join(summary(self.options))

    @property
    def language_display(self) -> str:
        return self.language or "detected from the file"

    @property
    def language_preferences(self) -> list[str]:
        """The transcript languages asked for, best first ("de,en"); [] detects an upload's."""
        from jobs.options import language_preferences

        return language_preferences(self.language)

    @property
    def writer_model(self) -> str:
        """The model that writes (or wrote) the post: the one priced, named and shown.

        An empty ``model`` means the provider's default, which falls back to its kind's.
        """
        return self.model or self.provider.effective_model

    @property
    def can_cancel(self) -> bool:
        return self.is_active and not self.cancel_requested

    @property
    def can_retry(self) -> bool:
        return self.status in (self.Status.FAILED, self.Status.CANCELLED)

    @property
    def retry_is_scheduled(self) -> bool:
        """Waiting out a transient failure, with the retry that will run it still to come."""
        if self.status != self.Status.QUEUED or self.retry_at is None:
            return False
        # A fired one-off schedule stays, with no repeats left (jobs.scheduling makes them).
        return Schedule.objects.filter(name=self.retry_schedule_name, repeats__gt=0).exists()

    @property
    def retry_schedule_name(self) -> str:
        return f"retry-{self.pk}-{self.attempts}"

    @property
    def was_put_back(self) -> bool:
        """Queued again by the reaper: its worker stopped answering."""
        return self.status == self.Status.QUEUED and self.error_code == WorkerLost.code

    @property
    def duration_seconds(self) -> float | None:
        if not self.started:
            return None
        end = self.finished or timezone.now()
        return (end - self.started).total_seconds()

    @property
    def eta_seconds(self) -> int | None:
        """Time left, extrapolated from the pace so far; None until there is a pace."""
        if self.status != self.Status.RUNNING or not self.started or self.progress < 5:
            return None
        if self.finished:
            return None  # publishing a finished post: the pace of writing it says nothing
        elapsed = (timezone.now() - self.started).total_seconds()
        return int(elapsed * (100 - self.progress) / self.progress)

    @property
    def cost_display(self) -> str:
        from providers import services as providers

        if not (self.tokens_in or self.tokens_out):
            return ""
        if not self.provider.is_priced:
            return FREE_ON_OWN_SERVER if self.provider.has_server else FREE_OFFLINE
        model = self.writer_model
        value = providers.cost_usd(model, self.tokens_in, self.tokens_out)
        if value is None:
            return f"cost unknown: no price for {model or 'this model'} in admin"
        return money(value)

    @property
    def post_or_none(self) -> Post | None:
        # The reverse accessor, so a list loaded with select_related("post") asks nothing more.
        try:
            return self.post
        except Post.DoesNotExist:
            return None

    # --- state machine ----------------------------------------------------

    def _transition(
        self,
        to: str,
        *,
        event: str,
        level: str = "info",
        only_from: Iterable[str] | None = None,
        when: models.Q | None = None,
        **fields: Any,
    ) -> None:
        allowed_from = [s for s, targets in self.TRANSITIONS.items() if to in targets]
        if only_from is not None:
            allowed_from = [s for s in allowed_from if s in only_from]
        rows = Job.objects.filter(pk=self.pk, status__in=allowed_from)
        if when is not None:
            rows = rows.filter(when)
        with transaction.atomic():
            updated = rows.update(status=to, updated=timezone.now(), **fields)
            if not updated:
                current = Job.objects.filter(pk=self.pk).values_list("status", flat=True).first()
                raise InvalidTransition(f"Job {self.pk} cannot go from {current} to {to}.")
            self._add_event(JobEvent.Kind.STATUS, event, level=level, data={"status": to})
        self.refresh_from_db()

    def lease(self) -> models.Q:
        """The run this object claimed: every claim adds an attempt, so a worker whose job
        was put back and claimed again matches nothing and loses every write it tries."""
        return models.Q(attempts=self.attempts)

    def _mine(self) -> models.QuerySet[Job]:
        """The job's row while this object's run still holds it."""
        return Job.objects.filter(self.lease(), pk=self.pk, status=self.Status.RUNNING)

    def hold(self) -> None:
        """Raise InvalidTransition unless this object's run still holds the job; inside a
        transaction, the row stays held until commit. Counts as a heartbeat too."""
        self._hold()

    def _hold(self, **fields: Any) -> None:
        """hold(), changing the row's ``fields`` in the same guarded UPDATE."""
        if not self._mine().update(heartbeat=timezone.now(), **fields):
            raise InvalidTransition(f"Job {self.pk} is no longer run by this worker.")

    def beat(self) -> bool:
        """The running worker's sign of life; False when its run lost the job."""
        return bool(self._mine().update(heartbeat=timezone.now()))

    @staticmethod
    def ready_to_run() -> models.Q:
        """Queued jobs that may start now: not waiting out a transient failure."""
        return models.Q(retry_at__isnull=True) | models.Q(retry_at__lte=timezone.now())

    def claim(self, *, when: models.Q | None = None) -> bool:
        """Take a queued job for this worker. False when someone else already did, or
        when it waits to be retried later (an older task of the same job came early),
        or when ``when`` (checked in the same UPDATE) does not hold."""
        try:
            self._transition(
                self.Status.RUNNING,
                event="Started",
                when=self.ready_to_run() & (when or models.Q()),
                # A finished job run again only to publish keeps the times of its writing,
                # so its duration and the Stats page still tell how long the post took.
                started=Case(
                    When(finished__isnull=False, then=F("started")), default=Value(timezone.now())
                ),
                heartbeat=timezone.now(),
                retry_at=None,
                attempts=F("attempts") + 1,
            )
        except InvalidTransition:
            return False
        return True

    def complete(self) -> None:
        self._transition(
            self.Status.COMPLETED,
            event="Completed",
            when=self.lease(),
            progress=100,
            current_step="",
            finished=Coalesce(F("finished"), Value(timezone.now())),
        )

    def fail(self, error: BlogTubeError, *, when: models.Q | None = None) -> None:
        with transaction.atomic():
            JobStep.objects.filter(job=self, status=JobStep.Status.RUNNING).update(
                status=JobStep.Status.FAILED, finished=timezone.now(), message=error.message
            )
            self._transition(
                self.Status.FAILED,
                event=error.message,
                level="error",
                finished=timezone.now(),
                when=self.lease() & (when or models.Q()),
                **self._error_fields(error),
            )

    @staticmethod
    def _error_fields(error: BlogTubeError) -> dict[str, Any]:
        """What the job keeps of an error, for its page to explain it; retry() clears them."""
        return {
            "error_code": error.code,
            "error_message": error.message,
            "error_suggestions": list(error.suggestions),
        }

    def defer(
        self, error: BlogTubeError, retry_at: datetime.datetime, *, when: models.Q | None = None
    ) -> None:
        """Back to the queue after a transient failure; the stopped step runs again."""
        at = timezone.localtime(retry_at).strftime("%H:%M:%S")
        with transaction.atomic():
            JobStep.objects.filter(job=self, status=JobStep.Status.RUNNING).update(
                status=JobStep.Status.PENDING, percent=0, message=error.message
            )
            self._transition(
                self.Status.QUEUED,
                event=f"{error.message} Retrying at {at} (attempt {self.attempts + 1}).",
                level="warning",
                only_from=[self.Status.RUNNING],
                when=self.lease() & (when or models.Q()),
                retry_at=retry_at,
                **self._error_fields(error),
            )

    @staticmethod
    def silent_since(cutoff: datetime.datetime) -> models.Q:
        """Running jobs whose worker has said nothing since cutoff."""
        return models.Q(heartbeat__lt=cutoff) | models.Q(heartbeat__isnull=True, started__lt=cutoff)

    def release_if_lost(
        self, error: BlogTubeError, *, silent_since: datetime.datetime, max_attempts: int
    ) -> bool:
        """Queue again at once, or fail when out of attempts, a job whose worker stopped
        answering. False when it is not that job any more: it finished, its worker spoke
        again, or it was claimed again since it was seen (the guard is on the UPDATE and
        carries the run this object saw, so a new run is never taken for a lost one)."""
        lost = self.silent_since(silent_since)
        try:
            if self.attempts >= max_attempts:
                self.fail(error, when=lost)
                return True
            with transaction.atomic():
                JobStep.objects.filter(job=self, status=JobStep.Status.RUNNING).update(
                    status=JobStep.Status.PENDING, percent=0, message=error.message
                )
                self._transition(
                    self.Status.QUEUED,
                    event=f"{error.message} It was put back in the queue after its worker "
                    f"stopped answering (attempt {self.attempts + 1} next).",
                    level="warning",
                    only_from=[self.Status.RUNNING],
                    when=self.lease() & lost,
                    retry_at=None,
                    **self._error_fields(error),
                )
        except InvalidTransition:
            return False
        return True

    def request_cancel(self) -> bool:
        """Cancel now if nobody runs the job yet (True); else ask the worker to stop (False:
        the job may still end otherwise, if its worker finishes or fails first)."""
        try:
            self._transition(
                self.Status.CANCELLED,
                event="Cancelled",
                only_from=[self.Status.QUEUED],
                finished=timezone.now(),
            )
            return True
        except InvalidTransition:
            pass
        with transaction.atomic():
            asked = Job.objects.filter(
                pk=self.pk, status=self.Status.RUNNING, cancel_requested=False
            ).update(cancel_requested=True)
            if not asked:
                raise InvalidTransition(f"Job {self.pk} is not running or queued.")
            self._add_event(JobEvent.Kind.LOG, "Cancellation requested", level="warning")
        self.refresh_from_db()
        return False

    def mark_cancelled(self) -> None:
        """The worker's answer to a cancel request, between steps or chunks."""
        with transaction.atomic():
            JobStep.objects.filter(job=self, status=JobStep.Status.RUNNING).update(
                status=JobStep.Status.CANCELLED, finished=timezone.now()
            )
            self._transition(
                self.Status.CANCELLED,
                event="Cancelled",
                only_from=[self.Status.RUNNING],
                when=self.lease(),
                finished=timezone.now(),
            )

    def cancel_is_requested(self) -> bool:
        return Job.objects.filter(pk=self.pk, cancel_requested=True).exists()

    def retry(self) -> None:
        """Queue a failed or cancelled job again; it resumes at the step that stopped it."""
        with transaction.atomic():
            self._transition(
                self.Status.QUEUED,
                event="Queued again",
                only_from=[self.Status.FAILED, self.Status.CANCELLED],
                retry_at=None,
                error_code="",
                error_message="",
                error_suggestions=[],
                cancel_requested=False,
                finished=None,
            )
            JobStep.objects.filter(job=self).exclude(status=JobStep.Status.DONE).update(
                status=JobStep.Status.PENDING, percent=0, message="", started=None, finished=None
            )

    def reopen_for_publish(self) -> None:
        """Queue a completed job again to run its publish step alone; InvalidTransition
        unless it is completed. Its post, times and steps stay as they are."""
        with transaction.atomic():
            self._transition(
                self.Status.QUEUED,
                event="Queued to publish",
                only_from=[self.Status.COMPLETED],
                retry_at=None,
                error_code="",
                error_message="",
                error_suggestions=[],
                cancel_requested=False,
                progress=overall_progress("publish", 0),
            )
            # Jobs older than the publish step have no row for it yet.
            JobStep.objects.update_or_create(
                job=self,
                step="publish",
                defaults={
                    "order": STEP_NAMES.index("publish"),
                    "status": JobStep.Status.PENDING,
                    "percent": 0,
                    "message": "",
                    "started": None,
                    "finished": None,
                },
            )

    @property
    def post_is_ready(self) -> bool:
        """The post is written and saved: shown even while the job runs again to publish."""
        if self.status == self.Status.COMPLETED:
            return True
        # The page's steps, when it read them already (prefetch_related("steps")).
        return any(s.step == "save" and s.status == JobStep.Status.DONE for s in self.steps.all())

    def delete_unless_running(self) -> bool:
        """Delete the job with everything it owns unless a worker runs it.
        False, and nothing lost, when it is running, even if it started since this
        object was loaded."""
        return self._delete_if(~models.Q(status=self.Status.RUNNING))

    def delete_if_finished(self) -> bool:
        """Delete the job as delete_unless_running does, only if it is completed, failed or
        cancelled: deleting its video must not take a queued job with it."""
        return self._delete_if(models.Q(status__in=self.FINISHED))

    def delete_if_finished_before(self, cutoff: datetime.datetime) -> bool:
        """Delete the job as delete_unless_running does, only if it finished (completed,
        failed or cancelled) before ``cutoff``: the clean-up's guard, checked by the same
        UPDATE that locks the row, so a job queued or started again since it was chosen
        stays."""
        return self._delete_if(models.Q(status__in=self.FINISHED, finished__lt=cutoff))

    def delete_if_deleted_before(self, cutoff: datetime.datetime) -> bool:
        """Purge a job put in the bin before ``cutoff`` and still there (not restored)."""
        return self._delete_if(
            models.Q(status__in=self.FINISHED, deleted_at__isnull=False, deleted_at__lt=cutoff)
        )

    def move_to_bin(self) -> bool:
        """Soft delete: hide the job until it is restored or purged. A queued job is
        cancelled first, so no worker runs a job nobody can see; False, and nothing
        changed, when a worker runs it."""
        if self.status == self.Status.QUEUED:
            # A worker that claimed it first wins: refused below, as a running job is.
            with contextlib.suppress(InvalidTransition):
                self._transition(
                    self.Status.CANCELLED,
                    event="Cancelled",
                    only_from=[self.Status.QUEUED],
                    finished=timezone.now(),
                )
        moved = Job.objects.filter(
            pk=self.pk, status__in=self.FINISHED, deleted_at__isnull=True
        ).update(deleted_at=timezone.now(), updated=timezone.now())
        if moved:
            self.log("Moved to Recently deleted")
        return bool(moved)

    def restore(self) -> bool:
        """Take the job out of the bin; False when it is not there (purged or restored)."""
        restored = Job.objects.filter(pk=self.pk, deleted_at__isnull=False).update(
            deleted_at=None, updated=timezone.now()
        )
        if restored:
            self.log("Restored")
        return bool(restored)

    def _delete_if(self, guard: models.Q) -> bool:
        """Rows go in one transaction: the job, its steps, events and post (by cascade) and
        the transcript it uploaded unless another job (a reprocess) uses it. Its files
        (the post's, the upload's unless shared) go once that commits: a rollback must
        not leave rows pointing at missing files; a file left behind the clean-up finds."""
        with transaction.atomic():
            # The guarded UPDATE locks the row until commit, so no worker can claim the
            # job between this check and the DELETE of it and of its related rows.
            idle = Job.objects.filter(guard, pk=self.pk).update(updated=timezone.now())
            if not idle:
                return False
            job = Job.objects.select_related("post", "transcript").get(pk=self.pk)
            post = job.post_or_none
            files = post.file_paths() if post else []
            upload = job.transcript
            if upload is not None and upload.source != upload.Source.UPLOAD:
                upload = None
            Job.objects.filter(pk=self.pk).delete()
            if upload is not None and not upload.jobs.exists():
                upload.delete()
            name = job.transcript_file.name
            if name and not Job.objects.filter(transcript_file=name).exists():
                files.append(Path(job.transcript_file.path))
            transaction.on_commit(lambda: remove_files(files))
        return True
