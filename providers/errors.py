"""What can go wrong when talking to an AI provider, in words a person can act on.

`classify_openai_error` is the one place that knows the `openai` client's
exception zoo; everything above it sees only these BlogTubeError subclasses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

import httpx2
import openai

from blogtube_site.errors import BlogTubeError

_OFFLINE_HINT = "Use the built-in offline provider, which needs no key."


class ProviderAuth(BlogTubeError):
    code = "PROVIDER_AUTH"
    message = "The API key was rejected by the provider."
    suggestions = (
        "Check that the API key is correct, complete and still active.",
        "Set OPENAI_API_KEY (or this provider's key) and try again.",
        _OFFLINE_HINT,
    )


class ProviderNotConfigured(BlogTubeError):
    code = "PROVIDER_NOT_CONFIGURED"
    message = "No API key is set for this provider."
    suggestions = (
        "Set OPENAI_API_KEY (or this provider's key) and try again.",
        _OFFLINE_HINT,
    )


class ProviderRateLimit(BlogTubeError):
    code = "PROVIDER_RATE_LIMIT"
    transient = True
    message = "The provider is rate limiting requests right now."
    suggestions = (
        "Wait a little; the job is retried automatically.",
        "Use a model or plan with higher rate limits.",
    )

    def __init__(
        self,
        message: str | None = None,
        *,
        suggestions: list[str] | tuple[str, ...] | None = None,
        detail: str = "",
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message, suggestions=suggestions, detail=detail)
        # Seconds the provider asked us to wait (Retry-After), so a retry can honour it.
        self.retry_after = retry_after

    def as_dict(self) -> dict[str, object]:
        data = super().as_dict()
        if self.retry_after is not None:
            data["retry_after"] = self.retry_after
        return data


class ProviderQuota(BlogTubeError):
    code = "PROVIDER_QUOTA"
    message = "The provider account has run out of credit or quota."
    suggestions = (
        "Check the plan and billing details of the provider account.",
        "Use another provider or key.",
        _OFFLINE_HINT,
    )


class ProviderUnavailable(BlogTubeError):
    code = "PROVIDER_UNAVAILABLE"
    transient = True
    message = "The provider could not be reached or failed to answer."
    suggestions = (
        "Try again in a moment; the job is retried automatically.",
        "Check the provider's base URL and that the server is running.",
    )


class ModelNotFound(BlogTubeError):
    code = "MODEL_NOT_FOUND"
    message = "The provider does not know this model."
    suggestions = (
        "List the models available with this key and pick one of them.",
        "Check the base URL: OpenAI-compatible APIs usually end in /v1.",
        "For Ollama, pull the model first: ollama pull MODEL.",
    )


class ContextTooLong(BlogTubeError):
    code = "CONTEXT_TOO_LONG"
    message = "The transcript is too long for this model's context window."
    suggestions = (
        "Pick a model with a larger context window.",
        "Use a shorter video or trim the transcript.",
    )


class ProviderError(BlogTubeError):
    code = "PROVIDER_ERROR"
    message = "The provider returned an error."
    suggestions = ("Try again, or try another model or provider.",)


# Providers word "too long" differently: OpenAI, Anthropic, Gemini, Groq, llama.cpp.
_CONTEXT_RE = re.compile(
    r"context[_ ]length|maximum context|context window|too many tokens|prompt is too long"
    r"|exceeds the maximum number of tokens|exceed_context_size",
    re.IGNORECASE,
)
_SHORT = 300


REDACTED = "[redacted key]"
# Shorter values are no real key ("none", a test's "x"); replacing them would mangle words.
MIN_KEY_LENGTH = 8


def redact(text: str, keys: Iterable[str]) -> str:
    """The text with each of these keys replaced, longest first (a key inside another)."""
    usable = {k.strip() for k in keys if k and len(k.strip()) >= MIN_KEY_LENGTH}
    for key in sorted(usable, key=len, reverse=True):
        text = text.replace(key, REDACTED)
    return text


def without_keys(error: BlogTubeError, keys: Iterable[str]) -> BlogTubeError:
    """The same error with these keys taken out of everything it says."""
    keys = list(keys)
    error.message = redact(error.message, keys)
    error.detail = redact(error.detail, keys)
    error.suggestions = tuple(redact(s, keys) for s in error.suggestions)
    error.args = tuple(redact(a, keys) if isinstance(a, str) else a for a in error.args)
    return error


def classify_openai_error(
    exc: BaseException, provider_name: str, *, model: str = "", keys: Iterable[str] = ()
) -> BlogTubeError:
    """Turn an `openai` (or `httpx2`) exception into the BlogTubeError it means.

    `detail` always keeps the original text for the log, without `keys`: a server's error
    body may quote the key it refused.
    """
    return without_keys(_classify(exc, provider_name, model), keys)


def _classify(exc: BaseException, provider_name: str, model: str) -> BlogTubeError:
    if isinstance(exc, BlogTubeError):
        return exc
    detail = _detail(exc)
    if isinstance(exc, openai.APIStatusError):
        return _from_status(exc, provider_name, model, detail)
    if isinstance(exc, openai.APITimeoutError | httpx2.TimeoutException):
        return ProviderUnavailable(f"{provider_name} did not answer in time.", detail=detail)
    if isinstance(exc, openai.APIConnectionError | httpx2.TransportError):
        return _from_connection(exc, provider_name, detail)
    if isinstance(exc, openai.APIError):
        # An error event inside an SSE stream: no status code, only the body.
        return _from_body(exc.code, exc.type, _api_message(exc), provider_name, model, detail)
    return ProviderError(
        f"{provider_name} returned something BlogTube could not understand.", detail=detail
    )


def _from_status(
    exc: openai.APIStatusError, provider_name: str, model: str, detail: str
) -> BlogTubeError:
    status = exc.status_code
    api_message = _api_message(exc)
    if status == 401:
        return ProviderAuth(f"The API key was rejected by {provider_name}.", detail=detail)
    if status == 403:
        return ProviderAuth(
            f"{provider_name} refused this request for this API key: {api_message}",
            suggestions=(
                "Check that the key's project has access to this model.",
                "Try another model.",
                _OFFLINE_HINT,
            ),
            detail=detail,
        )
    if status == 404:
        return _model_not_found(provider_name, model, detail)
    if status == 413:
        return _context_too_long(provider_name, model, detail)
    if status == 429:
        if _is_quota(exc.code, exc.type):
            return ProviderQuota(
                f"The {provider_name} account has run out of credit or quota.", detail=detail
            )
        return ProviderRateLimit(
            f"{provider_name} is rate limiting requests right now.",
            detail=detail,
            retry_after=_retry_after(exc.response.headers),
        )
    if status >= 500 or status in (408, 409):
        return ProviderUnavailable(
            f"{provider_name} failed to answer (HTTP {status}).", detail=detail
        )
    return _from_body(exc.code, exc.type, api_message, provider_name, model, detail)


def _from_body(
    code: str | None,
    type_: str | None,
    api_message: str,
    provider_name: str,
    model: str,
    detail: str,
) -> BlogTubeError:
    if code == "context_length_exceeded" or _CONTEXT_RE.search(api_message):
        return _context_too_long(provider_name, model, detail)
    if code == "model_not_found":
        return _model_not_found(provider_name, model, detail)
    if _is_quota(code, type_):
        return ProviderQuota(
            f"The {provider_name} account has run out of credit or quota.", detail=detail
        )
    if code == "rate_limit_exceeded":
        return ProviderRateLimit(f"{provider_name} is rate limiting requests.", detail=detail)
    if type_ == "server_error":
        return ProviderUnavailable(f"{provider_name} failed while answering.", detail=detail)
    return ProviderError(f"{provider_name} returned an error: {api_message}", detail=detail)


def _from_connection(exc: BaseException, provider_name: str, detail: str) -> BlogTubeError:
    cause = exc if isinstance(exc, httpx2.HTTPError) else exc.__cause__
    if isinstance(cause, httpx2.ConnectError):
        return ProviderUnavailable(f"Could not connect to {provider_name}.", detail=detail)
    # The openai client raises APIConnectionError caused by httpx2.RemoteProtocolError
    # ("incomplete chunked read") when the server drops a stream half way.
    return ProviderUnavailable(
        f"The connection to {provider_name} was lost before the answer was complete.",
        detail=detail,
    )


def _model_not_found(provider_name: str, model: str, detail: str) -> ModelNotFound:
    what = f"the model {model!r}" if model else "this model"
    return ModelNotFound(f"{provider_name} does not know {what}.", detail=detail)


def _context_too_long(provider_name: str, model: str, detail: str) -> ContextTooLong:
    what = f"the context window of {model!r}" if model else "this model's context window"
    return ContextTooLong(
        f"The transcript is too long for {what} at {provider_name}.", detail=detail
    )


def _is_quota(code: str | None, type_: str | None) -> bool:
    return "insufficient_quota" in (code, type_)


def _api_message(exc: openai.APIError) -> str:
    body = exc.body
    if isinstance(body, dict) and isinstance(body.get("message"), str):
        text = body["message"]
    elif isinstance(body, str) and body:
        text = body
    else:
        text = exc.message
    return text if len(text) <= _SHORT else text[:_SHORT] + "..."


def _retry_after(headers: httpx2.Headers) -> float | None:
    for name, divisor in (("retry-after-ms", 1000.0), ("retry-after", 1.0)):
        value = headers.get(name)
        if value is None:
            continue
        try:
            seconds = float(value) / divisor
        except ValueError:
            continue  # an HTTP date: rare from APIs, and the client already honoured it
        if seconds >= 0:
            return seconds
    return None


def _detail(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    cause = exc.__cause__
    if cause is not None:
        text += f" (caused by {type(cause).__name__}: {cause})"
    return text
