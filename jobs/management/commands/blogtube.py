"""`manage.py blogtube URL`: the same pipeline as the web, in the foreground."""

from __future__ import annotations

import logging
import signal
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from blogtube_site.errors import BlogTubeError
from jobs import options as job_options
from jobs import services
from jobs.articles import article_for
from jobs.formatting import OUTPUT_FORMATS
from jobs.forms import JobOptionsForm
from jobs.models import STEP_NAMES, InvalidTransition, Job, JobEvent, Post
from jobs.pipeline import run_job
from providers import services as providers
from publishing import services as publishing
from videos import services as videos

# How long a cancelled job's run may take to reach a cancel check before it is taken from it.
CANCEL_GRACE_SECONDS = 10
# How soon Ctrl-C or SIGTERM is acted on, and how often the log is read meanwhile.
STOP_POLL_SECONDS = 0.2


class Command(BaseCommand):
    help = "Turn a YouTube video (or a transcript file) into a blog post."

    def create_parser(self, prog_name: str, subcommand: str, **kwargs) -> CommandParser:
        # Kept so that a refused option is reported as argparse reports a bad type.
        self.parser = super().create_parser(prog_name, subcommand, **kwargs)
        return self.parser

    def add_arguments(self, parser: CommandParser) -> None:
        # The values are checked by JobOptionsForm, as on the web; argparse only reads them.
        # Every option defaults to None ("not given"): the form knows the defaults.
        defaults = job_options.DEFAULTS
        parser.add_argument("url", nargs="?", default="", help="YouTube video URL or id")
        # The form's field -> the option a person typed, to name it in an error.
        self.flag_for = {
            action.dest: action.option_strings[0]
            for action in (
                parser.add_argument(
                    "--language",
                    help="transcript language(s), e.g. de,en; "
                    "with --transcript-file, auto detects it (default: en)",
                ),
                parser.add_argument(
                    "--provider", help="provider slug (default: the configured one)"
                ),
                parser.add_argument("--model", help="model name (default: the provider's)"),
                parser.add_argument(
                    "--format",
                    dest="output_format",
                    metavar="FORMAT",
                    help=f"what is printed or written to --out: {', '.join(OUTPUT_FORMATS)} "
                    "(default: markdown)",
                ),
                parser.add_argument(
                    "--style",
                    help=f"{', '.join(providers.STYLES)} (default: {defaults['style']})",
                ),
                parser.add_argument(
                    "--prompt",
                    dest="custom_prompt",
                    metavar="TEXT",
                    help="your prompt for --style custom; placeholders: "
                    + ", ".join("{" + p + "}" for p in providers.PLACEHOLDERS),
                ),
                parser.add_argument(
                    "--tone", help=f"{', '.join(providers.TONES)} (default: {defaults['tone']})"
                ),
                parser.add_argument(
                    "--length",
                    help=f"{', '.join(providers.LENGTHS)} (default: {defaults['length']})",
                ),
                parser.add_argument(
                    "--write-language",
                    metavar="CODE",
                    help="write the post in this language, e.g. de (default: the transcript's)",
                ),
                parser.add_argument(
                    "--toc", action="store_true", default=None, help="add a table of contents"
                ),
                parser.add_argument(
                    "--no-timestamps",
                    dest="timestamps",
                    action="store_false",
                    default=None,
                    help="no links to moments in the video",
                ),
                parser.add_argument(
                    "--embed",
                    action="store_true",
                    default=None,
                    help="put the video's player in the HTML",
                ),
                parser.add_argument(
                    "--no-pictures",
                    dest="pictures",
                    action="store_false",
                    default=None,
                    help="no cover image or frames from the video",
                ),
                parser.add_argument(
                    "--speech",
                    dest="force_speech",
                    action="store_true",
                    default=None,
                    help="transcribe the audio (speech-to-text) even when captions exist",
                ),
                parser.add_argument(
                    "--translate-to",
                    metavar="CODE",
                    help="use YouTube's translation of the captions into this language",
                ),
            )
        }
        parser.add_argument(
            "--transcript-file", type=Path, help=".srt, .vtt, .txt or YouTube .json (json3) file"
        )
        parser.add_argument("--out", type=Path, help="write the post here (default: stdout)")
        parser.add_argument(
            "--user",
            metavar="NAME",
            help="the account the job belongs to (default: the first staff account)",
        )
        parser.add_argument(
            "--publish",
            metavar="DEST",
            action="append",
            default=[],
            help="send the post to this destination of the account (its name or id; "
            "repeatable); a static site's zip is written beside --out",
        )
        parser.add_argument(
            "--published",
            action="store_true",
            help="with --publish: published for everyone, not a draft",
        )

    def handle(self, *args, **options) -> None:
        if options["verbosity"] < 2:
            # The job's own steps are the progress report; library chatter only with -v 2.
            logging.getLogger().setLevel(logging.WARNING)
        form = JobOptionsForm(
            {name: options[name] for name in self.flag_for if options[name] is not None},
            uploads=options["transcript_file"] is not None,
        )
        if not form.is_valid():
            self.parser.error(
                "\n".join(
                    f"argument {self.flag_for.get(name, name)}: {message}"
                    for name, messages in form.errors.items()
                    for message in messages
                )
            )
        out: Path | None = options["out"]
        if out is not None and (out.is_dir() or not out.parent.is_dir()):
            # Asked before the job runs, not found out when the post is written.
            raise CommandError(f"Cannot write the post to {out}: no such folder, or a folder.")
        upload = None
        if options["transcript_file"]:
            path: Path = options["transcript_file"]
            if not path.is_file():
                raise CommandError(f"No such transcript file: {path}")
            try:
                content = path.read_bytes()
            except OSError as error:
                raise CommandError(f"Cannot read {path}: {error.strerror}.") from None
            upload = SimpleUploadedFile(path.name, content)
        request = form.to_request(options["url"], upload)
        request.owner = _owner(options["user"])
        destinations = [_destination(request.owner, name) for name in options["publish"]]
        try:
            # Not counted a minute (the person at the terminal owns the server); active jobs are.
            job = services.create_job(request, enqueue=False, per_minute=False)
        except BlogTubeError as error:
            raise CommandError(_explain(error)) from None
        self.stderr.write(f"Job {job.pk}")
        for destination in destinations:
            if destination.is_remote:
                services.publish(job, destination, published=options["published"])
        estimate = _estimate(job, upload)
        if estimate:
            self.stderr.write(estimate)
        with _stop_requests() as stop:
            # Each run goes on from the last event printed: every line of the log once.
            printed = self._run_with_progress(job, 0, stop)
            job.refresh_from_db()
            while job.status == Job.Status.QUEUED and job.retry_at:
                # A transient failure (rate limit, outage): wait as a worker would, then go on.
                self._wait_until(job, stop)
                printed = self._run_with_progress(job, printed, stop)
                job.refresh_from_db()
        if job.status != Job.Status.COMPLETED:
            if job.status == Job.Status.CANCELLED:
                raise CommandError("Cancelled.")
            raise CommandError(
                _explain_text(job.error_code, job.error_message, job.error_suggestions)
            )
        post = Post.objects.get(job=job)
        for publication in job.publications.filter(state="done"):
            self.stderr.write(
                self.style.SUCCESS(f"{publication.destination_name}: {publication.url}")
            )
        for destination in destinations:
            if not destination.is_remote:
                name, data = publishing.export(
                    destination, article_for(post), published=options["published"]
                )
                folder = options["out"].parent if options["out"] else Path.cwd()
                (folder / name).write_bytes(data)
                self.stderr.write(self.style.SUCCESS(f"{destination.name}: wrote {folder / name}"))
        text = post.render(job.output_format)
        if options["out"]:
            options["out"].write_text(text, encoding="utf-8")
            # Beside the file, where the post's relative paths look for them.
            copied = post.copy_pictures(options["out"].parent)
            pictures = f", {len(copied)} pictures in {copied[0].parent}/" if copied else ""
            self.stderr.write(
                self.style.SUCCESS(f"Wrote {options['out']} ({post.word_count} words{pictures})")
            )
        else:
            self.stdout.write(text)

    def _wait_until(self, job: Job, stop: _StopRequest) -> None:
        while (left := (job.retry_at - timezone.now()).total_seconds()) > 0:
            if stop.requested:
                job.request_cancel()  # queued: cancelled at once
                raise CommandError("Cancelled.")
            time.sleep(min(left, STOP_POLL_SECONDS))

    def _run_with_progress(self, job: Job, last_id: int, stop: _StopRequest) -> int:
        """Run the job here, printing its events after `last_id`; the last one printed."""
        worker = threading.Thread(target=run_job, args=(str(job.pk),), daemon=True)
        worker.start()
        while worker.is_alive():
            if stop.requested:
                self.stderr.write("\nStopping…")
                self._cancel(job, worker)
                self._print_events(job, last_id)
                raise CommandError("Cancelled.")
            last_id = self._print_events(job, last_id)
            worker.join(STOP_POLL_SECONDS)  # ends the wait as soon as the job does
        last_id = self._print_events(job, last_id)
        if sys.stderr.isatty():
            self.stderr.write("")
        return last_id

    def _cancel(self, job: Job, worker: threading.Thread) -> None:
        """Stop the job for good: no worker may run it once this command has gone."""
        with suppress(InvalidTransition):  # it ended meanwhile
            job.request_cancel()
        worker.join(timeout=CANCEL_GRACE_SECONDS)
        job.refresh_from_db()
        if not job.is_active:
            return
        with suppress(InvalidTransition):
            if job.status == Job.Status.RUNNING:
                # A long model call hears no cancel: take the job from its run, whose next
                # write then fails on its lease.
                job.mark_cancelled()
            else:
                job.request_cancel()  # deferred meanwhile: cancelled at once

    def _print_events(self, job: Job, after_id: int) -> int:
        events = list(
            JobEvent.objects.filter(job=job, id__gt=after_id)
            .exclude(kind=JobEvent.Kind.TOKEN)
            .order_by("id")
        )
        for event in events:
            if not event.shows_in_log:
                continue
            step = event.data.get("step")
            prefix = f"[{STEP_NAMES.index(step) + 1}/{len(STEP_NAMES)}]" if step else "     "
            style = {"error": self.style.ERROR, "warning": self.style.WARNING}.get(event.level, str)
            self.stderr.write(style(f"{prefix} {event.message}"))
        return events[-1].id if events else after_id


