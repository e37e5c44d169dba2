"""When the chosen provider fails, the next configured one writes the post."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from blogtube_site.errors import BlogTubeError
from providers import services
from providers.models import Provider
from providers.openai_compatible import StreamChunk
from providers.prompts import PostRequest
from tests.fakes.llm_server import FakeLLMServer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("no_cloud_provider_keys")]

REQUEST = PostRequest(title="Foxes", transcript="Foxes are small omnivores. They live in dens.")


@pytest.fixture
def backup_llm() -> Iterator[FakeLLMServer]:
    with FakeLLMServer() as server:
        server.configure(reply="The backup model wrote this post.")
        yield server


def _provider(slug: str, server: FakeLLMServer, position: int, **fields) -> Provider:
    return Provider.objects.create(
        slug=slug,
        name=slug.title(),
        kind="custom",
        base_url=server.base_url,
        default_model=f"{slug}-model",
        position=position,
        **fields,
    )


def _write(provider: Provider) -> tuple[list[StreamChunk], list[tuple[str, str]]]:
    events: list[tuple[str, str]] = []
    chunks = list(
        services.write_post(
            provider, "", REQUEST, on_event=lambda message, level: events.append((message, level))
        )
    )
    return chunks, events


def _final_text(chunks: list[StreamChunk]) -> str:
    """What a reader ends up with: the text after the last reset marker."""
    text: list[str] = []
    for chunk in chunks:
        if chunk.reset:
            text.clear()
        text.append(chunk.text)
    return "".join(text)


@pytest.mark.parametrize(
    ("failure", "reason"),
    [
        ({"fail_status": 500}, "not answering"),
        ({"fail_status": 503}, "not answering"),
        ({"fail_status": 429, "retry_after": 0.01}, "rate limited"),
        ({"fail_status": 429, "fail_code": "insufficient_quota"}, "out of credit or quota"),
    ],
)
def test_a_failing_provider_hands_over_to_the_next(fake_llm, backup_llm, failure, reason):
    fake_llm.configure(**failure)
    primary = _provider("primary", fake_llm, 10)
    _provider("backup", backup_llm, 20)

    chunks, events = _write(primary)

    assert "The backup model wrote this post." in _final_text(chunks)
    assert not any(c.reset for c in chunks)  # nothing had streamed: nothing to take back
    assert events == [
        (f"Primary is unavailable ({reason}); continuing with Backup (backup-model)", "warning")
    ]
    assert backup_llm.requests[0].json["model"] == "backup-model"


def test_rate_limits_are_retried_before_giving_up(fake_llm, backup_llm):
    fake_llm.configure(fail_status=429, retry_after=0.01)
    primary = _provider("primary", fake_llm, 10)
    _provider("backup", backup_llm, 20)

    _write(primary)

    assert len(fake_llm.requests) == 3  # the first try and the client's two retries


def test_text_already_streamed_is_reset_before_the_next_provider_writes(fake_llm, backup_llm):
    fake_llm.configure(reply="one two three four five six", drop_after_tokens=3)
    primary = _provider("primary", fake_llm, 10)
    _provider("backup", backup_llm, 20)

    chunks, events = _write(primary)

    resets = [i for i, c in enumerate(chunks) if c.reset]
    assert len(resets) == 1
    before = "".join(c.text for c in chunks[: resets[0]])
    assert before.startswith("one two three")
    final = _final_text(chunks)
    assert "The backup model wrote this post." in final
    assert "one two" not in final
    assert events[0][0].startswith("Primary is unavailable (not answering)")


def test_the_chain_follows_position_and_skips_what_cannot_stand_in(fake_llm, backup_llm):
    fake_llm.configure(fail_status=500)
    primary = _provider("primary", fake_llm, 10)
    with FakeLLMServer() as unused:
        _provider("disabled", unused, 11, enabled=False)
        _provider("opted-out", unused, 12, fallback=False)
        keyless = _provider("keyless", unused, 13, api_key_env="BLOGTUBE_TEST_NO_SUCH_KEY")
        _provider("backup", backup_llm, 20)
        _provider("later", unused, 30)

        chain = [p.slug for p in services.fallback_chain(primary)]
        _chunks, events = _write(primary)

        assert chain == ["backup", "later"]
        assert not keyless.is_configured
        assert unused.requests == []
    assert "continuing with Backup" in events[0][0]


def test_when_every_provider_fails_the_last_error_is_raised(fake_llm, backup_llm):
    fake_llm.configure(fail_status=500)
    backup_llm.configure(fail_status=429, fail_code="insufficient_quota")
    primary = _provider("primary", fake_llm, 10)
    _provider("backup", backup_llm, 20)
    events: list[tuple[str, str]] = []

    with pytest.raises(BlogTubeError) as info:
        list(services.write_post(primary, "", REQUEST, on_event=lambda m, lv: events.append(m)))

    assert info.value.code == "PROVIDER_QUOTA"
    assert len(events) == 1


@pytest.mark.parametrize(
    ("failure", "code"),
    [({"fail_status": 401}, "PROVIDER_AUTH"), ({"fail_status": 404}, "MODEL_NOT_FOUND")],
)
def test_our_own_mistakes_are_not_hidden_by_a_fallback(fake_llm, backup_llm, failure, code):
    fake_llm.configure(**failure)
    primary = _provider("primary", fake_llm, 10)
    _provider("backup", backup_llm, 20)

    with pytest.raises(BlogTubeError) as info:
        _write(primary)

    assert info.value.code == code
    assert backup_llm.requests == []


def test_the_offline_writer_needs_no_fallback(offline_provider, backup_llm):
    _provider("backup", backup_llm, 20)

    chunks, events = _write(offline_provider)

    assert _final_text(chunks).strip()
    assert events == [] and backup_llm.requests == []
