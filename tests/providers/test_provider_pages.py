from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from providers import services
from providers.models import Provider, ProviderHealth
from tests.caches import clear_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def empty_cache():
    clear_cache()
    yield
    clear_cache()


def test_providers_page_shows_each_provider_with_a_key_hint_never_the_key(staff_client, settings):
    settings.OPENAI_API_KEY = "sk-test-secret-1234"
    Provider.objects.create(
        slug="groq-own",
        name="Groq <b>fast</b>",
        kind="openai",
        base_url="https://api.groq.com/openai/v1",
        api_key_env="BLOGTUBE_TEST_UNSET_KEY",
        default_model="llama-3.3-70b-versatile",
        enabled=False,
    )

    page = staff_client.get(reverse("providers:list")).content.decode()

    assert "sk-test-secret" not in page
    assert "key set (…1234)" in page
    assert "no key needed" in page  # offline
    assert "no key set: set BLOGTUBE_TEST_UNSET_KEY" in page
    assert "Groq &lt;b&gt;fast&lt;/b&gt;" in page
    assert "Disabled" in page
    # Enabled providers first, the disabled one last.
    assert page.index('id="provider-offline"') < page.index('id="provider-openai"')
    assert page.index('id="provider-openai"') < page.index('id="provider-groq-own"')
    assert "Run a test to list models." in page
    assert f'action="{reverse("providers:test", args=["openai"])}"' in page
    assert 'hx-target="#provider-openai"' in page


def test_people_who_are_not_staff_see_providers_but_no_key_models_or_test(
    client, settings, llm_provider, fake_llm
):
    settings.OPENAI_API_KEY = "sk-test-secret-1234"
    services.check(llm_provider)  # a check that listed models

    page = client.get(reverse("providers:list")).content.decode()
    assert 'id="provider-openai"' in page and 'id="provider-fake"' in page
    assert "…1234" not in page and 'data-testid="key-hint"' not in page
    assert "fake-large" not in page  # no model list
    assert reverse("providers:test", args=["openai"]) not in page
    assert 'href="/admin/"' not in page

    calls = len(fake_llm.requests)
    response = client.post(reverse("providers:test", args=["openai"]))
    assert response.status_code == 403
    assert len(fake_llm.requests) == calls  # nothing was sent with the owner's key

    # The New post form's model field still offers the models, and no key.
    field = client.get(reverse("providers:model-options"), {"provider": llm_provider.pk})
    assert '<option value="fake-large">' in field.content.decode()
    assert "…" not in field.content.decode()


def test_key_hint_never_shows_much_of_a_short_key(settings):
    openai = Provider.objects.get(slug="openai")
    settings.OPENAI_API_KEY = "sk-12345"
    assert openai.key_hint() == "key set"
    settings.OPENAI_API_KEY = ""
    assert openai.key_hint() == "no key set: set OPENAI_API_KEY"


