"""A person's API tokens page: make one (shown once), see them, revoke one."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from blogtube_site.models import ApiToken


class TokenForm(forms.Form):
    name = forms.CharField(
        label="What it is for", max_length=100, help_text="A script, a machine: to tell it apart."
    )


@require_http_methods(["GET", "POST"])
def token_list(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    new_token = ""
    status = 200
    if request.method == "POST":
        if form.is_valid():
            _, new_token = ApiToken.issue(request.user, form.cleaned_data["name"])
            form = TokenForm()
        else:
            status = 400
    context = {
        "form": form,
        # Shown in this answer only: it is stored as a hash and cannot be shown again.
        "new_token": new_token,
        "tokens": ApiToken.objects.filter(user=request.user),
    }
    return render(request, "registration/api_tokens.html", context, status=status)


@require_POST
def revoke(request: HttpRequest, pk: int) -> HttpResponse:
    # One's own tokens only: another person's id is a 404 like a made-up one.
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    token.delete()
    messages.success(request, f"Token “{token.name}” revoked: scripts using it are refused.")
    return redirect("api-tokens")
