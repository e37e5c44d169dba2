"""Jobs and their history.

Status changes happen only in the methods below, each one a conditional
``UPDATE ... WHERE status IN (...)`` so that two processes (a web request and a
worker, or two deliveries of the same task) can never both win. Every change
also appends a JobEvent: the event log is what live pages read, so nothing is
ever overwritten in place without a row saying so.
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, models, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat
from django.urls import reverse
from django.utils import timezone

from blogtube_site.errors import BlogTubeError
from jobs.templatetags.blogtube_extras import money

if TYPE_CHECKING:
    from jobs.formatting import FormattedPost
    from providers.models import Provider


@dataclass(frozen=True)
class StepSpec:
    name: str
    label: str
    weight: int  # share of the overall progress bar


STEPS: tuple[StepSpec, ...] = (
    StepSpec("validate", "Validate input", 2),
    StepSpec("fetch_info", "Fetch video info", 8),
    StepSpec("list_languages", "List transcript languages", 5),
    StepSpec("fetch_transcript", "Fetch transcript", 15),
    StepSpec("generate", "Write the post", 60),
    StepSpec("format", "Format Markdown and HTML", 5),
    StepSpec("save", "Save", 5),
)
STEP_NAMES = tuple(s.name for s in STEPS)
_TOTAL_WEIGHT = sum(s.weight for s in STEPS)


class InvalidTransition(Exception):
    """A status change the state machine does not allow (or another process won)."""


class Batch(models.Model):
    """The jobs made from one playlist or channel, followed as one."""

    class Kind(models.TextChoices):
        PLAYLIST = "playlist", "Playlist"
        CHANNEL = "channel", "Channel"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    kind = models.CharField(max_length=10, choices=Kind.choices)
    source_url = models.CharField(max_length=500)
    source_id = models.CharField(max_length=100, blank=True, help_text="Playlist or channel id")
    title = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    truncated = models.BooleanField(default=False, help_text="More videos than the limit")
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        verbose_name_plural = "batches"

    def __str__(self) -> str:
        return self.title or self.source_url

    def get_absolute_url(self) -> str:
        return reverse("jobs:batch", args=[self.pk])

    @property
    def _totals(self) -> dict[str, tuple[int, int]]:
        # One query for every figure a page shows: status -> (jobs, summed progress).
        if "_totals_cache" not in self.__dict__:
            rows = (
                self.jobs.order_by()
                .values_list("status")
                .annotate(n=models.Count("id"), done=models.Sum("progress"))
            )
            self.__dict__["_totals_cache"] = {status: (n, done or 0) for status, n, done in rows}
        return self.__dict__["_totals_cache"]

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


class Job(models.Model):
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
        Status.COMPLETED: frozenset(),
    }
    ACTIVE = (Status.QUEUED, Status.RUNNING)

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    video = models.ForeignKey(
        "videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    transcript = models.ForeignKey(
        "videos.Transcript", null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
    )
    batch = models.ForeignKey(
        Batch, null=True, blank=True, on_delete=models.SET_NULL, related_name="jobs"
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
    draft = models.TextField(blank=True)

    created = models.DateTimeField(auto_now_add=True, db_index=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return f"{self.title} ({self.get_status_display()})"

    def get_absolute_url(self) -> str:
        return reverse("jobs:detail", args=[self.pk])

    # --- reading --------------------------------------------------------

    @property
    def title(self) -> str:
        if self.video_id and self.video.title:
            return self.video.title
        if self.transcript_file_name:
            # An upload has no video title: once written, the post's title says more.
            post = self.post_or_none
            return post.title if post and post.title else self.transcript_file_name
        return self.source_url or "Untitled job"

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
        elapsed = (timezone.now() - self.started).total_seconds()
        return int(elapsed * (100 - self.progress) / self.progress)

    @property
    def cost_display(self) -> str:
        from providers import services as providers

        if not (self.tokens_in or self.tokens_out):
            return ""
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

    @staticmethod
    def ready_to_run() -> models.Q:
        """Queued jobs that may start now: not waiting out a transient failure."""
        return models.Q(retry_at__isnull=True) | models.Q(retry_at__lte=timezone.now())

    def claim(self) -> bool:
        """Take a queued job for this worker. False when someone else already did, or
        when it waits to be retried later (an older task of the same job came early)."""
        try:
            self._transition(
                self.Status.RUNNING,
                event="Started",
                when=self.ready_to_run(),
                started=timezone.now(),
                finished=None,
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
            progress=100,
            current_step="",
            finished=timezone.now(),
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
                error_code=error.code,
                error_message=error.message,
                error_suggestions=list(error.suggestions),
                finished=timezone.now(),
                when=when,
            )

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
                when=when,
                error_code=error.code,
                error_message=error.message,
                error_suggestions=list(error.suggestions),
                retry_at=retry_at,
            )

    def release_if_lost(
        self, error: BlogTubeError, *, started_before: datetime.datetime, max_attempts: int
    ) -> bool:
        """Queue again, or fail when out of attempts, a job a dead worker left running.
        False when it is not that job any more: it finished, or started again since it was
        seen (the guard is on the UPDATE, so a new run is never taken for a lost one)."""
        lost = models.Q(started__lt=started_before, attempts=self.attempts)
        try:
            if self.attempts < max_attempts:
                self.defer(error, timezone.now(), when=lost)
            else:
                self.fail(error, when=lost)
        except InvalidTransition:
            return False
        return True

    def request_cancel(self) -> None:
        """Cancel now if nobody runs the job yet; else ask the worker to stop."""
        try:
            self._transition(
                self.Status.CANCELLED,
                event="Cancelled",
                only_from=[self.Status.QUEUED],
                finished=timezone.now(),
            )
            return
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

    def mark_cancelled(self) -> None:
        """The worker's answer to a cancel request, between steps or chunks."""
        with transaction.atomic():
            JobStep.objects.filter(job=self, status=JobStep.Status.RUNNING).update(
                status=JobStep.Status.CANCELLED, finished=timezone.now()
            )
            self._transition(self.Status.CANCELLED, event="Cancelled", finished=timezone.now())

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

    def delete_unless_running(self) -> bool:
        """Delete the job with its steps, events and post unless a worker runs it.
        False, and nothing lost, when it is running, even if it started since this
        object was loaded."""
        with transaction.atomic():
            # The guarded UPDATE locks the row until commit, so no worker can claim the
            # job between this check and the DELETE of it and of its related rows.
            idle = (
                Job.objects.filter(pk=self.pk)
                .exclude(status=self.Status.RUNNING)
                .update(updated=timezone.now())
            )
            if not idle:
                return False
            Job.objects.filter(pk=self.pk).delete()
        return True

    # --- steps ------------------------------------------------------------

    def create_steps(self) -> None:
        JobStep.objects.bulk_create(
            JobStep(job=self, step=spec.name, order=i) for i, spec in enumerate(STEPS)
        )

    def pending_steps(self) -> list[str]:
        done = set(
            self.steps.filter(status__in=[JobStep.Status.DONE, JobStep.Status.SKIPPED]).values_list(
                "step", flat=True
            )
        )
        return [name for name in STEP_NAMES if name not in done]

    def start_step(self, step: str, message: str = "") -> None:
        """Mark a step running; InvalidTransition when the job is not running (any more)."""
        with transaction.atomic():
            # The guard is the UPDATE itself: a cancel or a reaper in between wins or waits.
            running = Job.objects.filter(pk=self.pk, status=self.Status.RUNNING).update(
                current_step=step
            )
            if not running:
                raise InvalidTransition(f"Job {self.pk} is not running.")
            JobStep.objects.filter(job=self, step=step).update(
                status=JobStep.Status.RUNNING,
                started=timezone.now(),
                finished=None,
                percent=0,
                message=message,
            )
            self._add_event(
                JobEvent.Kind.STEP,
                message or _label(step),
                data={"step": step, "status": "running"},
            )
            self._advance_progress(step, 0)
        self.current_step = step

    def step_progress(self, step: str, percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        with transaction.atomic():
            JobStep.objects.filter(job=self, step=step, percent__lt=percent).update(
                percent=percent, message=message or F("message")
            )
            if message:
                self._add_event(JobEvent.Kind.LOG, message, data={"step": step, "percent": percent})
            else:
                self._add_event(JobEvent.Kind.STEP, "", data={"step": step, "percent": percent})
            self._advance_progress(step, percent)

    def finish_step(self, step: str, message: str = "", *, skipped: bool = False) -> None:
        status = JobStep.Status.SKIPPED if skipped else JobStep.Status.DONE
        with transaction.atomic():
            JobStep.objects.filter(job=self, step=step).update(
                status=status, percent=100, finished=timezone.now(), message=message
            )
            self._add_event(
                JobEvent.Kind.STEP,
                message or f"{_label(step)}: done",
                data={"step": step, "status": status},
            )
            self._advance_progress(step, 100)

    def _advance_progress(self, step: str, percent: int) -> None:
        before = sum(s.weight for s in STEPS[: STEP_NAMES.index(step)])
        weight = STEPS[STEP_NAMES.index(step)].weight
        value = int((before + weight * percent / 100) * 100 / _TOTAL_WEIGHT)
        # Never backwards: a retry re-running a step must not shrink the bar.
        Job.objects.filter(pk=self.pk, progress__lt=value).update(progress=value)

    # --- output -----------------------------------------------------------

    def reset_draft(self) -> None:
        with transaction.atomic():
            Job.objects.filter(pk=self.pk).update(draft="")
            self._add_event(JobEvent.Kind.DRAFT_RESET, "", data={})

    def append_draft(self, text: str, *, step: str = "", percent: int | None = None) -> None:
        """Append streamed text; the event carries the same text so pages can replay it."""
        if not text and percent is None:
            return
        with transaction.atomic():
            if text:
                Job.objects.filter(pk=self.pk).update(draft=Concat(F("draft"), Value(text)))
                self._add_event(JobEvent.Kind.TOKEN, "", data={"text": text})
            if step and percent is not None:
                percent = max(0, min(100, int(percent)))
                JobStep.objects.filter(job=self, step=step, percent__lt=percent).update(
                    percent=percent
                )
                self._advance_progress(step, percent)

    def store_post(self, formatted: FormattedPost) -> Post:
        """The job's post from formatted text: created the first time, updated when a retry
        formats it again. Another post holding the slug gets this one a job-id suffix."""
        fields: dict[str, Any] = {
            "video_id": self.video_id,
            "title": formatted.title[:300],
            "description": formatted.description[:300],
            "tags": formatted.tags,
            "markdown": formatted.markdown,
            "html": formatted.html,
            "word_count": formatted.word_count,
        }
        taken: IntegrityError | None = None
        for attempt in range(20):
            # Update first: a retry, or another delivery of this job, made it already.
            if Post.objects.filter(job=self).update(updated=timezone.now(), **fields):
                return Post.objects.get(job=self)
            slug = formatted.slug
            if attempt:
                slug = f"{slug[:90]}-{str(self.pk)[: 4 + attempt]}"
            try:
                with transaction.atomic():  # a savepoint: the caller's transaction survives
                    return Post.objects.create(job=self, slug=slug, **fields)
            except IntegrityError as error:
                taken = error  # the slug is taken, or this job's post appeared meanwhile
        raise RuntimeError(f"No free slug for {formatted.slug!r}.") from taken

    def record_writer(self, provider: Provider, model: str) -> None:
        """A fallback provider wrote the post: the job names it, so its cost is priced right."""
        Job.objects.filter(pk=self.pk).update(provider=provider, model=model)
        self.provider, self.model = provider, model
        self.log(
            f"Written by {provider.name}" + (f" ({model})" if model else ""),
            provider=provider.slug,
            model=model,
        )

    def add_usage(self, tokens_in: int, tokens_out: int) -> None:
        Job.objects.filter(pk=self.pk).update(
            tokens_in=F("tokens_in") + tokens_in, tokens_out=F("tokens_out") + tokens_out
        )

    def log(self, message: str, *, level: str = "info", **data: Any) -> None:
        self._add_event(JobEvent.Kind.LOG, message, level=level, data=data)

    def _add_event(
        self, kind: str, message: str, *, level: str = "info", data: dict | None = None
    ) -> JobEvent:
        event = JobEvent.objects.create(
            job_id=self.pk, kind=kind, level=level, message=message, data=data or {}
        )
        from jobs.doorbell import ring  # the doorbell imports channels; keep models light

        transaction.on_commit(lambda: ring(self.pk))
        return event


def _label(step: str) -> str:
    return STEPS[STEP_NAMES.index(step)].label


class JobStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=30)
    order = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    percent = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["job", "order"]
        constraints = [models.UniqueConstraint(fields=["job", "step"], name="one_row_per_step")]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_status_display()}"

    @property
    def label(self) -> str:
        return _label(self.step)

    @property
    def seconds(self) -> float | None:
        if self.started and self.finished:
            return (self.finished - self.started).total_seconds()
        return None


