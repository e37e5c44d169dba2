"""The JSON API's preview of a YouTube URL (/api/v1/videos/inspect), as the New post page's.

Here, not in videos/api.py: the preview limit is the person's (jobs.limits), and videos
knows nothing of jobs. blogtube_site/api.py adds it before the videos router, whose
/{video_id} would take "inspect" for a video's id.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Query, Router, Schema
from pydantic import WithJsonSchema

from blogtube_site.errors import BlogTubeError
from jobs import limits
from jobs.api.bodies import ERRORS, ErrorInfo
from videos import services as videos

router = Router(tags=["videos"])
# What the New post form previews: a video's address (videos' own rule, as the document says).
VIDEO_URL = {"type": "string", "pattern": videos.VIDEO_URL_PATTERN, "maxLength": 500}


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


@router.get(
    "/inspect", response={200: InspectOut, **ERRORS}, summary="What a YouTube URL points at"
)
def inspect(
    request: HttpRequest,
    url: Annotated[str, WithJsonSchema(VIDEO_URL)] = Query(..., max_length=500),
) -> dict[str, Any]:
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
        **video.public_fields(),
        "chapters": [
            {"title": c.get("title") or "", "start": float(c.get("start") or 0)}
            for c in video.chapters or []
        ],
        "transcript_languages": [vars(t) for t in tracks],
        "transcript_languages_error": tracks_error,
    }
