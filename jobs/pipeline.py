"""One job, step by step. Each step reads what earlier steps stored on the job,
so a retry resumes at the step that failed and a reprocess downloads nothing again.
"""

from __future__ import annotations

import datetime
import logging
import re
import time
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from blogtube_site.errors import BlogTubeError, Cancelled
from blogtube_site.request_ids import bound_to_job
from jobs.articles import article_for
from jobs.errors import TimedOut, UnexpectedError
from jobs.formatting import PostMeta, format_post
from jobs.heartbeat import beating
from jobs.models import Dispatch, InvalidTransition, Job, Post, Publication
from jobs.pictures import add_pictures
from jobs.recovery import reap_after_run
from jobs.scheduling import retry_later
from providers import services as providers
from publishing import services as publishing
from videos import services as videos

log = logging.getLogger(__name__)

# Rough size of a finished post, to turn streamed characters into a percentage.
EXPECTED_CHARS = {"short": 3500, "medium": 7000, "long": 12000}


def claim_next(job_id: str) -> Job | None:
    """Claim the most urgent ready job, the oldest first among equals.

    django-q2 has no priorities, and a task may be stranded in a dead cluster, so a
    task runs whichever ready job comes first rather than its own: each job still
    runs once, in priority order, and a job put back after its worker died goes
    before newer ones instead of waiting for a task of its own at the queue's end.
    None when nothing is ready, or while the queue room has paused dispatching: the
    pause is a condition of the claiming UPDATE itself, so no claim slips past it.
    """
    if Dispatch.objects.filter(paused=True).exists():
        # Saves the listing; the UPDATE below is what guarantees it.
        log.info("Dispatching is paused: the task for job %s ends; resuming nudges.", job_id)
        return None
    queued = Job.objects.filter(Job.ready_to_run(), status=Job.Status.QUEUED)
    candidates = list(queued.order_by("-priority", "created").values_list("pk", flat=True)[:20])
    for pk in candidates:
        job = Job.objects.select_related("video", "provider", "transcript").filter(pk=pk).first()
        if job is not None and job.claim(
            when=Dispatch.dispatching()
        ):  # None: deleted since it was listed
            if str(pk) != str(job_id):
                log.info("Task for job %s runs job %s, first in line.", job_id, pk)
            return job
    return None


@bound_to_job  # every log line of the run names the job
def run_job(job_id: str) -> None:
    job = claim_next(job_id)
    if job is None:
        log.info("Job %s is not queued any more; nothing to run.", job_id)
        return
    with beating(job):
        _run(job)
    # The reaper's schedule waits in the broker behind every queued job's task, and a job
    # shorter than a heartbeat never beats: so finished runs also put back jobs a dead
    # worker left running, and give a task to ready jobs owed one (the job that ran may
    # have been a stranded task's), at most once a second in a process.
    reap_after_run()


def _run(job: Job) -> None:
    try:
        try:
            steps = job.pending_steps()
            if steps:
                job.start_step(steps[0])  # Cancelled, if a cancel came first
            # Each step ends and the next starts in one write, which checks for a cancel.
            for step, then in zip(steps, [*steps[1:], None], strict=True):
                message, skipped = STEP_FUNCTIONS[step](job)
                job.finish_step(step, message, skipped=skipped, then=then)
            job.complete()
        except InvalidTransition:
            raise  # this run lost the job: below
        except Cancelled:
            job.mark_cancelled()
        except BlogTubeError as error:
            # What a provider's server said may quote an API key: none reaches the log or the job.
            error = providers.redact_error(error)
            log.info("Job %s failed: %s (%s) %s", job.pk, error.code, error.message, error.detail)
            _retry_or_fail(job, error)
        except Exception as exc:
            log.exception("Job %s crashed", job.pk)
            job.fail(providers.redact_error(UnexpectedError(detail=repr(exc))))
        except BaseException:
            # django-q2's timeout raises a SystemExit subclass: retried like any transient
            # failure, and the task still ends as django-q2 wants.
            _retry_or_fail(job, TimedOut())
            raise
    except InvalidTransition:
        # Every write of a run is guarded by its lease: the reaper put the job back
        # (and maybe another worker runs it now), or it ended. Nothing here to undo.
        log.warning("Job %s is no longer run by this worker; stopping quietly.", job.pk)