class JobEvent(models.Model):
    """Append-only: the live pages and any reconnecting client read from here by id."""

    class Kind(models.TextChoices):
        STATUS = "status", "Status"
        STEP = "step", "Step"
        LOG = "log", "Log"
        TOKEN = "token", "Draft text"
        DRAFT_RESET = "draft_reset", "Draft restarted"

    class Level(models.TextChoices):
        INFO = "info", "Info"
        WARNING = "warning", "Warning"
        ERROR = "error", "Error"

    job = models.ForeignKey(Job, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    level = models.CharField(max_length=10, choices=Level.choices, default=Level.INFO)
    message = models.TextField(blank=True)
    data = models.JSONField(default=dict, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["job", "id"])]

    def __str__(self) -> str:
        return f"#{self.pk} {self.kind}: {self.message[:60]}"

    @property
    def shows_in_log(self) -> bool:
        return bool(self.message) and self.kind not in (self.Kind.TOKEN, self.Kind.DRAFT_RESET)


def draft_until(job: Job, last_event_id: int) -> str:
    """The draft exactly as it stood at an event id, rebuilt from the log.

    Reading Job.draft and the last event id separately could pair a draft with
    an id it is ahead of, and the page would then receive some text twice.
    """
    rows: Iterable[tuple[str, dict]] = (
        JobEvent.objects.filter(
            job=job,
            kind__in=[JobEvent.Kind.TOKEN, JobEvent.Kind.DRAFT_RESET],
            id__lte=last_event_id,
        )
        .order_by("id")
        .values_list("kind", "data")
    )
    parts: list[str] = []
    for kind, data in rows:
        if kind == JobEvent.Kind.DRAFT_RESET:
            parts.clear()
        else:
            parts.append(data.get("text", ""))
    return "".join(parts)


