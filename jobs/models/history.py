"""What a job went through: its steps (JobStep, one row per entry of STEPS) and
its append-only event log (JobEvent), from which live pages replay the draft."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db import models

from jobs.models.elapsed import ElapsedSeconds

if TYPE_CHECKING:
    from jobs.models.job import Job


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
    StepSpec("pictures", "Pictures from the video", 5),
    StepSpec("save", "Save", 5),
    # Skipped unless the post was sent somewhere: at the end of a run, or alone later.
    StepSpec("publish", "Publish", 3),
)
STEP_NAMES = tuple(s.name for s in STEPS)
_TOTAL_WEIGHT = sum(s.weight for s in STEPS)


def step_label(step: str) -> str:
    return STEPS[STEP_NAMES.index(step)].label


def overall_progress(step: str, percent: float) -> int:
    """The job's progress, in percent, when a step is this far: the steps before it count
    whole, each step by its weight."""
    index = STEP_NAMES.index(step)
    before = sum(s.weight for s in STEPS[:index])
    return int((before + STEPS[index].weight * percent / 100) * 100 / _TOTAL_WEIGHT)


class JobStep(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        SKIPPED = "skipped", "Skipped"
        FAILED = "failed", "Failed"
        CANCELLED = "cancelled", "Cancelled"

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="steps")
    step = models.CharField(max_length=30)
    order = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    percent = models.PositiveSmallIntegerField(default=0)
    message = models.TextField(blank=True)
    started = models.DateTimeField(null=True, blank=True)
    finished = models.DateTimeField(null=True, blank=True)
    # Stored by the database (see jobs.models.elapsed): the stats page averages it.
    run_seconds = models.GeneratedField(
        expression=ElapsedSeconds("started", "finished"),
        output_field=models.FloatField(null=True, blank=True),
        db_persist=True,
    )

    class Meta:
        ordering = ["job", "order"]
        constraints = [models.UniqueConstraint(fields=["job", "step"], name="one_row_per_step")]

    def __str__(self) -> str:
        return f"{self.label}: {self.get_status_display()}"

    @property
    def label(self) -> str:
        return step_label(self.step)

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

    job = models.ForeignKey("jobs.Job", on_delete=models.CASCADE, related_name="events")
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
