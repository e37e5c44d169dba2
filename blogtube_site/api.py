"""The JSON API at /api/v1/: who is asking, and the routers of each app.

django-ninja builds it from typed function views and pydantic schemas, and the same schemas
make the OpenAPI document (/api/v1/openapi.json, browsable at /api/docs). Each app's router
(jobs/api/, videos/api.py, providers/api.py) calls that app's services only, with the same
rights (ownership.visible_to) and limits (jobs.limits) as its pages.

A script signs in with ``Authorization: Bearer <token>`` (blogtube_site.models.ApiToken); a
browser with its session, and then, for a method that changes something, its CSRF token as
any form sends it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseNotAllowed
from django.urls import URLPattern, URLResolver
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from blogtube_site import api_errors
from blogtube_site.models import ApiToken
from jobs.api import batches as batches_api
from jobs.api import bodies
from jobs.api import inspect as inspect_api
from jobs.api import jobs as jobs_api
from jobs.api import queue as queue_api
from jobs.api import stats as stats_api
from jobs.api import videos as video_removal_api
from providers import api as providers_api
from publishing import api as publishing_api
from videos import api as videos_api


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = ApiToken.user_for(token)
        if user is not None:
            # Services and ownership read request.user, as the pages' views do.
            request.user = user
        return user


class SessionUser(APIKeyCookie):
    """The browser's session; the CSRF check only for a signed-in session, so a script that
    forgot its token hears 401, not a CSRF failure."""

    param_name = settings.SESSION_COOKIE_NAME

    def __init__(self) -> None:
        super().__init__(csrf=False)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request):
            raise HttpError(
                403, "CSRF check failed: send the csrftoken cookie's value as X-CSRFToken."
            )
        return request.user


class BlogTubeAPI(NinjaAPI):
    def get_openapi_schema(self, **kwargs: Any) -> Any:
        # The providers a job may name change as admin enables them: filled in per request.
        return bodies.with_current_providers(super().get_openapi_schema(**kwargs))


api = BlogTubeAPI(
    title="BlogTube API",
    version="1",
    description="YouTube videos into blog posts: jobs, posts, videos, providers and destinations.",
    auth=[BearerToken(), SessionUser()],
    urls_namespace="api",
    openapi_url="/v1/openapi.json",
    docs_url="/docs",
)
api_errors.install(api)


api.add_router("/v1/jobs", jobs_api.router)
api.add_router("/v1/batches", batches_api.router)
api.add_router("/v1/stats", stats_api.router)
api.add_router("/v1/queue", queue_api.router)
# Before the videos router: its /{youtube_id} would take "inspect" for a video's id.
api.add_router("/v1/videos", inspect_api.router)
# Deleting a video deletes the jobs on it: jobs holds the view, the videos router its path.
videos_api.router.add_api_operation(
    "/{video_id}",
    ["DELETE"],
    video_removal_api.delete_video,
    response=video_removal_api.RESPONSES,
    summary=video_removal_api.SUMMARY,
    description=video_removal_api.DESCRIPTION,
)
api.add_router("/v1/videos", videos_api.router)
api.add_router("/v1/providers", providers_api.router)
api.add_router("/v1/destinations", publishing_api.router)
api.add_router("", api_errors.unknown_paths)


def _api_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """One of the API's views, answering JSON at the edges ninja leaves to Django: a method
    the path does not take (405) and the API's root (404). And no sign-in redirect: the API
    answers 401 JSON itself; LoginRequiredMiddleware's redirect is for browsers."""

    @functools.wraps(view)  # keeps ninja's csrf_exempt: the session's check is SessionUser's
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            response = view(request, *args, **kwargs)
        except Http404:
            return api_errors.error_response(api, request, 404, "Not found.")
        if isinstance(response, HttpResponseNotAllowed):
            allowed = response["Allow"]
            answer = api_errors.error_response(api, request, 405, f"This path takes {allowed}.")
            answer["Allow"] = allowed
            return answer
        return response

    return login_not_required(wrapper)


def _wrap_views(patterns: list) -> None:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            _wrap_views(entry.url_patterns)
        elif isinstance(entry, URLPattern):
            entry.callback = _api_view(entry.callback)


def urls() -> tuple[list, str, str]:
    patterns, app_name, namespace = api.urls
    _wrap_views(patterns)
    return patterns, app_name, namespace
