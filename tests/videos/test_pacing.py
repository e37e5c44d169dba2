"""The shared pace of requests to YouTube, on the real (database) cache, with a fake clock."""

from __future__ import annotations

import threading
import uuid

import pytest
from django.db import connection

from videos import http, pacing
from videos.pacing import PacingTimeout

VID = "dQw4w9WgXcQ"
START = 1_800_000_000.0  # a slot boundary at every rate used here


class FakeClock:
    """Each thread lives on its own timeline: its time moves only when it sleeps.

    That is two workers running side by side, taking no time but their
    sleeps, so what a test measures is exactly the waiting the pacer asked for.
    """

    def __init__(self, start: float = START) -> None:
        self.start = start
        self._local = threading.local()

    def time(self) -> float:
        return self.start + getattr(self._local, "slept", 0.0)

    def sleep(self, seconds: float) -> None:
        assert seconds >= 0
        self._local.slept = getattr(self._local, "slept", 0.0) + seconds


@pytest.fixture
def clock(monkeypatch) -> FakeClock:
    fake = FakeClock()
    monkeypatch.setattr(pacing, "clock", fake)
    return fake


@pytest.fixture
def host() -> str:
    # The database cache outlives transactional tests: a fresh bucket each time.
    return f"test-{uuid.uuid4().hex[:12]}.youtube.com"


def _grants(host: str, clock: FakeClock, count: int) -> list[float]:
    """The time, from START, at which each of ``count`` requests was let go."""
    times = []
    for _ in range(count):
        pacing.acquire(host, timeout=600)
        times.append(clock.time() - START)
    return times


@pytest.mark.django_db
def test_requests_beyond_the_burst_wait_their_turn(settings, clock, host):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 30  # one every 2 s, 5 saved up
    assert pacing.capacity(30) == 5
    times = _grants(host, clock, 8)
    # A lone job's first few go at once (tokens saved up while idle)...
    assert times[:5] == [0.0] * 5
    # ...then one every 2 seconds.
    assert times[5:] == [2.0, 4.0, 6.0]


@pytest.mark.django_db
def test_a_minute_never_holds_more_than_the_rate_plus_the_burst(settings, clock, host):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 12
    times = _grants(host, clock, 40)
    for t in times:
        in_a_minute = [u for u in times if t <= u < t + 60]
        assert len(in_a_minute) <= 12 + pacing.capacity(12)
    # And the long-run rate is the setting: 40 requests take (40 - burst) slots.
    assert times[-1] == pytest.approx((40 - pacing.capacity(12)) * 5)


@pytest.mark.django_db
def test_off_when_the_rate_is_zero(settings, clock, host):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 0
    assert _grants(host, clock, 100) == [0.0] * 100


@pytest.mark.django_db
def test_back_off_holds_the_next_request(settings, clock, host):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 60
    assert _grants(host, clock, 1) == [0.0]
    pacing.back_off(host, 45)
    assert pacing.closed_for(host) == 45
    # The saved-up tokens do not go the moment the back-off ends either.
    assert _grants(host, clock, 3) == [45.0, 46.0, 47.0]


@pytest.mark.django_db
def test_a_back_off_begun_while_waiting_moves_the_waiter(settings, clock, host, monkeypatch):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 6  # one every 10 s, burst 1
    _grants(host, clock, 1)
    real_sleep = clock.sleep
    sleeps: list[float] = []

    def sleep_then_429(seconds: float) -> None:
        if not sleeps:
            # Another worker meets a 429 while this one sleeps toward its slot.
            pacing.back_off(host, 100)
        sleeps.append(seconds)
        real_sleep(seconds)

    monkeypatch.setattr(clock, "sleep", sleep_then_429)
    pacing.acquire(host, timeout=600)
    # It woke at its slot (10 s), saw the back-off, and went at its end.
    assert sleeps == [10.0, 90.0]
    assert clock.time() - START == 100


