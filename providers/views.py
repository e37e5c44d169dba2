"""Providers: their health, their models, and a button to test them."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from blogtube_site.query_params import whole_number
from providers import services
from providers.models import Provider


@require_GET
def provider_list(request: HttpRequest) -> HttpResponse:
    return render(request, "providers/list.html", {"cards": services.provider_cards()})


@require_POST
def test(request: HttpRequest, slug: str) -> HttpResponse:
    # A test spends the owner's key and lists what it can reach: staff only, as the
    # cards show the button, the key's last characters and the model lists only to staff.
    if not request.user.is_staff:
        raise PermissionDenied("Only staff can test providers.")
    provider = get_object_or_404(Provider, slug=slug)
    health = services.check(provider)
    if request.htmx:
        card = services.provider_cards(Provider.objects.filter(pk=provider.pk))[0]
        return render(request, "providers/list.html#provider-card", {"card": card})
    if health.ok:
        messages.success(request, f"{provider.name} answered in {health.latency_ms} ms: it works.")
    else:
        messages.error(request, f"{provider.name}: {health.error}")
    return redirect(reverse("providers:list") + f"#provider-{slug}")


@require_GET
def model_options(request: HttpRequest) -> HttpResponse:
    """The model field of the New post form, with the chosen provider's models to pick from.

    Everyone who writes posts needs this one: it names models and health, never a key."""
    pk = whole_number(request.GET.get("provider", ""))
    provider = None if pk is None else services.enabled_providers().filter(pk=pk).first()
    context = {
        "provider": provider,
        "model": request.GET.get("model", "").strip(),
        "models": services.models_for(provider) if provider else [],
        # Whether it answered at its last check: worth knowing before queueing a job on it.
        "health": services.latest_health(provider) if provider and provider.has_server else None,
    }
    return render(request, "providers/model_field.html", context)
