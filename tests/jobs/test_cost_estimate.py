"""What a post will cost, shown on the New post form once the pasted URL's video is known."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from jobs import services
from providers.models import Provider
from tests.jobs.conftest import VIDEO_ID, VIDEO_URL
from videos.models import Transcript, Video

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def openai_key(settings):
    """OpenAI is offered (and estimated) once its key is set."""
    settings.OPENAI_API_KEY = "sk-test-estimates-0000"


# The youtube_video fixture runs 4:22: some 262 s x 15 characters of speech.
EXPECTED_CHARS = 262 * 15


def preview(client, **params) -> str:
    response = client.get(reverse("jobs:preview"), {"url": VIDEO_URL, **params})
    assert response.status_code == 200
    return response.content.decode()


def estimate_line(html: str) -> str:
    match = re.search(r'<p id="cost-estimate"[^>]*>([^<]*)</p>', html)
    assert match, html
    return match.group(1)


def test_the_offline_writer_is_free(client, youtube_video):
    html = preview(client)
    assert estimate_line(html) == "Estimated cost: free (offline writer)"


def test_a_priced_model_shows_about_what_it_costs(client, youtube_video):
    openai = Provider.objects.get(slug="openai")
    html = preview(client, provider=openai.pk, model="gpt-4o-mini", length="medium")

    # (983 + 400) tokens in at $0.15/M, 1,500 out at $0.60/M.
    assert estimate_line(html) == "Estimated cost with gpt-4o-mini: about $0.001"
    # The size it is based on comes along, for the re-estimate when the choices change.
    assert f'hx-vals=\'{{"chars": "{EXPECTED_CHARS}"}}\'' in html


def test_the_providers_default_model_is_named(client, youtube_video):
    openai = Provider.objects.get(slug="openai")
    html = preview(client, provider=openai.pk, model="")
    assert estimate_line(html).startswith(f"Estimated cost with {openai.effective_model}: about $")


def test_an_unpriced_model_says_so(client, youtube_video):
    openai = Provider.objects.get(slug="openai")
    html = preview(client, provider=openai.pk, model="my-finetune")
    assert estimate_line(html) == "Estimated cost with my-finetune: price unknown for this model"


def test_a_model_on_your_own_server_is_free(client, youtube_video):
    Provider.objects.filter(slug="ollama").update(enabled=True)
    ollama = Provider.objects.get(slug="ollama")
    html = preview(client, provider=ollama.pk)
    assert estimate_line(html) == "Estimated cost with llama3.2: free (runs on your own server)"


def test_a_server_that_names_no_model_is_named_itself(client, youtube_video):
    # LM Studio serves whichever model is loaded; until an admin names it, there is none.
    Provider.objects.filter(slug="lmstudio").update(enabled=True, default_model="")
    lmstudio = Provider.objects.get(slug="lmstudio")
    html = preview(client, provider=lmstudio.pk)
    assert estimate_line(html) == (
        "Estimated cost with LM Studio (local): free (runs on your own server)"
    )


def test_a_stored_transcript_is_measured_instead_of_guessed(client, youtube_video):
    video = Video.objects.create(youtube_id=VIDEO_ID, url=VIDEO_URL)
    Transcript.objects.create(
        video=video, language_code="en", source="youtube", text="word " * 8000, segments=[]
    )
    openai = Provider.objects.get(slug="openai")
    html = preview(client, provider=openai.pk, model="gpt-4o", length="long")

    # (10,000 + 400) tokens in at $2.50/M, 2,600 out at $10/M; from the guess it would be $0.03.
    expected = services.cost_estimate(openai, "gpt-4o", 40_000, length="long")
    assert estimate_line(html) == expected == "Estimated cost with gpt-4o: about $0.05"


def test_changing_the_provider_re_estimates_without_asking_youtube(client, fake_youtube):
    openai = Provider.objects.get(slug="openai")
    before = len(fake_youtube.requests)
    params = {"chars": EXPECTED_CHARS, "provider": openai.pk, "model": "gpt-4o", "length": "long"}
    html = client.get(reverse("jobs:estimate"), params).content.decode()

    # (983 + 400) tokens in at $2.50/M, 2,600 out at $10/M.
    assert estimate_line(html) == "Estimated cost with gpt-4o: about $0.03"
    assert len(fake_youtube.requests) == before


def test_without_a_known_size_only_free_providers_are_estimated(client):
    openai = Provider.objects.get(slug="openai")
    html = client.get(reverse("jobs:estimate"), {"chars": "", "provider": openai.pk}).content
    assert estimate_line(html.decode()) == ""
    offline = client.get(reverse("jobs:estimate"), {"chars": ""}).content.decode()
    assert estimate_line(offline) == "Estimated cost: free (offline writer)"
    Provider.objects.filter(slug="ollama").update(enabled=True)
    ollama = Provider.objects.get(slug="ollama")
    html = client.get(reverse("jobs:estimate"), {"chars": "", "provider": ollama.pk}).content
    assert estimate_line(html.decode()) == (
        "Estimated cost with llama3.2: free (runs on your own server)"
    )


def test_the_url_field_sends_the_chosen_provider_model_and_length(client):
    html = client.get(reverse("jobs:home")).content.decode()
    assert 'hx-include="[name=provider],[name=model],[name=length],[name=language]"' in html
