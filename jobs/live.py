"""Rendering a job's live regions: the full state, or what changed after an event id.

The WebSocket consumer and the full page use the same named partials of
jobs/detail.html, so what a socket pushes is exactly what a reload would show.
Status and steps are whole regions (replacing them is idempotent); the event
log and the draft grow, so they are cut at an exact event id and only what
came after it is appended: a reconnect never loses or repeats text.
"""

from __future__ import annotations

import json
import uuid
from contextlib import suppress
from dataclasses import dataclass, field
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
    # Read for every event of a streaming job: neither the draft so far (the pushes rebuild
    # it from events) nor the transcript (a long video's is megabytes of segments) is shown.
    jobs = Job.objects.select_related("video", "provider", "post").defer("draft")
    # The steps region and post_is_ready read the same rows.
    return jobs.prefetch_related("steps").get(pk=job_id)


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
    return Update(_render(("status", "steps", "post", "publications", "events"), context), last_id)


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
    if any(e.data.get("step") == "publish" for e in new_events):
        names += ("publications",)
    return Update(_render(names, context), last_id)


# A page of 100 rows and its batches, with room to spare; more is not a page, it is a probe.
MAX_WATCHED = 500


@dataclass(frozen=True)
class Watched:
    """The live rows a page shows: what its dashboard socket pushes, and nothing else.

    A row pushed to a page without it is an htmx error on the console (oobErrorNoTarget), and
    every page has the socket; so each page says which rows it holds (static/js/blogtube.js
    sends their element ids when the socket opens and whenever a table is swapped).
    """

    jobs: frozenset[str] = field(default_factory=frozenset)
    batches: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def from_message(cls, text: str | None) -> Watched | None:
        """The ids in {"watch": ["job-row-<uuid>", "batch-<uuid>", ...]}; None if it is not one."""
        try:
            data = json.loads(text or "")
        except (ValueError, RecursionError):
            return None
        ids = data.get("watch") if isinstance(data, dict) else None
        if not isinstance(ids, list):
            return None
        found: dict[str, set[str]] = {"job-row-": set(), "batch-": set()}
        for element_id in ids[:MAX_WATCHED]:
            if not isinstance(element_id, str):
                continue
            for prefix, bucket in found.items():
                if element_id.startswith(prefix):
                    with suppress(ValueError):
                        bucket.add(str(uuid.UUID(element_id[len(prefix) :])))
                    break
        return cls(frozenset(found["job-row-"]), frozenset(found["batch-"]))


def latest_event_id() -> int:
    return JobEvent.objects.aggregate(m=Max("id"))["m"] or 0


def can_see(user: Any, job_id: str) -> bool:
    return Job.objects.visible_to(user).filter(pk=job_id).exists()


def dashboard_changes(after_id: int, user: Any, watched: Watched | None = None) -> Update | None:
    """The rows on the page (``watched``) of jobs ``user`` may see that moved, and a toast for
    each of their jobs that just finished.

    The html is empty when nothing the page shows moved: the id still moves on past it.
    """
    watched = watched or Watched()
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
    jobs = {job.pk: job for job in Job.objects.filter(pk__in=job_ids).for_rows()}
    html = "".join(
        render_to_string("jobs/list.html#job-row", {"job": job, "oob": True})
        for job in jobs.values()
        if str(job.pk) in watched.jobs
    )
    # A batch's progress is its jobs': it moves whenever one of them does.
    batches = {
        job.batch_id: job.batch
        for job in jobs.values()
        if job.batch_id and str(job.batch_id) in watched.batches
    }
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
