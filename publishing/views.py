"""A person's Destinations page: add one, check it, delete it. Secrets go in, never out."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from publishing import services
from publishing.destinations import KINDS
from publishing.forms import DestinationForm


@require_http_methods(["GET", "POST"])
def destination_list(request: HttpRequest) -> HttpResponse:
    form = DestinationForm(request.POST or None, owner=request.user)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            destination = form.save()
            if destination.is_remote:
                services.check(destination)
            messages.success(request, f"Destination “{destination.name}” added.")
            return redirect(reverse("publishing:list") + f"#destination-{destination.pk}")
        status = 400
    context = {
        "form": form,
        "destinations": services.destinations_for(request.user).filter(owner=request.user),
        "kinds": KINDS.values(),
    }
    return render(request, "publishing/destinations.html", context, status=status)


@require_POST
def check(request: HttpRequest, pk: int) -> HttpResponse:
    destination = get_object_or_404(services.destinations_for(request.user), pk=pk)
    ok, message = services.check(destination)
    if request.htmx:
        return render(request, "publishing/destinations.html#row", {"destination": destination})
    (messages.success if ok else messages.error)(request, f"{destination.name}: {message}")
    return redirect(reverse("publishing:list") + f"#destination-{pk}")


@require_POST
def delete(request: HttpRequest, pk: int) -> HttpResponse:
    destination = get_object_or_404(services.destinations_for(request.user), pk=pk)
    destination.delete()
    messages.success(request, f"Destination “{destination.name}” deleted; its key is gone.")
    return redirect("publishing:list")
