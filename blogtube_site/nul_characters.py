"""No field takes a NUL character: a request that carries one is refused as a whole.

PostgreSQL cannot store or compare text with NUL in it (psycopg raises, a 500), SQLite
can; Django's form fields refuse it, but query strings, paths and the post editor's
text reach the database without a form.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, JsonResponse

from blogtube_site.api_errors import error_body

NUL = "\x00"
MESSAGE = "The request contains a NUL character (\\0), which no field accepts."
API_PREFIX = "/api/"


def _carries_nul(request: HttpRequest) -> bool:
    if NUL in request.path:
        return True
    fields = [request.GET]
    if request.method == "POST":
        fields.append(request.POST)  # parsed once, here or later: Django keeps it
    return any(
        NUL in key or any(NUL in value for value in values)
        for query in fields
        for key, values in query.lists()
    )


def refuse_nul_characters(
    get_response: Callable[[HttpRequest], HttpResponse],
) -> Callable[[HttpRequest], HttpResponse]:
    def middleware(request: HttpRequest) -> HttpResponse:
        if _carries_nul(request):
            if request.path.startswith(API_PREFIX):
                # A script reads the API's one error shape, whatever refused it.
                body = error_body(request, 400, MESSAGE)
                return JsonResponse(body, status=400)
            return HttpResponseBadRequest(MESSAGE, content_type="text/plain; charset=utf-8")
        return get_response(request)

    return middleware
