"""What the New post form offers: cloud providers once their key is set, and a model server
running on this machine (Ollama, LM Studio) while it answers, with its models."""

from __future__ import annotations

import html
import re
import socket

import pytest
from django.urls import reverse

from jobs.forms import JobOptionsForm
from providers import services
from providers.models import Provider

pytestmark = pytest.mark.django_db


def offered(client) -> list[str]:
    page = client.get(reverse("jobs:home")).content.decode()
    select = page.split('<select name="provider"')[1].split("</select>")[0]
    return [html.unescape(label) for label in re.findall(r">([^<]+)</option>", select)]


def hint(client) -> str:
    page = client.get(reverse("jobs:home")).content.decode()
    return html.unescape(page.split('data-testid="provider-hint">')[1].split("</small>")[0])


# --- cloud providers: offered once their key is set ------------------------------


def test_with_no_key_openai_is_not_offered_and_the_form_says_how(client, no_cloud_provider_keys):
    assert offered(client) == ["Offline (no AI, no key)"]
    said = hint(client)
    assert "OpenAI" in said and "Anthropic (Claude)" in said
    assert "offered once their API key is set" in said
    assert 'href="/providers/"' in said


def test_a_key_offers_it(client, no_cloud_provider_keys, settings, monkeypatch):
    settings.OPENAI_API_KEY = "sk-test-123456789"
    monkeypatch.setenv("GROQ_API_KEY", "gsk_test_123456789")
    assert offered(client) == ["Offline (no AI, no key)", "OpenAI", "Groq"]
    assert "OpenAI" not in hint(client) and "Groq" not in hint(client)


def test_asking_for_one_without_a_key_says_which_variable_to_set(no_cloud_provider_keys):
    form = JobOptionsForm({"provider": "openai"})
    assert not form.is_valid()
    [error] = form.errors["provider"]
    assert error.startswith("OpenAI needs an API key and none is set.")
    assert "Set OPENAI_API_KEY in the environment" in error


def test_the_api_lists_what_the_form_offers(client, no_cloud_provider_keys):
    slugs = [p["slug"] for p in client.get("/api/v1/providers").json()]
    assert slugs == ["offline"]


# --- a model server on this machine ------------------------------------------------


@pytest.fixture
def ollama(settings, fake_llm) -> Provider:
    """Ollama as seeded (not enabled), its address the fake OpenAI-compatible server's."""
    settings.BLOGTUBE_DETECT_LOCAL_MODELS = True
    fake_llm.configure(models=["llama3.2:1b", "qwen2.5:0.5b"])
    provider = Provider.objects.get(slug="ollama")
    assert not provider.enabled
    provider.base_url = fake_llm.base_url
    provider.save()
    return provider


def model_listings(fake_llm) -> int:
    return sum(r.path == "/v1/models" for r in fake_llm.requests)


def test_a_running_ollama_is_offered_with_its_models(client, no_cloud_provider_keys, ollama):
    assert offered(client) == ["Offline (no AI, no key)", "Ollama (local)"]
    field = client.get(reverse("providers:model-options"), {"provider": ollama.pk})
    assert '<option value="llama3.2:1b">' in field.content.decode()


def test_a_job_on_it_uses_a_model_it_has(ollama, no_cloud_provider_keys):
    # Its default (llama3.2) is not pulled here: the first model it lists is used.
    form = JobOptionsForm({"provider": "ollama"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["model"] == "llama3.2:1b"
    # One the person names is kept.
    form = JobOptionsForm({"provider": "ollama", "model": "qwen2.5:0.5b"})
    assert form.is_valid() and form.cleaned_data["model"] == "qwen2.5:0.5b"


def test_the_answer_is_remembered_for_a_while(client, ollama, fake_llm):
    for _ in range(3):
        offered(client)
    assert model_listings(fake_llm) == 1


def test_nothing_listening_offers_nothing_and_the_page_still_renders(client, settings):
    settings.BLOGTUBE_DETECT_LOCAL_MODELS = True
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    Provider.objects.filter(slug__in=["ollama", "lmstudio"]).update(
        base_url=f"http://127.0.0.1:{port}/v1"
    )
    assert "Ollama (local)" not in offered(client)
    assert "LM Studio (local)" not in offered(client)
    form = JobOptionsForm({"provider": "ollama"})
    assert not form.is_valid()
    assert form.errors["provider"] == [
        f"Ollama (local) is not answering at http://127.0.0.1:{port}/v1."
    ]


def test_a_server_with_no_model_pulled_is_not_offered(client, ollama, fake_llm):
    fake_llm.configure(models=[])
    assert "Ollama (local)" not in offered(client)


def test_the_setting_turns_the_asking_off(client, ollama, settings, fake_llm):
    settings.BLOGTUBE_DETECT_LOCAL_MODELS = False
    assert "Ollama (local)" not in offered(client)
    assert model_listings(fake_llm) == 0
    assert "ollama" not in [p.slug for p in services.enabled_providers()]
