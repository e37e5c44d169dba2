"""One pace for requests to YouTube, shared by every worker through the cache.

Why: YouTube answers a burst (a 100-video playlist run by several workers) with
HTTP 429 and then with the bot check. Spacing requests out costs seconds; being
blocked costs hours.

How: a token bucket whose tokens are slots in time. Time is cut into slots of
``60 / YOUTUBE_REQUESTS_PER_MINUTE`` seconds and a request may go once it owns
a slot. Owning one is a single ``cache.add(slot key)``, which succeeds for one
caller only on every backend BlogTube configures: Redis runs ``SET NX``, the
database cache INSERTs under the key's primary key and a racing INSERT fails.
A slot nobody took when its time came is a token saved up: the ``capacity()``
most recent past slots may still be taken, so a lone job makes its few requests
at once, while a steady stream never goes faster than the rate. A caller that
finds no free slot takes the first free one ahead and sleeps until it starts.

``back_off(host, seconds)`` closes the bucket until a time, for everyone:
``acquire`` takes no slot before it, and a caller that slept into a back-off
begun meanwhile gives up its slot and takes one after it.

Limits:
- ``cache.incr`` is not used: on the database cache it is a get and a set, so
  two workers could both read 4 and both write 5.
- Slot numbers come from each machine's clock: machines must keep their clocks
  in step (NTP). A machine d seconds ahead takes slots up to d seconds early.
- A slot taken by a caller that then never sends (cancelled while waiting, or
  sent into a back-off) is lost: the pace errs slower, never faster.
- The database cache's ``add`` over an expired row is an UPDATE that two callers
  could both win; slot keys outlive by far the time anyone looks at them, so no
  expired slot is ever contended.
- ``back_off`` keeps the later of two deadlines by reading then writing: two
  back-offs at the same instant may keep the shorter one.
- A "next free slot" hint saves scanning taken slots; it is only a hint, so a
  race makes a caller skip a free slot (slower), never share one.
- The cost is a few cache calls per request (three queries each on the database
  cache): nothing next to a round trip to YouTube.
- With a per-process cache (LocMemCache, not configured here) the pace would be
  per process, not shared.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Protocol

from django.conf import settings
from django.core.cache import cache

from videos.errors import UPLOAD_INSTEAD, YouTubeBlocked, YouTubeRateLimited

logger = logging.getLogger(__name__)

# The bucket saves up this many seconds' worth of requests: enough for one
# video's handful (watch page, player, captions, metadata) to go at once.
BURST_SECONDS = 10
# How long acquire() waits by default before the job is better off retrying
# later (the error is transient, so the pipeline does just that).
DEFAULT_TIMEOUT = 120.0
# After a 429 without a Retry-After header.
DEFAULT_BACK_OFF = 60.0
# After the bot check or a captcha: an address YouTube blocks stays blocked a while.
BLOCKED_BACK_OFF = 300.0
KEY_PREFIX = "pace"

# Only YouTube's own pages and APIs are paced: they are what triggers the bot
# check. Thumbnails (ytimg.com) and media (googlevideo.com) are not.
_PACED_DOMAINS = ("youtube.com",)


class Clock(Protocol):
    def time(self) -> float: ...

    def sleep(self, seconds: float) -> None: ...


class _RealClock:
    def time(self) -> float:
        return time.time()

    def sleep(self, seconds: float) -> None:
        time.sleep(seconds)


# Wall-clock time, not monotonic: slot numbers must agree across processes.
# Tests swap in a fake clock.
clock: Clock = _RealClock()


class PacingTimeout(YouTubeRateLimited):
    """No slot to YouTube within the wait allowed: better to retry later than to hold a worker."""

    message = "Too many requests to YouTube are waiting their turn on this server."
    suggestions = (
        "The job will retry by itself in a while",
        "Lower the number of jobs at once, or raise YOUTUBE_REQUESTS_PER_MINUTE",
        UPLOAD_INSTEAD,
    )


def bucket_for(host: str | None) -> str | None:
    """The bucket a request to ``host`` is paced by, or None when it is not paced.

    www., m. and music.youtube.com share one bucket: YouTube counts by address.
    """
    host = (host or "").lower().rstrip(".")
    for domain in _PACED_DOMAINS:
        if host == domain or host.endswith("." + domain):
            return domain
    return None


def requests_per_minute() -> int:
    return int(settings.YOUTUBE_REQUESTS_PER_MINUTE)


def capacity(per_minute: int) -> int:
    return max(1, int(per_minute * BURST_SECONDS / 60))


def _keys(host: str) -> tuple[str, str]:
    return f"{KEY_PREFIX}:{host}:closed", f"{KEY_PREFIX}:{host}:next"


def acquire(host: str, *, timeout: float = DEFAULT_TIMEOUT) -> float:
    """Wait until ``host`` may be sent one more request; return the seconds waited.

    Raises PacingTimeout, without waiting, when the first free slot is more
    than ``timeout`` seconds away. YOUTUBE_REQUESTS_PER_MINUTE <= 0 turns
    pacing off.
    """
    per_minute = requests_per_minute()
    if per_minute <= 0:
        return 0.0
    step = 60.0 / per_minute
    saved = capacity(per_minute)
    # Slot keys must outlive every look at them (see "Limits" above).
    ttl = math.ceil((saved + 2) * step + timeout + 60)
    closed_key, hint_key = _keys(host)
    started = clock.time()
    deadline = started + timeout
    while True:
        now = clock.time()
        known = cache.get_many([closed_key, hint_key])
        closed_until = float(known.get(closed_key) or 0.0)
        if closed_until > deadline:
            raise PacingTimeout(
                "YouTube asked this server to slow down: requests to it are paused "
                f"for {math.ceil((closed_until - now) / 60)} more minute(s).",
                detail=f"{host} closed until {closed_until:.0f} (now {now:.0f})",
            )
        lowest = math.floor(now / step) - saved + 1
        if closed_until > now:
            # Slots left untaken during a back-off are no tokens to spend
            # the moment it ends.
            lowest = math.ceil(closed_until / step)
        if (hint := known.get(hint_key)) is not None:
            lowest = max(lowest, int(hint) + 1)
        slot = _claim(host, lowest, deadline=deadline, step=step, ttl=ttl, hint_key=hint_key)
        wait = max(0.0, slot * step - now)
        if wait > 0:
            clock.sleep(wait)
            if float(cache.get(closed_key) or 0.0) > clock.time():
                logger.info("pacing %s: a back-off began while waiting; queueing again", host)
                continue
        waited = clock.time() - started
        if waited >= 1:
            logger.info("pacing %s: waited %.1f s for a slot", host, waited)
        return waited


def _claim(host: str, lowest: int, *, deadline: float, step: float, ttl: int, hint_key: str) -> int:
    slot = lowest
    while slot * step <= deadline:
        if cache.add(f"{KEY_PREFIX}:{host}:{slot}", 1, ttl):
            cache.set(hint_key, slot, ttl)
            return slot
        slot += 1
    raise PacingTimeout(
        detail=f"no free slot for {host} within {deadline - clock.time():.0f} s "
        f"(YOUTUBE_REQUESTS_PER_MINUTE={requests_per_minute()})"
    )


def back_off(host: str, seconds: float) -> None:
    """Hold every worker's requests to ``host`` for ``seconds`` (after a 429 or a block).

    Like acquire(), a no-op when YOUTUBE_REQUESTS_PER_MINUTE <= 0 turns pacing off.
    """
    if seconds <= 0 or requests_per_minute() <= 0:
        return
    closed_key, _ = _keys(host)
    until = clock.time() + seconds
    current = float(cache.get(closed_key) or 0.0)
    if until > current:
        cache.set(closed_key, until, math.ceil(seconds) + 60)
        logger.warning("pacing %s: backing off for %.0f s", host, seconds)


def back_off_after(error: BaseException, host: str = "youtube.com") -> None:
    """Back everyone off after YouTube refused us: a block lasts longer than a 429."""
    if isinstance(error, PacingTimeout):
        return  # our own queue, not YouTube's answer
    if isinstance(error, YouTubeBlocked):
        back_off(host, BLOCKED_BACK_OFF)
    elif isinstance(error, YouTubeRateLimited):
        back_off(host, DEFAULT_BACK_OFF)


def closed_for(host: str) -> float:
    """Seconds until a back-off on ``host`` ends (0 when none)."""
    closed_key, _ = _keys(host)
    return max(0.0, float(cache.get(closed_key) or 0.0) - clock.time())


def retry_after(value: str | None, default: float = DEFAULT_BACK_OFF) -> float:
    """Seconds from a Retry-After header (delta-seconds; a date counts as absent)."""
    try:
        seconds = float(value) if value else default
    except ValueError:
        return default
    # A bogus or hostile header must not park every worker for a day.
    return min(max(seconds, 1.0), 3600.0)
