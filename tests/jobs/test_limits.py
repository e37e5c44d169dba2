"""One account cannot swamp the server or spend the owner's credit: per-person limits."""

from __future__ import annotations

import datetime
import json
import re

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.urls import reverse

from blogtube_site.errors import BlogTubeError
from jobs.models import Batch, Job, Limits
from providers.models import Provider
from tests.accounts import make_user, signed_in_user
from tests.caches import clear_cache
from tests.jobs.conftest import VIDEO_URL
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

# 18 s into a minute: the minute's counts start again 42 s later.
NOW = datetime.datetime(2026, 11, 30, 6, 0, 18, tzinfo=datetime.UTC)
NEXT_MINUTE = NOW + datetime.timedelta(seconds=42)
CHANNEL_URL = "https://www.youtube.com/@breadlab"


@pytest.fixture(autouse=True)
def clock():
    with time_machine.travel(NOW, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def no_worker(monkeypatch):
    # Jobs stay queued, so they count as active until a test finishes or cancels them.
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)


@pytest.fixture(autouse=True)
def empty_cache():
    clear_cache()


def create(client, **fields):
    data = {
        "url": VIDEO_URL,
        "language": "en",
        "provider": Provider.objects.get(slug="offline").pk,
        "style": "article",
        "tone": "neutral",
        "length": "medium",
        "output_format": "markdown",
        **fields,
    }
    return client.post(reverse("jobs:create"), data)


def preview(client, url=VIDEO_URL):
    return client.get(reverse("jobs:preview"), {"url": url}, HTTP_HX_REQUEST="true")


def refused(response, message: str, retry_after: int) -> str:
    assert response.status_code == 429
    assert response["Retry-After"] == str(retry_after)
    html = response.content.decode()
    assert message in html
    return html


# --- jobs a minute ---------------------------------------------------------------------


def test_jobs_over_the_minutes_limit_are_refused_until_the_next_minute(client, settings, clock):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 2
    assert create(client).status_code == 302
    assert create(client).status_code == 302

    response = create(client)
    html = refused(response, "You can create 2 jobs a minute; try again in 42 s.", 42)
    assert "Turn a YouTube video into a blog post" in html  # the New post page, not a bare error
    assert Job.objects.count() == 2

    clock.move_to(NEXT_MINUTE)
    assert create(client).status_code == 302
    assert Job.objects.count() == 3


def test_the_refused_form_keeps_what_was_typed(client, settings):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    create(client)
    response = create(
        client,
        url="https://youtu.be/aaaaaaaaaa1",
        style="custom",
        custom_prompt="Write it as a recipe for {title}",
        tone="humorous",
        language="de",
    )
    html = refused(response, "You can create 1 job a minute", 42)
    assert 'value="https://youtu.be/aaaaaaaaaa1"' in html
    assert "Write it as a recipe for {title}</textarea>" in html
    assert '<option value="humorous" selected>' in html
    assert 'name="language" id="id_language" value="de"' in html


def test_another_person_is_not_affected(client, settings):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    create(client)
    assert create(client).status_code == 429

    client.force_login(make_user("bob"))
    assert create(client).status_code == 302
    assert Job.objects.filter(owner__username="bob").count() == 1


def test_staff_are_limited_too(staff_client, settings):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    create(staff_client)
    refused(create(staff_client), "You can create 1 job a minute", 42)


def test_a_retry_counts_as_a_job(client, settings):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    failed = make_job()
    failed.claim()
    failed.fail(BlogTubeError("boom"))
    create(client)

    response = client.post(reverse("jobs:retry", args=[failed.pk]))
    html = refused(response, "You can create 1 job a minute; try again in 42 s.", 42)
    assert failed.title in html  # the job's own page
    failed.refresh_from_db()
    assert failed.status == Job.Status.FAILED


def test_retrying_many_at_once_stops_at_the_limit_and_says_how_far_it_got(client, settings):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    jobs = [make_job(), make_job()]
    for job in jobs:
        job.claim()
        job.fail(BlogTubeError("boom"))

    response = client.post(
        reverse("jobs:bulk"),
        {"action": "retry", "ids": [str(job.pk) for job in jobs], "next": reverse("jobs:list")},
    )
    html = refused(
        response, "1 job queued again, then: You can create 1 job a minute; try again in 42 s.", 42
    )
    assert f'href="{reverse("jobs:list")}"' in html
    statuses = sorted(Job.objects.values_list("status", flat=True))
    assert statuses == [Job.Status.FAILED, Job.Status.QUEUED]


# --- previews a minute -----------------------------------------------------------------


def test_previews_over_the_minutes_limit_say_so_in_place(client, settings, clock, youtube_video):
    settings.BLOGTUBE_PREVIEWS_PER_MINUTE = 1
    assert youtube_video.title in preview(client).content.decode()

    response = preview(client)
    html = refused(response, "You can preview 1 video a minute; try again in 42 s.", 42)
    assert "<!doctype" not in html  # the fragment the form swaps in
    assert 'id="video-preview"' in html
    assert youtube_video.title not in html

    clock.move_to(NEXT_MINUTE)
    assert youtube_video.title in preview(client).content.decode()


def test_a_refused_preview_asks_youtube_nothing(client, settings, fake_youtube, youtube_video):
    settings.BLOGTUBE_PREVIEWS_PER_MINUTE = 1
    preview(client)
    asked = len(fake_youtube.requests)
    assert preview(client).status_code == 429
    assert len(fake_youtube.requests) == asked


