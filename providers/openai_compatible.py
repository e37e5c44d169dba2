"""One client for every OpenAI-compatible chat API (OpenAI, Groq, OpenRouter, Ollama...).

Plain functions over the `openai` package: no Django, no models. Every failure
leaves here as a BlogTubeError (see providers.errors).
"""

from __future__ import annotations

import contextlib
import json
import os
import threading
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import httpx2
import openai

# openai's own SSE parser (what its Stream uses): the framing rules are not ours to redo.
from openai._streaming import SSEDecoder

from providers.errors import classify_openai_error

# The client refuses to start without a key; local servers (Ollama, llama.cpp) ignore it.
_PLACEHOLDER_KEY = "not-needed"

# What may escape the client: its own errors, raw transport errors, and undecodable
# SSE data (json.JSONDecodeError is a ValueError) from a server that is not quite compatible.
_CLIENT_ERRORS = (openai.OpenAIError, httpx2.HTTPError, json.JSONDecodeError)


@dataclass(frozen=True)
class Usage:
    prompt_tokens: int
    completion_tokens: int


@dataclass(frozen=True)
class StreamChunk:
    text: str = ""
    usage: Usage | None = None
    # Another provider takes over: text streamed before this chunk is void.
    reset: bool = False


def stream_chat(
    *,
    base_url: str,
    api_key: str,
    model: str,
    messages: list[dict],
    provider_name: str = "the provider",
    temperature: float | None = None,
    max_tokens: int | None = None,
    timeout: float = 120.0,
    max_retries: int = 2,
    extra_headers: Mapping[str, str] | None = None,
    include_usage: bool = True,
) -> Iterator[StreamChunk]:
    """Yield the reply's text as it arrives, then one chunk with usage if the server sent it.

    `timeout` bounds connecting and each wait between chunks, not the whole answer.
    Closing the generator early closes the connection.
    """
    params: dict[str, Any] = {
        "model": model,
        "messages": messages,
        "stream": True,
    }
    # Mistral answers 422 to stream_options (and sends usage anyway): its kind opts out.
    if include_usage:
        params["stream_options"] = {"include_usage": True}
    if temperature is not None:
        params["temperature"] = temperature
    if max_tokens is not None:
        params["max_tokens"] = max_tokens
    try:
        client = _client(base_url, api_key, timeout, max_retries, extra_headers)
        with contextlib.ExitStack() as opened:
            response = _open_stream(opened, client, params)
            usage: Usage | None = None
            for data in _events(response):
                # Usage normally comes on a last chunk with no choices, but some
                # servers attach it to the final choice chunk: keep the last seen.
                if data.get("usage"):
                    usage = Usage(
                        prompt_tokens=data["usage"].get("prompt_tokens") or 0,
                        completion_tokens=data["usage"].get("completion_tokens") or 0,
                    )
                for choice in data.get("choices") or ():
                    text = (choice.get("delta") or {}).get("content")
                    if choice.get("index", 0) == 0 and text:
                        yield StreamChunk(text=text)
            if usage is not None:
                yield StreamChunk(usage=usage)
    except _CLIENT_ERRORS as exc:
        # from None: the client's own exception quotes the server's body, key and all.
        raise classify_openai_error(exc, provider_name, model=model, keys=[api_key]) from None


def _events(response: openai.APIResponse) -> Iterator[dict[str, Any]]:
    """The stream's chunks as plain JSON, as openai's Stream reads them but without building
    a typed object for each: that took most of a fast model's answer time (a few hundred
    microseconds a chunk, a post being hundreds of chunks). Errors are raised as it does."""
    for event in SSEDecoder().iter_bytes(response.iter_bytes()):
        if event.data.startswith("[DONE]"):
            break
        data = event.json()
        if not isinstance(data, dict):
            continue
        if data.get("error"):
            error = data["error"]
            message = error.get("message") if isinstance(error, dict) else None
            raise openai.APIError(
                message=message
                if isinstance(message, str) and message
                else "An error occurred during streaming",
                request=response.http_request,
                body=error,
            )
        yield data


def list_models(
    *,
    base_url: str,
    api_key: str,
    timeout: float = 15.0,
    provider_name: str = "the provider",
    max_retries: int = 1,
    extra_headers: Mapping[str, str] | None = None,
) -> list[str]:
    """The model ids the server offers (GET /models), sorted."""
    try:
        client = _client(base_url, api_key, timeout, max_retries, extra_headers)
        return sorted({model.id for model in client.models.list()})
    except _CLIENT_ERRORS as exc:
        raise classify_openai_error(exc, provider_name, keys=[api_key]) from None


# Clients are kept per endpoint, key and headers: building one costs a TLS context and a
# connection pool (tens of milliseconds, more on a busy machine), and a kept one reuses its
# open connections. Never shared between keys: a client's cookie jar and pool are one
# account's. Bounded, so rotated keys do not pile up; the oldest is dropped unclosed, as
# another thread may still be streaming through it (its pool closes when it is collected).
MAX_CLIENTS = 64
_clients: OrderedDict[tuple, openai.OpenAI] = OrderedDict()
_clients_lock = threading.Lock()


def _forget_clients() -> None:
    # A forked worker must not share its parent's sockets.
    global _clients_lock
    _clients.clear()
    _clients_lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_clients)


def _client(
    base_url: str,
    api_key: str,
    timeout: float,
    max_retries: int,
    extra_headers: Mapping[str, str] | None = None,
) -> openai.OpenAI:
    """The kept client of this endpoint and key, with this call's timeout and retries.

    Thread-safe: the client's connection pool is, and per-call options make a copy that
    shares the pool without changing the kept client.
    """
    headers = tuple(sorted((extra_headers or {}).items()))
    key = (base_url, api_key or _PLACEHOLDER_KEY, headers)
    with _clients_lock:
        client = _clients.get(key)
        if client is None:
            client = openai.OpenAI(
                base_url=base_url,
                api_key=api_key or _PLACEHOLDER_KEY,
                default_headers=dict(headers) or None,
            )
            _clients[key] = client
            while len(_clients) > MAX_CLIENTS:
                _clients.popitem(last=False)
        else:
            _clients.move_to_end(key)
    return client.with_options(timeout=timeout, max_retries=max_retries)


def _open_stream(
    opened: contextlib.ExitStack, client: openai.OpenAI, params: dict[str, Any]
) -> openai.APIResponse:
    # Servers differ in which optional parameters they accept. Each rejection names
    # the parameter, so adapt and ask again; at most once per parameter we set.
    completions = client.chat.completions.with_streaming_response
    for _ in range(3):
        try:
            return opened.enter_context(completions.create(**params))
        except openai.BadRequestError as exc:
            adapted = _adapt_to_rejection(params, exc)
            if adapted is None:
                raise
            params = adapted
    return opened.enter_context(completions.create(**params))


def _adapt_to_rejection(params: dict[str, Any], exc: openai.BadRequestError) -> dict | None:
    """The request without the optional parameter the server refused, or None."""
    if exc.code == "context_length_exceeded":
        return None
    said = f"{exc.param or ''} {exc.message}".lower()
    adapted = dict(params)
    if "stream_options" in said and "stream_options" in params:
        # Older servers: stream without usage; the caller estimates tokens instead.
        del adapted["stream_options"]
    elif "max_completion_tokens" in said and "max_tokens" in params:
        # OpenAI's reasoning models renamed the parameter.
        adapted["max_completion_tokens"] = adapted.pop("max_tokens")
    elif "temperature" in said and "temperature" in params:
        # Some models only accept their default temperature.
        del adapted["temperature"]
    else:
        return None
    return adapted
