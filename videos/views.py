"""Videos and their transcripts."""

from __future__ import annotations

from urllib.parse import urlencode

from django.core.paginator import Paginator
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from blogtube_site.ownership import visible_to
from blogtube_site.timecodes import clock
from videos import transcript_formats
from videos.models import Transcript, Video

PAGE_SIZE = 25

# Videos and their YouTube transcripts are a cache of public data that every signed-in
# person shares. What people made of them is not: the posts listed, and transcripts they
# uploaded, show only to whoever may see the job behind them (staff: all).


@require_GET
def video_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    videos = Video.objects.listed().order_by("-created", "-pk")
    # Uploaded transcripts have no video page: listed here, they stay reachable.
    uploads = visible_to(
        Transcript.objects.filter(video__isnull=True), request.user, "jobs__owner"
    ).order_by("-created", "-pk")
    if q:
        videos = videos.filter(Q(title__icontains=q) | Q(channel__icontains=q) | Q(youtube_id=q))
        uploads = uploads.filter(Q(file_name__icontains=q) | Q(language__icontains=q))
    page = Paginator(videos, PAGE_SIZE).get_page(request.GET.get("page"))
    upload_page = Paginator(uploads, PAGE_SIZE).get_page(request.GET.get("upage"))
    _count_for_page(page, request.user)
    _posts_for_page(upload_page, request.user)
    context = {
        "q": q,
        "page": page,
        "videos": page.object_list,
        "upload_page": upload_page,
        "uploads": upload_page.object_list,
        # Each pager keeps the search and the other pager's position.
        "video_pager_keeps": _query(q=q, upage=upload_page.number),
        "upload_pager_keeps": _query(q=q, page=page.number),
    }
    template = "videos/list.html#results" if request.htmx else "videos/list.html"
    return render(request, template, context)


def _query(**params: str | int) -> str:
    # Page 1 is the default: leaving it out keeps the URLs short.
    return urlencode({k: v for k, v in params.items() if v and v != 1})


def _count_for_page(page, user) -> None:
    """Each listed video's transcripts and (visible) posts, counted for the page's rows
    only, one grouped query each: counting in the list's own query joined and grouped
    every video there is before keeping 25."""
    videos = page.object_list = list(page.object_list)
    transcripts = _counts(Transcript.objects.filter(video__in=videos), "video_id")
    posts = Video.posts.rel.related_model.objects.filter(video__in=videos)
    posts = _counts(visible_to(posts, user, "job__owner"), "video_id")
    for video in videos:
        video.transcript_count = transcripts.get(video.pk, 0)
        video.post_count = posts.get(video.pk, 0)


def _counts(rows, field: str) -> dict:
    return dict(rows.order_by().values_list(field).annotate(n=Count("pk")).values_list(field, "n"))


def _posts_for_page(page, user) -> None:
    """The posts made from each listed upload, that ``user`` may see, in one query."""
    transcripts = page.object_list = list(page.object_list)
    # Through the jobs' reverse relations: the videos app imports nothing from jobs.
    jobs = Transcript.jobs.rel.related_model.objects.filter(
        transcript__in=transcripts, post__isnull=False
    )
    posts: dict[int, list] = {t.pk: [] for t in transcripts}
    for job in visible_to(jobs.select_related("post").order_by("created"), user, "owner"):
        posts[job.transcript_id].append(job.post)
    for transcript in transcripts:
        transcript.post_list = posts[transcript.pk]


@require_GET
def detail(request: HttpRequest, youtube_id: str) -> HttpResponse:
    video = get_object_or_404(Video.objects.listed(), youtube_id=youtube_id)
    transcripts = list(video.transcripts.order_by("language_code", "-created"))
    for transcript in transcripts:
        transcript.paragraph_list = transcript_formats.paragraphs(
            transcript.segments, transcript.text
        )
    posts = visible_to(video.posts.all(), request.user, "job__owner")
    posts = posts.select_related("job").order_by("-created")
    context = {
        "video": video,
        "watch_url": f"https://youtu.be/{video.youtube_id}",
        "chapters": _chapters(video),
        "transcripts": transcripts,
        "posts": posts,
    }
    return render(request, "videos/detail.html", context)


def _chapters(video: Video) -> list[dict]:
    chapters = []
    for chapter in video.chapters or []:
        seconds = int(float(chapter.get("start") or 0))
        chapters.append(
            {
                "title": chapter.get("title") or "Untitled chapter",
                "seconds": seconds,
                "stamp": clock(seconds),
                "url": f"https://youtu.be/{video.youtube_id}?t={seconds}",
            }
        )
    return chapters


@require_GET
def transcript_download(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in transcript_formats.FORMATS:
        raise Http404("Transcripts download as .txt, .srt or .vtt.")
    transcript = get_object_or_404(
        Transcript.objects.select_related("video").exclude(video__deleted_at__isnull=False), pk=pk
    )
    # An uploaded transcript is its uploader's, as the job it came with.
    uploads = Transcript.objects.filter(pk=pk, video__isnull=True)
    if transcript.video is None and not visible_to(uploads, request.user, "jobs__owner"):
        raise Http404("No such transcript.")
    return transcript_file(transcript, fmt)


def transcript_file(transcript: Transcript, fmt: str) -> HttpResponse:
    """A transcript as a .txt, .srt or .vtt download: for this page and the JSON API."""
    content = transcript_formats.render(transcript.segments, fmt, transcript.text)
    base = (
        transcript.video.youtube_id
        if transcript.video
        else transcript.file_name or f"transcript-{transcript.pk}"
    )
    response = HttpResponse(content, content_type=transcript_formats.FORMATS[fmt])
    response["Content-Disposition"] = content_disposition_header(
        True, transcript_formats.file_name(base, transcript.language_code, fmt)
    )
    return response