def _destination(owner, reference: str) -> publishing.Destination:
    destination = publishing.find_destination(owner, reference)
    if destination is None:
        names = ", ".join(d.name for d in publishing.destinations_for(owner).filter(owner=owner))
        raise CommandError(
            f"{owner.get_username()} has no destination {reference!r}"
            + (f" (they have: {names})." if names else "; add one on the Destinations page.")
        )
    return destination


def _owner(username: str | None):
    """The account named, or the first staff account: every job belongs to someone."""
    users = get_user_model().objects.filter(is_active=True)
    if username:
        user = users.filter(**{get_user_model().USERNAME_FIELD: username}).first()
        if user is None:
            raise CommandError(f"No active account is called {username!r}.")
        return user
    user = users.filter(is_staff=True).order_by("pk").first()
    if user is None:
        raise CommandError(
            "Create an account first: `make run` prints a link that creates one, "
            "or run `python manage.py createsuperuser`."
        )
    return user


class _StopRequest:
    requested = False


@contextmanager
def _stop_requests() -> Iterator[_StopRequest]:
    """Ctrl-C and SIGTERM (a service manager, `kill`) stop the job.

    The handlers only note the request, which the command's loops read between their queries:
    an exception raised wherever a signal lands could stop a query midway, and leave
    PostgreSQL's connection mid-statement for the cancel that follows.
    """
    stop = _StopRequest()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.requested = True

    if threading.current_thread() is not threading.main_thread():
        yield stop  # signal handlers belong to the main thread
        return
    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield stop
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)


def _estimate(job: Job, upload: SimpleUploadedFile | None) -> str:
    """The cost line, or "" when the transcript's size cannot be known yet."""
    length = str(job.all_options["length"])
    if not job.provider.is_priced:
        return services.cost_estimate(job.provider, job.writer_model, 0, length=length)
    if upload is not None:
        upload.seek(0)
        chars: int | None = len(videos.parse_transcript_file(upload.name, upload.read()).text)
        upload.seek(0)
    else:
        try:
            # The pipeline's first step asks the same; the stored answer serves both.
            video = videos.get_video(videos.parse_video_id(job.source_url))
        except BlogTubeError:
            return ""  # the job says why when it gets there
        chars = services.expected_transcript_chars(video, job.language_preferences or ["en"])
    if chars is None:
        return ""
    return services.cost_estimate(job.provider, job.writer_model, chars, length=length)


def _explain(error: BlogTubeError) -> str:
    return _explain_text(error.code, error.message, error.suggestions)


def _explain_text(code: str, message: str, suggestions) -> str:
    lines = [f"{message} [{code}]"] + [f"  - {s}" for s in suggestions]
    return "\n".join(lines)
