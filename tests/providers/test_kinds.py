"""Each kind of provider, against the fake server: the request it really sends."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.urls import reverse
from django_q.models import Schedule

from blogtube_site.errors import BlogTubeError
from providers import health, registry, services
from providers.models import Provider, ProviderHealth
from providers.writing import DEFAULT_CONTEXT_WINDOW

pytestmark = pytest.mark.django_db

MESSAGES = [{"role": "user", "content": "Write about foxes."}]

# kind -> (default base URL, default model, key variable)
DEFAULTS = {
    "openai": ("https://api.openai.com/v1", "gpt-4o-mini", "OPENAI_API_KEY"),
    "anthropic": ("https://api.anthropic.com/v1/", "claude-haiku-4-5", "ANTHROPIC_API_KEY"),
    "gemini": (
        "https://generativelanguage.googleapis.com/v1beta/openai/",
        "gemini-2.5-flash",
        "GEMINI_API_KEY",
    ),
    "openrouter": ("https://openrouter.ai/api/v1", "openai/gpt-4o-mini", "OPENROUTER_API_KEY"),
    "groq": ("https://api.groq.com/openai/v1", "llama-3.3-70b-versatile", "GROQ_API_KEY"),
    "mistral": ("https://api.mistral.ai/v1", "mistral-small-latest", "MISTRAL_API_KEY"),
    "deepseek": ("https://api.deepseek.com/v1", "deepseek-chat", "DEEPSEEK_API_KEY"),
    "ollama": ("http://localhost:11434/v1", "llama3.2", ""),
    "lmstudio": ("http://localhost:1234/v1", "", ""),
    "vllm": ("http://localhost:8001/v1", "", ""),
    "custom": ("", "", ""),
}
LLM_KINDS = sorted(DEFAULTS)


def _provider(kind: str, base_url: str, *, key: str = "", slug: str = "") -> Provider:
    provider = Provider(slug=slug or f"test-{kind}", name=f"Test {kind}", kind=kind)
    provider.base_url = base_url
    if key:
        provider.set_api_key(key)
    provider.save()
    return provider


def test_every_kind_is_offered_by_its_label():
    choices = dict(Provider._meta.get_field("kind").choices)
    assert set(choices) == set(registry.KINDS)
    for slug, kind in registry.KINDS.items():
        assert kind.slug == slug
        assert choices[slug] == kind.label


@pytest.mark.parametrize("kind", LLM_KINDS)
def test_kind_defaults(kind, settings):
    settings.OPENAI_BASE_URL = "https://api.openai.com/v1"
    settings.OPENAI_MODEL = "gpt-4o-mini"
    base_url, model, variable = DEFAULTS[kind]
    provider = Provider(slug="x", name="X", kind=kind)

    assert provider.effective_base_url == base_url
    assert provider.effective_model == model
    assert provider.key_variable == variable
    # Cloud APIs need a key at home; local servers do not.
    assert provider.needs_key is bool(variable)


@pytest.mark.parametrize("kind", LLM_KINDS)
def test_each_kind_streams_through_the_openai_client(kind, fake_llm):
    fake_llm.configure(reply="Foxes are clever.")
    provider = _provider(kind, fake_llm.base_url, key="sk-test-key-abcd1234")

    text = "".join(c.text for c in provider.llm("fake-large").stream(MESSAGES))

    assert text == "Foxes are clever."
    [request] = fake_llm.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["Authorization"] == "Bearer sk-test-key-abcd1234"
    assert request.json["model"] == "fake-large"
    assert request.json["messages"] == MESSAGES
    assert request.json["stream"] is True


def test_openrouter_names_the_app(fake_llm):
    provider = _provider("openrouter", fake_llm.base_url, key="sk-or-1234567890")

    list(provider.llm().stream(MESSAGES))

    headers = fake_llm.requests[0].headers
    assert headers["X-Title"] == "BlogTube"
    assert headers["HTTP-Referer"].startswith("http")
    assert fake_llm.requests[0].json["model"] == "openai/gpt-4o-mini"


def test_anthropic_sends_its_own_key_header_too(fake_llm):
    provider = _provider("anthropic", fake_llm.base_url, key="sk-ant-123456789")

    provider.client().check()

    request = fake_llm.requests[0]
    assert request.path == "/v1/models"
    assert request.headers["x-api-key"] == "sk-ant-123456789"
    assert request.headers["anthropic-version"] == "2023-06-01"
    assert request.headers["Authorization"] == "Bearer sk-ant-123456789"


def test_mistral_is_not_sent_stream_options_yet_usage_is_counted(fake_llm):
    provider = _provider("mistral", fake_llm.base_url, key="mistral-key-123456")

    chunks = list(provider.llm("mistral-small-latest").stream(MESSAGES))

    assert "stream_options" not in fake_llm.requests[0].json
    # The fake only sends usage when asked: the adapter estimates it instead.
    usage = chunks[-1].usage
    assert usage is not None and usage.prompt_tokens > 0 and usage.completion_tokens > 0


def test_a_base_url_with_a_path_and_trailing_slash_is_joined_like_gemini_s(fake_llm):
    base = f"http://127.0.0.1:{fake_llm.port}/v1beta/openai/"
    provider = _provider("gemini", base, key="gemini-key-12345678")

    with pytest.raises(BlogTubeError):  # the fake serves only /v1: 404 here
        list(provider.llm().stream(MESSAGES))

    assert fake_llm.requests[0].path == "/v1beta/openai/chat/completions"
    assert fake_llm.requests[0].json["model"] == "gemini-2.5-flash"


def test_gemini_model_ids_come_back_without_their_path(fake_llm):
    fake_llm.configure(models=["models/gemini-2.5-flash", "models/gemini-2.5-pro"])
    provider = _provider("gemini", fake_llm.base_url, key="gemini-key-12345678")

    assert provider.client().list_models() == ["gemini-2.5-flash", "gemini-2.5-pro"]


def test_a_local_server_without_a_key_gets_a_placeholder(fake_llm):
    provider = _provider("ollama", fake_llm.base_url)

    assert provider.is_configured
    list(provider.llm("llama3.2").stream(MESSAGES))

    assert fake_llm.requests[0].headers["Authorization"] == "Bearer not-needed"


@pytest.mark.parametrize(
    ("kind", "model", "window"),
    [
        ("openai", "gpt-4o-mini", 128_000),
        ("openai", "gpt-4o-2024-08-06", 128_000),
        ("openai", "gpt-4", 8_192),
        ("openai", "gpt-4.1-nano", 1_047_576),
        ("anthropic", "claude-sonnet-4-5", 200_000),
        ("gemini", "gemini-2.5-flash", 1_048_576),
        ("openrouter", "anthropic/claude-3.5-sonnet", 200_000),
        ("groq", "llama-3.3-70b-versatile", 131_072),
        ("mistral", "mistral-large-latest", 131_072),
        ("ollama", "llama3.2", 4_096),
        ("custom", "whatever-model", DEFAULT_CONTEXT_WINDOW),
        ("openai", "a-model-nobody-knows", DEFAULT_CONTEXT_WINDOW),
    ],
)
def test_context_windows_per_model_with_a_safe_default(kind, model, window):
    assert registry.get_kind(kind).context_window(model) == window
    assert Provider(kind=kind).llm(model).context_window == window


def test_the_common_providers_are_seeded_waiting_for_a_key():
    seeded = {p.slug: p for p in Provider.objects.all()}

    for slug in ("anthropic", "gemini", "openrouter", "groq", "mistral", "deepseek"):
        assert seeded[slug].kind == slug
        assert not seeded[slug].enabled and seeded[slug].auto_enable
    assert not seeded["ollama"].enabled and not seeded["ollama"].auto_enable
    assert seeded["groq"].default_model == "llama-3.3-70b-versatile"
    assert seeded["offline"].fallback is False


def test_setting_a_key_offers_the_provider(monkeypatch):
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    assert not services.enabled_providers().filter(slug="groq").exists()

    monkeypatch.setenv("GROQ_API_KEY", "gsk_test_123456789")

    assert services.enabled_providers().filter(slug="groq").exists()
    assert Provider.objects.get(slug="groq").key_hint() == "key set (…6789)"


def test_an_unconfigured_provider_names_its_variable(monkeypatch):
    monkeypatch.delenv("DEEPSEEK_API_KEY", raising=False)
    deepseek = Provider.objects.get(slug="deepseek")

    with pytest.raises(BlogTubeError) as info:
        services.check_configured(deepseek)

    assert info.value.code == "PROVIDER_NOT_CONFIGURED"
    assert any("DEEPSEEK_API_KEY" in s for s in info.value.suggestions)


# --- scheduled health check -------------------------------------------------------


def test_the_health_check_is_scheduled_after_migrate():
    schedule = Schedule.objects.get(func="providers.tasks.check_all")
    assert schedule.schedule_type == Schedule.MINUTES
    assert schedule.minutes == 30
    assert schedule.repeats == -1


def test_the_schedule_follows_the_setting(settings):
    settings.BLOGTUBE_HEALTH_CHECK_MINUTES = 5
    call_command("migrate", verbosity=0)  # post_migrate syncs it
    assert Schedule.objects.get(func="providers.tasks.check_all").minutes == 5

    settings.BLOGTUBE_HEALTH_CHECK_MINUTES = 0
    health.sync_schedule()
    assert not Schedule.objects.filter(func="providers.tasks.check_all").exists()


def test_check_all_checks_the_configured_providers(llm_provider, fake_llm, monkeypatch, settings):
    from providers import tasks

    settings.OPENAI_API_KEY = ""
    for variable in ("ANTHROPIC", "GEMINI", "OPENROUTER", "GROQ", "MISTRAL", "DEEPSEEK"):
        monkeypatch.delenv(f"{variable}_API_KEY", raising=False)
    fake_llm.configure(models=["m1"])

    assert tasks.check_all() == 1

    [check] = ProviderHealth.objects.all()
    assert (check.provider, check.ok, check.model_ids) == (llm_provider, True, ["m1"])


def test_admin_action_tests_the_selected_providers(client, llm_provider, fake_llm):
    admin = get_user_model().objects.create_superuser("admin", "a@example.com", "pw")
    client.force_login(admin)
    fake_llm.configure(fail_status=500)

    response = client.post(
        reverse("admin:providers_provider_changelist"),
        {"action": "test_selected", "_selected_action": [llm_provider.pk]},
        follow=True,
    )

    page = response.content.decode()
    assert "Fake LLM:" in page and "PROVIDER_UNAVAILABLE" in page
    assert services.latest_health(llm_provider).ok is False
