"""Videos and their transcripts."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.paginator import Page, Paginator
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.defaultfilters import pluralize
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_GET

from blogtube_site.ownership import visible_to
from blogtube_site.timecodes import clock
from videos import transcript_formats
from videos.models import Transcript, Video

PAGE_SIZE = 25
# A search's matches are counted no further: a common word is thousands of videos (9,625
# of 66,666 for "garden"), and counting each one cost more than the page's rows. Past the
# cap the figure tells a person only to type more; a whole number of pages (40).
SEARCH_COUNT_CAP = 1_000
MAX_OFFSET = 2**63 - 1

# Videos and their YouTube transcripts are a cache of public data that every signed-in
# person shares. What people made of them is not: the posts listed, and transcripts they
# uploaded, show only to whoever may see the job behind them (staff: all).


@require_GET
def video_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    # Uploaded transcripts have no video page: listed here, they stay reachable.
    uploads = visible_to(
        Transcript.objects.filter(video__isnull=True), request.user, "jobs__owner"
    ).order_by("-created", "-pk")
    if q:
        page = _searched_page(q, request.GET.get("page"))
        uploads = uploads.filter(Q(file_name__icontains=q) | Q(language__icontains=q))
    else:
        videos = Video.objects.listed().order_by("-created", "-pk")
        page = Paginator(videos, PAGE_SIZE).get_page(request.GET.get("page"))
    upload_page = Paginator(uploads, PAGE_SIZE).get_page(request.GET.get("upage"))
    _count_for_page(page, request.user)
    _posts_for_page(upload_page, request.user)
    context = {
        "q": q,
        "page": page,
        "video_count": _count_text(page.paginator.count),
        "videos": page.object_list,
        "upload_page": upload_page,
        "uploads": upload_page.object_list,
        # Each pager keeps the search and the other pager's position.
        "video_pager_keeps": _query(q=q, upage=upload_page.number),
        "upload_pager_keeps": _query(q=q, page=page.number),
    }
    template = "videos/list.html#results" if request.htmx else "videos/list.html"
    return render(request, template, context)


def _matching(q: str) -> QuerySet[Video]:
    """Listed videos whose title or channel contains ``q`` in any case, or whose id is ``q``.

    The same lookups as ever (icontains: on PostgreSQL ``UPPER(col) LIKE UPPER(q)``, which
    migration 0007's trigram indexes answer; on SQLite a LIKE, ASCII case folded), so the
    search finds what it always did. Whether a video is in the bin is asked last: SQLite
    checks conditions in the order written, and that column ends every row (10% of a scan).
    """
    found = Video.objects.filter(Q(title__icontains=q) | Q(channel__icontains=q) | Q(youtube_id=q))
    return found.filter(deleted_at__isnull=True)


@dataclass(frozen=True)
class _Total:
    """What the pager and the count line read of a paginator: ``count`` None when the
    matches went past the cap uncounted, and ``num_pages`` then a lower bound ("40+")."""

    count: int | None
    num_pages: int | str


@dataclass
class _ManyPage:
    """A page of a search matching more than SEARCH_COUNT_CAP videos, with what the pager
    asks of a Django Page: its rows were read in order by OFFSET, and one more row tells
    whether a next page exists."""

    object_list: list[Video]
    number: int
    paginator: _Total
    more: bool

    def has_next(self) -> bool:
        return self.more

    def has_previous(self) -> bool:
        return self.number > 1

    def has_other_pages(self) -> bool:
        return self.more or self.number > 1

    def next_page_number(self) -> int:
        return self.number + 1

    def previous_page_number(self) -> int:
        return self.number - 1


def _searched_page(q: str, number: str | None) -> Page | _ManyPage:
    """Page ``number`` of the videos matching ``q``, newest first, as Paginator.get_page
    would give it (not a number: the first page; past the end or below 1: the last).

    The matches' ids are read first, unordered and at most SEARCH_COUNT_CAP + 1: the
    database answers from whichever is cheaper, its trigram index (a rare word) or the table
    until enough have matched (a common one). Within the cap their number is the exact count,
    and the page's 25 are those ids' newest; ordering the search itself led PostgreSQL to
    walk the date index past thousands of non-matching rows when it misjudged how many would
    match (32 ms for 157 of 66,666 videos). Past the cap, the page is read in date order (the
    first matches come soon) and the count says "1,000+"."""
    matches = _matching(q)
    # No ORDER BY (Video's Meta.ordering would add one): in the date index's order, SQLite
    # read every row at random to find none (70 ms at 66,666 videos, 10 ms as stored).
    ids = list(matches.order_by().values_list("pk", flat=True)[: SEARCH_COUNT_CAP + 1])
    if len(ids) <= SEARCH_COUNT_CAP:
        page = Paginator(ids, PAGE_SIZE).get_page(number)
        start = (page.number - 1) * PAGE_SIZE
        found = Video.objects.listed().filter(pk__in=ids).order_by("-created", "-pk")
        page.object_list = list(found[start : start + PAGE_SIZE])
        return page
    newest = matches.order_by("-created", "-pk")
    n = _page_number(number)
    start = (n - 1) * PAGE_SIZE if n is not None else 0
    # An OFFSET past a 64-bit integer is an error in SQL, and past any row there is.
    if n is not None and start + PAGE_SIZE < MAX_OFFSET:
        rows = list(newest[start : start + PAGE_SIZE + 1])
        if rows:
            more = len(rows) > PAGE_SIZE
            # The last page is the only place past the cap where the total is known.
            total = (
                _Total(None, f"{max(SEARCH_COUNT_CAP // PAGE_SIZE, n)}+")
                if more
                else _Total(start + len(rows), n)
            )
            return _ManyPage(rows[:PAGE_SIZE], n, total, more)
    # Below 1 or past the end (a link kept while videos were deleted): the last page, as
    # Paginator.get_page gives it, which takes counting every match.
    return Paginator(newest, PAGE_SIZE).get_page(number)


def _page_number(number: str | None) -> int | None:
    """The page asked for: 1 for anything not a whole number, as Paginator.get_page does;
    None for one below 1, which Paginator.get_page turns into the last page."""
    try:
        n = int(number)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return 1
    return n if n >= 1 else None


def _count_text(count: int | None) -> str:
    if count is None:
        return f"{SEARCH_COUNT_CAP:,}+ videos"
    return f"{count:,} video{pluralize(count)}"


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
