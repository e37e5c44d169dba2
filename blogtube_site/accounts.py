"""Signing in, and the one-time link that creates a fresh install's first account.

Every page needs a signed-in user (LoginRequiredMiddleware); the views here are the
few that do not. A fresh install has no user to sign in with, so `make run` prints a
link (`manage.py setup_link`) like Jupyter's: a random token, kept only as a hash in the
cache, good for one account and a day, and refused once any user exists.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from django.contrib.auth import get_user_model, login
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.forms import UserCreationForm
from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django.core.cache import cache
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

SETUP_TOKEN_KEY = "blogtube:setup-token"
SETUP_TOKEN_SECONDS = 24 * 3600


class SignInRequired(LoginRequiredMiddleware):
    """LoginRequiredMiddleware, and an htmx swap whose session has ended sends the whole
    page to sign in (HX-Redirect) instead of swapping the login form into a fragment;
    after signing in the person is back on the page they were on."""

    def handle_no_permission(self, request: HttpRequest, view_func) -> HttpResponse:
        htmx = getattr(request, "htmx", None)
        if not htmx:
            return super().handle_no_permission(request, view_func)
        page = htmx.current_url_abs_path or "/"  # None when it names another site
        return HttpResponseClientRedirect(
            redirect_to_login(page, self.get_login_url(view_func))["Location"]
        )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def anyone_signed_up() -> bool:
    return get_user_model().objects.exists()


def new_setup_token() -> str:
    """A fresh token for the first-account page; the one before it stops working."""
    token = secrets.token_urlsafe(32)
    cache.set(SETUP_TOKEN_KEY, _digest(token), SETUP_TOKEN_SECONDS)
    return token


def _token_is_good(token: str) -> bool:
    stored = cache.get(SETUP_TOKEN_KEY)
    return bool(stored) and hmac.compare_digest(stored, _digest(token))


@login_not_required
@require_http_methods(["GET", "POST"])
def setup(request: HttpRequest, token: str) -> HttpResponse:
    """Create the first account, a superuser, then sign in as it."""
    # 404 alike for a wrong, used or expired token and once an account exists:
    # the page is not there for anyone to probe.
    if not _token_is_good(token) or anyone_signed_up():
        raise Http404("This setup link has been used or has expired.")
    form = UserCreationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            # Two tabs posting at once: only the first creates an account.
            if anyone_signed_up():
                raise Http404("This setup link has been used or has expired.")
            user = form.save(commit=False)
            user.is_staff = user.is_superuser = True
            user.save()
            cache.delete(SETUP_TOKEN_KEY)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        return redirect("jobs:home")
    return render(request, "registration/setup.html", {"form": form})
