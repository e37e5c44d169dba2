"""The jobs table: filters, sorting, pages, and acting on many jobs at once."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jobs.models import Job
from providers.models import Provider
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = pytest.mark.django_db


@pytest.fixture
def jobs_of_every_kind(offline_provider):
    other = Provider.objects.get(slug="openai")
    video = Video.objects.create(youtube_id="aaaaaaaaaaa", url="https://youtu.be/aaaaaaaaaaa",
                                 title="Baking sourdough at home")  # fmt: skip
    done = make_job(video=video)
    done.claim()
    done.complete()
    failed = make_job(provider=other, source_url="https://youtu.be/bbbbbbbbbbb")
    failed.claim()
    failed._transition(Job.Status.FAILED, event="x", error_code="X")
    queued = make_job(source_url="https://youtu.be/ccccccccccc")
    return {"done": done, "failed": failed, "queued": queued}


def rows(response) -> list[str]:
    html = response.content.decode()
    return [j for j in (str(job.pk) for job in Job.objects.all()) if f"job-row-{j}" in html]


def test_it_lists_every_job(client, jobs_of_every_kind):
    response = client.get(reverse("jobs:list"))
    assert response.status_code == 200
    assert len(rows(response)) == 3
    assert "Baking sourdough at home" in response.content.decode()


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"status": "failed"}, {"failed"}),
        ({"provider": "openai"}, {"failed"}),
        ({"q": "sourdough"}, {"done"}),
        ({"q": "ccccccc"}, {"queued"}),
        ({"status": "nonsense"}, {"done", "failed", "queued"}),
    ],
)
def test_filters(client, jobs_of_every_kind, query, expected):
    response = client.get(reverse("jobs:list"), query)
    assert set(rows(response)) == {str(jobs_of_every_kind[k].pk) for k in expected}


def test_an_htmx_filter_returns_only_the_table(client, jobs_of_every_kind):
    response = client.get(reverse("jobs:list"), {"status": "queued"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="job-table"')
    assert "<nav" not in html.split('id="job-table"')[0]


def test_sorting_by_progress(client, jobs_of_every_kind):
    html = client.get(reverse("jobs:list"), {"sort": "-progress"}).content.decode()
    done, queued = (str(jobs_of_every_kind[k].pk) for k in ("done", "queued"))
    assert html.index(done) < html.index(queued)
    assert 'aria-sort="descending"' in html


def test_pages_of_25(client, offline_provider):
    for _ in range(30):
        make_job()
    html = client.get(reverse("jobs:list")).content.decode()
    assert "30 jobs" in html
    assert html.count('class="job-row') == 25
    assert "← Previous" not in html
    # The next page keeps the filters and the order.
    wanted = {"status": "queued", "sort": "progress"}
    html = client.get(reverse("jobs:list"), wanted).content.decode()
    next_link = re.search(r'href="\?status=queued&amp;sort=progress&amp;after=([\w-]+)"', html)
    assert next_link
    assert f'hx-get="?status=queued&amp;sort=progress&amp;after={next_link[1]}"' in html
    assert 'hx-target="#job-table"' in html
    page2 = client.get(reverse("jobs:list"), {**wanted, "after": next_link[1]}).content.decode()
    assert page2.count('class="job-row') == 5
    assert "Next →" not in page2 and "← Previous" in page2


def test_bulk_cancel_reports_what_it_skipped(client, jobs_of_every_kind):
    ids = [jobs_of_every_kind[k].pk for k in ("queued", "done")]
    response = client.post(reverse("jobs:bulk"), {"action": "cancel", "ids": ids}, follow=True)
    assert "1 job cancelled, 1 had already ended." in response.content.decode()
    assert Job.objects.get(pk=jobs_of_every_kind["queued"].pk).status == Job.Status.CANCELLED


def test_bulk_retry_and_delete(client, jobs_of_every_kind, monkeypatch):
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    failed = jobs_of_every_kind["failed"]
    client.post(reverse("jobs:bulk"), {"action": "retry", "ids": [failed.pk]})
    assert Job.objects.get(pk=failed.pk).status == Job.Status.QUEUED
    client.post(reverse("jobs:bulk"), {"action": "delete", "ids": [failed.pk]})
    # Queued again, so cancelled on its way to Recently deleted: no worker runs it hidden.
    assert not Job.objects.visible_to(failed.owner).filter(pk=failed.pk).exists()
    deleted = Job.objects.visible_to(failed.owner, deleted=True).get(pk=failed.pk)
    assert deleted.status == Job.Status.CANCELLED


def test_bulk_without_a_selection_says_so(client):
    response = client.post(reverse("jobs:bulk"), {"action": "cancel"}, follow=True)
    assert "Select one or more jobs" in response.content.decode()
