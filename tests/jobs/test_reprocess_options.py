"""The job page shows the writing options and reprocesses with other ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job
from tests.jobs.factories import make_job
from videos.models import Transcript

pytestmark = pytest.mark.django_db


@pytest.fixture
def done_job(monkeypatch) -> Job:
    """A completed job with a stored transcript, so it can be reprocessed."""
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    transcript = Transcript.objects.create(
        language_code="en", source="upload", segments=[], text="Some words."
    )
    job = make_job(
        transcript=transcript,
        options={"style": "newsletter", "length": "short", "tone": "friendly",
                 "write_language": "de", "toc": True, "timestamps": True, "embed": False},
    )  # fmt: skip
    job.claim()
    job.complete()
    return job


def reprocess(client, job: Job, data: dict):
    return client.post(reverse("jobs:reprocess", args=[job.pk]), data)


def test_the_job_page_shows_the_chosen_options(client, done_job):
    html = client.get(done_job.get_absolute_url()).content.decode()
    line = "Newsletter · Friendly tone · Short length · written in German · table of contents"
    assert line in html


def test_old_jobs_show_the_defaults(client):
    job = make_job(options={"style": "article", "length": "medium"})
    html = client.get(job.get_absolute_url()).content.decode()
    assert "Article · Neutral tone · Medium length</p>" in html


def test_the_reprocess_form_starts_from_the_jobs_options(client, done_job):
    html = client.get(done_job.get_absolute_url()).content.decode()
    assert '<option value="friendly" selected>Friendly</option>' in html
    assert '<option value="de" selected>German</option>' in html
    assert '<option value="newsletter" selected>Newsletter</option>' in html
    assert 'name="toc" value="true" checked> Table of contents' in html
    assert 'name="timestamps" value="true" checked> Links to moments in the video' in html
    assert 'name="embed" value="true" > Watch-the-video embed (HTML)' in html


def test_reprocess_with_another_tone_language_and_extras(client, done_job):
    response = reprocess(
        client,
        done_job,
        {
            "style": "summary",
            "length": "long",
            "tone": "humorous",
            "write_language": "",
            # Unticked boxes send only their hidden "false"; a ticked one its value after it.
            "toc": ["false"],
            "timestamps": ["false"],
            "embed": ["false", "true"],
        },
    )

    new = Job.objects.exclude(pk=done_job.pk).get()
    assert response.url == new.get_absolute_url()
    assert new.transcript == done_job.transcript
    assert {k: new.options[k] for k in ("style", "length", "tone", "write_language")} == {
        "style": "summary",
        "length": "long",
        "tone": "humorous",
        "write_language": "",
    }
    assert (new.options["toc"], new.options["timestamps"], new.options["embed"]) == (
        False,
        False,
        True,
    )


def test_options_not_sent_are_kept(client, done_job):
    reprocess(client, done_job, {"tone": "professional"})
    new = Job.objects.exclude(pk=done_job.pk).get()
    assert new.options == {**done_job.options, "tone": "professional"}


@pytest.mark.parametrize(
    "field, value, says",
    [
        ("tone", "sarcastic", "Unknown tone “sarcastic”. Choose one of: neutral, friendly"),
        ("style", "poem", "Unknown style “poem”. Choose one of: article, tutorial"),
        ("write_language", "German!", "“German!” is not a language code such as en, de"),
        ("toc", "maybe", "“maybe” is not on or off."),
    ],
)
def test_reprocess_refuses_a_bad_value_and_says_why(client, done_job, field, value, says):
    response = client.post(
        reverse("jobs:reprocess", args=[done_job.pk]), {field: value}, follow=True
    )
    assert says in response.content.decode()
    assert Job.objects.count() == 1
