"""The JSON API's jobs and their posts (/api/v1/jobs/...): the pages' views in JSON.

What a job may be asked for goes through the same code as the pages: JobForm for a new job,
ReprocessForm for another writing, jobs.services for every change, ``visible_to`` for who
may see what (another person's job is a 404) and jobs.limits (429 with Retry-After).
"""

from __future__ import annotations

import datetime as dt
import re
import uuid
from dataclasses import replace
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import ConfigDict, Field

from blogtube_site.api_errors import CONFLICT, FieldErrors
from blogtube_site.query_params import ANY_TEXT, MAX_ID, whole_number
from jobs import event_stream, listing, services
from jobs.api.bodies import (
    CUSTOM_PROMPT,
    ERRORS,
    ErrorInfo,
    JobIn,
    OptionsIn,
    body_of,
    form_input,
    refuse,
)
from jobs.articles import article_for
from jobs.formatting import OUTPUT_FORMATS
from jobs.forms import KEPT_BY_REPROCESS, JobForm, JobOptionsForm, ReprocessForm
from jobs.models import InvalidTransition, Job, Post, PostPicture, Publication
from publishing import services as publishing
from videos import services as videos

router = Router(tags=["jobs"])
PAGE_SIZE = 25
# Microseconds since 1970 (17 digits reach the year 5138) and the job's id.
CURSOR_PATTERN = r"^[0-9]{1,17}-[0-9a-f]{32}$"
EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
MAX_PAGE_SIZE = 100
# A page's order, newest first; the id breaks ties of creation, as the cursor does.
ORDER = ("-created", "-id")


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


class PictureOut(Schema):
    kind: Literal["cover", "section"]
    path: str = Field(description="As the Markdown names it, relative to <slug>.md")
    alt: str
    section: str = Field(description="The heading it is under; '' for the cover")
    seconds: float | None = Field(description="The moment of the video it shows")
    width: int
    height: int

    @staticmethod
    def resolve_path(picture: PostPicture) -> str:
        return picture.relative_path


class PostOut(Schema):
    job_id: uuid.UUID
    title: str
    slug: str
    description: str
    tags: list[str]
    word_count: int
    markdown: str
    html: str
    pictures: list[PictureOut] = Field(
        description="The cover (the video's thumbnail) and a frame per section; the files "
        "come in GET /jobs/{id}/post/zip"
    )
    created: dt.datetime
    updated: dt.datetime


class JobFilters(Schema):
    status: Literal["queued", "running", "completed", "failed", "cancelled"] | None = None
    q: str | None = Field(
        None,
        max_length=200,
        description="In the title, URL, file or post",
        json_schema_extra={"pattern": ANY_TEXT},
    )
    cursor: str | None = Field(
        None,
        description="The next_cursor of the page before",
        json_schema_extra={"pattern": f"^$|{CURSOR_PATTERN}"},  # empty: the first page
    )
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
    """The last job of a page as text a script passes back: its creation in microseconds since
    1970 and its id. Plain, so that the OpenAPI document can say exactly what a cursor is."""
    micros = (job.created - EPOCH) // dt.timedelta(microseconds=1)
    return f"{micros}-{job.pk.hex}"


def decode_cursor(cursor: str) -> Q:
    """The jobs after the cursor's in (-created, -id) order: a keyset, so a page costs the
    same however deep, and jobs made meanwhile neither repeat nor go missing."""
    if not re.fullmatch(CURSOR_PATTERN, cursor):
        raise FieldErrors({"cursor": ["Not a cursor this API gave; start without one."]})
    micros, _, hex_id = cursor.partition("-")
    created = EPOCH + dt.timedelta(microseconds=int(micros))
    pk = uuid.UUID(hex=hex_id)
    return Q(created__lt=created) | Q(created=created, id__lt=pk)


@router.get("", response={200: JobPage, **ERRORS}, summary="List jobs, newest first")
def list_jobs(request: HttpRequest, filters: Query[JobFilters]) -> dict[str, Any]:
    jobs = visible_jobs(request)
    if filters.status:
        jobs = jobs.filter(status=filters.status)
    after = decode_cursor(filters.cursor) if filters.cursor else Q()
    text = (filters.q or "").strip()
    page, more = _page(jobs, text, after, filters.limit)
    return {
        "items": [job_out(job) for job in page],
        # The page's last job, even were it gone since its id was read: the next page starts
        # after it all the same.
        "next_cursor": encode_cursor(page[-1]) if more and page else None,
    }


def _page(jobs: QuerySet[Job], text: str, after: Q, limit: int) -> tuple[list[Job], bool]:
    """The first ``limit`` of ``jobs`` after the cursor (``after``), those matching ``text``
    if any, newest first, and whether more follow.

    A search reads the index once, as the jobs page's does (jobs.listing): the matches'
    ids, which the database sorts, then the page's rows by primary key. Counting the matches
    first, only to choose how to read them, read the index twice, each time checking every
    candidate's text."""
    if text:
        ids = listing.searched_ids(jobs.matching(text))
        if ids is not None:
            found = list(listing.in_order(ids, ORDER).filter(after).values_list("pk", flat=True))
            # More follow by the ids, whatever became of the page's jobs since they were read.
            return listing.by_pk(jobs, found[:limit]), len(found) > limit
        # A common word: jobs read in the list's order, each one's text checked, to the page's
        # end.
        jobs = jobs.matching(text, many=True)
    rows = list(jobs.filter(after).order_by(*ORDER)[: limit + 1])
    return rows[:limit], len(rows) > limit


