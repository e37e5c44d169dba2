"""The JSON API's providers (/api/v1/providers/...): who can write, their health and models.

What a person choosing a provider needs, as the New post form's model picker gives it; never
a key or its hint. Testing one spends its owner's key: staff only, as on the Providers page.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema
from ninja.errors import HttpError
from pydantic import WithJsonSchema

from blogtube_site.api_errors import ErrorOut
from providers import services
from providers.models import Provider, ProviderHealth

# A provider's slug (Provider.slug is a SlugField): any other text is simply not found.
SLUG_PATTERN = r"^[-a-zA-Z0-9_]+$"

router = Router(tags=["providers"])
# 400: a NUL character in the request (blogtube_site.nul_characters), refused before the view.
ERRORS: dict[int, type[Schema]] = {code: ErrorOut for code in (400, 401, 403, 404)}


class HealthOut(Schema):
    ok: bool
    checked_at: dt.datetime
    latency_ms: int | None
    error_code: str
    error: str


class ProviderOut(Schema):
    slug: str
    name: str
    enabled: bool
    configured: bool
    default: bool
    fallback: bool
    has_server: bool
    default_model: str
    models: list[str]
    health: HealthOut | None


def health_out(health: ProviderHealth | None) -> dict[str, Any] | None:
    if health is None:
        return None
    return {
        "ok": health.ok,
        "checked_at": health.checked_at,
        "latency_ms": health.latency_ms,
        "error_code": health.error_code,
        "error": health.error,
    }


@router.get(
    "", response={200: list[ProviderOut], **ERRORS}, summary="Providers with health and models"
)
def list_providers(request: HttpRequest) -> list[dict[str, Any]]:
    """Those a job may use (enabled), with their last check and the models it listed; no
    provider is asked anything: a check is the health task's or a test's."""
    default = services.default_provider()
    enabled = services.enabled_providers().order_by("position", "name")
    return [
        {
            "slug": card.provider.slug,
            "name": card.provider.name,
            "enabled": True,
            "configured": card.provider.is_configured,
            "default": card.provider.pk == default.pk,
            "fallback": card.provider.fallback,
            "has_server": card.provider.has_server,
            "default_model": card.provider.effective_model,
            "models": list(card.models_check.model_ids) if card.models_check else [],
            "health": health_out(card.health),
        }
        for card in services.provider_cards(enabled)
    ]


@router.post(
    "/{slug}/test", response={200: HealthOut, **ERRORS}, summary="Check a provider now (staff)"
)
def test_provider(
    request: HttpRequest,
    slug: Annotated[str, WithJsonSchema({"type": "string", "pattern": SLUG_PATTERN})],
) -> dict[str, Any] | None:
    if not request.user.is_staff:
        raise HttpError(403, "Only staff can test providers.")
    provider = get_object_or_404(Provider, slug=slug)
    return health_out(services.check(provider))
