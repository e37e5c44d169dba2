"""The JSON API's jobs and their posts (/api/v1/jobs/...): the pages' views in JSON.

What a job may be asked for goes through the same code as the pages: JobForm for a new job,
ReprocessForm for another writing, jobs.services for every change, ``visible_to`` for who
may see what (another person's job is a 404) and jobs.limits (429 with Retry-After).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import uuid
from dataclasses import replace
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import Field

from blogtube_site.api_errors import CONFLICT, FieldErrors
from blogtube_site.query_params import whole_number
from jobs import event_stream, services
from jobs.api.bodies import ERRORS, ErrorInfo, JobIn, OptionsIn, body_of, form_input, refuse
from jobs.formatting import OUTPUT_FORMATS
from jobs.forms import JobForm, ReprocessForm
from jobs.models import InvalidTransition, Job, Post

router = Router(tags=["jobs"])
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


# --- schemas -------------------------------------------------------------------------


class StepOut(Schema):
    name: str
    label: str
    status: str
    percent: int
    message: str
    started: dt.datetime | None
    finished: dt.datetime | None


class JobOut(Schema):
    id: uuid.UUID
    status: str
    title: str
    source_url: str
    video_id: str | None
    transcript_file_name: str
    language: str
    provider: str
    model: str
    output_format: str
    priority: int
    options: dict[str, Any]
    progress: int
    current_step: str
    cancel_requested: bool
    attempts: int
    error: ErrorInfo | None
    retry_at: dt.datetime | None
    tokens_in: int
    tokens_out: int
    batch_id: uuid.UUID | None
    has_post: bool
    created: dt.datetime
    started: dt.datetime | None
    finished: dt.datetime | None


class JobDetailOut(JobOut):
    steps: list[StepOut]
    draft: str


class JobPage(Schema):
    items: list[JobOut]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null: done")


class PostOut(Schema):
    job_id: uuid.UUID
    title: str
    slug: str
    description: str
    tags: list[str]
    word_count: int
    markdown: str
    html: str
    created: dt.datetime
    updated: dt.datetime


class JobFilters(Schema):
    status: Literal["queued", "running", "completed", "failed", "cancelled"] | None = None
    q: str | None = Field(None, max_length=200, description="In the title, URL, file or post")
    cursor: str | None = Field(None, max_length=200)
    limit: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


# --- reading -------------------------------------------------------------------------


def job_out(job: Job) -> dict[str, Any]:
    error = None
    if job.error_code:
        error = {
            "code": job.error_code,
            "message": job.error_message,
            "suggestions": list(job.error_suggestions),
        }
    return {
        "id": job.pk,
        "status": job.status,
        "title": job.title,
        "source_url": job.source_url,
        "video_id": job.video.youtube_id if job.video_id else None,
        "transcript_file_name": job.transcript_file_name,
        "language": job.language,
        "provider": job.provider.slug,
        "model": job.writer_model,
        "output_format": job.output_format,
        "priority": job.priority,
        "options": job.all_options,
        "progress": job.progress,
        "current_step": job.current_step,
        "cancel_requested": job.cancel_requested,
        "attempts": job.attempts,
        "error": error,
        "retry_at": job.retry_at,
        "tokens_in": job.tokens_in,
        "tokens_out": job.tokens_out,
        "batch_id": job.batch_id,
        "has_post": job.post_or_none is not None,
        "created": job.created,
        "started": job.started,
        "finished": job.finished,
    }


def job_detail_out(job: Job) -> dict[str, Any]:
    steps = [
        {
            "name": s.step, "label": s.label, "status": s.status, "percent": s.percent,
            "message": s.message, "started": s.started, "finished": s.finished,
        }
        for s in job.steps.all()
    ]  # fmt: skip
    return {**job_out(job), "steps": steps, "draft": job.draft}


def visible_jobs(request: HttpRequest) -> QuerySet[Job]:
    return Job.objects.visible_to(request.user).select_related("video", "provider", "post")


def get_job(request: HttpRequest, job_id: uuid.UUID) -> Job:
    return get_object_or_404(visible_jobs(request), pk=job_id)


def encode_cursor(job: Job) -> str:
    raw = f"{job.created.isoformat()}|{job.pk}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> Q:
    """The jobs after the cursor's in (-created, -id) order: a keyset, so a page costs the
    same however deep, and jobs made meanwhile neither repeat nor go missing."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        created_text, _, id_text = raw.partition("|")
        created, pk = dt.datetime.fromisoformat(created_text), uuid.UUID(id_text)
    except (binascii.Error, UnicodeDecodeError, ValueError):
        raise FieldErrors({"cursor": ["Not a cursor this API gave; start without one."]}) from None
    return Q(created__lt=created) | Q(created=created, id__lt=pk)


