"""Playlists and channels become batches: a preview, one job per video, progress as one."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jobs import live
from jobs.models import Batch, Job
from tests.caches import clear_cache
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = pytest.mark.django_db

CHANNEL_URL = "https://www.youtube.com/@breadlab"
PLAYLIST_URL = "https://www.youtube.com/playlist?list=PLbread0000000000000000000000000000"
LESSONS = ["Feeding the starter", "Shaping a boule", "Scoring & baking"]
IDS = ["aaaaaaaaaa1", "bbbbbbbbbb2", "cccccccccc3"]


@pytest.fixture(autouse=True)
def empty_cache():
    # The cache is the database cache: a channel read by one test would answer the next.
    clear_cache()


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    # Jobs stay queued: these tests look at batches, not at the pipeline.
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)


@pytest.fixture
def channel(fake_youtube):
    for video_id, title in zip(IDS, LESSONS, strict=True):
        fake_youtube.add(video_id, title=title)
    return fake_youtube.add_channel("@breadlab", title="The Bread Lab", video_ids=IDS)


def preview(client, url: str) -> str:
    response = client.get(reverse("jobs:preview"), {"url": url}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    return response.content.decode()


def create(client, provider, url: str, **extra):
    data = {"url": url, "per_video": "on", "provider": provider.pk, "language": "en", **extra}
    return client.post(reverse("jobs:create"), data)


def test_a_channel_url_previews_its_videos_through_yt_dlp(client, channel, fake_youtube):
    html = preview(client, CHANNEL_URL)
    assert "Channel: The Bread Lab" in html
    assert "3 videos" in html
    assert [t for t in LESSONS if t.replace("&", "&amp;") in html] == LESSONS
    assert "at most 50 videos (BLOGTUBE_BATCH_LIMIT)" in html
    assert "Create one job per video (3 jobs)" in html
    # Not "this is a channel page; paste one video's URL": the channel is the point.
    assert "error-box" not in html
    assert [r.path for r in fake_youtube.requests] == ["/@breadlab/videos"]


def test_the_limit_truncates_and_says_so(client, fake_youtube, offline_provider, settings):
    settings.BLOGTUBE_BATCH_LIMIT = 2
    fake_youtube.add_channel("@breadlab", title="The Bread Lab", video_ids=IDS)

    html = preview(client, CHANNEL_URL)
    assert "2 videos (the newest 2; it has more)" in html
    assert "at most 2 videos (BLOGTUBE_BATCH_LIMIT): the rest are left out" in html

    response = create(client, offline_provider, CHANNEL_URL)
    batch = Batch.objects.get()
    assert batch.truncated and batch.total == 2
    page = client.get(response.url).content.decode()
    assert "has more videos: a batch takes at most its first 2" in page


def test_create_makes_a_batch_with_one_job_per_video_in_order(
    client, user, channel, offline_provider
):
    response = create(client, offline_provider, CHANNEL_URL + "/videos")

    batch = Batch.objects.get()
    assert response.status_code == 302 and response.url == batch.get_absolute_url()
    assert batch.kind == Batch.Kind.CHANNEL
    assert batch.owner == user and {j.owner for j in batch.jobs.all()} == {user}
    assert batch.title == "The Bread Lab"
    assert batch.source_url == CHANNEL_URL
    jobs = list(batch.jobs.order_by("created"))
    assert [j.video.youtube_id for j in jobs] == IDS
    assert [j.source_url for j in jobs] == [f"https://www.youtube.com/watch?v={i}" for i in IDS]
    assert {j.status for j in jobs} == {Job.Status.QUEUED}

    page = client.get(response.url).content.decode()
    assert "3 jobs queued, one per video." in page
    titles = re.findall(r'<a href="/jobs/[^"]+/">([^<]+)</a>', page)
    assert titles == [t.replace("&", "&amp;") for t in LESSONS]


def test_a_video_already_fetched_keeps_its_own_title(client, channel, offline_provider):
    Video.objects.create(youtube_id=IDS[0], title="Feeding the starter (full class)", duration=90)
    create(client, offline_provider, CHANNEL_URL)
    assert Video.objects.get(youtube_id=IDS[0]).title == "Feeding the starter (full class)"
    assert Video.objects.get(youtube_id=IDS[1]).title == LESSONS[1]


def test_a_playlist_becomes_a_batch_too(client, fake_youtube, offline_provider):
    fake_youtube.add_playlist("PLbread0000000000000000000000000000", video_ids=IDS[:2],
                              title="Sourdough Basics")  # fmt: skip
    url = f"https://www.youtube.com/watch?v={IDS[0]}&list=PLbread0000000000000000000000000000"
    create(client, offline_provider, url)
    batch = Batch.objects.get()
    assert batch.kind == Batch.Kind.PLAYLIST and batch.title == "Sourdough Basics"
    assert batch.source_url.endswith("playlist?list=PLbread0000000000000000000000000000")
    assert [j.video.youtube_id for j in batch.jobs.order_by("created")] == IDS[:2]


@pytest.fixture
def batch_in_progress(offline_provider, user):
    batch = Batch.objects.create(
        kind=Batch.Kind.PLAYLIST, title="Sourdough Basics", source_url=PLAYLIST_URL, owner=user
    )
    done, running, waiting = (make_job(batch=batch) for _ in range(3))
    done.claim()
    done.complete()
    running.claim()
    Job.objects.filter(pk=running.pk).update(progress=50)
    return batch, {"done": done, "running": running, "waiting": waiting}


def test_the_batch_page_shows_progress_computed_from_its_jobs(client, batch_in_progress):
    batch, jobs = batch_in_progress
    other = make_job()  # not in the batch: neither listed nor counted

    page = client.get(batch.get_absolute_url()).content.decode()
    assert "<h1>Sourdough Basics</h1>" in page
    # (100 + 50 + 0) / 3 jobs
    assert 'value="50" aria-label="Progress of Sourdough Basics"' in page
    counts = page.split('class="batch-counts')[1].split("</p>")[0]
    text = " ".join(re.sub(r"<[^>]+>", " ", counts).split())
    assert text.endswith("1 queued 1 running 1 completed of 3 jobs")
    assert all(f"job-row-{j.pk}" in page for j in jobs.values())
    assert f"job-row-{other.pk}" not in page
    # Bulk cancel / retry of its jobs, coming back here.
    assert 'action="/jobs/bulk/"' in page
    assert f'name="next" value="{batch.get_absolute_url()}"' in page
    # A batch is a kind of job list: the navigation says where you are.
    assert f'href="{reverse("jobs:batches")}" aria-current="page"' in page


def test_bulk_cancel_from_the_batch_page_comes_back_to_it(client, batch_in_progress):
    batch, jobs = batch_in_progress
    data = {"action": "cancel", "ids": [j.pk for j in jobs.values()],
            "next": batch.get_absolute_url()}  # fmt: skip
    page = client.post(reverse("jobs:bulk"), data, follow=True).content.decode()
    assert "1 job cancelled, 1 running job asked to stop, 1 had already ended." in page
    assert "<h1>Sourdough Basics</h1>" in page


def test_a_finished_batch_says_so(client, offline_provider, user):
    batch = Batch.objects.create(kind=Batch.Kind.CHANNEL, title="The Bread Lab",
                                 source_url=CHANNEL_URL, owner=user)  # fmt: skip
    for _ in range(2):
        job = make_job(batch=batch)
        job.claim()
        job.complete()
    page = client.get(batch.get_absolute_url()).content.decode()
    assert 'value="100"' in page and "all 2 finished" in page
    assert not batch.is_active


def test_the_dashboard_message_carries_the_batch_progress(batch_in_progress, user):
    batch, jobs = batch_in_progress
    after = live.latest_event_id()
    jobs["running"].complete()

    shown = live.Watched(
        jobs=frozenset({str(jobs["running"].pk)}), batches=frozenset({str(batch.pk)})
    )
    update = live.dashboard_changes(after, user, shown)
    assert (
        f'<div id="batch-{batch.pk}" class="batch-summary" data-live-row hx-swap-oob="true">'
        in update.html
    )
    assert 'value="66"' in update.html  # (100 + 100 + 0) / 3, floored
    assert f'id="job-row-{jobs["running"].pk}"' in update.html


def test_a_job_outside_any_batch_sends_no_batch_region(offline_provider, user):
    job = make_job()
    after = live.latest_event_id()
    job.claim()
    shown = live.Watched(jobs=frozenset({str(job.pk)}))
    assert "batch-summary" not in live.dashboard_changes(after, user, shown).html


def test_jobs_list_links_each_job_to_its_batch_and_lists_batches(client, batch_in_progress):
    batch, _ = batch_in_progress
    page = client.get(reverse("jobs:list")).content.decode()
    assert page.count(f'href="{batch.get_absolute_url()}"') >= 4  # 3 row badges + the section
    assert "Playlist: Sourdough Basics" in page
    assert f'id="batch-{batch.pk}"' in page

    listing = client.get(reverse("jobs:batches")).content.decode()
    assert "Sourdough Basics" in listing and 'value="50"' in listing


def test_a_handle_that_does_not_exist_is_a_clear_error_and_creates_nothing(
    client, fake_youtube, offline_provider
):
    url = "https://www.youtube.com/@nobodyhere"
    assert "YouTube has no channel @nobodyhere" in preview(client, url)

    response = create(client, offline_provider, url)
    assert response.status_code == 400
    assert "YouTube has no channel @nobodyhere" in response.content.decode()
    assert not Batch.objects.exists() and not Job.objects.exists()


def test_a_channel_without_the_tick_says_what_to_do(client, channel, offline_provider):
    data = {"url": CHANNEL_URL, "provider": offline_provider.pk, "language": "en"}
    response = client.post(reverse("jobs:create"), data)
    assert response.status_code == 400
    assert "This is a channel. Tick “Create one job per video”" in response.content.decode()
    assert not Job.objects.exists()
