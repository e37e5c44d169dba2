"""Videos, transcripts, providers, stats and batches through the API, as their pages show them."""

from __future__ import annotations

import pytest

from blogtube_site.errors import BlogTubeError
from jobs.models import Batch, Job
from providers.models import Provider, ProviderHealth
from tests.jobs.factories import make_job
from videos.models import Transcript, Video

pytestmark = pytest.mark.django_db

VIDEO_ID = "dQw4w9WgXcQ"
PLAYLIST = "PLbread0000000000000000000000000000"


@pytest.fixture
def video(fake_youtube):
    return fake_youtube.add(
        VIDEO_ID, title="Compost at home", duration=300, chapters=[(0, "Intro"), (60, "Greens")],
        transcript=[(0.0, 2.0, "Compost turns scraps into soil."), (2.0, 3.0, "Keep it damp.")],
    )  # fmt: skip


def test_inspect_tells_a_videos_details_chapters_and_languages(api, video):
    response = api.get("/api/v1/videos/inspect", {"url": f"https://youtu.be/{VIDEO_ID}"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["title"] == "Compost at home" and body["duration"] == 300
    assert [c["title"] for c in body["chapters"]] == ["Intro", "Greens"]
    assert "en" in [t["language_code"] for t in body["transcript_languages"]]


def test_inspect_refuses_what_is_no_video_and_a_gone_video(api, fake_youtube):
    bad = api.get("/api/v1/videos/inspect", {"url": "https://example.com/"})
    assert bad.status_code == 422 and bad.json()["error"] == "INVALID_URL"
    fake_youtube.add("aaaaaaaaaa1", scenario="unavailable")
    gone = api.get("/api/v1/videos/inspect", {"url": "https://youtu.be/aaaaaaaaaa1"})
    assert gone.status_code == 404 and gone.json()["error"] == "VIDEO_UNAVAILABLE"
    assert gone.json()["suggestions"]
    missing = api.get("/api/v1/videos/inspect")
    assert missing.status_code == 422 and list(missing.json()["detail"]["fields"]) == ["url"]


def test_inspect_counts_as_a_preview_against_the_limit(api, video, settings):
    settings.BLOGTUBE_PREVIEWS_PER_MINUTE = 1
    url = {"url": f"https://youtu.be/{VIDEO_ID}"}
    assert api.get("/api/v1/videos/inspect", url).status_code == 200
    over = api.get("/api/v1/videos/inspect", url)
    assert over.status_code == 429 and int(over["Retry-After"]) >= 1
    assert over.json()["detail"]["retry_after"] == int(over["Retry-After"])


def test_a_transient_upstream_failure_is_503(api, monkeypatch):
    class Busy(BlogTubeError):
        code, transient = "YOUTUBE_RATE_LIMITED", True

    def busy(video_id, **kwargs):
        raise Busy("YouTube asks us to slow down.")

    monkeypatch.setattr("jobs.api.inspect.videos.get_video", busy)
    response = api.get("/api/v1/videos/inspect", {"url": f"https://youtu.be/{VIDEO_ID}"})
    assert response.status_code == 503
    assert response.json()["error"] == "YOUTUBE_RATE_LIMITED"
    assert response.json()["detail"]["transient"] is True


def test_videos_list_and_detail_and_transcripts_in_every_format(api):
    video = Video.objects.create(youtube_id=VIDEO_ID, url="https://youtu.be/x", title="Compost")
    older = Video.objects.create(youtube_id="aaaaaaaaaa1", url="https://youtu.be/y", title="Bread")
    transcript = Transcript.objects.create(
        video=video,
        language_code="en",
        source=Transcript.Source.YOUTUBE,
        text="Dig. Water.",
        segments=[
            {"start": 0, "duration": 2, "text": "Dig."},
            {"start": 2, "duration": 2, "text": "Water."},
        ],
    )
    first = api.get("/api/v1/videos", {"limit": 1}).json()
    assert [v["video_id"] for v in first["items"]] == ["aaaaaaaaaa1"]
    second = api.get("/api/v1/videos", {"limit": 1, "cursor": first["next_cursor"]}).json()
    assert [v["video_id"] for v in second["items"]] == [VIDEO_ID] and not second["next_cursor"]
    assert older.pk > video.pk
    assert api.get("/api/v1/videos", {"q": "comp"}).json()["items"][0]["title"] == "Compost"

    detail = api.get(f"/api/v1/videos/{VIDEO_ID}").json()
    assert [t["id"] for t in detail["transcripts"]] == [transcript.pk]
    assert api.get("/api/v1/videos/nosuchvideo").status_code == 404

    as_json = api.get(f"/api/v1/videos/transcripts/{transcript.pk}").json()
    assert [s["text"] for s in as_json["segments"]] == ["Dig.", "Water."]
    srt = api.get(f"/api/v1/videos/transcripts/{transcript.pk}/srt")
    assert "00:00:02,000 --> " in srt.content.decode() and srt["Content-Type"].startswith(
        "application/x-subrip"
    )
    assert api.get(f"/api/v1/videos/transcripts/{transcript.pk}/vtt").content.startswith(b"WEBVTT")
    assert "Water." in api.get(f"/api/v1/videos/transcripts/{transcript.pk}/txt").content.decode()
    assert api.get(f"/api/v1/videos/transcripts/{transcript.pk}/doc").status_code == 422


def test_someone_elses_uploaded_transcript_is_404(api, bob):
    upload = Transcript.objects.create(
        language_code="en", source=Transcript.Source.UPLOAD, file_name="bob.txt", text="Hi."
    )
    make_job(owner=bob, transcript=upload)
    assert api.get(f"/api/v1/videos/transcripts/{upload.pk}").status_code == 404
    assert api.get(f"/api/v1/videos/transcripts/{upload.pk}/txt").status_code == 404


def test_providers_with_health_and_models_and_no_key(api):
    offline = Provider.objects.get(slug="offline")
    openai = Provider.objects.get(slug="openai")
    openai.set_api_key("sk-secret-1234567890")
    openai.save()
    ProviderHealth.objects.create(provider=openai, ok=True, latency_ms=80, model_ids=["gpt-4o"])
    response = api.get("/api/v1/providers")
    assert "sk-secret" not in response.content.decode() and "7890" not in response.content.decode()
    listed = {p["slug"]: p for p in response.json()}
    assert listed["offline"]["default"] and listed["offline"]["configured"]
    assert listed["openai"]["models"] == ["gpt-4o"] and listed["openai"]["health"]["ok"]
    assert offline.slug in listed


def test_only_staff_test_a_provider(api, staff_api):
    refused = api.post("/api/v1/providers/offline/test")
    assert refused.status_code == 403 and refused.json()["error"] == "FORBIDDEN"
    tested = staff_api.post("/api/v1/providers/offline/test")
    assert tested.status_code == 200 and "ok" in tested.json()
    assert staff_api.post("/api/v1/providers/nothing/test").status_code == 404


def test_stats_count_ones_own_jobs(api, bob):
    mine = make_job()
    mine.claim()
    mine.complete()
    make_job(owner=bob)
    body = api.get("/api/v1/stats", {"days": 7}).json()
    assert body["days"] == 7 and body["total"] == 1 and body["completed"] == 1
    assert body["by_status"] == {"completed": 1}
    assert len(body["per_day"]) == 7
    assert api.get("/api/v1/stats", {"days": 8}).status_code == 422


def test_a_playlist_becomes_a_batch(api, fake_youtube, user):
    fake_youtube.add_playlist(PLAYLIST, video_ids=["aaaaaaaaaa1", "bbbbbbbbbb2"])
    url = f"https://www.youtube.com/playlist?list={PLAYLIST}"
    response = api.post(
        "/api/v1/batches", {"url": url, "style": "summary"}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    batch = Batch.objects.get(pk=body["id"])
    assert batch.owner == user and body["total"] == 2 and len(body["job_ids"]) == 2
    assert {j.options["style"] for j in Job.objects.filter(batch=batch)} == {"summary"}
    assert api.get(f"/api/v1/batches/{batch.pk}").json()["counts"] == {"queued": 2}
    one_video = api.post(
        "/api/v1/batches", {"url": f"https://youtu.be/{VIDEO_ID}"}, content_type="application/json"
    )
    assert one_video.status_code == 422 and list(one_video.json()["detail"]["fields"]) == ["url"]
    no_url = api.post("/api/v1/batches", {}, content_type="application/json")
    assert no_url.status_code == 422 and list(no_url.json()["detail"]["fields"]) == ["url"]


def test_someone_elses_batch_is_404(api, bob):
    theirs = Batch.objects.create(owner=bob, kind=Batch.Kind.PLAYLIST, source_url="x")
    assert api.get(f"/api/v1/batches/{theirs.pk}").status_code == 404


def test_a_batch_over_the_limit_is_429(api, fake_youtube, settings):
    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 1
    fake_youtube.add_playlist(PLAYLIST, video_ids=["aaaaaaaaaa1", "bbbbbbbbbb2"])
    url = f"https://www.youtube.com/playlist?list={PLAYLIST}"
    response = api.post("/api/v1/batches", {"url": url}, content_type="application/json")
    assert response.status_code == 429 and response["Retry-After"]
    assert not Batch.objects.exists()
