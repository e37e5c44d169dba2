"""The JSON API's videos and transcripts (/api/v1/videos/...), as the Videos pages show them.

Videos and YouTube's transcripts are shared public data; an uploaded transcript is its
uploader's, as the job it came with (ownership.visible_to through the jobs' relation).
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Query, Router, Schema
from pydantic import Field, WithJsonSchema

from blogtube_site.api_errors import ErrorOut
from blogtube_site.ownership import visible_to
from blogtube_site.query_params import ANY_TEXT, MAX_ID
from videos import transcript_formats
from videos.models import Transcript, Video
from videos.video_ids import VIDEO_ID_PATTERN
from videos.views import transcript_file

router = Router(tags=["videos"])
# 400: a NUL character in the request (blogtube_site.nul_characters), refused before the view.
ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404, 422)}
MAX_PAGE_SIZE = 100
# A YouTube video's id, as the document shows it; any other text is simply not found.
VideoId = Annotated[str, WithJsonSchema({"type": "string", "pattern": VIDEO_ID_PATTERN})]


class TranscriptOut(Schema):
    id: int
    language_code: str
    language: str
    source: str
    is_generated: bool
    file_name: str
    word_count: int
    created: dt.datetime


class VideoOut(Schema):
    video_id: str
    url: str
    title: str
    channel: str
    duration: int | None
    thumbnail_url: str
    upload_date: dt.date | None
    created: dt.datetime


class ChapterOut(Schema):
    title: str
    start: float


class VideoDetailOut(VideoOut):
    description: str
    chapters: list[ChapterOut]
    transcripts: list[TranscriptOut]


class VideoPage(Schema):
    items: list[VideoOut]
    next_cursor: str | None


class VideoFilters(Schema):
    q: str | None = Field(
        None,
        max_length=200,
        description="In the title, channel or id",
        json_schema_extra={"pattern": ANY_TEXT},
    )
    cursor: int | None = Field(
        None, ge=1, le=MAX_ID, description="The next_cursor of the page before"
    )
    limit: int = Field(25, ge=1, le=MAX_PAGE_SIZE)


def video_out(video: Video) -> dict[str, Any]:
    return {**video.public_fields(), "created": video.created}


@router.get("", response={200: VideoPage, **ERRORS}, summary="Videos BlogTube knows, newest first")
def list_videos(request: HttpRequest, filters: Query[VideoFilters]) -> dict[str, Any]:
    videos = Video.objects.listed().order_by("-pk")
    if q := (filters.q or "").strip():
        videos = videos.filter(Q(title__icontains=q) | Q(channel__icontains=q) | Q(youtube_id=q))
    if filters.cursor:
        # Keyset on the id, which grows with the creation time: no OFFSET scan.
        videos = videos.filter(pk__lt=filters.cursor)
    page = list(videos[: filters.limit + 1])
    more = len(page) > filters.limit
    page = page[: filters.limit]
    return {
        "items": [video_out(v) for v in page],
        "next_cursor": str(page[-1].pk) if more else None,
    }


@router.get(
    "/{video_id}", response={200: VideoDetailOut, **ERRORS}, summary="A video and its transcripts"
)
def get_video(request: HttpRequest, video_id: VideoId) -> dict[str, Any]:
    video = get_object_or_404(Video.objects.listed(), youtube_id=video_id)
    transcripts = video.transcripts.order_by("language_code", "-created")
    return {
        **video_out(video),
        "description": video.description,
        "chapters": [
            {"title": c.get("title") or "", "start": float(c.get("start") or 0)}
            for c in video.chapters or []
        ],
        "transcripts": list(transcripts),
    }


class SegmentOut(Schema):
    start: float
    duration: float
    text: str


class TranscriptTextOut(TranscriptOut):
    video_id: str | None
    text: str
    segments: list[SegmentOut]


def visible_transcript(request: HttpRequest, pk: int) -> Transcript:
    transcript = get_object_or_404(
        Transcript.objects.select_related("video").exclude(video__deleted_at__isnull=False), pk=pk
    )
    # An uploaded transcript is its uploader's, as the job it came with.
    uploads = Transcript.objects.filter(pk=pk, video__isnull=True)
    if transcript.video is None and not visible_to(uploads, request.user, "jobs__owner"):
        raise Http404("No such transcript.")
    return transcript


@router.get(
    "/transcripts/{int:transcript_id}",
    response={200: TranscriptTextOut, **ERRORS},
    summary="A transcript as JSON: its text and timed segments",
)
def get_transcript(request: HttpRequest, transcript_id: int) -> dict[str, Any]:
    transcript = visible_transcript(request, transcript_id)
    segments = [
        {
            "start": float(s.get("start") or 0),
            "duration": float(s.get("duration") or 0),
            "text": str(s.get("text") or ""),
        }
        for s in transcript.segments or []
    ]
    return {
        **{f: getattr(transcript, f) for f in TranscriptOut.model_fields},
        "video_id": transcript.video.youtube_id if transcript.video else None,
        "text": transcript.text,
        "segments": segments,
    }


@router.get(
    "/transcripts/{int:transcript_id}/{fmt}",
    response={200: str, **ERRORS},
    summary="A transcript as txt, srt or vtt",
    openapi_extra={
        "responses": {
            200: {
                "content": {
                    t: {"schema": {"type": "string"}} for t in transcript_formats.FORMATS.values()
                }
            }
        }
    },
)
def download_transcript(
    request: HttpRequest, transcript_id: int, fmt: Literal["txt", "srt", "vtt"]
) -> HttpResponse:
    transcript = visible_transcript(request, transcript_id)
    return transcript_file(transcript, fmt)
