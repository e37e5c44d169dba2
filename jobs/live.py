"""Rendering a job's live regions: the full state, or what changed after an event id.

The WebSocket consumer and the full page use the same named partials of
jobs/detail.html, so what a socket pushes is exactly what a reload would show.
Status and steps are whole regions (replacing them is idempotent); the event
log and the draft grow, so they are cut at an exact event id and only what
came after it is appended: a reconnect never loses or repeats text.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial
from typing import Any

from django.db.models import Max, Min
from django.template.loader import render_to_string

from jobs.models import Job, JobEvent, draft_until

# Events after which the page's growing regions are re-sent whole.
_RESEND_ALL = (JobEvent.Kind.STATUS, JobEvent.Kind.DRAFT_RESET)


@dataclass(frozen=True)
class Update:
    html: str
    last_event_id: int


def _job(job_id: str) -> Job:
    return Job.objects.select_related("video", "provider", "transcript", "post").get(pk=job_id)


def page_context(job: Job) -> dict:
    """What every region of the job page needs, wherever it is rendered."""
    from jobs.forms import ReprocessForm

    return {
        "job": job,
        "steps": list(job.steps.all()),
        # Called by the template only where the form shows: pushes while a job runs skip it.
        "reprocess_form": partial(ReprocessForm, job),
    }


def _render(names: tuple[str, ...], context: dict) -> str:
    return "".join(render_to_string(f"jobs/detail.html#{name}", context) for name in names)


def full_state(job_id: str) -> Update:
    # Read the event id first: the whole regions read after it are at least as
    # new, and the growing ones are rebuilt up to exactly this id.
    return full_state_until(job_id, latest_job_event_id(job_id))


def latest_job_event_id(job_id: str) -> int:
    return JobEvent.objects.filter(job_id=job_id).aggregate(m=Max("id"))["m"] or 0


def full_state_until(job_id: str, last_id: int) -> Update:
    """Every region; the growing ones cut at ``last_id``, which must have been read first."""
    job = _job(job_id)
    context = {
        **page_context(job),
        "events": [e for e in job.events.filter(id__lte=last_id) if e.shows_in_log],
        "draft": draft_until(job, last_id),
        "oob": "true",
    }
    return Update(_render(("status", "steps", "post", "events"), context), last_id)


def changes_since(job_id: str, after_id: int) -> Update | None:
    new_events = list(JobEvent.objects.filter(job_id=job_id, id__gt=after_id).order_by("id"))
    if not new_events:
        return None
    last_id = new_events[-1].id
    if any(e.kind in _RESEND_ALL for e in new_events):
        return full_state_until(job_id, last_id)
    job = _job(job_id)
    context = {
        **page_context(job),
        "events": [e for e in new_events if e.shows_in_log],
        "draft": "".join(
            e.data.get("text", "") for e in new_events if e.kind == JobEvent.Kind.TOKEN
        ),
        "oob": "beforeend",
    }
    names: tuple[str, ...] = ("status", "steps")
    if context["events"]:
        names += ("events",)
    if context["draft"]:
        names += ("draft-delta",)
    return Update(_render(names, context), last_id)


def latest_event_id() -> int:
    return JobEvent.objects.aggregate(m=Max("id"))["m"] or 0


def can_see(user: Any, job_id: str) -> bool:
    return Job.objects.visible_to(user).filter(pk=job_id).exists()


def dashboard_changes(after_id: int, user: Any) -> Update | None:
    """Rows of the jobs ``user`` may see that moved, and a toast for each that just finished.

    The html is empty when only other people's jobs moved: the id still moves on past them.
    """
    rows = list(
        JobEvent.objects.filter(id__gt=after_id).values_list("id", "job_id", "kind", "data")
    )
    if not rows:
        return None
    last_id = max(r[0] for r in rows)
    visible = set(
        Job.objects.visible_to(user)
        .filter(pk__in={r[1] for r in rows})
        .values_list("pk", flat=True)
    )
    rows = [r for r in rows if r[1] in visible]
    job_ids = {r[1] for r in rows}
    finished = {
        r[1]: r[3].get("status")
        for r in rows
        if r[2] == JobEvent.Kind.STATUS
        and r[3].get("status") in (Job.Status.COMPLETED, Job.Status.FAILED)
    }
    jobs = {
        job.pk: job
        for job in Job.objects.filter(pk__in=job_ids).select_related(
            "video", "provider", "batch", "post"
        )
    }
    html = "".join(
        render_to_string("jobs/list.html#job-row", {"job": job, "oob": True})
        for job in jobs.values()
    )
    # A batch's progress is its jobs': it moves whenever one of them does.
    batches = {job.batch_id: job.batch for job in jobs.values() if job.batch_id}
    html += "".join(
        render_to_string("jobs/batch.html#batch-summary", {"batch": batch, "oob": True})
        for batch in batches.values()
    )
    toasts = [jobs[job_id] for job_id in finished if job_id in jobs]
    if toasts:
        html += render_to_string("jobs/list.html#toasts", {"toast_jobs": toasts})
    new_jobs = (
        JobEvent.objects.filter(job_id__in=job_ids)
        .values("job_id")
        .annotate(first=Min("id"))
        .filter(first__gt=after_id)
    )
    if new_jobs.exists():
        # A row that is not on the page cannot be swapped in; tables refetch instead.
        html += '<div id="dashboard-signal" hx-swap-oob="true" data-jobs-added></div>'
    return Update(html, last_id)
