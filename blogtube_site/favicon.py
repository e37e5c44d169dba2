"""/favicon.ico: browsers and admin ask for it where a page names no icon (JSON, the API docs)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.views.decorators.http import require_GET


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponse:
    # The static file, so it is cached and served like every other asset.
    return HttpResponsePermanentRedirect(static("favicon.ico"))
