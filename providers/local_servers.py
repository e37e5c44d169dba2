"""Model servers on this machine (Ollama, LM Studio): offered while they answer.

A person who runs Ollama or LM Studio has a model that needs no key. When such a server answers
at its provider's address with at least one model, the New post form offers it, disabled in
admin or not; when nothing listens there, the question costs a refused connection (at once on
loopback) and is not asked again for CACHE_SECONDS. BLOGTUBE_DETECT_LOCAL_MODELS=false stops
the asking.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches

from blogtube_site.errors import BlogTubeError
from providers.registry import KINDS

if TYPE_CHECKING:
    from providers.models import Provider

# A page waits on this at most once per CACHE_SECONDS: a server that is up answers in
# milliseconds, one that is not refuses at once.
PROBE_TIMEOUT = 0.5
# Short: a server started (or a model pulled) shows in the form within half a minute.
CACHE_SECONDS = 30

KIND_SLUGS = tuple(slug for slug, kind in KINDS.items() if kind.found_on_this_machine)


def _cache_key(provider: Provider) -> str:
    address = hashlib.sha256(provider.effective_base_url.encode()).hexdigest()[:16]
    return f"providers:local-models:{provider.pk}:{address}"


def answering_models(provider: Provider) -> list[str]:
    """The models `provider`'s local server lists now; [] when it does not answer."""
    return answering([provider]).get(provider.pk, [])


def answering(providers: Iterable[Provider]) -> dict[int, list[str]]:
    """answering_models() of each of ``providers`` found on this machine, by pk: what this
    process asked in the last CACHE_SECONDS, the rest asked now. The answers are kept in
    the process's memory, not the shared cache: each process asks its own machine, and on
    the database cache a refresh cost the job page three queries more."""
    if not settings.BLOGTUBE_DETECT_LOCAL_MODELS:
        return {}
    keys = {p: _cache_key(p) for p in providers if p.kind_class.found_on_this_machine}
    cached = caches["process"].get_many(list(keys.values())) if keys else {}
    return {
        provider.pk: list(cached[key]) if key in cached else _ask(provider, key)
        for provider, key in keys.items()
    }


def _ask(provider: Provider, key: str) -> list[str]:
    try:
        models = provider.client(timeout=PROBE_TIMEOUT, max_retries=0).list_models(
            timeout=PROBE_TIMEOUT, max_retries=0
        )
    except BlogTubeError:
        models = []
    caches["process"].set(key, models, CACHE_SECONDS)
    return models


def model_to_use(provider: Provider) -> str:
    """Its default model when the server has it (or says nothing), else the first it lists."""
    wanted = provider.effective_model
    models = answering_models(provider) if provider.kind_class.found_on_this_machine else []
    if not models or wanted in models or f"{wanted}:latest" in models:
        return wanted
    return models[0]