def _retry_or_fail(job: Job, error: BlogTubeError) -> None:
    if error.transient and job.attempts < settings.BLOGTUBE_MAX_ATTEMPTS:
        # Rate limits and outages pass: wait and retry rather than fail a whole batch.
        delay = settings.BLOGTUBE_RETRY_SECONDS * 2 ** (job.attempts - 1)
        retry_at = timezone.now() + datetime.timedelta(seconds=delay)
        with transaction.atomic():
            job.defer(error, retry_at)
            retry_later(job, retry_at)
    else:
        job.fail(error)


StepResult = tuple[str, bool]  # (message for the timeline, skipped)


def validate(job: Job) -> StepResult:
    if job.source_url:
        video_id = videos.parse_video_id(job.source_url)
        if not job.video_id:
            job.video = videos.video_placeholder(video_id)
            job.save(update_fields=["video"])
        return f"Video id {video_id}", False
    if job.transcript_id or job.transcript_file:
        return "Uploaded transcript, no video", False
    raise videos.InvalidTranscriptFile("The job has neither a video URL nor a transcript.")


def fetch_info(job: Job) -> StepResult:
    if not job.video_id:
        return "No video: skipped", True
    try:
        video = videos.get_video(job.video.youtube_id)
    except BlogTubeError as error:
        if not _has_upload(job):
            raise
        # With the transcript in hand YouTube is a nice-to-have, not a must.
        job.log(f"YouTube info unavailable: {error.message}", level="warning", code=error.code)
        return "Video info unavailable; continuing with the uploaded transcript", True
    job.video = video
    # Every job of the video shows (and is searched and sorted by) the title just read.
    Job.objects.filter(video=video).reindex()
    return f"{video.title} · {video.channel} · {video.duration_display}", False


def list_languages(job: Job) -> StepResult:
    if _has_upload(job) or not job.video_id:
        return "Using the uploaded transcript", True
    if job.transcript_id:
        return "Transcript already stored", True
    try:
        tracks = videos.list_tracks(job.video.youtube_id)
    except BlogTubeError as error:
        # Only a preview of what fetch_transcript will ask: its other sources
        # (yt-dlp, speech-to-text) may still succeed, and it has the last word.
        job.log(
            f"Listing the caption tracks failed: {error.message}", level="warning", code=error.code
        )
        return "Could not list the tracks; trying every source", True
    names = [
        f"{t.language} ({t.language_code}{', auto' if t.is_generated else ''})" for t in tracks
    ]
    job.log("Transcript languages: " + ", ".join(names), codes=[t.language_code for t in tracks])
    return f"{len(tracks)} track{'s' if len(tracks) != 1 else ''}", False


def fetch_transcript(job: Job) -> StepResult:
    if job.transcript_id:
        transcript = job.transcript
        note = "Re-using the stored transcript"
    elif job.transcript_file:
        job.transcript_file.open("rb")
        try:
            content = job.transcript_file.read()
        finally:
            job.transcript_file.close()
        name = job.transcript_file_name or Path(job.transcript_file.name).name
        # A file says nothing of its language: the form's, or detected when left on auto.
        transcript = videos.transcript_from_upload(
            name,
            content,
            video=job.video if job.video_id else None,
            language=next(iter(job.language_preferences), ""),
        )
        if not job.language:
            job.log(f"Detected the transcript's language: {transcript.language}")
        note = f"Read {name}"
    else:
        transcript, reused = videos.get_transcript(
            job.video,
            job.language_preferences or ["en"],
            on_event=_source_events(job),
            force_speech=bool(job.all_options["force_speech"]),
            translate_to=str(job.all_options["translate_to"]) or None,
        )
        note = "Re-using the stored transcript" if reused else "Downloaded"
    job.transcript = transcript
    job.save(update_fields=["transcript"])
    kind = "auto-generated" if transcript.is_generated else transcript.get_source_display()
    return (
        f"{note}: {transcript.language_code}, {kind}, {transcript.word_count:,} words",
        False,
    )


def _source_events(job: Job) -> Callable[..., None]:
    """The transcript sources' reports as the job's log, and speech-to-text's as progress."""

    def on_event(message: str, level: str = "info", **data: object) -> None:
        percent = data.get("percent")
        if isinstance(percent, int) and level == "info":
            job.step_progress("fetch_transcript", percent, message)
        else:
            job.log(message, level=level, **data)
        if job.cancel_is_requested():
            raise Cancelled()

    return on_event