@pytest.mark.django_db
def test_too_long_a_wait_fails_at_once_as_transient(settings, clock, host):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 60
    pacing.back_off(host, 600)
    with pytest.raises(PacingTimeout) as info:
        pacing.acquire(host, timeout=120)
    # Nobody sat through the wait: the job is retried later instead.
    assert clock.time() == START
    assert info.value.code == "YOUTUBE_RATE_LIMITED"
    assert info.value.transient
    assert "paused for 10 more minute(s)" in info.value.message


# serialized_rollback like every transactional test here: a plain flush re-runs post_migrate,
# which re-creates the content types under new ids, and the next serialized test's restore
# of the originals then collides with them.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_workers_share_one_limit(settings, clock, host):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 60  # one a second, 10 saved up
    per_worker = 15
    results: dict[str, list[float]] = {}
    errors: list[BaseException] = []

    def worker(name: str) -> None:
        try:
            results[name] = _grants(host, clock, per_worker)
        except BaseException as exc:  # reported by the main thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(n,)) for n in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors
    together = sorted(results["a"] + results["b"])
    # 30 requests at one a second with 10 saved up: the last goes at 20 s,
    # as if one worker had made them all. Alone, each would have been done at 5 s.
    assert together[-1] == pytest.approx(20.0)
    assert max(results["a"][-1], results["b"][-1]) == pytest.approx(20.0)
    assert together[10:] == pytest.approx([float(s) for s in range(1, 21)])


# -- hooked into both libraries ------------------------------------------------


@pytest.mark.django_db
def test_every_youtube_request_of_both_libraries_is_paced(
    settings, clock, fake_youtube, monkeypatch
):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 60
    fake_youtube.add(VID)
    asked: list[str] = []
    real_acquire = pacing.acquire

    def counting_acquire(host: str, **kwargs) -> float:
        asked.append(host)
        return real_acquire(host, **kwargs)

    monkeypatch.setattr(pacing, "acquire", counting_acquire)
    from videos import youtube

    youtube.list_tracks(VID)  # youtube-transcript-api: watch page, player
    youtube.fetch_video_info(VID)  # yt-dlp: watch page
    assert fake_youtube.count() == len(asked) == 3
    assert set(asked) == {"youtube.com"}


@pytest.mark.django_db
def test_a_429_backs_off_every_worker(settings, clock, fake_youtube):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 60
    fake_youtube.add(VID, scenario="too_many_requests")
    from videos import youtube

    with pytest.raises(Exception):  # noqa: B017 - which error is test_youtube_errors' business
        youtube.list_tracks(VID)
    assert pacing.closed_for("youtube.com") == pytest.approx(pacing.DEFAULT_BACK_OFF)


@pytest.mark.django_db
def test_a_429_seen_by_ytdlp_backs_off_too(settings, clock, fake_youtube):
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 60
    fake_youtube.add(VID, scenario="too_many_requests")
    ydl = http.youtube_dl()
    with pytest.raises(Exception):  # noqa: B017 - yt-dlp's own HTTPError
        ydl.urlopen(f"https://www.youtube.com/watch?v={VID}")
    assert pacing.closed_for("youtube.com") == pytest.approx(pacing.DEFAULT_BACK_OFF)


def test_only_youtube_itself_is_paced():
    assert pacing.bucket_for("www.youtube.com") == "youtube.com"
    assert pacing.bucket_for("m.youtube.com") == "youtube.com"
    assert pacing.bucket_for("youtube.com") == "youtube.com"
    # Thumbnails and media do not trigger the bot check.
    assert pacing.bucket_for("i.ytimg.com") is None
    assert pacing.bucket_for("rr1---sn-abc.googlevideo.com") is None
    assert pacing.bucket_for("notyoutube.com") is None


def test_retry_after():
    assert pacing.retry_after("120") == 120
    assert pacing.retry_after(None) == pacing.DEFAULT_BACK_OFF
    assert pacing.retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == pacing.DEFAULT_BACK_OFF
    assert pacing.retry_after("999999") == 3600
