"""What YouTube told us is reused for YOUTUBE_CACHE_SECONDS, then asked again.

Requests are counted at the fake YouTube's HTTP boundary; time moves with
time-machine, so the database cache's own expiry runs as it would.
"""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.urls import reverse

from jobs.models import Job
from tests.caches import expire_on_redis
from videos import services
from videos.models import Video

VID = "dQw4w9WgXcQ"
T0 = datetime.datetime(2026, 5, 1, 12, 0, tzinfo=datetime.UTC)
LIFETIME = 3600

pytestmark = pytest.mark.django_db


@pytest.fixture
def video(fake_youtube, settings):
    settings.YOUTUBE_CACHE_SECONDS = LIFETIME
    return fake_youtube.add(VID, title="Sourdough, start to finish")


@pytest.fixture
def clock():
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


def test_video_info_is_reused_within_its_lifetime(video, fake_youtube, clock):
    assert services.get_video(VID).title == "Sourdough, start to finish"
    assert fake_youtube.count() == 1
    video.title = "Sourdough, the sequel"
    clock.shift(LIFETIME - 1)
    assert services.get_video(VID).title == "Sourdough, start to finish"
    assert fake_youtube.count() == 1


def test_video_info_is_asked_again_after_its_lifetime(video, fake_youtube, clock):
    services.get_video(VID)
    video.title = "Sourdough, the sequel"
    clock.shift(LIFETIME + 1)
    fresh = services.get_video(VID)
    assert fake_youtube.count() == 2
    assert fresh.title == "Sourdough, the sequel"
    assert Video.objects.get(youtube_id=VID).fetched_at == T0 + datetime.timedelta(
        seconds=LIFETIME + 1
    )


def test_refresh_asks_at_once(video, fake_youtube, clock):
    services.get_video(VID)
    services.get_video(VID, refresh=True)
    assert fake_youtube.count() == 2


def test_track_list_is_reused_within_its_lifetime(video, fake_youtube, clock):
    first = services.list_tracks(VID)
    requests = fake_youtube.count()
    assert requests > 0
    clock.shift(LIFETIME - 1)
    assert services.list_tracks(VID) == first
    assert fake_youtube.count() == requests


def test_track_list_is_asked_again_after_its_lifetime(video, fake_youtube, clock):
    services.list_tracks(VID)
    requests = fake_youtube.count()
    clock.shift(LIFETIME + 1)
    expire_on_redis(f"tracks:{VID}", LIFETIME)
    services.list_tracks(VID)
    assert fake_youtube.count() > requests


def test_stored_transcript_is_reused(video, fake_youtube, clock):
    stored = services.get_video(VID)
    transcript, was_stored = services.get_transcript(stored, ["en"])
    assert not was_stored
    requests = fake_youtube.count()
    clock.shift(LIFETIME - 1)
    again, was_stored = services.get_transcript(stored, ["en"])
    assert was_stored
    assert again.pk == transcript.pk
    assert fake_youtube.count() == requests


def test_stored_transcript_is_asked_again_after_its_lifetime(video, fake_youtube, clock):
    stored = services.get_video(VID)
    services.get_transcript(stored, ["en"])
    clock.shift(LIFETIME + 1)
    stored = services.get_video(VID)
    requests = fake_youtube.count()
    _, was_stored = services.get_transcript(stored, ["en"])
    assert not was_stored
    assert fake_youtube.count() > requests


def test_stale_transcript_is_used_when_youtube_refuses_to_refresh_it(video, fake_youtube, clock):
    stored = services.get_video(VID)
    first, _ = services.get_transcript(stored, ["en"])
    clock.shift(LIFETIME + 1)
    video.scenario = "too_many_requests"
    events = []
    again, was_stored = services.get_transcript(
        stored, ["en"], on_event=lambda message, level, **data: events.append((level, message))
    )
    assert was_stored
    assert again.pk == first.pk
    assert any(
        level == "warning" and "Could not refresh the stored transcript" in message
        for level, message in events
    )


@pytest.mark.usefixtures("sync_tasks")
def test_a_second_job_on_the_same_video_asks_youtube_nothing(
    client, video, fake_youtube, offline_provider, django_capture_on_commit_callbacks
):
    data = {
        "url": f"https://www.youtube.com/watch?v={VID}",
        "language": "en",
        "provider": offline_provider.pk,
        "model": "",
        "style": "article",
        "length": "medium",
        "output_format": "markdown",
    }

    def run_job() -> Job:
        # The job runs once the request's transaction commits, as a worker would pick it up.
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("jobs:create"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        job = Job.objects.order_by("-created").first()
        assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
        return job

    first = run_job()
    assert fake_youtube.count() > 0
    fake_youtube.reset_requests()
    second = run_job()
    assert second.pk != first.pk
    # Only its post's pictures, from the picture host (not paced, not rate limited).
    assert {r.host for r in fake_youtube.requests} <= {"i.ytimg.com"}
    assert fake_youtube.count(host="i.ytimg.com") >= 1
