"""The New post form's writing and transcript options: offered, checked, stored on the job."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from jobs.models import Job
from jobs.options import DEFAULTS
from providers.models import Provider
from tests.fakes.transcripts import COMPOST_SRT, GERMAN_SRT

pytestmark = pytest.mark.django_db

VIDEO = "https://youtu.be/dQw4w9WgXcQ"
SRT = COMPOST_SRT.encode()
JSON3 = json.dumps(
    {
        "events": [
            {"tStartMs": 0, "dDurationMs": 2000, "segs": [{"utf8": "Welcome to the workshop."}]},
            {
                "tStartMs": 2000,
                "dDurationMs": 3000,
                "segs": [{"utf8": "Today we sharpen chisels."}],
            },
        ]
    }
).encode()


@pytest.fixture
def queued(monkeypatch) -> list:
    """Jobs are created but never run: these tests are about what the form stores."""
    calls: list = []
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: calls.append(a))
    return calls


def post(client, **fields):
    data = {"url": VIDEO, "language": "en", "provider": Provider.objects.get(slug="offline").pk,
            "style": "article", "length": "medium", "output_format": "markdown"}  # fmt: skip
    data.update(fields)
    return client.post(reverse("jobs:create"), data)


def test_the_form_offers_tone_language_extras_and_advanced_options(client):
    html = client.get(reverse("jobs:home")).content.decode()

    assert '<label for="id_tone">Tone</label>' in html
    assert '<option value="neutral" selected>Neutral</option>' in html
    assert '<option value="newsletter">Newsletter</option>' in html
    assert '<label for="id_write_language">Write the post in</label>' in html
    assert '<option value="" selected>Same as the transcript</option>' in html
    assert '<option value="de">German</option>' in html
    # Timestamps are on unless unticked; the other extras are off.
    assert 'name="timestamps" id="id_timestamps" checked> Links to moments in the video' in html
    assert 'name="toc" id="id_toc"> Table of contents' in html
    assert 'name="embed" id="id_embed"> Watch-the-video embed (HTML)' in html
    # The transcript's options wait in a closed "Advanced" block.
    assert '<details class="field-wide advanced" >' in html
    assert "Transcribe the audio (speech-to-text) even when captions exist" in html
    assert '<label for="id_translate_to">Translate captions to</label>' in html
    assert '<option value="text">Plain text</option>' in html
    assert '<option value="json">JSON</option>' in html


def test_posting_the_form_stores_every_option_on_the_job(client, queued):
    response = post(
        client,
        style="newsletter",
        tone="friendly",
        length="short",
        write_language="de",
        # A browser sends the hidden "false", then the ticked box's value.
        toc=["false", "on"],
        timestamps=["false"],
        embed=["false", "on"],
        force_speech=["false", "on"],
        translate_to="es",
        output_format="json",
    )

    job = Job.objects.get()
    assert response.status_code == 302 and response.url == job.get_absolute_url()
    assert job.options == {
        "style": "newsletter",
        "length": "short",
        "tone": "friendly",
        "custom_prompt": "",
        "write_language": "de",
        "toc": True,
        "timestamps": False,
        "embed": True,
        "pictures": True,
        "force_speech": True,
        "translate_to": "es",
    }
    assert job.output_format == "json"


def test_a_client_that_sends_no_options_gets_the_defaults(client, queued):
    post(client)
    assert Job.objects.get().options == DEFAULTS


def test_an_unknown_tone_is_refused_with_the_choices(client, queued):
    response = post(client, tone="sarcastic")

    assert response.status_code == 400
    html = response.content.decode()
    assert "Unknown tone “sarcastic”. Choose one of: neutral, friendly, professional" in html
    assert not Job.objects.exists()


def test_an_unknown_post_language_is_refused(client, queued):
    response = post(client, write_language="klingon")
    assert response.status_code == 400
    assert "“klingon” is not a language code such as en, de or pt-BR." in (
        response.content.decode()
    )
    assert not Job.objects.exists()


def test_an_uploaded_file_left_on_auto_has_its_language_detected(client, queued):
    upload = SimpleUploadedFile("kompost.srt", GERMAN_SRT.encode())
    response = post(client, url="", language="auto", transcript_file=upload)

    job = Job.objects.get()
    assert response.url == job.get_absolute_url()
    assert job.language == ""
    assert "language detected from the file" in client.get(response.url).content.decode()


def test_an_uploaded_file_with_an_empty_language_is_detected_too(client, queued):
    post(client, url="", language="", transcript_file=SimpleUploadedFile("c.srt", SRT))
    assert Job.objects.get().language == ""


@pytest.mark.parametrize("language", ["auto", "", "AUTO"])
def test_auto_or_no_language_for_a_video_means_english(client, queued, language):
    post(client, language=language)
    assert Job.objects.get().language == "en"


def test_a_file_on_auto_is_written_in_the_language_it_is_in(
    client, sync_tasks, django_capture_on_commit_callbacks
):
    """End to end: the offline writer runs, and the transcript is known as German."""
    upload = SimpleUploadedFile("kompost.srt", GERMAN_SRT.encode())
    with django_capture_on_commit_callbacks(execute=True):
        post(client, url="", language="auto", transcript_file=upload)

    job = Job.objects.get()
    assert job.status == Job.Status.COMPLETED, job.error_message
    assert job.transcript.language_code == "de"


def test_youtube_json3_files_are_accepted(client, queued):
    html = client.get(reverse("jobs:home")).content.decode()
    assert 'accept=".srt,.vtt,.txt,.json"' in html
    assert ".srt, .vtt, .txt or YouTube .json (json3), up to 5 MB." in html

    response = post(client, url="", transcript_file=SimpleUploadedFile("chisels.json", JSON3))
    assert response.status_code == 302
    assert Job.objects.get().transcript_file_name == "chisels.json"


def test_a_file_of_another_kind_is_refused_naming_the_kinds_accepted(client, queued):
    response = post(client, url="", transcript_file=SimpleUploadedFile("talk.pdf", b"%PDF-1.4"))
    assert response.status_code == 400
    html = response.content.decode()
    assert "has .pdf; upload a .srt, .vtt or .txt file (or YouTube&#x27;s json3 as .json)" in html
    assert "Upload a UTF-8 .srt, .vtt, .txt or YouTube .json (json3) file" in html
    assert not Job.objects.exists()


@pytest.mark.parametrize(
    "field, value", [("translate_to", "es"), ("force_speech", ["false", "on"])]
)
def test_translation_and_speech_to_text_are_for_videos_not_files(client, queued, field, value):
    response = post(
        client, url="", transcript_file=SimpleUploadedFile("c.srt", SRT), **{field: value}
    )
    assert response.status_code == 400
    assert "Only for YouTube videos: a file is used as it is." in response.content.decode()
    assert not Job.objects.exists()
    # The block the error is in stays open, so the person sees it.
    assert '<details class="field-wide advanced" open>' in response.content.decode()


def test_a_refused_form_keeps_the_boxes_as_they_were(client, queued):
    response = post(client, tone="sarcastic", timestamps=["false"], toc=["false", "on"])
    html = response.content.decode()
    assert 'name="timestamps" id="id_timestamps"> Links to moments in the video' in html
    assert 'name="toc" id="id_toc" checked> Table of contents' in html
