from __future__ import annotations

from dataclasses import asdict, replace
from functools import partial
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseNotFound, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from blogtube_site.errors import BlogTubeError
from blogtube_site.query_params import uuids, whole_number
from jobs import batches, limits, listing, services
from jobs import live as live_regions
from jobs import options as job_options
from jobs.formatting import OUTPUT_FORMATS
from jobs.forms import JobForm, ReprocessForm
from jobs.models import Batch, InvalidTransition, Job, Post
from jobs.views.videos import binned_videos
from providers import services as providers
from publishing import services as publishing
from videos import services as videos


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "jobs/home.html", {"form": JobForm(), "recent": _recent(request)})


def _recent(request: HttpRequest) -> list[Job]:
    jobs = Job.objects.visible_to(request.user).for_rows()
    return list(jobs[:5])


COLUMNS = [
    ("title", "Video"),
    ("status", "Status"),
    ("progress", "Progress"),
    ("provider", "Provider"),
    ("created", "Created"),
    ("", "Took"),
]


@require_GET
def job_list(request: HttpRequest) -> HttpResponse:
    filters = listing.Filters.from_query(request.GET)
    jobs = Job.objects.visible_to(request.user).for_rows()
    try:
        page = listing.page(
            jobs, filters, after=request.GET.get("after", ""), before=request.GET.get("before", "")
        )
    except listing.BadCursor:
        # A link from an edited or older address: the first page rather than an error.
        page = listing.page(jobs, filters)
    query = urlencode({k: v for k, v in asdict(filters).items() if v and k != "sort"})
    context = {
        "page": page,
        "jobs": page.jobs,
        "filters": asdict(filters),
        "query": query,
        "columns": COLUMNS,
        "statuses": Job.Status.choices,
        "providers": providers.offered_providers(),
        "batches": Batch.with_totals(Batch.objects.visible_to(request.user)[:3]),
    }
    template = "jobs/list.html#job-table" if request.htmx else "jobs/list.html"
    return render(request, template, context)


BULK_ACTIONS = {
    "cancel": (services.cancel, "cancelled"),
    "retry": (services.retry, "queued again"),
    "delete": (services.move_to_bin, "moved to Recently deleted"),
}


@require_POST
def bulk(request: HttpRequest) -> HttpResponse:
    next_url = request.POST.get("next", "")
    # Only a path on this site: "list" alone would be taken for a view's name.
    if not next_url.startswith("/") or not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = reverse("jobs:list")
    action = BULK_ACTIONS.get(request.POST.get("action", ""))
    ids = uuids(request.POST.getlist("ids"))
    if not action or not ids:
        messages.error(request, "Select one or more jobs, then an action.")
        return redirect(next_url)
    if request.POST["action"] == "cancel":
        # Cancelling a running job only asks its worker: the message says which were which.
        mine = Job.objects.visible_to(request.user).filter(pk__in=ids)
        messages.success(request, services.cancel_all(mine))
        return redirect(next_url)
    function, verb = action
    if function is services.retry:
        function = partial(services.retry, by=request.user)
    done, skipped = 0, 0
    # Ids of jobs this person may not see are skipped silently, as if they did not exist.
    for job in Job.objects.visible_to(request.user).filter(pk__in=ids):
        try:
            function(job)
            done += 1
        except InvalidTransition:
            skipped += 1
        except limits.LimitReached as error:
            # Retries count as new jobs: the ones done stay done, the rest wait.
            error.message = f"{done} job{pluralize(done)} {verb}, then: {error.message}"
            return limit_reached(request, error, "jobs/limit_reached.html", {"back": next_url})
    text = f"{done} job{pluralize(done)} {verb}."
    if skipped:
        text += f" {skipped} skipped: their status does not allow it."
    messages.success(request, text)
    return redirect(next_url)


def limit_reached(
    request: HttpRequest, error: limits.LimitReached, template: str, context: dict
) -> HttpResponse:
    """HTTP 429 for a person over one of their limits: ``template`` shows ``error`` in place
    (the form they filled in again, with what they typed)."""
    response = render(request, template, {**context, "limit_error": error}, status=429)
    response["Retry-After"] = str(error.retry_after)
    return response