def generate(job: Job) -> StepResult:
    transcript = job.transcript
    video = job.video if job.video_id else None
    options = job.all_options
    # What every writer reads: the stored transcript stays as fetched, for download and reuse.
    clean = videos.clean_transcript(transcript.segments, transcript.language_code)
    # Nothing but sound cues and markup left: better the raw text than no post at all.
    segments, text = (
        (clean.segments, clean.text) if clean.segments else (transcript.segments, transcript.text)
    )
    request = providers.PostRequest(
        title=video.title if video else "",
        transcript=text,
        segments=segments,
        chapters=video.chapters if video else [],
        video_url=video.url if video else "",
        video_id=video.youtube_id if video else "",
        language=transcript.language_code or "en",
        write_language=_post_language(job),
        style=str(options["style"]),
        length=str(options["length"]),
        tone=str(options["tone"]),
        custom_prompt=str(options["custom_prompt"]),
        include_toc=bool(options["toc"]),
        include_timestamps=bool(options["timestamps"]),
        include_embed=bool(options["embed"]),
    )
    if options["write_language"] and not request.write_language:
        job.log(
            "The offline writer cannot translate: the post is in the transcript's language. "
            "Reprocess with an AI provider to write it in another language.",
            level="warning",
        )
    if job.draft:  # an earlier attempt's; a new job's is empty, with nothing to restart
        job.reset_draft()
    expected = EXPECTED_CHARS.get(request.length, EXPECTED_CHARS["medium"])
    flush_every = settings.BLOGTUBE_DRAFT_FLUSH_SECONDS
    pending: list[str] = []
    written = 0
    tokens = [0, 0]  # in, out: stored with the last of the text, in the same write
    last_flush = time.monotonic()
    writer = {"provider": job.provider, "model": job.writer_model}

    def switched(provider: providers.Provider, model: str) -> None:
        writer.update(provider=provider, model=model)

    chunks = providers.write_post(
        job.provider,
        job.model,
        request,
        on_event=_writing_events(job),
        on_switch=switched,
    )
    for chunk in chunks:
        if chunk.reset:
            # Another provider starts the post again: what streamed so far is void.
            pending.clear()
            written = 0
            job.reset_draft()
            continue
        if chunk.usage:
            tokens[0] += chunk.usage.prompt_tokens
            tokens[1] += chunk.usage.completion_tokens
        if not chunk.text:
            continue
        pending.append(chunk.text)
        written += len(chunk.text)
        if time.monotonic() - last_flush >= flush_every or len(pending) >= 200:
            # Cancelled here when a cancel was asked: the writer stops at its next write.
            job.append_draft("".join(pending), step="generate", percent=95 * written // expected)
            pending.clear()
            last_flush = time.monotonic()
    job.append_draft("".join(pending), step="generate", percent=95, tokens=(*tokens,))
    if writer["provider"] != job.provider:
        job.record_writer(writer["provider"], writer["model"])
    job.refresh_from_db(fields=["draft", "tokens_in", "tokens_out"])
    if not job.draft.strip():
        raise providers.EmptyResponse()
    words = len(job.draft.split())
    model = f" ({writer['model']})" if writer["model"] else ""
    return f"{words:,} words written by {writer['provider'].name}{model}", False


# "Summarized chunk 3/14": the long-video path's progress, before any text streams.
_PARTS_DONE = re.compile(r"(\d+)/(\d+)")


def _writing_events(job: Job) -> Callable[[str, str], None]:
    """The writer's reports as the job's log; a cancel stops it between model calls."""

    def on_event(message: str, level: str) -> None:
        if job.cancel_is_requested():
            raise Cancelled()
        done = _PARTS_DONE.search(message) if level == "progress" else None
        if done and int(done.group(2)):
            # Notes come first and take most of a long video's time: up to half the step.
            percent = 50 * int(done.group(1)) // int(done.group(2))
            job.step_progress("generate", percent, message)
            return
        job.log(message, level="info" if level == "progress" else level)

    return on_event


def format_step(job: Job) -> StepResult:
    video = job.video if job.video_id else None
    fallback = video.title if video and video.title else _upload_title(job)
    formatted = format_post(
        job.draft,
        PostMeta(
            fallback_title=fallback,
            source_url=video.url if video else "",
            video_id=video.youtube_id if video else "",
            language=_post_language(job)
            or (job.transcript.language_code if job.transcript_id else job.language),
            provider=job.provider.slug,
            model=job.writer_model,
            date=timezone.localdate().isoformat(),
        ),
        toc=bool(job.all_options["toc"]),
        timestamps=bool(job.all_options["timestamps"]),
        embed=bool(job.all_options["embed"]),
    )
    with transaction.atomic():
        job.hold()  # a worker that lost the job must not overwrite the new run's post
        job.store_post(formatted)
    return f"{formatted.word_count:,} words, {len(formatted.tags)} tags", False


def pictures(job: Job) -> StepResult:
    if not job.video_id:
        return "No video: no pictures", True
    if not job.all_options["pictures"]:
        return "Turned off", True
    return add_pictures(job), False


def save(job: Job) -> StepResult:
    post = Post.objects.get(job=job)
    post.job = job  # its files' formats are the job's: not read again
    md_path = post.write_files()
    post.save(update_fields=["file_path"])
    return f"Saved {md_path.name}", False


def publish(job: Job) -> StepResult:
    """Send the post to each destination it is queued for: a new remote post, or the one
    published before, updated. A failure stops the step; a retry resumes with what is left."""
    queued = list(
        job.publications.filter(state=Publication.State.QUEUED).select_related("destination")
    )
    if not queued:
        return "Not published anywhere", True
    article = article_for(Post.objects.get(job=job))
    done = []
    for n, publication in enumerate(queued):
        destination = publication.destination
        if destination is None:  # deleted since it was asked for
            publication.mark_failed("The destination was deleted.")
            continue
        previous = (
            publishing.Remote(remote_id=publication.remote_id, media=dict(publication.media))
            if publication.remote_id
            else None
        )
        verb = "Updating" if previous else "Publishing"
        job.step_progress("publish", 100 * n // len(queued), f"{verb} on {destination.name}")

        def progress(percent: int, message: str, n: int = n, name: str = destination.name) -> None:
            if job.cancel_is_requested():
                raise Cancelled()
            share = (n + percent / 100) / len(queued)
            job.step_progress("publish", int(100 * share), f"{name}: {message}")

        try:
            remote = publishing.publish(
                destination,
                article,
                published=publication.publish,
                previous=previous,
                progress=progress,
            )
        except BlogTubeError as error:
            if not error.transient:
                publication.mark_failed(error.message)
            raise
        for note in remote.notes:
            job.log(f"{destination.name}: {note}", level="warning")
        publication.record(
            remote_id=remote.remote_id, url=remote.url, status=remote.status, media=remote.media
        )
        state = "published" if publication.publish else "saved as a draft"
        job.log(f"{destination.name}: {state} at {remote.url or 'the site'}", url=remote.url)
        done.append(f"{destination.name} ({remote.status or state})")
    return "Published to " + ", ".join(done) if done else "Nothing published", not done


def _post_language(job: Job) -> str:
    """The language the post is written in; "" for the transcript's own."""
    wanted = str(job.all_options["write_language"])
    source = job.transcript.language_code if job.transcript_id else ""
    if not job.provider.can_translate and wanted.split("-")[0] != source.split("-")[0]:
        # The offline writer picks sentences from the transcript: it cannot translate.
        return ""
    return wanted


def _has_upload(job: Job) -> bool:
    return bool(job.transcript_file) or (
        job.transcript_id is not None and job.transcript.source == "upload"
    )


def _upload_title(job: Job) -> str:
    if job.transcript_file:
        stem = Path(job.transcript_file_name or job.transcript_file.name).stem
        return stem.replace("_", " ").replace("-", " ").strip().title()
    return "Untitled post"


STEP_FUNCTIONS: dict[str, Callable[[Job], StepResult]] = {
    "validate": validate,
    "fetch_info": fetch_info,
    "list_languages": list_languages,
    "fetch_transcript": fetch_transcript,
    "generate": generate,
    "format": format_step,
    "pictures": pictures,
    "save": save,
    "publish": publish,
}
