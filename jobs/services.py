"""What views, the API, admin and the CLI do to jobs. Nothing here knows about HTTP."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.template.defaultfilters import pluralize
from django.utils import timezone
from django_q.tasks import async_task

from jobs import limits
from jobs import options as job_options
from jobs.errors import VideoBusy, VideoInUse
from jobs.models import InvalidTransition, Job, Post, PostPicture, Publication
from jobs.models.job_queries import JobQuerySet
from jobs.templatetags.blogtube_extras import FREE_OFFLINE, FREE_ON_OWN_SERVER, money_estimate
from providers import services as providers
from publishing import services as publishing
from videos import services as videos


@dataclass
class JobRequest:
    provider: providers.Provider
    url: str = ""
    transcript_file: UploadedFile | None = None
    language: str = "en"
    model: str = ""
    output_format: str = Job.OutputFormat.MARKDOWN
    priority: int = 0
    options: dict = field(default_factory=dict)
    # The account the job belongs to: the person signed in, or the CLI's --user.
    owner: Any = None

    @property
    def job_language(self) -> str:
        """The language the job asks for. "auto" (or nothing) detects an uploaded file's
        language, stored as ""; YouTube needs a language to ask for, so a URL gets "en"."""
        language = self.language.strip()
        if language.lower() in ("", AUTO_LANGUAGE):
            return "" if self.transcript_file is not None else "en"
        return language


AUTO_LANGUAGE = "auto"


def validate_request(request: JobRequest) -> None:
    """Raise the BlogTubeError a person should see about the source, before any job exists.
    The provider is JobOptionsForm's to check: every way in (the New post page, reprocess, the
    CLI) goes through that form."""
    if not request.url.strip() and request.transcript_file is None:
        raise videos.InvalidURL(
            "Paste a YouTube video URL or upload a transcript file.",
            suggestions=["A URL looks like https://www.youtube.com/watch?v=dQw4w9WgXcQ"],
        )
    if request.url.strip():
        videos.parse_video_id(request.url)
    if request.transcript_file is not None:
        request.transcript_file.seek(0)
        videos.parse_transcript_file(request.transcript_file.name, request.transcript_file.read())
        request.transcript_file.seek(0)


def create_job(request: JobRequest, *, enqueue: bool = True, per_minute: bool = True) -> Job:
    """Raises LimitReached when the owner may not queue it (jobs.limits); ``per_minute=False``
    checks only the jobs the owner has queued or running (the CLI)."""
    validate_request(request)
    with transaction.atomic():
        limits.check_can_create(request.owner, per_minute=per_minute)
        job = Job.objects.create(
            owner=request.owner,
            source_url=request.url.strip(),
            language=request.job_language,
            provider=request.provider,
            model=request.model.strip() or request.provider.default_model,
            output_format=request.output_format,
            priority=request.priority,
            options={**job_options.DEFAULTS, **request.options},
        )
        if request.transcript_file is not None:
            job.transcript_file_name = Path(request.transcript_file.name).name
            job.transcript_file.save(request.transcript_file.name, request.transcript_file)
        job.reindex()
        job.create_steps()
        job.log("Queued")
        if enqueue:
            run_soon(job)
    return job


def run_soon(job: Job) -> None:
    # After commit: a worker must never look for a job that is not there yet.
    transaction.on_commit(
        lambda: async_task(
            "jobs.tasks.run",
            str(job.pk),
            task_name=f"job-{job.pk}",
            sync=settings.BLOGTUBE_TASKS_SYNC,
        )
    )


def cancel(job: Job) -> bool:
    """True when cancelled at once; False when its worker was asked to stop."""
    return job.request_cancel()


def cancel_all(jobs: Iterable[Job]) -> str:
    """Cancel what can be; says what really happened, for a person who picked them."""
    cancelled = asked = ended = stopping = 0
    for job in jobs:
        try:
            if cancel(job):
                cancelled += 1
            else:
                asked += 1
        except InvalidTransition:
            job.refresh_from_db(fields=["status"])
            if job.is_active:
                stopping += 1
            else:
                ended += 1
    parts = [f"{cancelled} job{pluralize(cancelled)} cancelled"]
    if asked:
        parts.append(f"{asked} running job{pluralize(asked)} asked to stop")
    if stopping:
        parts.append(f"{stopping} already stopping")
    if ended:
        parts.append(f"{ended} had already ended")
    return ", ".join(parts) + "."


def retry(job: Job, by: Any = None) -> None:
    """Queue a failed or cancelled job again; ``by``, the person asking, within their limits
    (None: an admin's action, not limited)."""
    with transaction.atomic():
        if by is not None and job.can_retry:
            limits.check_can_create(by)
        job.retry()
        Publication.queue_failed_again(job)
        run_soon(job)


def publish(job: Job, destination: publishing.Destination, *, published: bool) -> Publication:
    """Queue the post for a destination (again: an update of the same remote post) and
    run the job's publish step: at the end of its run if it is still writing, else alone."""
    with transaction.atomic():
        locked = Job.objects.select_for_update().get(pk=job.pk)
        if locked.status not in (*Job.ACTIVE, Job.Status.COMPLETED):
            raise InvalidTransition(
                f"This job is {locked.get_status_display().lower()}: retry it before publishing."
            )
        if (
            locked.status in Job.ACTIVE
            and locked.steps.filter(
                step="publish", status__in=["done", "skipped", "running"]
            ).exists()
        ):
            raise InvalidTransition("This job is publishing now: publish again when it is done.")
        publication = Publication.request(locked, destination, publish=published)
        if locked.status == Job.Status.COMPLETED:
            locked.reopen_for_publish()
            run_soon(locked)
    job.refresh_from_db()
    return publication


def reprocess(job: Job, owner: Any, **changes: object) -> Job:
    """A new job on the same video and stored transcript, with other settings.

    It is ``owner``'s, the person who asked for it: staff reprocessing someone's job
    pay for the new one themselves."""
    with transaction.atomic():
        limits.check_can_create(owner)
        new = Job.objects.create(
            owner=owner,
            video=job.video,
            transcript=job.transcript,
            source_url=job.source_url,
            transcript_file=job.transcript_file,
            transcript_file_name=job.transcript_file_name,
            language=changes.get("language", job.language),
            provider=changes.get("provider", job.provider),
            model=changes.get("model", job.model),
            output_format=changes.get("output_format", job.output_format),
            priority=job.priority,
            options={**job.options, **changes.get("options", {})},
        )
        new.reindex()
        new.create_steps()
        new.log(f"Reprocessing job {job.pk} with its stored transcript")
        run_soon(new)
    return new


def delete(job: Job) -> None:
    """Delete a job that no worker is running, with everything it owns, for good."""
    if not job.delete_unless_running():
        raise InvalidTransition("A running job must be cancelled before it is deleted.")


def move_to_bin(job: Job) -> None:
    """The dashboard's delete: hidden, restorable from Recently deleted until the clean-up
    purges it after BLOGTUBE_RESTORE_DAYS."""
    if not job.move_to_bin():
        raise InvalidTransition("A running job must be cancelled before it is deleted.")


def restore(job: Job) -> None:
    if not job.restore():
        raise InvalidTransition("The job is not in Recently deleted.")
    if job.video_id is not None:
        # Its video went to the bin with it: a post restored brings back its video page.
        job.video.take_out_of_bin()


# --- deleting a video ------------------------------------------------------------------
#
# A video and its YouTube transcripts are shared, public data; the jobs on it are their
# owners'. Deleting a video deletes the jobs on it (with their posts and files): a job
# without its video and transcript could be neither retried nor reprocessed. So a person
# may delete a video only when every job on it is theirs (staff: any), and nobody while a
# job on it is queued or running.


def _jobs_on(video: videos.Video) -> JobQuerySet:
    # A job made from a URL names its video once it starts running: till then, its URL does.
    unnamed = Q(video__isnull=True, source_url__contains=video.youtube_id)
    return Job.objects.filter(Q(video=video) | unnamed)


def _check_may_remove(video: videos.Video, by: Any) -> None:
    """Raise VideoInUse unless ``by`` may remove ``video`` (None: the clean-up, may)."""
    if by is None or by.is_staff:
        return
    # exclude(owner=by) keeps jobs with no owner (made before accounts): staff's.
    if _jobs_on(video).exclude(owner=by).exists():
        raise VideoInUse()


def _busy(video: videos.Video) -> bool:
    return _jobs_on(video).filter(status__in=Job.ACTIVE).exists()


def _locked(video: videos.Video, **where: object) -> videos.Video | None:
    # On PostgreSQL the row lock makes two deletions of one video take turns; SQLite's
    # immediate transactions lock the whole database anyway.
    return videos.Video.objects.select_for_update().filter(pk=video.pk, **where).first()


def _forget(video: videos.Video) -> None:
    """Delete the video's jobs (each with its post, events and files), then the video with
    its transcripts and cached data. Raises VideoBusy, to roll all of it back, when a job
    was queued again meanwhile."""
    if _busy(video):
        raise VideoBusy()
    for job in _jobs_on(video).order_by():
        if not job.delete_if_finished():
            raise VideoBusy()
    videos.forget_video(video)


def delete_video(video: videos.Video, by: Any) -> None:
    """Delete a video for good with everything it owns (admin, the API); ``by`` is who
    asks. Raises VideoInUse, VideoBusy; nothing changes then."""
    with transaction.atomic():
        locked = _locked(video)
        if locked is None:
            return  # deleted meanwhile: what was asked is done
        _check_may_remove(locked, by)
        _forget(locked)


def move_video_to_bin(video: videos.Video, by: Any) -> int:
    """The dashboard's delete: the video and its jobs hidden, restorable from Recently
    deleted until the clean-up purges them after BLOGTUBE_RESTORE_DAYS. Returns the jobs
    binned with it. Raises VideoInUse, VideoBusy, InvalidTransition (already in the bin)."""
    with transaction.atomic():
        locked = _locked(video, deleted_at__isnull=True)
        if locked is None:
            raise InvalidTransition("The video is in Recently deleted already.")
        _check_may_remove(locked, by)
        if _busy(locked):
            raise VideoBusy()
        when = timezone.now()
        moved = _jobs_on(locked).move_to_bin(when, "Moved to Recently deleted with its video")
        locked.move_to_bin(when, by)
        if _busy(locked):  # retried since the check above: keep it all
            raise VideoBusy()
    return moved


def restore_video(video: videos.Video) -> int:
    """Take a video out of the bin with the jobs that went there with it (not those
    deleted on their own before). Returns how many jobs came back."""
    with transaction.atomic():
        locked = _locked(video, deleted_at__isnull=False)
        if locked is None:
            raise InvalidTransition("The video is not in Recently deleted.")
        binned = locked.take_out_of_bin()
        return _jobs_on(locked).filter(deleted_at__gte=binned).restore("Restored with its video")


def purge_video_if_deleted_before(video: videos.Video, cutoff: datetime.datetime) -> bool:
    """The clean-up's purge of a video in the bin since before ``cutoff``. One whose job
    was restored on its own meanwhile is in use again: it leaves the bin instead."""
    try:
        with transaction.atomic():
            locked = _locked(video, deleted_at__lt=cutoff)
            if locked is None:
                return False
            if _jobs_on(locked).filter(deleted_at__isnull=True).exists():
                locked.take_out_of_bin()
                return False
            _forget(locked)
    except VideoBusy:
        return False
    return True


# --- what a post will cost, before the job runs ----------------------------------

# Speech runs at some 150 words a minute, about 6 characters a word with its space.
SPEECH_CHARS_PER_SECOND = 15


def expected_transcript_chars(video: videos.Video, languages: list[str]) -> int | None:
    """How long the video's transcript is: the stored one's length, else a guess from the
    video's duration; None when neither is known. Asks YouTube nothing."""
    stored = videos.stored_transcript(video, languages)
    if stored is not None:
        return len(stored.text)
    if video.duration:
        return video.duration * SPEECH_CHARS_PER_SECOND
    return None


def cost_estimate(
    provider: providers.Provider, model: str, transcript_chars: int, *, length: str = "medium"
) -> str:
    """One line saying what writing the post should cost with this provider and model."""
    if not provider.has_server:
        return f"Estimated cost: {FREE_OFFLINE}"
    model = model.strip() or provider.effective_model
    usd = providers.estimate_cost(provider, model, transcript_chars, length=length)
    # LM Studio and vLLM name no model until an admin sets the loaded one: name the provider.
    writer = model or provider.name
    if usd is None:
        return f"Estimated cost with {writer}: price unknown for this model"
    if usd == 0:
        return f"Estimated cost with {writer}: {FREE_ON_OWN_SERVER}"
    return f"Estimated cost with {writer}: {money_estimate(usd)}"


# --- a post's pictures, for whatever publishes it ------------------------------------------


def post_pictures(post: Post) -> list[PostPicture]:
    """The post's pictures, the cover (``kind == "cover"``) first, then one a section in
    order. Each has ``path`` (the JPEG file), ``relative_path`` (as the post's Markdown and
    saved HTML name it, ``<slug>/<name>``), ``alt``, ``section`` (its heading), ``seconds``
    (the moment of the video), ``width`` and ``height``. Empty when the job asked for none,
    had no video, or none could be had."""
    return list(post.pictures.all())


def post_cover(post: Post) -> PostPicture | None:
    """The post's cover (the video's thumbnail), also its front matter's ``image:``."""
    return post.cover


def post_download(post: Post, output_format: str) -> tuple[str | bytes, str, str]:
    """(content, content type, file name) of the post as markdown, html (pictures inside it),
    text, json or zip (the Markdown, HTML and pictures as they lie on disk)."""
    return post.download(output_format)