@require_POST
def create(request: HttpRequest) -> HttpResponse:
    form = JobForm(request.POST, request.FILES)
    if not form.is_valid():
        context = {"form": form, "recent": _recent(request)}
        return render(request, "jobs/home.html", context, status=400)
    job_request = replace(form.to_request(), owner=request.user)
    try:
        if form.wants_playlist():
            try:
                batch = batches.create_batch(job_request, form.cleaned_data["url"])
            except limits.LimitReached:
                raise
            except BlogTubeError as error:
                form.add_error("url", " ".join([error.message, *error.suggestions]))
                context = {"form": form, "recent": _recent(request)}
                return render(request, "jobs/home.html", context, status=400)
            n = batch.total
            messages.success(request, f"{n} job{pluralize(n)} queued, one per video.")
            return redirect(batch)
        job = services.create_job(job_request)
    except limits.LimitReached as error:
        context = {"form": form, "recent": _recent(request)}
        return limit_reached(request, error, "jobs/home.html", context)
    return redirect(job)


@require_GET
def detail(request: HttpRequest, job_id: str) -> HttpResponse:
    # Each region's rows in one query: the post's pictures serve its cover and its body alike.
    jobs = _visible(request).select_related("video", "provider", "transcript", "post")
    job = get_object_or_404(jobs.prefetch_related("steps", "post__pictures"), pk=job_id)
    context = _page_context(job)
    context["destinations"] = publishing.destinations_for(request.user).filter(owner=request.user)
    return render(request, "jobs/detail.html", context)


def _page_context(job: Job) -> dict:
    events = [e for e in job.events.all() if e.shows_in_log]
    return {**live_regions.page_context(job), "events": events, "draft": job.draft}


def _visible(request: HttpRequest):
    return Job.objects.visible_to(request.user)


def _act(request: HttpRequest, job_id: str, action, done: str) -> HttpResponse:
    job = get_object_or_404(_visible(request), pk=job_id)
    try:
        action(job)
    except limits.LimitReached as error:
        return limit_reached(request, error, "jobs/detail.html", _page_context(job))
    except InvalidTransition:
        job.refresh_from_db()
        messages.error(
            request, f"This job is {job.get_status_display().lower()}: {done} not possible."
        )
    else:
        messages.success(request, f"Job {done}.")
    return redirect(job)


@require_POST
def cancel(request: HttpRequest, job_id: str) -> HttpResponse:
    return _act(request, job_id, services.cancel, "cancel")


@require_POST
def retry(request: HttpRequest, job_id: str) -> HttpResponse:
    return _act(request, job_id, partial(services.retry, by=request.user), "retry")


