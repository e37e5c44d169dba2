"""providers.openai_compatible against the fake server, through the real openai client."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import httpx2
import openai
import pytest

from blogtube_site.errors import BlogTubeError
from providers.errors import ProviderRateLimit, classify_openai_error
from providers.openai_compatible import StreamChunk, Usage, list_models, stream_chat
from tests.fakes.llm_server import FakeLLMServer, split_tokens

MESSAGES = [
    {"role": "system", "content": "You write blog posts."},
    {"role": "user", "content": "Summarise this transcript please."},
]


def _stream(server: FakeLLMServer, **kwargs: object) -> Iterator[StreamChunk]:
    options: dict = {
        "base_url": server.base_url,
        "api_key": "sk-test",
        "model": "fake-large",
        "messages": MESSAGES,
        "provider_name": "FakeAI",
        "max_retries": 0,
        "timeout": 5.0,
    }
    options.update(kwargs)
    return stream_chat(**options)


def _error_of(chunks: Iterator[StreamChunk]) -> BlogTubeError:
    with pytest.raises(BlogTubeError) as info:
        list(chunks)
    return info.value


def test_stream_yields_text_in_order_then_usage(fake_llm):
    reply = "The quick brown fox jumps over the lazy dog."
    fake_llm.configure(reply=reply, token_delay=0.005)

    chunks = list(_stream(fake_llm))

    texts = [c.text for c in chunks if c.text]
    assert texts == split_tokens(reply)
    assert "".join(texts) == reply
    assert chunks[-1] == StreamChunk(usage=Usage(prompt_tokens=8, completion_tokens=9))
    assert all(c.usage is None for c in chunks[:-1])


def test_request_carries_model_key_and_base_path(fake_llm):
    list(_stream(fake_llm, model="fake-small", temperature=0.2, max_tokens=50))

    [request] = fake_llm.requests
    assert (request.method, request.path) == ("POST", "/v1/chat/completions")
    assert request.headers["Authorization"] == "Bearer sk-test"
    assert request.json["model"] == "fake-small"
    assert request.json["messages"] == MESSAGES
    assert request.json["stream"] is True
    assert request.json["stream_options"] == {"include_usage": True}
    assert (request.json["temperature"], request.json["max_tokens"]) == (0.2, 50)


def test_empty_key_sends_a_placeholder_for_local_servers(fake_llm):
    list(_stream(fake_llm, api_key=""))

    assert fake_llm.requests[0].headers["Authorization"] == "Bearer not-needed"


def test_reply_can_depend_on_the_request(fake_llm):
    fake_llm.configure(reply=lambda body: f"Model {body['model']} here")

    text = "".join(c.text for c in _stream(fake_llm, model="m1"))

    assert text == "Model m1 here"


@pytest.mark.parametrize(
    ("server_config", "code", "transient"),
    [
        ({"fail_status": 401}, "PROVIDER_AUTH", False),
        ({"fail_status": 403}, "PROVIDER_AUTH", False),
        ({"fail_status": 404}, "MODEL_NOT_FOUND", False),
        ({"fail_status": 429, "fail_code": "insufficient_quota"}, "PROVIDER_QUOTA", False),
        ({"fail_status": 500}, "PROVIDER_UNAVAILABLE", True),
        ({"fail_status": 503}, "PROVIDER_UNAVAILABLE", True),
        ({"context_limit": 5}, "CONTEXT_TOO_LONG", False),
    ],
)
def test_http_failures_are_classified(fake_llm, server_config, code, transient):
    fake_llm.configure(**server_config)

    error = _error_of(_stream(fake_llm))

    assert (error.code, error.transient) == (code, transient)
    assert error.suggestions
    assert error.detail  # the original text, for the log
    assert len(fake_llm.requests) == 1  # max_retries=0


def test_auth_error_names_the_provider(fake_llm):
    fake_llm.configure(fail_status=401)

    error = _error_of(_stream(fake_llm))

    assert error.message == "The API key was rejected by FakeAI."
    assert any("OPENAI_API_KEY" in s for s in error.suggestions)
    assert any("offline" in s for s in error.suggestions)


def test_rate_limit_keeps_retry_after(fake_llm):
    fake_llm.configure(fail_status=429, retry_after=0.05)

    error = _error_of(_stream(fake_llm))

    assert isinstance(error, ProviderRateLimit)
    assert (error.code, error.transient, error.retry_after) == ("PROVIDER_RATE_LIMIT", True, 0.05)
    assert error.as_dict()["retry_after"] == 0.05


def test_rate_limit_is_retried_then_succeeds(fake_llm):
    fake_llm.configure(fail_status=429, retry_after=0.05, fail_times=1, reply="Finally here")

    text = "".join(c.text for c in _stream(fake_llm, max_retries=1))

    assert text == "Finally here"
    assert len(fake_llm.requests) == 2


def test_dropped_stream_is_unavailable_after_yielding_the_text_so_far(fake_llm):
    fake_llm.configure(reply="one two three four five", drop_after_tokens=3)
    received: list[str] = []

    with pytest.raises(BlogTubeError) as info:
        for chunk in _stream(fake_llm):
            received.append(chunk.text)

    assert "".join(received) == "one two three "
    assert (info.value.code, info.value.transient) == ("PROVIDER_UNAVAILABLE", True)
    assert "RemoteProtocolError" in info.value.detail


def test_slow_server_times_out_as_unavailable(fake_llm):
    fake_llm.configure(first_token_delay=2.0)

    error = _error_of(_stream(fake_llm, timeout=0.2))

    assert error.code == "PROVIDER_UNAVAILABLE"
    assert "in time" in error.message


def test_connection_refused_is_unavailable():
    with socket.socket() as sock:  # a port that was free a moment ago and is closed now
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]

    error = _error_of(
        stream_chat(
            base_url=f"http://127.0.0.1:{port}/v1",
            api_key="k",
            model="m",
            messages=MESSAGES,
            max_retries=0,
            provider_name="Ollama",
        )
    )

    assert error.code == "PROVIDER_UNAVAILABLE"
    assert error.message == "Could not connect to Ollama."


def test_server_rejecting_stream_options_is_asked_again_without(fake_llm):
    fake_llm.configure(reject_stream_options=True, reply="No usage here")

    chunks = list(_stream(fake_llm))

    assert "".join(c.text for c in chunks) == "No usage here"
    assert all(c.usage is None for c in chunks)
    assert [("stream_options" in r.json) for r in fake_llm.requests] == [True, False]


def test_list_models_returns_sorted_ids(fake_llm):
    fake_llm.configure(models=["zeta", "alpha", "mid"])

    assert list_models(base_url=fake_llm.base_url, api_key="sk-test") == ["alpha", "mid", "zeta"]
    assert fake_llm.requests[0].path == "/v1/models"
    assert fake_llm.requests[0].headers["Authorization"] == "Bearer sk-test"


def test_list_models_with_a_bad_key_is_an_auth_error(fake_llm):
    fake_llm.configure(fail_status=401)

    with pytest.raises(BlogTubeError) as info:
        list_models(base_url=fake_llm.base_url, api_key="bad", provider_name="FakeAI")

    assert info.value.code == "PROVIDER_AUTH"


def test_streams_from_several_threads_are_in_flight_at_once(fake_llm):
    # The fake holds every stream until all four are open: run one after the other,
    # the first would wait alone and be dropped.
    fake_llm.configure(reply="a b c d e", rendezvous=4)
    results: list[str] = []
    errors: list[BaseException] = []

    def run() -> None:
        try:
            results.append("".join(c.text for c in _stream(fake_llm)))
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert results == ["a b c d e"] * 4
    assert fake_llm.peak_streams == 4


def test_closing_the_stream_early_hangs_up_instead_of_reading_the_rest(fake_llm):
    # Cancellation: the job stops reading between chunks and closes the generator;
    # the server must then stop sending, not stream the other 998 words to nobody.
    fake_llm.configure(reply="word " * 1000, token_delay=0.01)
    chunks = _stream(fake_llm)

    first = [next(chunks).text, next(chunks).text]
    chunks.close()

    assert first == ["word ", "word "]
    [request] = fake_llm.requests
    request.answered.wait(timeout=60)  # a hang guard: all 1000 words take 10 s
    assert request.client_gone
    assert request.tokens_sent < 1000


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"message": "too long", "code": "context_length_exceeded"}, "CONTEXT_TOO_LONG"),
        ({"message": "quota", "type": "insufficient_quota"}, "PROVIDER_QUOTA"),
        ({"message": "overloaded", "type": "server_error"}, "PROVIDER_UNAVAILABLE"),
        ({"message": "odd", "type": "invalid_request_error"}, "PROVIDER_ERROR"),
    ],
)
def test_error_events_inside_a_stream_are_classified(body, code):
    request = httpx2.Request("POST", "http://127.0.0.1/v1/chat/completions")
    exc = openai.APIError(body["message"], request, body=body)

    assert classify_openai_error(exc, "FakeAI").code == code


def test_calls_with_one_key_reuse_one_client_and_its_connections(fake_llm):
    # The client (its TLS context, its pool) is built once, not per job: answers read to
    # their end leave their connection open for the next call. (The openai client hangs
    # up a stream at [DONE] before its last bytes, so streams open one each time.)
    for _ in range(3):
        list_models(base_url=fake_llm.base_url, api_key="sk-test", provider_name="FakeAI")

    assert len({r.peer for r in fake_llm.requests}) == 1


def test_each_key_keeps_its_own_client_even_from_many_threads(fake_llm):
    # Two people's providers on one server, used at once: every request carries the key
    # (and the headers) of the provider that made it, never the other one's.
    fake_llm.configure(reply=lambda body: body["model"])
    accounts = {
        "alice-model": ("sk-alice", {"x-api-key": "sk-alice"}),
        "bob-model": ("sk-bob", None),
    }
    errors: list[BaseException] = []

    def run(model: str) -> None:
        key, headers = accounts[model]
        try:
            for _ in range(5):
                text = "".join(
                    c.text
                    for c in _stream(fake_llm, model=model, api_key=key, extra_headers=headers)
                )
                assert text == model
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(m,)) for m in accounts for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert errors == []
    assert len(fake_llm.requests) == 30
    for request in fake_llm.requests:
        key, headers = accounts[request.json["model"]]
        assert request.headers["authorization"] == f"Bearer {key}"
        assert request.headers.get("x-api-key") == (headers or {}).get("x-api-key")
    alice = {r.peer for r in fake_llm.requests if r.json["model"] == "alice-model"}
    bob = {r.peer for r in fake_llm.requests if r.json["model"] == "bob-model"}
    assert alice.isdisjoint(bob)


def test_a_short_timeout_on_one_call_does_not_stick_to_the_next(fake_llm):
    fake_llm.configure(reply="slow answer", first_token_delay=0.5)
    assert _error_of(_stream(fake_llm, timeout=0.1)).code == "PROVIDER_UNAVAILABLE"

    assert "".join(c.text for c in _stream(fake_llm, timeout=10.0)) == "slow answer"
