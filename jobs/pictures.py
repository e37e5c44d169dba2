"""The job's "Pictures" step: the video's thumbnail as the post's cover and the storyboard
frame nearest each section's start under its heading.

Pictures are a bonus: nothing here fails the job. What could not be had is a warning in the
job's log, and the post keeps what could.
"""

from __future__ import annotations

from django.db import transaction

from blogtube_site.errors import BlogTubeError, Cancelled
from jobs.models import Job, Post
from jobs.picture_markdown import MAX_SECTION_PICTURES, sections
from jobs.post_text import PostTextError, parse_post
from videos import services as videos

STEP = "pictures"


def add_pictures(job: Job) -> str:
    """Fetch and store the post's pictures; the step's message."""
    post = Post.objects.select_related("job", "video").get(job=job)
    video = job.video
    try:
        body = parse_post(post.markdown)[1]
    except PostTextError:
        body = post.markdown
    found = sections(body, job.draft, video.chapters)
    timed = [s for s in found if s.seconds is not None][:MAX_SECTION_PICTURES]

    cover = None
    try:
        cover = videos.video_thumbnail(video)
    except BlogTubeError as error:
        job.log(f"No cover image: {error.message}", level="warning", code=error.code)
    job.step_progress(STEP, 10, "Cover image: the video's thumbnail" if cover else "")

    frames = _frames(job, video, timed, found)
    with transaction.atomic():
        job.hold()  # a worker that lost the job must not touch the new run's post
        post.set_pictures(cover, frames, cover_alt=video.title or post.title)
    parts = ["a cover" if cover else "no cover"]
    parts.append(f"{len(frames)} frame{'s' if len(frames) != 1 else ''}")
    return "Pictures: " + ", ".join(parts)


def _frames(job: Job, video: videos.Video, timed: list, found: list) -> list:
    if not found:
        return []
    if not timed:
        job.log(
            "No section says where it starts in the video, so no frames are added. "
            "Links to moments in the video (on by default) give each section its start."
        )
        return []
    try:
        board = videos.storyboard(video)
    except BlogTubeError as error:
        job.log(
            f"Could not read the video's storyboard: {error.message}",
            level="warning",
            code=error.code,
        )
        return []
    if board is None:
        job.log("This video has no storyboard images, so the post has no frames from it.")
        return []

    def progress(done: int, of: int) -> None:
        job.step_progress(STEP, 10 + 85 * done // of, f"Frame {done} of {of}")
        if job.cancel_is_requested():
            raise Cancelled()

    results = videos.video_frames(board, [s.seconds for s in timed], progress)
    frames, failed = [], []
    for section, result in zip(timed, results, strict=True):
        if isinstance(result, BlogTubeError):
            failed.append((section, result))
        else:
            frames.append((section, result))
    if failed:
        section, error = failed[0]
        job.log(
            f"{len(failed)} of {len(timed)} frames could not be had "
            f"(“{section.heading}”: {error.message})",
            level="warning",
            code=error.code,
            detail=error.detail[:300],
        )
    return frames
