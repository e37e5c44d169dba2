"""The job page shows the writing options and reprocesses with other ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from jobs.models import Job
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db


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
    assert 'name="toc" id="rp-toc" checked> Table of contents' in html
    assert 'name="timestamps" id="rp-timestamps" checked> Links to moments in the video' in html
    assert 'name="embed" id="rp-embed"> Watch-the-video embed (HTML)' in html
    # No prompt box here: the custom style is offered only to a job that has a prompt.
    assert '<option value="custom"' not in html


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


def test_a_job_with_its_own_prompt_can_be_reprocessed_in_the_custom_style(client, done_job):
    prompt = "A post about {title} for beginners."
    Job.objects.filter(pk=done_job.pk).update(
        options={**done_job.options, "style": "custom", "custom_prompt": prompt}
    )
    html = client.get(done_job.get_absolute_url()).content.decode()
    assert '<option value="custom" selected>Custom</option>' in html

    reprocess(client, done_job, {"tone": "professional"})
    new = Job.objects.exclude(pk=done_job.pk).get()
    assert (new.options["style"], new.options["custom_prompt"]) == ("custom", prompt)
