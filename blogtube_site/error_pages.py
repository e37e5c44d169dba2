"""The 500 page, with the request's id so a person's report finds its log lines."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponseServerError
from django.template import loader
from django.views.decorators.csrf import requires_csrf_token

from blogtube_site.request_ids import current_request_id


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponseServerError:
    # Like Django's own: no RequestContext, since what failed may be a context processor
    # or the database behind the session; only the id, which lives in a contextvar.
    template = loader.get_template("500.html")
    return HttpResponseServerError(template.render({"request_id": current_request_id()}))
