"""The JSON API's jobs, posts, batches and stats (/api/v1/...): the pages' views in JSON.

What a job may be asked for goes through the same code as the pages: JobForm for a new job,
ReprocessForm for another writing, jobs.services for every change, ``visible_to`` for who
may see what (another person's job is a 404) and jobs.limits (429 with Retry-After).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import uuid
from dataclasses import replace
from typing import Any, Literal

from django import forms
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field
from pydantic import ValidationError as PydanticError

from blogtube_site.api_errors import CONFLICT, ErrorOut, FieldErrors
from blogtube_site.errors import BlogTubeError
from blogtube_site.query_params import whole_number
from jobs import batches, event_stream, limits, services
from jobs.formatting import OUTPUT_FORMATS
from jobs.forms import JobForm, ReprocessForm
from jobs.models import Batch, InvalidTransition, Job, Post
from jobs.stats import DEFAULT_DAYS, RANGES, job_stats
from videos import services as videos

router = Router(tags=["jobs"])
batches_router = Router(tags=["batches"])
stats_router = Router(tags=["stats"])

ERRORS: dict[int, type[Schema]] = {
    code: ErrorOut for code in (400, 401, 403, 404, 409, 422, 429, 502, 503)
}
PAGE_SIZE = 25
MAX_PAGE_SIZE = 100


# --- schemas -------------------------------------------------------------------------


class OptionsIn(Schema):
    """How the post is written: the New post form's and reprocess's options, each optional
    (not sent: the default, or for reprocess what the job had)."""

    model_config = ConfigDict(extra="forbid")

    provider: str | int | None = Field(None, description="A provider's slug or id")
    model: str | None = None
    style: str | None = None
    custom_prompt: str | None = None
    tone: str | None = None
    length: str | None = None
    write_language: str | None = Field(None, description="'' writes in the transcript's")
    toc: bool | None = None
    timestamps: bool | None = None
    embed: bool | None = None


class JobIn(OptionsIn):
    """A new job: a YouTube URL (JSON), or a transcript file (multipart, ``transcript_file``)."""

    url: str | None = None
    language: str | None = Field(None, description="en, a list such as de,en, or auto")
    force_speech: bool | None = None
    translate_to: str | None = None
    output_format: Literal["markdown", "html", "text", "json"] | None = None
    priority: Literal[-1, 0, 1] | None = None


class ErrorInfo(Schema):
    code: str
    message: str
    suggestions: list[str]


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


class BatchOut(Schema):
    id: uuid.UUID
    kind: str
    source_url: str
    title: str
    channel: str
    truncated: bool
    total: int
    progress: int
    counts: dict[str, int]
    job_ids: list[uuid.UUID]
    created: dt.datetime


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
    if q := (filters.q or "").strip():
        jobs = jobs.filter(
            Q(video__title__icontains=q)
            | Q(source_url__icontains=q)
            | Q(transcript_file_name__icontains=q)
            | Q(post__title__icontains=q)
        )
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


def body_of(schema: type[Schema], *, upload: bool = False) -> dict[str, Any]:
    """The OpenAPI request body of a view that reads its body itself (form_input)."""
    fields = schema.model_json_schema()
    form = {**fields, "properties": dict(fields["properties"])}
    if upload:
        form["properties"]["transcript_file"] = {"type": "string", "format": "binary"}
    return {
        "requestBody": {
            "content": {
                "application/json": {"schema": fields},
                "multipart/form-data": {"schema": form},
            },
        }
    }


FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")


def form_input(request: HttpRequest, schema: type[OptionsIn]) -> tuple[dict[str, Any], Any]:
    """(data, files) for a form, from a JSON body or a multipart one; the JSON's types checked
    by ``schema`` first, so a form never sees a list where it expects a word."""
    if request.content_type in FORM_TYPES:
        # A browser's form may carry its CSRF token as a field.
        unknown = set(request.POST) - set(schema.model_fields) - {"csrfmiddlewaretoken"}
        if unknown:
            raise FieldErrors({name: ["Unknown field."] for name in sorted(unknown)})
        return request.POST, request.FILES
    try:
        body = json.loads(request.body or b"{}")
    except ValueError:  # not JSON, not UTF-8, or a number too long for int()
        raise HttpError(400, "The body is not JSON.") from None
    if not isinstance(body, dict):
        raise HttpError(400, "The body must be a JSON object.")
    try:
        parsed = schema.model_validate(body)
    except PydanticError as error:
        fields: dict[str, list[str]] = {}
        for item in error.errors():
            name = str(item["loc"][0]) if item["loc"] else "__all__"
            fields.setdefault(name, []).append(item["msg"])
        raise FieldErrors(fields) from None
    return parsed.model_dump(exclude_unset=True), None


def refuse(form: forms.Form) -> FieldErrors:
    return FieldErrors({name: list(errors) for name, errors in form.errors.items()})


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


# --- batches ---------------------------------------------------------------------------


class BatchIn(JobIn):
    url: str = Field(description="A playlist's or a channel's URL")  # type: ignore[assignment]


def batch_out(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "source_url": batch.source_url,
        "title": batch.title,
        "channel": batch.channel,
        "truncated": batch.truncated,
        "total": batch.total,
        "progress": batch.progress,
        "counts": {status: n for status, _, n in batch.counts},
        "job_ids": list(batch.jobs.order_by("created", "id").values_list("pk", flat=True)),
        "created": batch.created,
    }


@batches_router.post(
    "",
    response={201: BatchOut, **ERRORS},
    openapi_extra=body_of(BatchIn),
    summary="One job per video of a playlist or channel",
)
def create_batch(request: HttpRequest) -> Status:
    """The New post form's options, for every video of a playlist or channel (``url``)."""
    data, _ = form_input(request, BatchIn)
    data = {**{key: data.get(key) for key in data}, "per_video": True}
    form = JobForm(data)
    if not form.is_valid():
        raise refuse(form)
    if not form.wants_playlist():
        raise FieldErrors({"url": ["This is not a playlist's or a channel's URL."]})
    job_request = replace(form.to_request(), owner=request.user)
    batch = batches.create_batch(job_request, form.cleaned_data["url"])
    return Status(201, batch_out(batch))


