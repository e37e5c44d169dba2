"""What the rest of BlogTube may ask of the providers app: who can write, and writing."""

from __future__ import annotations

import importlib.util
import logging
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import Q

from blogtube_site.errors import BlogTubeError
from providers import health, offline, pricing
from providers.errors import ProviderNotConfigured
from providers.models import ModelPrice, Provider, ProviderHealth
from providers.openai_compatible import StreamChunk, Usage
from providers.pricing import PRICES_AS_OF
from providers.prompts import (
    LANGUAGE_NAMES,
    LENGTHS,
    PLACEHOLDERS,
    STYLES,
    TONES,
    PostRequest,
    build_messages,
    validate_custom_prompt,
)
from providers.registry import ProviderLLM
from providers.seo import SeoData, split_seo

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from providers.health import ProviderCard

__all__ = [
    "LANGUAGE_NAMES",
    "LENGTHS",
    "PLACEHOLDERS",
    "PRICES_AS_OF",
    "STYLES",
    "TONES",
    "EmptyResponse",
    "ModelPrice",
    "PostRequest",
    "Provider",
    "ProviderHealth",
    "ProviderLLM",
    "SeoData",
    "StreamChunk",
    "Usage",
    "available_providers",
    "check",
    "check_configured",
    "cost_usd",
    "count_tokens",
    "default_provider",
    "enabled_providers",
    "estimate_cost",
    "fallback_chain",
    "key_hint",
    "latest_health",
    "llm_for",
    "models_for",
    "prices_as_of",
    "provider_cards",
    "split_seo",
    "validate_custom_prompt",
    "write_post",
]

log = logging.getLogger(__name__)

# on_event(message, level): the job log, when a job is writing.
OnEvent = Callable[[str, str], None]


@dataclass(frozen=True)
class Endpoint:
    base_url: str
    api_key: str

    def __repr__(self) -> str:
        # Never the key: reprs end up in logs and tracebacks.
        return f"Endpoint(base_url={self.base_url!r}, api_key={'***' if self.api_key else ''!r})"


# --- who can write ---------------------------------------------------------------


def enabled_providers() -> QuerySet[Provider]:
    """What the New post form offers: enabled ones, and those enabled by setting a key."""
    waiting = Provider.objects.filter(enabled=False, auto_enable=True)
    keyed = [p.pk for p in waiting if p.api_key]
    return Provider.objects.filter(Q(enabled=True) | Q(pk__in=keyed))


def available_providers() -> list[Provider]:
    """Offered and ready to write now (a key where one is needed), in position order."""
    return [p for p in enabled_providers() if p.is_configured]


def default_provider() -> Provider:
    wanted = settings.BLOGTUBE_DEFAULT_PROVIDER
    provider = enabled_providers().filter(slug=wanted).first()
    return provider or Provider.objects.get(slug="offline")


def endpoint(provider: Provider) -> Endpoint:
    return Endpoint(provider.effective_base_url, provider.api_key)


def check_configured(provider: Provider) -> None:
    """Raise ProviderNotConfigured before a job is queued that could only fail."""
    problem = provider.configuration_problem()
    if not problem:
        return
    if not provider.effective_base_url:
        raise ProviderNotConfigured(
            problem,
            suggestions=[
                "Set its base URL in admin.",
                "Choose the offline provider: it needs no key.",
            ],
        )
    variable = provider.key_variable
    set_it = (
        f"Set {variable} in the environment (or .env) and restart BlogTube, "
        "or enter the key in admin."
        if variable
        else "Enter the key in admin."
    )
    raise ProviderNotConfigured(
        problem, suggestions=[set_it, "Choose the offline provider: it needs no key."]
    )


def key_variable(provider: Provider) -> str:
    """The environment variable that holds the provider's key, or "" if it needs none."""
    return provider.key_variable


def key_hint(provider: Provider) -> str:
    """Whether a key is set and where from, showing at most its last four characters."""
    return provider.key_hint()


# --- writing -----------------------------------------------------------------------

# Worth another provider: it is down, rate limited past its retries, or out of credit.
# Not a bad key, an unknown model or a too long prompt: those are ours to fix, and
# another provider would only hide them.
FALLBACK_CODES = frozenset({"PROVIDER_UNAVAILABLE", "PROVIDER_RATE_LIMIT", "PROVIDER_QUOTA"})
_REASONS = {
    "PROVIDER_UNAVAILABLE": "not answering",
    "PROVIDER_RATE_LIMIT": "rate limited",
    "PROVIDER_QUOTA": "out of credit or quota",
}


def should_fall_back(error: BlogTubeError) -> bool:
    return error.transient or error.code in FALLBACK_CODES


def fallback_chain(provider: Provider) -> list[Provider]:
    """Who takes over when `provider` fails: enabled, configured fallbacks by position."""
    return [p for p in available_providers() if p.fallback and p.pk != provider.pk]


def llm_for(provider: Provider, model: str = "") -> ProviderLLM:
    """The LLM (providers.writing's Protocol) for one provider and model."""
    return provider.llm(model)


