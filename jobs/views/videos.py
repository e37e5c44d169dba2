"""A video's delete and restore on the dashboard. Here, not in videos/views.py: a video goes
to the bin with the jobs on it (jobs.services.move_video_to_bin), and videos knows nothing
of jobs."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.defaultfilters import pluralize
from django.views.decorators.http import require_POST

from blogtube_site.errors import BlogTubeError
from jobs import services
from jobs.models import InvalidTransition
from videos import services as videos


def binned_videos(user) -> QuerySet:
    """The videos in the bin ``user`` may restore: those they deleted; staff, all."""
    binned = videos.Video.objects.filter(deleted_at__isnull=False)
    return binned if user.is_staff else binned.filter(deleted_by=user)


@require_POST
def delete(request: HttpRequest, youtube_id: str) -> HttpResponse:
    video = get_object_or_404(videos.Video.objects.listed(), youtube_id=youtube_id)
    try:
        moved = services.move_video_to_bin(video, by=request.user)
    except BlogTubeError as error:
        messages.error(request, " ".join([error.message, *error.suggestions]))
        return redirect(video)
    except InvalidTransition:
        return redirect("videos:list")  # binned meanwhile: what was asked is done
    days = settings.BLOGTUBE_RESTORE_DAYS
    messages.success(
        request,
        f"Video moved to Recently deleted with {moved} job{pluralize(moved)}; "
        f"restorable for {days} day{pluralize(days)}.",
    )
    return redirect("videos:list")


@require_POST
def restore(request: HttpRequest, youtube_id: str) -> HttpResponse:
    video = get_object_or_404(binned_videos(request.user), youtube_id=youtube_id)
    try:
        restored = services.restore_video(video)
    except InvalidTransition:
        messages.error(request, "The video is no longer in Recently deleted.")
        return redirect("jobs:deleted")
    messages.success(request, f"Video restored with {restored} job{pluralize(restored)}.")
    return redirect(video)
