"""Which request, and which job, a log line belongs to.

A request's id comes from its `X-Request-ID` header when a proxy in front set a sane one, or is
made here; it goes back in the response's `X-Request-ID`, onto every log line the request writes
(`blogtube_site.log_context`) and onto the error pages, so a person's "it broke" finds its lines.
The worker has no request: there the job id (set by `bound_to_job` around a job's run) does the
same. Both live in contextvars, so threads and asyncio tasks each see their own.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import TypeVar

from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
# Short and plain: the id is copied into logs and pages, so nothing that could forge a log line
# or need escaping (a proxy's UUID or hex id fits).
_SAFE = re.compile(r"[A-Za-z0-9._-]{1,64}")

_request_id: ContextVar[str] = ContextVar("request_id", default="")
_job_id: ContextVar[str] = ContextVar("job_id", default="")

F = TypeVar("F", bound=Callable)


def current_request_id() -> str:
    """The id of the request being served ("" outside one)."""
    return _request_id.get()


def current_job_id() -> str:
    """The id of the job being run ("" outside one)."""
    return _job_id.get()


def accepted(candidate: str | None) -> str | None:
    """``candidate`` if it is safe to log and show, else None."""
    if candidate and _SAFE.fullmatch(candidate):
        return candidate
    return None


def new_request_id() -> str:
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Takes or makes the request's id, keeps it for the logs, and answers it in the header."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted(request.META.get("HTTP_X_REQUEST_ID")) or new_request_id()
        request.META["HTTP_X_REQUEST_ID"] = request_id
        request.request_id = request_id
        token = _request_id.set(request_id)
        try:
            response = self.get_response(request)
        finally:
            _request_id.reset(token)
        response[HEADER] = request_id
        return response


def bound_to_job(function: F) -> F:
    """Runs ``function(job_id, ...)`` with the job's id on every log line it writes."""

    @functools.wraps(function)
    def wrapper(job_id, *args, **kwargs):
        token = _job_id.set(str(job_id))
        try:
            return function(job_id, *args, **kwargs)
        finally:
            _job_id.reset(token)

    return wrapper  # type: ignore[return-value]
