"""/metrics for staff signed in, or a scraper sending `Authorization: Bearer <token>`."""

from __future__ import annotations

import hmac

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import HttpRequest, HttpResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from jobs.metrics import REGISTRY


def _has_token(request: HttpRequest) -> bool:
    token = settings.BLOGTUBE_METRICS_TOKEN
    header = request.headers.get("Authorization", "")
    scheme, _, given = header.partition(" ")
    return bool(token) and scheme.lower() == "bearer" and hmac.compare_digest(given, token)


@login_not_required
@never_cache
@require_GET
def view(request: HttpRequest) -> HttpResponse:
    # A scraper has no session: the token lets it in; anyone else must be staff.
    if not (_has_token(request) or request.user.is_staff):
        if request.user.is_authenticated:
            return HttpResponse("Staff only.\n", status=403, content_type="text/plain")
        response = HttpResponse("Sign in as staff, or send the metrics token.\n", status=401)
        response["Content-Type"] = "text/plain"
        response["WWW-Authenticate"] = 'Bearer realm="metrics"'
        return response
    return HttpResponse(generate_latest(REGISTRY), content_type=CONTENT_TYPE_LATEST)
