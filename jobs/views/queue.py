"""The queue room: staff watch the workers and pause, drain or clear the queue."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from jobs import queue_room

# Actions that stop work or throw it away ask once more before they happen.
CONFIRM = {
    "drain": "Drain the queue? Workers take no new job; the running ones finish.",
    "clear": "Cancel every queued job? Running jobs are not touched. This cannot be undone.",
}
ACTIONS = {
    "pause": queue_room.pause,
    "resume": queue_room.resume,
    "drain": queue_room.drain,
    "clear": queue_room.clear,
}


def _staff_only(request: HttpRequest) -> None:
    # Like a made-up URL to anyone else: the page says nothing of the queue.
    if not request.user.is_staff:
        raise Http404


@require_GET
def room(request: HttpRequest) -> HttpResponse:
    _staff_only(request)
    return render(request, "jobs/queue.html", {"q": queue_room.status()})


@require_POST
def act(request: HttpRequest, action: str) -> HttpResponse:
    _staff_only(request)
    perform = ACTIONS.get(action)
    if perform is None:
        raise Http404
    back = _back(request)
    if action in CONFIRM and request.POST.get("confirm") != "yes":
        context = {
            "action": action,
            "question": CONFIRM[action],
            "q": queue_room.status(),
            "back": back,
        }
        return render(request, "jobs/queue_confirm.html", context)
    done = perform(request.user)
    note = f" ({done.jobs} job{pluralize(done.jobs)})" if action in ("clear", "drain") else ""
    messages.success(request, f"{done.get_kind_display()}{note}.")
    return redirect(back)


def _back(request: HttpRequest) -> str:
    """Where the lever was pulled: the queue room, or admin's (``next``, this site only)."""
    wanted = request.POST.get("next", "")
    if url_has_allowed_host_and_scheme(
        wanted, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return wanted
    return reverse("jobs:queue")