@require_POST
def reprocess(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(_visible(request), pk=job_id)
    form = ReprocessForm(job, request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(job)
    try:
        new = services.reprocess(job, request.user, **form.changes())
    except limits.LimitReached as error:
        context = {**_page_context(job), "reprocess_form": form}
        return limit_reached(request, error, "jobs/detail.html", context)
    messages.success(request, "Reprocessing with the stored transcript.")
    return redirect(new)


@require_POST
def delete(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(_visible(request), pk=job_id)
    try:
        services.move_to_bin(job)
    except InvalidTransition:
        messages.error(request, "Cancel the job before deleting it.")
        return redirect(job)
    messages.success(request, "Job moved to Recently deleted.")
    return redirect("jobs:list")


@require_GET
def deleted(request: HttpRequest) -> HttpResponse:
    """Recently deleted: the person's jobs and videos in the bin, each restorable until
    purged."""
    jobs = Job.objects.visible_to(request.user, deleted=True).select_related("video", "post")
    context = {
        "jobs": jobs.order_by("-deleted_at")[:200],
        "videos": binned_videos(request.user).order_by("-deleted_at")[:200],
        "restore_days": settings.BLOGTUBE_RESTORE_DAYS,
    }
    return render(request, "jobs/deleted.html", context)


@require_POST
def restore(request: HttpRequest, job_id: str) -> HttpResponse:
    job = get_object_or_404(Job.objects.visible_to(request.user, deleted=True), pk=job_id)
    try:
        services.restore(job)
    except InvalidTransition:
        messages.error(request, "The job is no longer in Recently deleted.")
        return redirect("jobs:deleted")
    messages.success(request, "Job restored.")
    return redirect(job)


# file extension -> output format, as the download URLs name them (post.md, post.json)
DOWNLOADS = {extension: name for name, (extension, _) in OUTPUT_FORMATS.items()} | {"zip": "zip"}


@require_GET
def download(request: HttpRequest, job_id: str, fmt: str) -> HttpResponse:
    name = DOWNLOADS.get(fmt)
    if name is None:
        known = ", ".join(f".{extension}" for extension in DOWNLOADS)
        return HttpResponseNotFound(
            f"There is no .{fmt} download. Posts download as {known}.",
            content_type="text/plain; charset=utf-8",
        )
    post = get_object_or_404(Post.objects.visible_to(request.user), job_id=job_id)
    content, content_type, filename = post.download(name)
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def live(request: HttpRequest, job_id: str) -> HttpResponse:
    """The WebSocket's full-state message over plain HTTP: the fallback when sockets fail."""
    get_object_or_404(_visible(request), pk=job_id)
    return HttpResponse(live_regions.full_state(str(job_id)).html)


@require_GET
def preview(request: HttpRequest) -> HttpResponse:
    """What a pasted URL points at: the video card and its transcript languages."""
    url = request.GET.get("url", "").strip()
    # The language field is swapped too: keep what the person chose there.
    wanted = request.GET.get("language", "").strip()
    form = JobForm(initial={"language": wanted} if wanted else None)
    context: dict = {"form": form, "oob": True}
    status, retry_after = 200, None
    if url:
        try:
            limits.check_preview(request.user)
        except limits.LimitReached as error:
            context["preview_error"] = error
            status, retry_after = 429, error.retry_after
        else:
            context.update(_preview(url, request.user, request.GET))
    html = render_to_string("jobs/home.html#video-preview", context, request)
    html += render_to_string("jobs/home.html#language-field", context, request)
    response = HttpResponse(html, status=status)
    if retry_after is not None:
        response["Retry-After"] = str(retry_after)
    return response


@require_GET
def estimate(request: HttpRequest) -> HttpResponse:
    """The preview's cost line again, when the provider, model or length change.

    The preview put the transcript's expected size in the request: nothing is looked up.
    """
    context = _estimate(whole_number(request.GET.get("chars", "")), request.GET)
    return render(request, "jobs/home.html#cost-estimate", context)


def _estimate(transcript_chars: int | None, params: QueryDict) -> dict:
    """The cost line for the provider, model and length the form has chosen."""
    pk = whole_number(params.get("provider", ""))
    provider = None if pk is None else providers.enabled_providers().filter(pk=pk).first()
    provider = provider or providers.default_provider()
    length = params.get("length", "")
    if length not in providers.LENGTHS:
        length = job_options.DEFAULTS["length"]
    known = "" if transcript_chars is None else transcript_chars
    # Only a free provider can be priced without knowing how much there is to read.
    if transcript_chars is None and provider.is_priced:
        return {"estimate": "", "transcript_chars": known}
    line = services.cost_estimate(
        provider, params.get("model", ""), transcript_chars or 0, length=str(length)
    )
    return {"estimate": line, "transcript_chars": known}


def _preferred_track(tracks: list, wanted: str) -> str:
    """The first track matching the person's preference list ("de,en"), else the first one."""
    codes = [t.language_code for t in tracks]
    for code in job_options.language_preferences(wanted):
        for track_code in codes:
            if videos.same_language(track_code, code):
                return track_code
    return codes[0] if codes else ""


def _preview(url: str, user, params: QueryDict | None = None) -> dict:
    found: dict = {}
    if batches.kind_of(url):
        try:
            found["playlist"] = batches.expand(url, user)
        except BlogTubeError as error:
            found["preview_error"] = error
    try:
        video_id = videos.parse_video_id(url)
    except BlogTubeError as error:
        # A playlist or channel address names no video: its own verdict is what to show.
        if not batches.kind_of(url):
            found["preview_error"] = error
        return found
    try:
        found["video"] = videos.get_video(video_id)
    except BlogTubeError as error:
        found["preview_error"] = error
        return found
    try:
        tracks = videos.list_tracks(video_id)
    except BlogTubeError as error:
        # The caption API refused, not the video: the job still tries yt-dlp and speech.
        found["tracks_error"] = error
        tracks = []
    found["tracks"] = tracks
    found["preferred_track"] = _preferred_track(tracks, (params or QueryDict()).get("language", ""))
    languages = [found["preferred_track"]] if tracks else ["en"]
    chars = services.expected_transcript_chars(found["video"], languages)
    found.update(_estimate(chars, params or QueryDict()))
    have = {t.language_code for t in tracks}
    found["translations"] = sorted(
        {
            (code, name)
            for t in tracks
            if t.is_translatable
            for code, name in t.translation_languages
            if code not in have
        },
        key=lambda pair: pair[1],
    )
    return found
