"""A job's run, as its worker drives it: its steps started, advanced and finished, the draft
written as the model streams it, the post stored, and every one of those moments appended as a
JobEvent. A part of Job (jobs/models/job.py), kept apart from its lifecycle: each write here is
guarded by the run's lease (``_mine``) so a run that lost the job can no longer touch it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import IntegrityError, transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Greatest
from django.utils import timezone

from blogtube_site.errors import Cancelled
from jobs.errors import InvalidTransition
from jobs.models.history import (
    STEP_NAMES,
    STEPS,
    JobEvent,
    JobStep,
    overall_progress,
    step_label,
)
from jobs.models.posts import Post
from jobs.models.search import provider_sort_key

if TYPE_CHECKING:
    from jobs.formatting import FormattedPost
    from providers.services import Provider


class JobRun:
    # --- steps ------------------------------------------------------------

    def create_steps(self) -> None:
        JobStep.objects.bulk_create(
            JobStep(job=self, step=spec.name, order=i) for i, spec in enumerate(STEPS)
        )

    def pending_steps(self) -> list[str]:
        # Only the job's own rows: a step added to STEPS after the job finished (pictures,
        # publish) never runs on an old post unless a migration or reopen gave it a row.
        pending = set(
            self.steps.exclude(
                status__in=[JobStep.Status.DONE, JobStep.Status.SKIPPED]
            ).values_list("step", flat=True)
        )
        return [name for name in STEP_NAMES if name in pending]

    def start_step(self, step: str, message: str = "") -> None:
        """Mark a step running. Cancelled when a cancel was asked (the step never starts);
        InvalidTransition when the job is not running in this worker (any more)."""
        with transaction.atomic():
            # The guard is the UPDATE itself: a cancel or a reaper in between wins or waits.
            if not self._moves_to(step):
                self._refuse_start()
            self._add_events(self._step_started(step, message))
        self.current_step = step

    def step_progress(self, step: str, percent: int, message: str = "") -> None:
        percent = max(0, min(100, int(percent)))
        with transaction.atomic():
            self._hold(progress=self._at_least(step, percent))
            JobStep.objects.filter(job=self, step=step, percent__lt=percent).update(
                percent=percent, message=message or F("message")
            )
            if message:
                self._add_event(JobEvent.Kind.LOG, message, data={"step": step, "percent": percent})
            else:
                self._add_event(JobEvent.Kind.STEP, "", data={"step": step, "percent": percent})

    def finish_step(
        self, step: str, message: str = "", *, skipped: bool = False, then: str | None = None
    ) -> None:
        """Mark a step done (or skipped). With ``then``, that step starts in the same
        transaction, as start_step would start it: one write between two steps, where there
        were two. A cancel asked meanwhile raises Cancelled once this step is recorded done."""
        status = JobStep.Status.SKIPPED if skipped else JobStep.Status.DONE
        done = self._at_least(step, 100)
        with transaction.atomic():
            started = then is not None and self._moves_to(then)
            if not started:
                self._hold(progress=done)
            JobStep.objects.filter(job=self, step=step).update(
                status=status, percent=100, finished=timezone.now(), message=message
            )
            events = [
                JobEvent(
                    job_id=self.pk,
                    kind=JobEvent.Kind.STEP,
                    message=message or f"{step_label(step)}: done",
                    data={"step": step, "status": status},
                )
            ]
            if started:
                events.append(self._step_started(then))
            self._add_events(*events)
        if then is not None:
            if not started:
                raise Cancelled()
            self.current_step = then

    def _moves_to(self, step: str) -> bool:
        """The job's row names ``step`` as current: the guarded UPDATE every step starts
        with. False when a cancel was asked or this run lost the job."""
        return self._goes_on(current_step=step, progress=self._at_least(step, 0))

    def _goes_on(self, **fields: Any) -> bool:
        """hold(), changing ``fields``, unless a cancel was asked: False then (or when this
        run lost the job), and nothing written. Checking for the cancel in the UPDATE that
        writes anyway saves the run a query each time it looks."""
        return bool(
            self._mine().filter(cancel_requested=False).update(heartbeat=timezone.now(), **fields)
        )

    def _step_started(self, step: str, message: str = "") -> JobEvent:
        """The step's row says running (its run's job UPDATE done by the caller); returns
        the event that says so, for the caller to add."""
        JobStep.objects.filter(job=self, step=step).update(
            status=JobStep.Status.RUNNING,
            started=timezone.now(),
            finished=None,
            percent=0,
            message=message,
        )
        return JobEvent(
            job_id=self.pk,
            kind=JobEvent.Kind.STEP,
            message=message or step_label(step),
            data={"step": step, "status": "running"},
        )

    def _refuse_start(self) -> None:
        """Why a step could not start: raise Cancelled when the run still holds the job and
        a cancel was asked, InvalidTransition when the run lost it."""
        if self._mine().filter(cancel_requested=True).exists():
            raise Cancelled()
        raise InvalidTransition(f"Job {self.pk} is not running in this worker.")

    @staticmethod
    def _at_least(step: str, percent: float) -> Greatest:
        # Never backwards: a retry re-running a step must not shrink the bar.
        return Greatest(F("progress"), Value(overall_progress(step, percent)))

    # --- output -----------------------------------------------------------

    def reset_draft(self) -> None:
        with transaction.atomic():
            self._hold(draft="")
            self._add_event(JobEvent.Kind.DRAFT_RESET, "", data={})

    def append_draft(
        self,
        text: str,
        *,
        step: str = "",
        percent: int | None = None,
        tokens: tuple[int, int] = (0, 0),
    ) -> None:
        """Append streamed text; the event carries the same text so pages can replay it.
        ``tokens`` (in, out) are added to the job's usage in the same write. Cancelled, the
        text kept, when a cancel was asked: the writer stops there."""
        if not text and percent is None and not any(tokens):
            return
        fields: dict[str, Any] = {}
        if text:
            fields["draft"] = Concat(F("draft"), Value(text))
        if any(tokens):
            fields["tokens_in"] = F("tokens_in") + tokens[0]
            fields["tokens_out"] = F("tokens_out") + tokens[1]
        reaches = step and percent is not None
        if reaches:
            percent = max(0, min(100, int(percent)))
            fields["progress"] = self._at_least(step, percent)
        with transaction.atomic():
            # One guarded UPDATE holds the run, appends the text, moves the bar and looks
            # for a cancel; a second one only when there is one, to keep the text.
            going = self._goes_on(**fields)
            if not going:
                self._hold(**fields)
            if text:
                self._add_event(JobEvent.Kind.TOKEN, "", data={"text": text})
            if reaches:
                JobStep.objects.filter(job=self, step=step, percent__lt=percent).update(
                    percent=percent
                )
        if not going:
            raise Cancelled()

    def store_post(self, formatted: FormattedPost) -> Post:
        """The job's post from formatted text: created the first time, updated when a retry
        formats it again. Another post holding the slug gets this one a job-id suffix."""
        post = self._save_post(formatted)
        self.reindex()  # found by the post's title from now on
        return post

    def _save_post(self, formatted: FormattedPost) -> Post:
        fields: dict[str, Any] = {
            "video_id": self.video_id,
            "title": formatted.title[:300],
            "description": formatted.description[:300],
            "tags": formatted.tags,
            "markdown": formatted.markdown,
            "html": formatted.html,
            "word_count": formatted.word_count,
        }
        taken: IntegrityError | None = None
        for attempt in range(20):
            # Update first: a retry, or another delivery of this job, made it already.
            if Post.objects.filter(job=self).update(updated=timezone.now(), **fields):
                return Post.objects.get(job=self)
            slug = formatted.slug
            if attempt:
                slug = f"{slug[:90]}-{str(self.pk)[: 4 + attempt]}"
            try:
                with transaction.atomic():  # a savepoint: the caller's transaction survives
                    return Post.objects.create(job=self, slug=slug, **fields)
            except IntegrityError as error:
                taken = error  # the slug is taken, or this job's post appeared meanwhile
        raise RuntimeError(f"No free slug for {formatted.slug!r}.") from taken

    def record_writer(self, provider: Provider, model: str) -> None:
        """A fallback provider wrote the post: the job names it, so its cost is priced right."""
        sort_provider = provider_sort_key(provider.name)
        if not self._mine().update(provider=provider, model=model, sort_provider=sort_provider):
            raise InvalidTransition(f"Job {self.pk} is no longer run by this worker.")
        self.provider, self.model, self.sort_provider = provider, model, sort_provider
        self.log(
            f"Written by {provider.name}" + (f" ({model})" if model else ""),
            provider=provider.slug,
            model=model,
        )

    def add_usage(self, tokens_in: int, tokens_out: int) -> None:
        self._mine().update(
            tokens_in=F("tokens_in") + tokens_in, tokens_out=F("tokens_out") + tokens_out
        )

    def log(self, message: str, *, level: str = "info", **data: Any) -> None:
        self._add_event(JobEvent.Kind.LOG, message, level=level, data=data)

    def _add_event(
        self, kind: str, message: str, *, level: str = "info", data: dict | None = None
    ) -> JobEvent:
        event = JobEvent(job_id=self.pk, kind=kind, level=level, message=message, data=data or {})
        self._add_events(event)
        return event

    def _add_events(self, *events: JobEvent) -> None:
        """Append the events (one INSERT), and ring once they commit: one ring for them
        all, with the newest id, since a page reads every event after the last it sent."""
        JobEvent.objects.bulk_create(events)
        from jobs.doorbell import ring  # the doorbell imports channels; keep models light

        newest = events[-1].pk or 0  # 0, "unknown": SQLite before 3.35 returns no ids
        transaction.on_commit(lambda: ring(self.pk, newest))