@router.get("", response={200: JobPage, **ERRORS}, summary="List jobs, newest first")
def list_jobs(request: HttpRequest, filters: Query[JobFilters]) -> dict[str, Any]:
    jobs = visible_jobs(request)
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    if filters.q:
        # The jobs page's search and index (jobs.models.search).
        jobs = jobs.matching(filters.q)
    if filters.cursor:
        jobs = jobs.filter(decode_cursor(filters.cursor))
    page = list(jobs.order_by("-created", "-id")[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [job_out(job) for job in page],
        "next_cursor": encode_cursor(page[-1]) if more else None,
    }


@router.get("/{uuid:job_id}", response={200: JobDetailOut, **ERRORS}, summary="A job")
def get_job_detail(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    return job_detail_out(get_job(request, job_id))


# --- creating --------------------------------------------------------------------------


@router.post(
    "",
    response={201: JobOut, **ERRORS},
    openapi_extra=body_of(JobIn, upload=True),
    summary="Create a job",
)
def create_job(request: HttpRequest) -> Status:
    """The New post form's options, from a YouTube URL (JSON) or an uploaded transcript
    (multipart/form-data with ``transcript_file``). A playlist or channel: POST /batches."""
    data, files = form_input(request, JobIn)
    form = JobForm(data, files)
    if not form.is_valid():
        raise refuse(form)
    job = services.create_job(replace(form.to_request(), owner=request.user))
    return Status(201, job_out(job))


# --- changing --------------------------------------------------------------------------


def wrong_state(job: Job, action: str) -> HttpError:
    job.refresh_from_db()
    return HttpError(
        CONFLICT, f"This job is {job.get_status_display().lower()}: {action} is not possible."
    )


@router.post("/{uuid:job_id}/cancel", response={200: JobOut, **ERRORS}, summary="Cancel a job")
def cancel_job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    job = get_job(request, job_id)
    try:
        services.cancel(job)
    except InvalidTransition:
        raise wrong_state(job, "cancelling") from None
    return job_out(get_job(request, job_id))


@router.post("/{uuid:job_id}/retry", response={200: JobOut, **ERRORS}, summary="Retry a job")
def retry_job(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    """Queue a failed or cancelled job again; it resumes at the step that failed."""
    job = get_job(request, job_id)
    try:
        services.retry(job, by=request.user)
    except InvalidTransition:
        raise wrong_state(job, "retrying") from None
    return job_out(get_job(request, job_id))


@router.post(
    "/{uuid:job_id}/reprocess",
    response={201: JobOut, **ERRORS},
    openapi_extra=body_of(OptionsIn),
    summary="Write the post again from the stored transcript",
)
def reprocess_job(request: HttpRequest, job_id: uuid.UUID) -> Status:
    """A new job on the same transcript, with the options sent (JSON or a form); what is not
    sent stays as the job had it."""
    job = get_job(request, job_id)
    data, _ = form_input(request, OptionsIn)
    form = ReprocessForm(job, data)
    if not form.is_valid():
        raise refuse(form)
    new = services.reprocess(job, request.user, **form.changes())
    return Status(201, job_out(get_job(request, new.pk)))


@router.delete("/{uuid:job_id}", response={204: None, **ERRORS}, summary="Delete a job")
def delete_job(request: HttpRequest, job_id: uuid.UUID) -> Status:
    job = get_job(request, job_id)
    try:
        services.delete(job)
    except InvalidTransition:
        raise HttpError(CONFLICT, "A running job must be cancelled before it is deleted.") from None
    return Status(204, None)


@router.get(
    "/{uuid:job_id}/events",
    response={200: str, **ERRORS},
    summary="A job's events as Server-Sent Events, until it ends",
    openapi_extra={
        "responses": {200: {"content": {"text/event-stream": {"schema": {"type": "string"}}}}}
    },
)
def job_events(
    request: HttpRequest, job_id: uuid.UUID, last_event_id: int | None = Query(None, ge=0)
) -> StreamingHttpResponse:
    """Every JobEvent as ``id``/``event``/``data`` (JSON): status, step, log, token (the
    draft's text) and draft_reset; then ``end`` with the final status. Resume after an id with
    the Last-Event-ID header (EventSource sends it) or ``?last_event_id=``."""
    get_job(request, job_id)
    header = whole_number(request.headers.get("Last-Event-ID", ""))
    after = header if header is not None else last_event_id or 0
    response = StreamingHttpResponse(
        event_stream.stream(str(job_id), after), content_type="text/event-stream"
    )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx would hold the events back
    return response


# --- the post --------------------------------------------------------------------------


def get_post(request: HttpRequest, job_id: uuid.UUID) -> Post:
    get_job(request, job_id)  # 404 alike for a job not visible and one without a post
    return get_object_or_404(Post.objects.visible_to(request.user), job_id=job_id)


@router.get("/{uuid:job_id}/post", response={200: PostOut, **ERRORS}, summary="A job's post")
def get_job_post(request: HttpRequest, job_id: uuid.UUID) -> Post:
    return get_post(request, job_id)


@router.get(
    "/{uuid:job_id}/post/{fmt}",
    response={200: str, **ERRORS},
    summary="A job's post as markdown, html, text or json",
    openapi_extra={
        "responses": {
            200: {
                "content": {t: {"schema": {"type": "string"}} for _, t in OUTPUT_FORMATS.values()}
            }
        }
    },
)
def download_post(
    request: HttpRequest, job_id: uuid.UUID, fmt: Literal["markdown", "html", "text", "json"]
) -> HttpResponse:
    post = get_post(request, job_id)
    extension, content_type = OUTPUT_FORMATS[fmt]
    response = HttpResponse(post.render(fmt), content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{post.slug}.{extension}"'
    return response
