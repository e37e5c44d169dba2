"""A provider whose kind is not priced (a server of one's own) is free: the estimate, the
job's page, the stats page and the CLI all say so, even though its model has no price."""

from __future__ import annotations

import re

import pytest
from django.core.management import call_command
from django.urls import reverse

from jobs import services
from jobs.models import Job
from jobs.stats import job_stats
from providers.models import Provider
from tests.jobs.conftest import POST_FROM_MODEL, VIDEO_URL
from tests.jobs.factories import make_job

FREE = "free (runs on your own server)"


def stats_row(html: str, provider: str) -> str:
    match = re.search(rf'<tr><th scope="row">{re.escape(provider)}</th>.*?</tr>', html)
    assert match, html
    return match.group(0)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_post_written_on_ollama_is_free_in_the_cli_on_its_page_and_in_the_stats(
    client, user, youtube_video, fake_llm, capsys
):
    Provider.objects.filter(slug="ollama").update(enabled=True, base_url=fake_llm.base_url)
    fake_llm.configure(reply=POST_FROM_MODEL)

    # As the person the client is: the job is theirs to see in the browser.
    call_command("blogtube", VIDEO_URL, "--provider", "ollama", "--user", user.username)

    assert f"Estimated cost with llama3.2: {FREE}" in capsys.readouterr().err
    job = Job.objects.get()
    assert job.status == Job.Status.COMPLETED, job.error_message
    assert job.tokens_in and job.tokens_out  # llama3.2 has no price, yet nothing is unknown

    page = client.get(job.get_absolute_url()).content.decode()
    assert f"out · {FREE}</span>" in page
    assert "cost unknown" not in page

    stats = client.get(reverse("jobs:stats")).content.decode()
    assert stats_row(stats, "Ollama (local)").endswith('<td class="num">free</td></tr>')
    assert "Not priced" not in stats


@pytest.mark.django_db
def test_tokens_on_a_server_of_ones_own_cost_nothing_whatever_the_model(user):
    lmstudio = Provider.objects.get(slug="lmstudio")
    job = make_job(provider=lmstudio, model="qwen2.5-7b-instruct", tokens_in=900, tokens_out=300)

    assert job.cost_display == FREE
    usage = {p.name: p for p in job_stats(30, user=user).providers}["LM Studio (local)"]
    assert (usage.free, usage.cost, usage.unpriced, usage.cost_note) == (True, 0, [], "free")


@pytest.mark.django_db
def test_a_priced_provider_with_an_unknown_model_still_says_so(user):
    openai = Provider.objects.get(slug="openai")
    make_job(provider=openai, model="homebrew-7b", tokens_in=1_000, tokens_out=200)

    usage = {p.name: p for p in job_stats(30, user=user).providers}["OpenAI"]
    assert not usage.free
    assert (usage.unpriced, usage.cost_note) == (["homebrew-7b"], "price unknown")


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "name"), [("lmstudio", "LM Studio (local)"), ("vllm", "vLLM")])
def test_a_server_without_a_model_of_its_own_is_named_in_the_estimate(kind, name):
    provider, _ = Provider.objects.update_or_create(
        slug=kind, defaults={"name": name, "kind": kind, "default_model": ""}
    )

    assert services.cost_estimate(provider, "", 4_000) == f"Estimated cost with {name}: {FREE}"
    assert services.cost_estimate(provider, "qwen2.5", 4_000) == (
        f"Estimated cost with qwen2.5: {FREE}"
    )
