"""How much one account may ask of the server and of the owner's provider credit.

Four limits, each a setting with a per-person override an admin edits (jobs.models.Limits):
- jobs started a minute (new jobs, batches, retries, reprocessings; a batch counts once);
- previews a minute (the New post page's video preview, which asks YouTube);
- jobs queued or running at once (the CLI's count too);
- videos per playlist or channel batch.
Staff are limited like everyone: they use the same pages and spend the same credit, and a
staff session is the one most worth stealing. An admin lifts anyone's limit, their own
included, by setting it to 0.

Every way in calls the checks here: the views, the CLI (active jobs only: a person at the
terminal is the owner) and the JSON API. Over a limit they raise LimitReached, which a view
answers with HTTP 429 and Retry-After.

Per-minute counts are fixed one-minute windows of tickets in the cache: a request owns the
n-th ticket of its window by ``cache.add``, which succeeds for one caller only on both caches
BlogTube configures (Redis SET NX; the database cache's INSERT under the key). ``cache.incr``
is not used because on the database cache it is a get and a set, and django-ratelimit is not
used for the same reason (its own system check rejects the database cache as not atomic).
A fixed window lets a burst of twice the limit straddle a minute's edge; never more.

The active-jobs count is a database count inside the transaction that creates the jobs,
after locking the person's user row (SELECT … FOR UPDATE; on SQLite every write transaction
already holds the database's write lock from BEGIN): two requests of one person are counted
one after the other, so the limit is exact.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import transaction
from django.template.defaultfilters import pluralize

from blogtube_site.errors import BlogTubeError
from jobs.models import Job, Limits

WINDOW_SECONDS = 60
# How long to suggest waiting for a running job to finish: a hint, no job's end is known.
ACTIVE_RETRY_SECONDS = 60


class LimitReached(BlogTubeError):
    code = "RATE_LIMITED"
    transient = True
    message = "You have reached a limit of this site."

    def __init__(self, message: str, *, retry_after: int, suggestions: tuple[str, ...] = ()):
        super().__init__(message, suggestions=suggestions)
        # Whole seconds until trying again can succeed: the Retry-After header.
        self.retry_after = max(1, retry_after)

    def as_dict(self) -> dict[str, object]:
        return {**super().as_dict(), "retry_after": self.retry_after}


@dataclass(frozen=True)
class UserLimits:
    """One person's limits in force; 0 is no limit (except batch_size, always at least 1)."""

    jobs_per_minute: int
    previews_per_minute: int
    active_jobs: int
    batch_size: int


def for_user(user: Any) -> UserLimits:
    own = Limits.objects.filter(user_id=user.pk).first() if _limited(user) else None

    def pick(name: str, default: int) -> int:
        value = getattr(own, name, None)
        return max(0, default) if value is None else value

    return UserLimits(
        jobs_per_minute=pick("jobs_per_minute", settings.BLOGTUBE_JOBS_PER_MINUTE),
        previews_per_minute=pick("previews_per_minute", settings.BLOGTUBE_PREVIEWS_PER_MINUTE),
        active_jobs=pick("active_jobs", settings.BLOGTUBE_ACTIVE_JOBS_PER_USER),
        batch_size=max(1, pick("batch_size", settings.BLOGTUBE_BATCH_LIMIT)),
    )


def _limited(user: Any) -> bool:
    # Jobs without an owner are the system's own (tests, data from before accounts).
    return user is not None and getattr(user, "pk", None) is not None


def check_can_create(user: Any, n_jobs: int = 1, *, per_minute: bool = True) -> None:
    """Raise LimitReached unless ``user`` may queue ``n_jobs`` more jobs now.

    Call it inside the transaction that creates (or re-queues) them: the count holds until
    that transaction ends. ``per_minute=False`` (the CLI, each job of a batch after the
    batch's own check) counts active jobs only."""
    if not _limited(user):
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("check_can_create counts active jobs inside the creating transaction")
    limits = for_user(user)
    if limits.active_jobs:
        # Serializes one person's creations; other people are not waited for.
        list(get_user_model().objects.select_for_update().filter(pk=user.pk).values("pk"))
        active = Job.objects.filter(owner=user, status__in=Job.ACTIVE).count()
        if active + n_jobs > limits.active_jobs:
            raise _too_many_active(limits.active_jobs, active, n_jobs)
    if per_minute and limits.jobs_per_minute:
        wait = _take_ticket("jobs", user, limits.jobs_per_minute)
        if wait is not None:
            n = limits.jobs_per_minute
            raise LimitReached(
                f"You can create {n} job{pluralize(n)} a minute; try again in {wait} s.",
                retry_after=wait,
            )


def check_preview(user: Any) -> None:
    """Raise LimitReached when ``user`` has had this minute's previews; else count one."""
    if not _limited(user):
        return
    n = for_user(user).previews_per_minute
    if not n:
        return
    wait = _take_ticket("previews", user, n)
    if wait is not None:
        raise LimitReached(
            f"You can preview {n} video{pluralize(n)} a minute; try again in {wait} s.",
            retry_after=wait,
            suggestions=("You can still create the job: the preview is not needed for it.",),
        )


def batch_size(user: Any) -> int:
    """How many videos of a playlist or channel a batch of ``user``'s takes."""
    return for_user(user).batch_size


def _too_many_active(limit: int, active: int, n_jobs: int) -> LimitReached:
    if n_jobs == 1:
        message = (
            f"You have {active} job{pluralize(active)} running or queued; "
            "wait for one to finish or cancel one."
        )
    else:
        message = (
            f"This would queue {n_jobs} jobs and you have {active} running or queued: "
            f"you can have {limit} at once. Wait for some to finish or cancel some."
        )
    return LimitReached(message, retry_after=ACTIVE_RETRY_SECONDS)


def _take_ticket(kind: str, user: Any, limit: int) -> int | None:
    """Take one of this minute's ``limit`` tickets: None when taken, else the whole seconds
    until the next minute's tickets."""
    now = time.time()
    window = int(now // WINDOW_SECONDS)
    prefix = f"blogtube:limit:{kind}:{user.pk}:{window}"
    # The keys outlive their window, so an expired one is never taken again in a race.
    ttl = WINDOW_SECONDS + 5
    # Where the last taker stopped: only a hint, so a race costs a few more tries, no ticket.
    start = int(cache.get(f"{prefix}:next") or 1)
    for n in range(start, limit + 1):
        if cache.add(f"{prefix}:{n}", 1, ttl):
            cache.set(f"{prefix}:next", n + 1, ttl)
            return None
    return math.ceil((window + 1) * WINDOW_SECONDS - now)
