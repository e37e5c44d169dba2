"""What the rest of BlogTube may ask of the providers app: who can write, and writing."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import cache
from django.db.models import OuterRef, Q, Subquery

from blogtube_site.errors import BlogTubeError
from providers import health, local_servers
from providers.errors import ProviderNotConfigured
from providers.health import check
from providers.models import Provider, ProviderHealth
from providers.offline import NOTE_WORDS
from providers.offline.stopwords import stop_words
from providers.openai_compatible import StreamChunk
from providers.pricing import cost_usd, estimate_cost, prices_as_of
from providers.prompts import (
    CUSTOM_PROMPT_PATTERN,
    CUSTOM_PROMPT_WRITTEN,
    LANGUAGE_NAMES,
    LENGTHS,
    PLACEHOLDERS,
    STYLES,
    TONES,
    PostRequest,
    validate_custom_prompt,
)
from providers.redaction import redact_error
from providers.seo import SeoData, split_seo
from providers.tokens import count_tokens

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from providers.health import ProviderCard

__all__ = [
    "CUSTOM_PROMPT_PATTERN",
    "CUSTOM_PROMPT_WRITTEN",
    "LANGUAGE_NAMES",
    "LENGTHS",
    "NOTE_WORDS",
    "PLACEHOLDERS",
    "STYLES",
    "TONES",
    "EmptyResponse",
    "PostRequest",
    "Provider",
    "SeoData",
    "available_providers",
    "check",
    "check_all",
    "check_configured",
    "cost_usd",
    "count_tokens",
    "default_provider",
    "enabled_providers",
    "estimate_cost",
    "fallback_chain",
    "health_summary",
    "latest_health",
    "model_to_use",
    "models_for",
    "not_offered_because",
    "offered_providers",
    "prices_as_of",
    "provider_cards",
    "redact_error",
    "split_seo",
    "stop_words",
    "validate_custom_prompt",
    "waiting_for_key",
    "write_post",
]

log = logging.getLogger(__name__)

# on_event(message, level): the job log, when a job is writing.
OnEvent = Callable[[str, str], None]


# --- who can write ---------------------------------------------------------------


def enabled_providers() -> QuerySet[Provider]:
    """What the New post form (and the API, and the CLI) offers: enabled providers that can
    write now (a key where one is needed), those a key enables, and model servers found
    answering on this machine (providers.local_servers)."""
    return Provider.objects.filter(pk__in=[p.pk for p in offered_providers()])


def offered_providers() -> list[Provider]:
    """enabled_providers(), read, in position order: one query and one cache read, for
    a page that lists them (a select) rather than filters by them."""
    candidates = list(
        Provider.objects.filter(
            Q(enabled=True) | Q(auto_enable=True) | Q(kind__in=local_servers.KIND_SLUGS)
        )
    )
    usable = [p for p in candidates if p.enabled or (p.auto_enable and p.api_key)]
    answering = local_servers.answering(p for p in candidates if p not in usable)
    return [p for p in candidates if (p.is_configured if p in usable else answering.get(p.pk))]


def waiting_for_key() -> list[Provider]:
    """Cloud providers the form would offer once their key is set, in position order."""
    return [
        p
        for p in Provider.objects.filter(Q(enabled=True) | Q(auto_enable=True))
        if p.needs_key and not p.api_key
    ]


def available_providers() -> list[Provider]:
    """Offered and ready to write now, in position order."""
    return [p for p in enabled_providers() if p.is_configured]


def not_offered_because(provider: Provider) -> str:
    """Why the form does not offer `provider`, in a sentence a person can act on."""
    problem = provider.configuration_problem()
    if problem and provider.key_variable:
        return (
            f"{problem} Set {provider.key_variable} in the environment (or .env) and restart "
            "BlogTube, or enter the key in admin."
        )
    if problem:
        return problem
    if provider.kind_class.found_on_this_machine:
        return f"{provider.name} is not answering at {provider.effective_base_url}."
    return f"{provider.name} is turned off in admin."


def model_to_use(provider: Provider) -> str:
    """The model a job on `provider` uses when the person named none."""
    return local_servers.model_to_use(provider)


def default_provider(enabled: Iterable[Provider] | None = None) -> Provider:
    """BLOGTUBE_DEFAULT_PROVIDER if enabled, else the offline writer; ``enabled``, the
    enabled providers when the caller has them already (no query then, if it is there)."""
    wanted = settings.BLOGTUBE_DEFAULT_PROVIDER
    if enabled is None:
        provider = enabled_providers().filter(slug=wanted).first()
    else:
        provider = next((p for p in enabled if p.slug == wanted), None)
    return provider or Provider.objects.get(slug="offline")


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
    current, current_model = provider, model or provider.effective_model
    # Who would take over is asked only once needed: a post written at the first try
    # reads nothing more (the chain's listing costs queries, and a local server's probe).
    successors: list[tuple[Provider, str]] | None = None
    streamed = False
    while True:
        try:
            for chunk in _write_with(current, current_model, request, on_event):
                streamed = streamed or bool(chunk.text)
                yield chunk
            return
        except BlogTubeError as error:
            if not should_fall_back(error):
                raise
            if successors is None:
                successors = (
                    [(p, p.effective_model) for p in fallback_chain(provider)]
                    if provider.has_server
                    else []
                )
            if not successors:
                raise
            successor, successor_model = successors.pop(0)
            error = redact_error(error)  # its words go to the job's log and the worker's
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
            current, current_model = successor, successor_model


def _write_with(
    provider: Provider, model: str, request: PostRequest, on_event: OnEvent | None
) -> Iterator[StreamChunk]:
    check_configured(provider)
    # The writer calls on_event(kind, message); ours is on_event(message, level).
    relay = None if on_event is None else lambda kind, message: on_event(message, kind)
    yield from provider.write(request, model, on_event=relay)


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


def check_all() -> list[ProviderHealth]:
    """Check every offered, configured provider that has a server; prune old checks.

    Unconfigured ones are skipped: "no key" every half hour for each provider
    nobody uses would bury the checks that matter.
    """
    results = [check(p) for p in enabled_providers() if p.has_server and p.is_configured]
    ProviderHealth.prune(keep_days=health.KEEP_DAYS)
    down = [h.provider.name for h in results if not h.ok]
    log.info("Checked %d providers; down: %s", len(results), ", ".join(down) or "none")
    return results


def latest_health(provider: Provider) -> ProviderHealth | None:
    return ProviderHealth.objects.filter(provider=provider).order_by("-checked_at", "-id").first()


def health_summary() -> list[dict]:
    """Each provider's last check (slug, ok, latency_ms, checked_at), in one query; None where
    a provider was never checked."""
    last = ProviderHealth.objects.filter(provider=OuterRef("pk")).order_by("-checked_at", "-id")
    return list(
        Provider.objects.order_by("slug")
        .annotate(
            ok=Subquery(last.values("ok")[:1]),
            latency_ms=Subquery(last.values("latency_ms")[:1]),
            checked_at=Subquery(last.values("checked_at")[:1]),
        )
        .values("slug", "enabled", "ok", "latency_ms", "checked_at")
    )


def provider_cards(providers: QuerySet[Provider] | None = None) -> list[ProviderCard]:
    """Every provider (enabled first) with its key hint and its last checks."""
    if providers is None:
        providers = Provider.objects.order_by("-enabled", "position", "name")
    return health.cards(providers)
