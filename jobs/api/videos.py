"""The JSON API's delete of a video (DELETE /api/v1/videos/<id>).

Here, not in videos/api.py: deleting a video deletes the jobs on it (jobs.services.delete_video),
and videos knows nothing of jobs. blogtube_site/api.py adds it to the videos router, which owns
the path (a second router on the same path would answer its other methods 405).
"""

from __future__ import annotations

from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Status
from pydantic import WithJsonSchema

from blogtube_site.api_errors import ErrorOut
from jobs import services
from videos import services as videos

RESPONSES: dict[int, Any] = {204: None, **{code: ErrorOut for code in (400, 401, 403, 404, 409)}}
# A YouTube video's id, as the document shows it; any other text is simply not found.
VIDEO_ID = {"type": "string", "pattern": videos.VIDEO_ID_PATTERN}
SUMMARY = "Delete a video with its transcripts and the jobs and posts made from it"
DESCRIPTION = (
    "For good, with its transcripts, its cached details and every job on it (their posts, "
    "events and files). 403 unless every job on it is yours (staff: any); 409 while a job on "
    "it is queued or running."
)


def delete_video(
    request: HttpRequest,
    video_id: Annotated[
        str, WithJsonSchema({"type": "string", "pattern": videos.VIDEO_ID_PATTERN})
    ],
) -> Status:
    video = get_object_or_404(videos.Video.objects.listed(), youtube_id=video_id)
    services.delete_video(video, by=request.user)
    return Status(204, None)