@router.get("/{uuid:job_id}", response={200: JobDetailOut, **ERRORS}, summary="A job")
def get_job_detail(request: HttpRequest, job_id: uuid.UUID) -> dict[str, Any]:
    return job_detail_out(get_job(request, job_id))


# --- creating --------------------------------------------------------------------------


@router.post(
    "",
    response={201: JobOut, **ERRORS},
    openapi_extra=body_of(
        JobForm,
        leave_out=("per_video",),
        required=("url",),
        patterns={"url": videos.VIDEO_URL_PATTERN, "custom_prompt": CUSTOM_PROMPT},
        upload=True,
    ),
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
    openapi_extra=body_of(
        JobOptionsForm, leave_out=KEPT_BY_REPROCESS, patterns={"custom_prompt": CUSTOM_PROMPT}
    ),
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


class PublishIn(Schema):
    model_config = ConfigDict(extra="forbid")

    destination: int | str = Field(description="One of your destinations: its id, or its name")
    status: Literal["draft", "publish"] = Field(
        "draft", description="A draft on the site, or published for everyone"
    )


class PublicationOut(Schema):
    destination_id: int | None
    destination: str
    publish: bool = Field(description="Asked to be published (else a draft)")
    state: Literal["queued", "done", "failed"]
    remote_id: str
    url: str
    remote_status: str = Field(description="As the site says it: draft, publish, published...")
    error_message: str
    requested: dt.datetime
    first_published: dt.datetime | None
    last_pushed: dt.datetime | None


def publication_out(publication: Publication) -> dict[str, Any]:
    return {
        "destination_id": publication.destination_id,
        "destination": publication.destination_name,
        **{
            name: getattr(publication, name)
            for name in (
                "publish", "state", "remote_id", "url", "remote_status", "error_message",
                "requested", "first_published", "last_pushed",
            )
        },
    }  # fmt: skip


@router.post(
    "/{uuid:job_id}/publish",
    response={202: PublicationOut, **ERRORS},
    summary="Publish the post to a destination, or update it there",
)
def publish_job(request: HttpRequest, job_id: uuid.UUID, payload: PublishIn) -> Status:
    """The worker sends the post (with its tags, cover image and pictures) to a WordPress,
    Ghost or dev.to destination; sent there before, the same remote post is updated. Follow
    it on the job's events; the publication's ``state`` ends ``done`` (with its ``url``) or
    ``failed``. A static-site destination is a download: GET .../export/{destination_id}."""
    job = get_job(request, job_id)
    destination = publishing.find_destination(request.user, payload.destination)
    if destination is None:
        raise FieldErrors({"destination": ["Not one of your destinations."]})
    if not destination.is_remote:
        raise FieldErrors({"destination": ["A static site is a download: GET the job's export."]})
    try:
        publication = services.publish(job, destination, published=payload.status == "publish")
    except InvalidTransition as error:
        raise HttpError(CONFLICT, str(error)) from None
    return Status(202, publication_out(publication))


@router.get(
    "/{uuid:job_id}/publications",
    response={200: list[PublicationOut], **ERRORS},
    summary="Where the post was published",
)
def job_publications(request: HttpRequest, job_id: uuid.UUID) -> list[dict[str, Any]]:
    job = get_job(request, job_id)
    return [publication_out(p) for p in job.publications.all()]


@router.get(
    "/{uuid:job_id}/export/{int:destination_id}",
    response={200: None, **ERRORS},
    openapi_extra={
        "responses": {"200": {"description": "A zip", "content": {"application/zip": {}}}}
    },
    summary="The post as a static site's zip (Hugo, Jekyll or Astro layout)",
)
def export_post(
    request: HttpRequest,
    job_id: uuid.UUID,
    destination_id: int,
    status: Literal["draft", "publish"] = "draft",
) -> HttpResponse:
    post = get_post(request, job_id)
    destination = publishing.destinations_for(request.user).filter(pk=destination_id).first()
    if destination is None or destination.is_remote:
        raise HttpError(404, "No such static-site destination.")
    name, data = publishing.export(destination, article_for(post), published=status == "publish")
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


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
    request: HttpRequest,
    job_id: uuid.UUID,
    last_event_id: int | None = Query(None, ge=0, le=MAX_ID),
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
    "/{uuid:job_id}/post/zip",
    # None: no JSON body is documented for 200; openapi_extra gives the zip's.
    response={200: None, **ERRORS},
    summary="A job's post as a zip: its Markdown, HTML and pictures",
    openapi_extra={
        "responses": {
            200: {
                "description": "<slug>.md, <slug>.html and <slug>/*.jpg, as the Markdown's "
                "relative paths name them",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_post_zip(request: HttpRequest, job_id: uuid.UUID) -> HttpResponse:
    return _download(get_post(request, job_id), "zip")


def _download(post: Post, fmt: str) -> HttpResponse:
    content, content_type, filename = post.download(fmt)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


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
    """The HTML carries the post's pictures inside it (data: URIs)."""
    return _download(get_post(request, job_id), fmt)