def test_pages_swap_in_a_429_answer(client):
    # htmx leaves 4xx answers out by default: the limit's fragment would never show. It reads
    # this JSON and takes the first rule whose code (a regular expression) matches.
    html = client.get(reverse("jobs:home")).content.decode()
    config = json.loads(re.search(r"<meta name=\"htmx-config\" content='([^']+)'>", html)[1])
    rule = next(r for r in config["responseHandling"] if re.fullmatch(r["code"], "429"))
    assert rule["swap"] is True and not rule.get("error")
    rule = next(r for r in config["responseHandling"] if re.fullmatch(r["code"], "400"))
    assert rule["swap"] is False  # other errors as before


# --- jobs queued or running at once ------------------------------------------------------


def test_active_jobs_over_the_limit_are_refused_until_one_ends(client, settings):
    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 2
    create(client)
    create(client)

    refused(
        create(client),
        "You have 2 jobs running or queued; wait for one to finish or cancel one.",
        60,
    )
    assert Job.objects.count() == 2

    Job.objects.first().request_cancel()
    assert create(client).status_code == 302


def test_a_batch_must_fit_under_the_active_limit(client, settings, fake_youtube):
    ids = ["aaaaaaaaaa1", "bbbbbbbbbb2", "cccccccccc3"]
    for video_id in ids:
        fake_youtube.add(video_id, title=f"Lesson {video_id}")
    fake_youtube.add_channel("@breadlab", title="The Bread Lab", video_ids=ids)
    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 3
    make_job()

    response = create(client, url=CHANNEL_URL, per_video="on")
    html = refused(
        response,
        "This would queue 3 jobs and you have 1 running or queued: you can have 3 at once.",
        60,
    )
    assert f'value="{CHANNEL_URL}"' in html
    assert not Batch.objects.exists() and Job.objects.count() == 1

    Limits.objects.create(user=signed_in_user(), active_jobs=0)  # 0: no limit
    assert create(client, url=CHANNEL_URL, per_video="on").status_code == 302
    assert Batch.objects.get().total == 3


def test_reprocessing_keeps_the_chosen_settings_when_refused(client, settings, done_job):
    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 1
    make_job()

    response = client.post(
        reverse("jobs:reprocess", args=[done_job.pk]), {"tone": "humorous", "length": "long"}
    )
    html = refused(response, "You have 1 job running or queued", 60)
    assert '<details class="reprocess" open>' in html
    assert '<option value="humorous" selected>' in html
    assert not Job.objects.filter(options__tone="humorous").exists()


# The CLI runs the job in a thread of its own, which sees only committed rows.
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_cli_respects_the_active_limit_but_not_the_minutes(settings, compost_srt, capsys):
    alice = signed_in_user()
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    call_command("blogtube", "--transcript-file", str(compost_srt), "--user", "alice")
    call_command("blogtube", "--transcript-file", str(compost_srt), "--user", "alice")
    assert Job.objects.filter(owner=alice, status=Job.Status.COMPLETED).count() == 2

    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 1
    make_job(owner=alice)
    with pytest.raises(CommandError, match="You have 1 job running or queued; wait for one"):
        call_command("blogtube", "--transcript-file", str(compost_srt), "--user", "alice")
    assert Job.objects.filter(owner=alice).count() == 3


# --- an admin's overrides ----------------------------------------------------------------


def test_an_override_raises_one_persons_limit(client, settings):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    Limits.objects.create(user=signed_in_user(), jobs_per_minute=3)
    for _ in range(3):
        assert create(client).status_code == 302
    refused(create(client), "You can create 3 jobs a minute; try again in 42 s.", 42)


def test_an_override_lowers_one_persons_limit_and_leaves_the_rest_at_the_default(client, settings):
    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 5
    settings.BLOGTUBE_JOBS_PER_MINUTE = 5
    Limits.objects.create(user=signed_in_user(), active_jobs=1)
    create(client)
    refused(create(client), "You have 1 job running or queued", 60)


def test_an_override_sets_one_persons_batch_size(client, fake_youtube):
    ids = ["aaaaaaaaaa1", "bbbbbbbbbb2", "cccccccccc3"]
    for video_id in ids:
        fake_youtube.add(video_id, title=f"Lesson {video_id}")
    fake_youtube.add_channel("@breadlab", title="The Bread Lab", video_ids=ids)
    Limits.objects.create(user=signed_in_user(), batch_size=2)

    assert "the newest 2; it has more" in preview(client, CHANNEL_URL).content.decode()
    assert create(client, url=CHANNEL_URL, per_video="on").status_code == 302
    assert Batch.objects.get().total == 2


def test_the_limits_are_edited_on_the_users_admin_page(staff_client, settings):
    settings.BLOGTUBE_JOBS_PER_MINUTE = 1
    alice = signed_in_user()
    url = reverse("admin:auth_user_change", args=[alice.pk])
    page = staff_client.get(url).content.decode()
    assert "Jobs queued or running at once" in page
    assert "Empty: the site's default. 0: no limit." in page

    response = staff_client.post(
        url,
        {
            "username": "alice",
            "is_active": "on",
            "date_joined_0": "2026-11-30",
            "date_joined_1": "06:00:00",
            "blogtube_limits-TOTAL_FORMS": "1",
            "blogtube_limits-INITIAL_FORMS": "0",
            "blogtube_limits-MIN_NUM_FORMS": "0",
            "blogtube_limits-MAX_NUM_FORMS": "1",
            "blogtube_limits-0-jobs_per_minute": "4",
            "blogtube_limits-0-user": str(alice.pk),
        },
    )
    assert response.status_code == 302
    assert Limits.objects.get(user=alice).jobs_per_minute == 4
    assert Limits.objects.get(user=alice).active_jobs is None  # the default still
