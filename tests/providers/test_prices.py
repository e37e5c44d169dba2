"""Prices from the admin-editable table, estimates before a job, and counting tokens."""

from __future__ import annotations

from decimal import Decimal

import pytest
import tiktoken
from django.contrib.auth import get_user_model
from django.urls import reverse

from providers import services, tokens
from providers.models import ModelPrice, Provider
from tests.caches import clear_cache

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def fresh_cache():
    clear_cache()
    tokens._encoding.cache_clear()
    yield
    clear_cache()


@pytest.fixture
def no_tiktoken_files(monkeypatch, tmp_path):
    monkeypatch.setenv("TIKTOKEN_CACHE_DIR", str(tmp_path / "empty"))


def test_prices_come_from_the_seeded_table():
    row = ModelPrice.objects.get(model="gpt-4o-mini")
    assert (row.input_usd_per_mtok, row.output_usd_per_mtok) == (Decimal("0.15"), Decimal("0.6"))
    assert services.cost_usd("gpt-4o-mini", 1_000_000, 1_000_000) == Decimal("0.75")
    # A vendor path and a dated variant are priced by the row of the model they name.
    assert services.cost_usd("openai/gpt-4o-mini-2024-07-18", 1_000_000, 0) == Decimal("0.15")
    assert services.prices_as_of() == "2025-06"


def test_an_edited_price_counts_at_once(admin_client):
    url = reverse(
        "admin:providers_modelprice_change", args=[ModelPrice.objects.get(model="gpt-4o").pk]
    )
    assert services.cost_usd("gpt-4o", 1_000_000, 0) == Decimal("2.50")

    response = admin_client.post(
        url,
        {
            "model": "gpt-4o",
            "input_usd_per_mtok": "2.00",
            "output_usd_per_mtok": "8.00",
            "as_of": "2026-01-15",
            "note": "",
        },
    )

    assert response.status_code == 302
    assert services.cost_usd("gpt-4o", 1_000_000, 0) == Decimal("2.00")
    assert services.cost_usd("gpt-4o-2024-08-06", 0, 1_000_000) == Decimal("8.00")


def test_a_new_model_is_priced_once_it_has_a_row():
    assert services.cost_usd("my-new-model-v2", 1000, 1000) is None

    ModelPrice.objects.create(
        model="My-New-Model", input_usd_per_mtok=1, output_usd_per_mtok=3, as_of="2026-01-01"
    )

    assert services.cost_usd("my-new-model-v2", 1_000_000, 1_000_000) == Decimal(4)


def test_the_job_cost_uses_the_table():
    from tests.jobs.factories import make_job

    job = make_job(provider=Provider.objects.get(slug="openai"))
    job.model = "gpt-4o-mini"
    job.tokens_in, job.tokens_out = 10_000, 2_000
    # 10k x 0.15 + 2k x 0.60 per million = $0.0027
    assert job.cost_display == "≈ $0.0027"


def test_a_job_on_the_default_model_is_priced_as_that_model():
    from tests.jobs.factories import make_job

    job = make_job(provider=Provider.objects.get(slug="openai"))
    job.model = ""  # "the provider's default": gpt-4o-mini
    job.tokens_in, job.tokens_out = 10_000, 2_000
    assert job.cost_display == "≈ $0.0027"


def test_an_unpriced_model_says_where_to_add_its_price():
    from tests.jobs.factories import make_job

    job = make_job(provider=Provider.objects.get(slug="openai"))
    job.model = "homebrew-7b"
    job.tokens_in, job.tokens_out = 1_000, 200
    assert job.cost_display == "cost unknown: no price for homebrew-7b in admin"


def test_estimate_before_a_job(no_tiktoken_files):
    openai = Provider.objects.get(slug="openai")

    estimate = services.estimate_cost(openai, "gpt-4o-mini", 40_000)

    # 10,000 transcript tokens + 400 of instructions in, a medium post (1,500) out.
    expected = (Decimal(10_400) * Decimal("0.15") + Decimal(1_500) * Decimal("0.60")) / 10**6
    assert estimate == expected
    assert services.estimate_cost(openai, "", 40_000) == expected  # the default model


def test_a_transcript_longer_than_the_context_costs_its_summaries_too():
    ModelPrice.objects.create(
        model="small-ctx", input_usd_per_mtok=1, output_usd_per_mtok=1, as_of="2026-01-01"
    )
    custom = Provider.objects.create(slug="c", name="C", kind="custom", base_url="http://x/v1")
    three_hours = 180 * 60 * 15 * 6  # characters: ~15 words a minute... of 6 characters

    one_pass = (Decimal(three_hours // 4 + 400) + Decimal(1_500)) / 10**6
    assert services.estimate_cost(custom, "small-ctx", three_hours) > one_pass


@pytest.mark.parametrize("kind", ["offline", "ollama", "lmstudio", "vllm"])
def test_a_self_hosted_or_offline_writer_costs_nothing(kind):
    # Even a model with a price: on one's own machine no token is bought.
    provider = Provider(slug="x", name="X", kind=kind, default_model="gpt-4o")
    assert services.estimate_cost(provider, "", 50_000) == 0


def test_what_costs_nothing_and_what_is_unknown():
    assert services.estimate_cost(Provider.objects.get(slug="offline"), "", 50_000) == 0
    assert services.estimate_cost(Provider.objects.get(slug="ollama"), "", 50_000) == 0
    custom = Provider.objects.create(slug="c", name="C", kind="custom", base_url="http://x/v1")
    assert services.estimate_cost(custom, "homebrew-7b", 50_000) is None


def test_without_tiktoken_files_tokens_are_estimated_offline(no_tiktoken_files):
    assert services.count_tokens("", "gpt-4o") == 0
    assert services.count_tokens("abcdefgh", "gpt-4o") == 2
    assert services.count_tokens("abcdefghi", "gpt-4o") == 3


def test_with_an_encoding_at_hand_tiktoken_counts(monkeypatch):
    # A byte-level encoding built here: one token per byte, so the count is exact and known.
    ranks = {bytes([i]): i for i in range(256)}
    encoding = tiktoken.Encoding(
        "bytes", pat_str=r"[\s\S]", mergeable_ranks=ranks, special_tokens={}
    )
    monkeypatch.setattr(tokens, "_encoding", lambda name: encoding)

    assert services.count_tokens("héllo", "gpt-4o") == len("héllo".encode())
    assert tokens.count_message_tokens([{"role": "user", "content": "abc"}]) == 3 + 4


def test_a_server_without_usage_still_gets_its_tokens_counted(fake_llm, no_tiktoken_files):
    fake_llm.configure(reject_stream_options=True, reply="one two three four")
    custom = Provider.objects.create(
        slug="c", name="C", kind="custom", base_url=fake_llm.base_url, default_model="m"
    )
    messages = [{"role": "user", "content": "x" * 400}]

    chunks = list(custom.llm().stream(messages))

    usage = chunks[-1].usage
    assert usage is not None
    assert usage.prompt_tokens == 100 + 4
    assert usage.completion_tokens == len("one two three four") // 4 + 1


@pytest.fixture
def admin_client(client):
    client.force_login(get_user_model().objects.create_superuser("a", "a@example.com", "pw"))
    return client