@batches_router.get("/{uuid:batch_id}", response={200: BatchOut, **ERRORS}, summary="A batch")
def get_batch(request: HttpRequest, batch_id: uuid.UUID) -> dict[str, Any]:
    return batch_out(get_object_or_404(Batch.objects.visible_to(request.user), pk=batch_id))


# --- stats -----------------------------------------------------------------------------


class ProviderUsageOut(Schema):
    name: str
    jobs: int
    tokens_in: int
    tokens_out: int
    cost_usd: float
    free: bool
    unpriced_models: list[str]


class StepTimeOut(Schema):
    name: str
    label: str
    seconds: float
    count: int


class StatsOut(Schema):
    days: int
    since: dt.datetime
    total: int
    completed: int
    finished: int
    success_rate: float | None
    by_status: dict[str, int]
    per_day: dict[str, dict[str, int]] = Field(description="ISO date -> jobs by status")
    avg_duration_seconds: float | None
    step_times: list[StepTimeOut]
    providers: list[ProviderUsageOut]
    errors: dict[str, int]
    tokens_in: int
    tokens_out: int
    cost_usd: float


@stats_router.get("", response={200: StatsOut, **ERRORS}, summary="The Stats page's figures")
def stats(request: HttpRequest, days: int = DEFAULT_DAYS) -> dict[str, Any]:
    """Your jobs of the last ``days`` days, 7, 30 or 90 (staff: everyone's), as the Stats page
    counts them."""
    if days not in RANGES:
        raise FieldErrors({"days": [f"Choose one of {', '.join(map(str, RANGES))}."]})
    figures = job_stats(days, user=request.user)
    return {
        "days": figures.days,
        "since": figures.since,
        "total": figures.total,
        "completed": figures.completed,
        "finished": figures.finished,
        "success_rate": figures.success_rate,
        "by_status": {k: v for k, v in figures.by_status.items() if k != "other"},
        "per_day": {day.day.isoformat(): day.counts for day in figures.per_day},
        "avg_duration_seconds": figures.avg_duration,
        "step_times": [vars(step) for step in figures.step_times],
        "providers": [
            {
                "name": p.name,
                "jobs": p.jobs,
                "tokens_in": p.tokens_in,
                "tokens_out": p.tokens_out,
                "cost_usd": float(p.cost),
                "free": p.free,
                "unpriced_models": p.unpriced,
            }
            for p in figures.providers
        ],
        "errors": dict(figures.errors),
        "tokens_in": figures.tokens_in,
        "tokens_out": figures.tokens_out,
        "cost_usd": float(figures.cost),
    }


# --- a URL, before a job: the New post page's preview ------------------------------------

# Here, not in videos/api.py: the preview limit is the person's (jobs.limits), and videos
# knows nothing of jobs.
inspect_router = Router(tags=["videos"])


class ChapterOut(Schema):
    title: str
    start: float


class TrackOut(Schema):
    language_code: str
    language: str
    is_generated: bool
    is_translatable: bool


class InspectOut(Schema):
    video_id: str
    url: str
    title: str
    channel: str
    duration: int | None
    thumbnail_url: str
    upload_date: dt.date | None
    chapters: list[ChapterOut]
    transcript_languages: list[TrackOut]
    transcript_languages_error: ErrorInfo | None


@inspect_router.get(
    "/inspect", response={200: InspectOut, **ERRORS}, summary="What a YouTube URL points at"
)
def inspect(request: HttpRequest, url: str = Query(..., max_length=500)) -> dict[str, Any]:
    """The video's details, chapters and transcript languages; counts as a preview against
    your limit (429 over it)."""
    limits.check_preview(request.user)
    video = videos.get_video(videos.parse_video_id(url))
    tracks_error = None
    try:
        tracks = videos.list_tracks(video.youtube_id)
    except BlogTubeError as error:
        # The caption API refused, not the video: a job still tries yt-dlp and speech.
        tracks = []
        tracks_error = {
            "code": error.code, "message": error.message, "suggestions": list(error.suggestions)
        }  # fmt: skip
    return {
        "video_id": video.youtube_id,
        "url": video.url,
        "title": video.title,
        "channel": video.channel,
        "duration": video.duration,
        "thumbnail_url": video.thumbnail_url,
        "upload_date": video.upload_date,
        "chapters": [
            {"title": c.get("title") or "", "start": float(c.get("start") or 0)}
            for c in video.chapters or []
        ],
        "transcript_languages": [vars(t) for t in tracks],
        "transcript_languages_error": tracks_error,
    }
