"""Bad input is refused before a job exists, with a message saying what was wrong."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs.models import Job
from providers.models import Provider

pytestmark = pytest.mark.django_db


def post(client, **fields):
    data = {"url": "", "language": "en", "provider": Provider.objects.get(slug="offline").pk,
            "style": "article", "length": "medium", "output_format": "markdown"}  # fmt: skip
    data.update(fields)
    return client.post(reverse("jobs:create"), data)


def test_the_home_page_offers_the_form_with_the_offline_provider_preselected(client):
    page = client.get(reverse("jobs:home")).content.decode()
    assert 'name="url"' in page and 'name="transcript_file"' in page
    assert "selected>Offline (no AI, no key)</option>" in page


@pytest.mark.parametrize(
    "url, says",
    [
        ("https://example.com/watch?v=dQw4w9WgXcQ", "example.com"),
        ("https://www.youtube.com/watch?v=short", "video id"),
        ("https://www.youtube.com/playlist?list=PL590L5WQmH8fJ54F369BLDSqIwcs-TCfs", "playlist"),
        ("not a url at all", ""),
    ],
)
def test_a_bad_url_is_refused_and_nothing_is_queued(client, url, says):
    response = post(client, url=url)
    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="field-error"' in html
    assert says.lower() in html.lower()
    assert f'value="{url}"' in html  # what the person typed is kept
    assert not Job.objects.exists()


def test_neither_url_nor_file_says_what_to_give(client):
    response = post(client)
    assert response.status_code == 400
    assert "Paste a YouTube video URL or upload a transcript file." in response.content.decode()


def test_a_broken_transcript_file_is_refused(client):
    response = post(client, transcript_file=SimpleUploadedFile("talk.pdf", b"%PDF-1.4"))
    assert response.status_code == 400
    assert ".pdf" in response.content.decode()
    assert not Job.objects.exists()


def test_openai_without_a_key_points_to_the_setting(client, settings):
    settings.OPENAI_API_KEY = ""
    response = post(
        client, url="https://youtu.be/dQw4w9WgXcQ", provider=Provider.objects.get(slug="openai").pk
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "OPENAI_API_KEY" in html
    assert not Job.objects.exists()


def test_a_valid_url_queues_a_job_and_opens_its_page(client, django_capture_on_commit_callbacks,
                                                      monkeypatch):  # fmt: skip
    queued = []
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: queued.append(a))
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, url=" youtube.com/shorts/dQw4w9WgXcQ?si=abc ")
    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert queued == [("jobs.tasks.run", str(job.pk))]
    assert job.status == Job.Status.QUEUED
    assert job.steps.count() == 8
    page = client.get(job.get_absolute_url()).content.decode()
    assert f'ws-connect="/ws/jobs/{job.pk}/"' in page
    assert "Queued" in page