def write_post(
    provider: Provider,
    model: str,
    request: PostRequest,
    *,
    on_event: OnEvent | None = None,
    on_switch: Callable[[Provider, str], None] | None = None,
) -> Iterator[StreamChunk]:
    """The post as streamed text; chunks may carry token usage.

    When `provider` fails in a way another provider could get past, the next one
    in fallback_chain() writes the post instead: on_event says so, on_switch is
    told the new provider and model, and if text had already streamed a
    StreamChunk(reset=True) comes first, meaning "drop what you have, it starts again".
    """
    chain = [(provider, model or provider.effective_model)]
    if not provider.is_offline:
        chain += [(p, p.effective_model) for p in fallback_chain(provider)]
    streamed = False
    for index, (current, current_model) in enumerate(chain):
        try:
            for chunk in _write_with(current, current_model, request, on_event):
                streamed = streamed or bool(chunk.text)
                yield chunk
            return
        except BlogTubeError as error:
            if index + 1 == len(chain) or not should_fall_back(error):
                raise
            successor, successor_model = chain[index + 1]
            reason = _REASONS.get(error.code, error.message.rstrip("."))
            message = (
                f"{current.name} is unavailable ({reason}); continuing with {successor.name}"
                + (f" ({successor_model})" if successor_model else "")
            )
            log.warning("%s [%s: %s]", message, error.code, error.detail)
            if on_event is not None:
                on_event(message, "warning")
            if on_switch is not None:
                on_switch(successor, successor_model)
            if streamed:
                yield StreamChunk(reset=True)
                streamed = False


def _write_with(
    provider: Provider, model: str, request: PostRequest, on_event: OnEvent | None
) -> Iterator[StreamChunk]:
    if provider.is_offline:
        post = offline.write_post(
            title=request.title,
            segments=request.segments or [{"start": 0, "duration": 0, "text": request.transcript}],
            chapters=request.chapters,
            video_url=request.video_url,
            video_id=request.video_id,
            language=request.language,
            length=request.length,
        )
        for piece in offline.stream_post(post):
            yield StreamChunk(text=piece)
        return
    check_configured(provider)
    llm = provider.llm(model)
    if _has_writing():
        from providers import writing  # the long-transcript path, when it is there

        # writing calls on_event(kind, message); ours is on_event(message, level).
        relay = None if on_event is None else lambda kind, message: on_event(message, kind)
        yield from writing.write(request, llm, on_event=relay)
    else:
        yield from llm.stream(build_messages(request))


def _has_writing() -> bool:
    # find_spec, not try/except ImportError: a broken writing.py must fail loudly.
    return importlib.util.find_spec("providers.writing") is not None


class EmptyResponse(BlogTubeError):
    code = "PROVIDER_EMPTY_RESPONSE"
    transient = True
    message = "The AI provider answered with no text."
    suggestions = ("Retry the job.", "Try another model or provider.")


# --- health and models ------------------------------------------------------------

# The model picker waits on this inside a page request: keep it short.
_MODELS_TIMEOUT = 5.0


def models_for(provider: Provider) -> list[str]:
    """The model ids a provider offers, cached for an hour; [] when it cannot say."""
    if provider.is_offline:
        return list(health.OFFLINE_MODELS)
    key = health.models_cache_key(provider)
    cached = cache.get(key)
    if cached is not None:
        return list(cached)
    try:
        check_configured(provider)
        ids = provider.client(timeout=_MODELS_TIMEOUT, max_retries=0).list_models(
            timeout=_MODELS_TIMEOUT, max_retries=0
        )
    except BlogTubeError:
        # A page asked; it gets an empty list, and the provider a minute's rest.
        cache.set(key, [], health.MODELS_FAILURE_CACHE_SECONDS)
        return []
    cache.set(key, ids, health.MODELS_CACHE_SECONDS)
    return ids


def check(provider: Provider) -> ProviderHealth:
    """Test a provider now (list its models, timed) and record the result."""
    return health.check(provider)


def check_all() -> list[ProviderHealth]:
    """Test every offered, configured provider (the scheduled health check)."""
    return health.check_all()


def latest_health(provider: Provider) -> ProviderHealth | None:
    return ProviderHealth.objects.filter(provider=provider).order_by("-checked_at", "-id").first()


def provider_cards(providers: QuerySet[Provider] | None = None) -> list[ProviderCard]:
    """Every provider (enabled first) with its key hint and its last checks."""
    if providers is None:
        providers = Provider.objects.order_by("-enabled", "position", "name")
    return health.cards(providers)


# --- tokens and cost ------------------------------------------------------------------


def cost_usd(model: str, tokens_in: int, tokens_out: int) -> Decimal | None:
    """Estimated USD for the tokens of one job (the ModelPrice table); None if unpriced."""
    return pricing.cost_usd(model, tokens_in, tokens_out)


def estimate_cost(
    provider: Provider, model: str, transcript_chars: int, *, length: str = "medium"
) -> Decimal | None:
    """Estimated USD of a post before it is written; None if the model is unpriced."""
    return pricing.estimate_cost(provider, model, transcript_chars, length=length)


def count_tokens(text: str, model: str = "") -> int:
    return pricing.count_tokens(text, model)


def prices_as_of() -> str:
    return pricing.prices_as_of()
