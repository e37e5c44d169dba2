"""The New post page, reprocess, the CLI and plain data take a job's options the same way."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from jobs.forms import JobOptionsForm
from jobs.models import Job
from providers.models import Provider

pytestmark = pytest.mark.django_db

VIDEO = "https://youtu.be/dQw4w9WgXcQ"

# field, the CLI's option, a bad value, what every door says about it
BAD_VALUES = [
    ("tone", "--tone", "sarcastic", "Unknown tone “sarcastic”. Choose one of: neutral, friendly"),
    ("style", "--style", "poem", "Unknown style “poem”. Choose one of: article, tutorial"),
    ("length", "--length", "epic", "Unknown length “epic”. Choose one of: short, medium, long."),
    (
        "write_language",
        "--write-language",
        "German!",
        "“German!” is not a language code such as en, de or pt-BR.",
    ),
    ("provider", "--provider", "nope", "Unknown provider “nope”. Choose one of: offline"),
]


@pytest.mark.parametrize("field, option, value, says", BAD_VALUES)
def test_a_bad_value_gets_the_same_words_from_every_door(
    client, monkeypatch, done_job, field, option, value, says
):
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)

    page = client.post(reverse("jobs:create"), {"url": VIDEO, field: value})
    assert page.status_code == 400
    assert says in page.content.decode()

    reprocess = client.post(
        reverse("jobs:reprocess", args=[done_job.pk]), {field: value}, follow=True
    )
    assert says in reprocess.content.decode()

    with pytest.raises(CommandError) as cli:
        call_command("blogtube", VIDEO, option, value)
    assert f"argument {option}: {says}" in str(cli.value)

    form = JobOptionsForm({field: value})
    assert not form.is_valid()
    assert says in form.errors[field][0]

    assert Job.objects.count() == 1  # only the job that was to be reprocessed


@pytest.mark.parametrize("value", ["maybe", "2"])
def test_a_flag_that_is_neither_on_nor_off_is_refused(client, done_job, value):
    says = f"“{value}” is not on or off."
    page = client.post(reverse("jobs:create"), {"url": VIDEO, "toc": value})
    assert says in page.content.decode()
    reprocess = client.post(reverse("jobs:reprocess", args=[done_job.pk]), {"toc": value})
    assert reprocess.status_code == 302
    assert says in client.get(reprocess.url).content.decode()
    assert Job.objects.count() == 1


def test_plain_data_gives_the_options_a_job_stores(db):
    form = JobOptionsForm({"provider": "offline", "tone": "friendly", "toc": True, "embed": "on"})
    assert form.is_valid(), form.errors
    request = form.to_request(VIDEO)
    assert request.provider == Provider.objects.get(slug="offline")
    assert (request.language, request.output_format, request.priority) == ("en", "markdown", 0)
    assert request.options == {
        "style": "article",
        "length": "medium",
        "tone": "friendly",
        "custom_prompt": "",
        "write_language": "",
        "toc": True,
        "timestamps": True,
        "embed": True,
        "pictures": True,
        "force_speech": False,
        "translate_to": "",
    }


def test_every_error_is_given_per_field(db):
    form = JobOptionsForm({"tone": "sarcastic", "translate_to": "Spanish", "timestamps": "?"})
    assert not form.is_valid()
    assert sorted(form.errors) == ["timestamps", "tone", "translate_to"]


def test_a_language_outside_the_forms_list_is_a_language_all_the_same(client, monkeypatch):
    """The form offers common languages; a client may ask for another, as the CLI always could."""
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    client.post(reverse("jobs:create"), {"url": VIDEO, "write_language": "pt-BR"})
    assert Job.objects.get().options["write_language"] == "pt-BR"


def test_reprocess_to_the_custom_style_needs_a_prompt(client, done_job):
    response = client.post(
        reverse("jobs:reprocess", args=[done_job.pk]), {"style": "custom"}, follow=True
    )
    assert "Write the prompt for the custom style." in response.content.decode()
    assert Job.objects.count() == 1


def test_reprocess_with_another_provider_keeps_the_options_and_takes_its_model(
    client, done_job, llm_provider
):
    client.post(reverse("jobs:reprocess", args=[done_job.pk]), {"provider": llm_provider.pk})
    new = Job.objects.exclude(pk=done_job.pk).get()
    assert (new.provider, new.model) == (llm_provider, "fake-model")
    assert new.options == done_job.options
