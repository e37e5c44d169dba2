"""What views, the API, admin and the CLI do to jobs. Nothing here knows about HTTP."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.template.defaultfilters import pluralize
from django_q.tasks import async_task

from jobs import limits
from jobs import options as job_options
from jobs.models import InvalidTransition, Job
from jobs.templatetags.blogtube_extras import FREE_OFFLINE, FREE_ON_OWN_SERVER, money_estimate
from providers import services as providers
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
        run_soon(job)


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
