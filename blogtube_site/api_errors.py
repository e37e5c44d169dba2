"""The JSON API's one error shape, and the HTTP status of each kind of failure.

Every error answers ``{"error": CODE, "message", "detail", "suggestions", "request_id"}``:
the code and sentences are a BlogTubeError's own (the page and the CLI show the same), and
``detail`` holds what a script acts on (the fields refused, the seconds to wait). A library's
technical text stays in the log, as on the pages.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI, Router, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError

from blogtube_site.errors import BlogTubeError, NotAllowed, NotFound, WrongState
from blogtube_site.request_ids import current_request_id

log = logging.getLogger(__name__)

# A wrong state (InvalidTransition) lives in jobs: its router says so by raising this.
CONFLICT = 409

STATUS_CODES = {
    400: "BAD_REQUEST",
    401: "NOT_AUTHENTICATED",
    403: "FORBIDDEN",
    404: "NOT_FOUND",
    405: "METHOD_NOT_ALLOWED",
    409: "INVALID_STATE",
    422: "VALIDATION_ERROR",
    429: "RATE_LIMITED",
    500: "INTERNAL_ERROR",
    502: "UPSTREAM_ERROR",
    503: "UNAVAILABLE",
}


class FieldErrors(Exception):
    """Input refused field by field (a form's errors): 422 naming each field."""

    def __init__(self, fields: dict[str, list[str]]) -> None:
        super().__init__(fields)
        self.fields = fields


class ErrorOut(Schema):
    error: str
    message: str
    detail: dict[str, Any]
    suggestions: list[str]
    request_id: str


def request_id(request: HttpRequest) -> str:
    """The id the log and the answer share: RequestIdMiddleware's (blogtube_site.request_ids),
    else, for a request that did not pass through it, one made here once."""
    found = current_request_id() or getattr(request, "request_id", None)
    if not found:
        found = uuid.uuid4().hex
    request.request_id = found  # the same id however often it is asked for
    return str(found)


def error_body(
    request: HttpRequest,
    status: int,
    message: str,
    *,
    code: str = "",
    detail: dict[str, Any] | None = None,
    suggestions: list[str] | tuple[str, ...] = (),
) -> dict[str, Any]:
    """The one error shape, for the API's views and what answers before them."""
    return {
        "error": code or STATUS_CODES.get(status, "ERROR"),
        "message": message,
        "detail": detail or {},
        "suggestions": list(suggestions),
        "request_id": request_id(request),
    }


def error_response(
    api: NinjaAPI,
    request: HttpRequest,
    status: int,
    message: str,
    *,
    code: str = "",
    detail: dict[str, Any] | None = None,
    suggestions: list[str] | tuple[str, ...] = (),
) -> HttpResponse:
    body = error_body(request, status, message, code=code, detail=detail, suggestions=suggestions)
    return api.create_response(request, body, status=status)


def status_of(error: BlogTubeError) -> int:
    """A BlogTubeError's HTTP status: the person's input 422, a limit 429, not theirs to
    change 403, not there (a video YouTube does not have) 404, busy 409, YouTube or a
    provider refusing 502, one that is down or busy for now 503."""
    retry_after = getattr(error, "retry_after", None)
    if retry_after is not None:
        return 429
    if isinstance(error, NotAllowed):
        return 403
    if isinstance(error, NotFound):
        return 404
    if isinstance(error, WrongState):
        return 409
    if error.code.startswith("INVALID_") or error.code == "PROVIDER_NOT_CONFIGURED":
        return 422
    return 503 if error.transient else 502


def install(api: NinjaAPI) -> None:
    """Answer every failure of ``api``'s views in the one shape."""

    @api.exception_handler(BlogTubeError)
    def blogtube_error(request: HttpRequest, error: BlogTubeError) -> HttpResponse:
        status = status_of(error)
        retry_after = getattr(error, "retry_after", None)
        detail: dict[str, Any] = {"transient": error.transient}
        if retry_after is not None:
            detail["retry_after"] = retry_after
        if status >= 500:
            log.warning("API %s: %s (%s)", error.code, error.message, error.detail)
        response = error_response(
            api, request, status, error.message, code=error.code, detail=detail,
            suggestions=error.suggestions,
        )  # fmt: skip
        if retry_after is not None:
            response["Retry-After"] = str(retry_after)
        return response

    @api.exception_handler(ValidationError)
    def invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
        fields: dict[str, list[str]] = {}
        for item in error.errors:
            # ("body", "payload", "url") or ("query", "status"): the field is the last name.
            names = [str(part) for part in item.get("loc", ()) if not isinstance(part, int)]
            fields.setdefault(names[-1] if names else "__all__", []).append(item["msg"])
        return invalid_fields(request, FieldErrors(fields))

    @api.exception_handler(FieldErrors)
    def invalid_fields(request: HttpRequest, error: FieldErrors) -> HttpResponse:
        first = next(iter(error.fields.values()), ["Invalid input."])[0]
        return error_response(
            api, request, 422, first, code="VALIDATION_ERROR", detail={"fields": error.fields}
        )

    @api.exception_handler(AuthenticationError)
    def unauthenticated(request: HttpRequest, error: AuthenticationError) -> HttpResponse:
        response = error_response(
            api, request, 401, "Sign in, or send an API token as “Authorization: Bearer …”.",
            suggestions=["Make a token on your API tokens page."],
        )  # fmt: skip
        response["WWW-Authenticate"] = "Bearer"
        return response

    @api.exception_handler(HttpError)
    def http_error(request: HttpRequest, error: HttpError) -> HttpResponse:
        return error_response(api, request, error.status_code, str(error.message))

    @api.exception_handler(Http404)
    def not_found(request: HttpRequest, error: Http404) -> HttpResponse:
        # Someone else's object and a made-up id alike: nothing says which.
        return error_response(api, request, 404, "Not found.")

    @api.exception_handler(Exception)
    def unexpected(request: HttpRequest, error: Exception) -> HttpResponse:
        log.exception("API request %s failed", request_id(request))
        return error_response(
            api, request, 500, "Something went wrong on the server.",
            suggestions=["Try again; if it keeps failing, tell the admin the request id."],
        )  # fmt: skip


# Added last: any other path under /api/ is a JSON 404 too, not the site's HTML page.
unknown_paths = Router()


@unknown_paths.api_operation(
    ["GET", "POST", "PUT", "PATCH", "DELETE"], "/{path:rest}", auth=None, include_in_schema=False
)
def unknown_path(request: HttpRequest, rest: str) -> HttpResponse:
    raise Http404(rest)