def test_test_button_records_health_with_latency_and_models(staff_client, llm_provider, fake_llm):
    fake_llm.configure(models=["model-b", "model-a"])

    response = staff_client.post(reverse("providers:test", args=[llm_provider.slug]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("providers:list"))
    health = services.latest_health(llm_provider)
    assert health is not None
    assert health.ok is True
    assert health.latency_ms is not None and health.latency_ms >= 0
    assert health.model_ids == ["model-a", "model-b"]
    assert health.error_code == ""
    assert [r.path for r in fake_llm.requests] == ["/v1/models"]

    page = staff_client.get(response["Location"]).content.decode()
    assert "Fake LLM answered in" in page  # the message after the redirect
    assert "2 models" in page
    assert "model-a" in page


def test_test_button_records_an_auth_failure(staff_client, llm_provider, fake_llm):
    fake_llm.configure(fail_status=401)

    staff_client.post(reverse("providers:test", args=[llm_provider.slug]))

    health = services.latest_health(llm_provider)
    assert health.ok is False
    assert health.error_code == "PROVIDER_AUTH"
    assert "rejected" in health.error
    # max_retries=0: one request, no retry hiding the failure.
    assert len(fake_llm.requests) == 1


def test_htmx_test_returns_only_the_card(staff_client, llm_provider, fake_llm):
    fake_llm.configure(fail_status=500)

    response = staff_client.post(
        reverse("providers:test", args=[llm_provider.slug]), headers={"HX-Request": "true"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith('<article id="provider-fake"')
    assert "<html" not in html
    assert "Down" in html
    assert "PROVIDER_UNAVAILABLE" in html
    assert 'role="alert"' in html


def test_history_keeps_the_last_checks(staff_client, llm_provider, fake_llm):
    for _ in range(3):
        services.check(llm_provider)
    fake_llm.configure(fail_status=401)
    services.check(llm_provider)

    page = staff_client.get(reverse("providers:list")).content.decode()

    assert "Recent checks" in page
    assert page.count("PROVIDER_AUTH") >= 2  # the error box and the history row
    # A failed test does not hide the models the provider listed before.
    assert "2 models" in page
    assert "(listed" in page
    assert ProviderHealth.objects.filter(provider=llm_provider).count() == 4


def test_check_of_an_unconfigured_provider_makes_no_request(settings):
    settings.OPENAI_API_KEY = ""
    settings.OPENAI_BASE_URL = "http://127.0.0.1:9/v1"  # would fail loudly if called
    health = services.check(Provider.objects.get(slug="openai"))
    assert health.ok is False
    assert health.error_code == "PROVIDER_NOT_CONFIGURED"
    assert health.latency_ms is None
    assert "sk-" not in health.error


def test_offline_provider_is_always_healthy():
    health = services.check(Provider.objects.get(slug="offline"))
    assert (health.ok, health.latency_ms, health.model_ids) == (True, 0, ["extractive"])


def test_models_for_caches_the_list(llm_provider, fake_llm):
    fake_llm.configure(models=["m1", "m2"])
    assert services.models_for(llm_provider) == ["m1", "m2"]
    fake_llm.configure(models=["changed"])
    assert services.models_for(llm_provider) == ["m1", "m2"]
    assert len(fake_llm.requests) == 1
    assert services.models_for(Provider.objects.get(slug="offline")) == ["extractive"]


def test_models_for_returns_nothing_when_the_provider_fails(llm_provider, fake_llm):
    fake_llm.configure(fail_status=503)
    assert services.models_for(llm_provider) == []


def test_model_options_lists_the_models(client, llm_provider, fake_llm):
    fake_llm.configure(models=["fast-one", "big-one"])

    response = client.get(
        reverse("providers:model-options"), {"provider": llm_provider.pk, "model": "big-one"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert html.lstrip().startswith('<div id="model-field" class="field">')
    assert '<label for="id_model">Model</label>' in html
    assert 'list="model-choices"' in html
    assert 'value="big-one"' in html
    assert '<datalist id="model-choices">' in html
    assert '<option value="fast-one">' in html
    assert "Empty: fake-model" in html


def test_choosing_a_provider_that_failed_its_last_check_says_so(client, llm_provider):
    ProviderHealth.objects.create(
        provider=llm_provider,
        ok=False,
        error_code="PROVIDER_AUTH",
        error="The API key was refused.",
    )

    html = client.get(reverse("providers:model-options"), {"provider": llm_provider.pk})

    text = html.content.decode()
    assert f"{llm_provider.name} failed its last check" in text
    assert "The API key was refused." in text


def test_choosing_a_healthy_provider_shows_its_latency(client, llm_provider):
    ProviderHealth.objects.create(provider=llm_provider, ok=True, latency_ms=321)

    html = client.get(reverse("providers:model-options"), {"provider": llm_provider.pk})

    assert "answered its last check" in html.content.decode()
    assert "(321 ms)" in html.content.decode()


@pytest.mark.parametrize("provider", ["", "999999", "abc"])
def test_model_options_for_an_unknown_provider_is_a_plain_input(client, provider):
    response = client.get(
        reverse("providers:model-options"), {"provider": provider, "model": "<x>"}
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_model"' in html
    assert "datalist" not in html
    assert 'value="&lt;x&gt;"' in html


@pytest.mark.parametrize(
    ("model", "tokens_in", "tokens_out", "expected"),
    [
        ("gpt-4o-mini", 1_000_000, 1_000_000, Decimal("0.75")),
        ("gpt-4o-mini-2024-07-18", 2_000_000, 0, Decimal("0.30")),
        ("gpt-4o", 1_000_000, 0, Decimal("2.50")),
        ("gpt-4.1-nano", 0, 1_000_000, Decimal("0.40")),
        ("openai/gpt-4.1-mini", 500_000, 0, Decimal("0.20")),
        ("claude-3-5-sonnet-20241022", 1000, 1000, Decimal("0.018")),
        ("llama-3.3-70b-versatile", 1_000_000, 0, Decimal("0.59")),
        ("extractive", 5000, 5000, Decimal(0)),
    ],
)
def test_cost_usd_prices_known_models(model, tokens_in, tokens_out, expected):
    assert services.cost_usd(model, tokens_in, tokens_out) == expected


@pytest.mark.parametrize("model", ["", "my-local-model", "gpt-4", "gpt-4o2"])
def test_cost_usd_of_an_unknown_model_is_none(model):
    assert services.cost_usd(model, 1000, 1000) is None


def test_providers_nav_link_is_current(client):
    page = client.get(reverse("providers:list")).content.decode()
    assert f'href="{reverse("providers:list")}" aria-current="page"' in page
