"""Deleting a video removes everything it owns: its transcripts, its cached track list, the
jobs made from it with their posts, uploads and files. For good in admin and the API; to
Recently deleted on its page, restorable until the clean-up purges it. Never while a job on
it is queued or running; an ordinary person only when every job on it is theirs."""

from __future__ import annotations

import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import pytest
import time_machine
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blogtube_site.models import ApiToken
from jobs import retention, services
from jobs.models import Job, JobEvent, Post
from tests.accounts import make_user, signed_in_user
from tests.fakes.transcripts import COMPOST_SRT
from tests.jobs.conftest import VIDEO_ID, VIDEO_URL
from tests.jobs.factories import make_job
from videos import services as videos
from videos.models import Transcript, Video

pytestmark = pytest.mark.django_db

TRACKS_KEY = f"tracks:{VIDEO_ID}"


def files_under(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def script_of(user) -> Client:
    _, token = ApiToken.issue(user, "tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def video_with_posts(youtube_video, run_new_job, offline_provider, media_root) -> Video:
    """Alice's two completed jobs on one video: one from its captions, one from her own file
    with its URL. On disk: both posts' files and the upload; cached: the track list."""
    from_captions = run_new_job(services.JobRequest(provider=offline_provider, url=VIDEO_URL))
    upload = SimpleUploadedFile("compost.srt", COMPOST_SRT.encode())
    from_file = run_new_job(
        services.JobRequest(provider=offline_provider, url=VIDEO_URL, transcript_file=upload)
    )
    for job in (from_captions, from_file):
        assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
    videos.list_tracks(VIDEO_ID)
    assert cache.get(TRACKS_KEY) is not None
    media = files_under(Path(media_root))
    assert sum(name.startswith("posts/") for name in media) >= 4
    assert any(name.startswith("uploads/") for name in media)
    video = Video.objects.get(youtube_id=VIDEO_ID)
    assert video.transcripts.filter(source="upload").exists()
    assert video.transcripts.exclude(source="upload").exists()
    return video


def nothing_left(media_root) -> None:
    assert not Video.objects.filter(youtube_id=VIDEO_ID).exists()
    assert not Transcript.objects.exists()
    assert not Job.objects.exists() and not Post.objects.exists()
    assert not JobEvent.objects.exists()
    assert files_under(Path(media_root)) == []
    assert cache.get(TRACKS_KEY) is None


# --- the API: for good -----------------------------------------------------------------


def test_the_api_deletes_a_video_with_everything_it_owns(
    video_with_posts, user, media_root, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = script_of(user).delete(f"/api/v1/videos/{VIDEO_ID}")
    assert response.status_code == 204
    nothing_left(media_root)
    assert script_of(user).get(f"/api/v1/videos/{VIDEO_ID}").status_code == 404


def test_a_video_with_a_queued_or_running_job_is_kept_with_a_409(video_with_posts, user):
    script = script_of(user)
    queued = make_job(video=video_with_posts)
    response = script.delete(f"/api/v1/videos/{VIDEO_ID}")
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "VIDEO_BUSY"
    assert "queued or running" in body["message"]
    assert body["suggestions"] == [
        "Wait for the job to finish, or cancel it, then delete the video again."
    ]
    assert body["request_id"] == response["X-Request-ID"]
    assert Job.objects.count() == 3 and video_with_posts.transcripts.count() == 2

    queued.claim()  # running now
    assert script.delete(f"/api/v1/videos/{VIDEO_ID}").status_code == 409
    queued.complete()
    assert script.delete(f"/api/v1/videos/{VIDEO_ID}").status_code == 204


def test_a_job_made_from_the_url_counts_before_it_names_its_video(
    video_with_posts, user, media_root, django_capture_on_commit_callbacks
):
    # A new job learns its video only when it starts: till then its URL says which it is.
    unnamed = make_job(video=None, source_url=f"https://youtu.be/{VIDEO_ID}")
    script = script_of(user)
    assert script.delete(f"/api/v1/videos/{VIDEO_ID}").status_code == 409
    assert Video.objects.filter(youtube_id=VIDEO_ID).exists()
    unnamed.request_cancel()  # cancelled before it ever ran: it goes with the video
    with django_capture_on_commit_callbacks(execute=True):
        assert script.delete(f"/api/v1/videos/{VIDEO_ID}").status_code == 204
    nothing_left(media_root)


def test_other_peoples_jobs_keep_the_video_from_a_person_not_from_staff(
    video_with_posts, user, media_root, django_capture_on_commit_callbacks
):
    bob = make_user("bob")
    bobs = make_job(owner=bob, video=video_with_posts, status=Job.Status.COMPLETED)
    refused = script_of(user).delete(f"/api/v1/videos/{VIDEO_ID}")
    assert refused.status_code == 403
    assert refused.json()["error"] == "VIDEO_IN_USE"
    assert "Ask a staff member to delete the video." in refused.json()["suggestions"]
    assert script_of(bob).delete(f"/api/v1/videos/{VIDEO_ID}").status_code == 403
    assert Job.objects.count() == 3  # Alice's two and Bob's, all there

    with django_capture_on_commit_callbacks(execute=True):
        done = script_of(make_user("boss", staff=True)).delete(f"/api/v1/videos/{VIDEO_ID}")
    assert done.status_code == 204
    assert not Job.objects.filter(pk=bobs.pk).exists()
    nothing_left(media_root)


def test_jobs_made_before_accounts_are_staffs_to_delete(video_with_posts, user):
    make_job(owner=None, video=video_with_posts, status=Job.Status.FAILED)
    assert script_of(user).delete(f"/api/v1/videos/{VIDEO_ID}").status_code == 403


def test_the_api_says_404_for_an_unknown_video(user):
    response = script_of(user).delete("/api/v1/videos/nosuchvideo")
    assert response.status_code == 404 and response.json()["error"] == "NOT_FOUND"


def test_the_delete_is_in_the_openapi_document(user):
    document = script_of(user).get("/api/v1/openapi.json").json()
    operation = document["paths"]["/api/v1/videos/{video_id}"]["delete"]
    assert {"204", "403", "404", "409"} <= set(operation["responses"])
    assert "get" in document["paths"]["/api/v1/videos/{video_id}"]


# --- admin: for good -------------------------------------------------------------------


def test_admin_deletes_a_video_with_its_jobs_and_files(
    video_with_posts, staff_client, media_root, django_capture_on_commit_callbacks
):
    url = reverse("admin:videos_video_delete", args=[video_with_posts.pk])
    confirm = staff_client.get(url).content.decode()
    assert "2 jobs made from it, with posts and files" in confirm
    with django_capture_on_commit_callbacks(execute=True):
        staff_client.post(url, {"post": "yes"})
    nothing_left(media_root)


def test_admin_keeps_a_busy_video_and_says_why(video_with_posts, staff_client):
    make_job(video=video_with_posts)
    url = reverse("admin:videos_video_delete", args=[video_with_posts.pk])
    page = staff_client.post(url, {"post": "yes"}, follow=True).content.decode()
    assert "queued or running" in page
    assert Video.objects.filter(pk=video_with_posts.pk).exists()
    assert Job.objects.count() == 3


# --- the dashboard: to Recently deleted ------------------------------------------------


def test_the_video_page_moves_it_to_the_bin_and_recently_deleted_restores_it(
    video_with_posts, client, media_root
):
    files = files_under(Path(media_root))
    page = client.get(reverse("videos:detail", args=[VIDEO_ID])).content.decode()
    delete = reverse("jobs:video-delete", args=[VIDEO_ID])
    assert f'action="{delete}"' in page

    moved = client.post(delete, follow=True)
    assert "Video moved to Recently deleted with 2 jobs" in moved.content.decode()
    assert client.get(reverse("videos:detail", args=[VIDEO_ID])).status_code == 404
    assert VIDEO_ID not in client.get(reverse("videos:list")).content.decode()
    assert not Job.objects.visible_to(signed_in_user()).exists()  # its jobs are hidden too
    transcript = Transcript.objects.exclude(source="upload").get()
    assert client.get(reverse("videos:transcript", args=[transcript.pk, "txt"])).status_code == 404
    assert files_under(Path(media_root)) == files  # nothing lost: restorable

    binned = client.get(reverse("jobs:deleted")).content.decode()
    assert 'data-testid="deleted-videos"' in binned
    restore = reverse("jobs:video-restore", args=[VIDEO_ID])
    back = client.post(restore, follow=True)
    assert "Video restored with 2 jobs" in back.content.decode()
    assert client.get(reverse("videos:detail", args=[VIDEO_ID])).status_code == 200
    assert Job.objects.visible_to(signed_in_user()).count() == 2


def test_a_job_deleted_before_its_video_stays_in_the_bin_when_the_video_comes_back(
    video_with_posts, client
):
    earlier = Job.objects.order_by("created").first()
    with time_machine.travel(timezone.now() - timedelta(minutes=5)):
        assert earlier.move_to_bin()
    client.post(reverse("jobs:video-delete", args=[VIDEO_ID]))
    client.post(reverse("jobs:video-restore", args=[VIDEO_ID]))
    assert list(Job.objects.visible_to(signed_in_user(), deleted=True)) == [earlier]


def test_the_page_refuses_a_busy_video_or_one_others_use(video_with_posts, client):
    delete = reverse("jobs:video-delete", args=[VIDEO_ID])
    queued = make_job(video=video_with_posts)
    busy = client.post(delete, follow=True).content.decode()
    assert "queued or running" in busy and "cancel it" in busy
    queued.request_cancel()
    bobs = make_job(owner=make_user("bob"), video=video_with_posts, status=Job.Status.COMPLETED)
    other = client.post(delete, follow=True).content.decode()
    assert "Other people&#x27;s jobs use this video" in other
    assert Video.objects.listed().filter(pk=video_with_posts.pk).exists()
    assert not Job.objects.filter(deleted_at__isnull=False).exists()
    assert Job.objects.get(pk=bobs.pk).deleted_at is None


def test_someone_else_cannot_restore_a_video_they_did_not_delete(video_with_posts, client):
    client.post(reverse("jobs:video-delete", args=[VIDEO_ID]))
    bob = Client()
    bob.force_login(make_user("bob"))
    assert VIDEO_ID not in bob.get(reverse("jobs:deleted")).content.decode()
    assert bob.post(reverse("jobs:video-restore", args=[VIDEO_ID])).status_code == 404
    assert Video.objects.get(pk=video_with_posts.pk).deleted_at is not None


def test_asking_for_a_binned_video_again_brings_it_back(video_with_posts, client):
    client.post(reverse("jobs:video-delete", args=[VIDEO_ID]))
    videos.get_video(VIDEO_ID)  # a preview, or a new job's first step
    assert client.get(reverse("videos:detail", args=[VIDEO_ID])).status_code == 200
    # Its jobs stay where their owner put them.
    assert Job.objects.visible_to(signed_in_user(), deleted=True).count() == 2


def test_restoring_one_job_brings_its_video_back(video_with_posts, client):
    client.post(reverse("jobs:video-delete", args=[VIDEO_ID]))
    job = Job.objects.first()
    client.post(reverse("jobs:restore", args=[job.pk]))
    assert client.get(reverse("videos:detail", args=[VIDEO_ID])).status_code == 200


# --- the clean-up ----------------------------------------------------------------------


@pytest.fixture
def clean_up(django_capture_on_commit_callbacks):
    def run() -> retention.Report:
        with django_capture_on_commit_callbacks(execute=True):
            return retention.clean_up()

    return run


def test_the_clean_up_purges_a_binned_video_after_the_restore_days(
    video_with_posts, user, settings, media_root, clean_up
):
    settings.BLOGTUBE_RESTORE_DAYS = 7
    with time_machine.travel(timezone.now() - timedelta(days=6)):
        services.move_video_to_bin(video_with_posts, by=user)
    assert clean_up().purged_videos == 0
    assert Video.objects.filter(pk=video_with_posts.pk).exists()

    with time_machine.travel(timezone.now() + timedelta(days=2)):
        report = clean_up()
    assert report.purged_videos == 1
    nothing_left(media_root)


def test_the_clean_up_gives_back_a_video_whose_job_was_restored(
    video_with_posts, user, settings, clean_up
):
    settings.BLOGTUBE_RESTORE_DAYS = 7
    with time_machine.travel(timezone.now() - timedelta(days=8)):
        services.move_video_to_bin(video_with_posts, by=user)
    Job.objects.filter(pk=Job.objects.first().pk).update(deleted_at=None)
    assert clean_up().purged_videos == 0
    assert Video.objects.listed().filter(pk=video_with_posts.pk).exists()
    assert Job.objects.filter(deleted_at__isnull=True).count() == 1


def test_the_clean_up_removes_audio_a_killed_worker_left(settings, clean_up):
    settings.BLOGTUBE_JOB_TIMEOUT = 60
    left = Path(tempfile.mkdtemp(prefix="blogtube-audio-"))
    (left / "audio.m4a").write_bytes(b"\0" * 1024)
    running = Path(tempfile.mkdtemp(prefix="blogtube-audio-"))
    hours_ago = time.time() - 3 * 3600
    os.utime(left, (hours_ago, hours_ago))
    try:
        assert clean_up().removed_audio == 1
        assert not left.exists()
        assert running.exists()  # a run may still be reading it
    finally:
        for folder in (left, running):
            if folder.exists():
                for path in folder.iterdir():
                    path.unlink()
                folder.rmdir()