class Post(models.Model):
    job = models.OneToOneField(Job, on_delete=models.CASCADE, related_name="post")
    video = models.ForeignKey(
        "videos.Video", null=True, blank=True, on_delete=models.SET_NULL, related_name="posts"
    )
    title = models.CharField(max_length=300)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.CharField(max_length=300, blank=True)
    tags = models.JSONField(default=list, blank=True)
    markdown = models.TextField()
    html = models.TextField()
    word_count = models.PositiveIntegerField(default=0)
    file_path = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created"]

    def __str__(self) -> str:
        return self.title

    @property
    def reading_minutes(self) -> int:
        return max(1, round(self.word_count / 230))

    def edit(self, markdown: str, *, note: str = "") -> PostVersion:
        """Save new Markdown; the text it replaces is kept as a version.

        Title, description and tags follow the front matter (a key left out keeps
        its value), the HTML and word count follow the body, and the files under
        MEDIA_ROOT/posts are rewritten. Text that cannot be a post raises
        PostTextError before anything is saved.
        """
        # Formatting imports the template engine; models stay importable without it.
        from jobs.formatting import (
            PostTextError,
            finish_html,
            front_tags,
            parse_post,
            render_body,
        )

        # Browsers send textarea lines as CRLF; the files and the versions keep LF.
        markdown = markdown.replace("\r\n", "\n").replace("\r", "\n")
        if not markdown.strip():
            raise PostTextError(
                "The post is empty. Write some text, or restore an earlier version."
            )
        front, body = parse_post(markdown)
        rendered = render_body(body)
        if not rendered.html.strip():
            raise PostTextError("The post has no text below its front matter and title.")
        if not markdown.endswith("\n"):
            markdown += "\n"

        with transaction.atomic():
            # Version what the database holds, not this object's copy: a concurrent
            # save since this object was loaded must not vanish from the history.
            current = Post.objects.select_for_update().get(pk=self.pk)
            version = PostVersion.objects.create(
                post=current,
                title=current.title,
                markdown=current.markdown,
                html=current.html,
                note=note.strip()[:200],
            )
            title = str(front.get("title") or "").strip() or rendered.heading or current.title
            self.title = title[:300]
            if "description" in front:
                self.description = " ".join(str(front["description"] or "").split())[:300]
            else:
                self.description = current.description
            tags = front_tags(front)
            self.tags = current.tags if tags is None else tags
            self.markdown = markdown
            # The job's options apply to the edited text as they did to the written one.
            options = self.job.all_options
            self.html = finish_html(
                rendered.html,
                toc=bool(options["toc"]),
                embed=bool(options["embed"]),
                video_id=self.video.youtube_id if self.video_id else "",
                title=self.title,
            )
            self.word_count = rendered.word_count

            # Written inside the transaction: a disk error undoes the edit rather
            # than leaving files that disagree with the database.
            self.write_files()
            self.save()
        return version

    def write_files(self) -> Path:
        """MEDIA_ROOT/posts/<slug>.md and .html, as a person would publish them, and the
        job's output format (.txt or .json) when it asked for another one."""
        from django.conf import settings

        from jobs.formatting import OUTPUT_FORMATS

        folder = Path(settings.MEDIA_ROOT) / "posts"
        folder.mkdir(parents=True, exist_ok=True)
        md_path = folder / f"{self.slug}.md"
        md_path.write_text(self.markdown, encoding="utf-8")
        (folder / f"{self.slug}.html").write_text(self.html_page(), encoding="utf-8")
        chosen = self.job.output_format
        if chosen not in (Job.OutputFormat.MARKDOWN, Job.OutputFormat.HTML):
            extension = OUTPUT_FORMATS[chosen][0]
            (folder / f"{self.slug}.{extension}").write_text(self.render(chosen), encoding="utf-8")
        self.file_path = str(md_path)
        return md_path

    def html_page(self) -> str:
        """The post as a standalone HTML document, as downloaded and saved."""
        return self.formatted().page()

    @property
    def download_extensions(self) -> list[str]:
        """md, html, txt, json: what the download links offer."""
        from jobs.formatting import OUTPUT_FORMATS

        return [extension for extension, _ in OUTPUT_FORMATS.values()]

    def formatted(self) -> FormattedPost:
        """The stored post (edits included) in the shape format_post gives a new one."""
        from jobs.formatting import FormattedPost, PostTextError, parse_post, split_title

        try:
            front, body = parse_post(self.markdown)
        except PostTextError:
            # Saved before edits were checked: the text is still the post.
            front, body = {}, self.markdown
        _, body = split_title(body.strip(), self.title)
        source_keys = ("source_url", "video_id", "language", "provider", "model", "date")
        return FormattedPost(
            title=self.title,
            slug=self.slug,
            description=self.description,
            tags=list(self.tags),
            body=body,
            markdown=self.markdown,
            html=self.html,
            word_count=self.word_count,
            source={key: str(front.get(key) or "") for key in source_keys},
        )

    def render(self, output_format: str) -> str:
        """The post as one of jobs.formatting.OUTPUT_FORMATS; ValueError for any other."""
        return self.formatted().render(output_format)


class PostVersion(models.Model):
    """An earlier text of a post, kept whenever someone saves an edit."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="versions")
    title = models.CharField(max_length=300)
    markdown = models.TextField()
    html = models.TextField()
    note = models.CharField(max_length=200, blank=True)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created", "-id"]

    def __str__(self) -> str:
        return f"{self.post} @ {self.created:%Y-%m-%d %H:%M}"
