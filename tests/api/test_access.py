"""Every operation of the JSON API, walked from its OpenAPI document: anonymous callers get
401 JSON (never the sign-in page's redirect); the document lists every route the URLs have."""

from __future__ import annotations

import re
import uuid

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from ninja import NinjaAPI

from blogtube_site.api import api

pytestmark = pytest.mark.django_db

# Public: what the API is, not what anyone has.
PUBLIC = {"/api/v1/openapi.json", "/api/docs"}
# Fixed ids, not random ones: the test ids must be the same in every process that collects.
VALUES = {"job_id": uuid.UUID(int=1), "batch_id": uuid.UUID(int=2), "transcript_id": 1,
          "video_id": "dQw4w9WgXcQ", "slug": "offline", "fmt": "markdown",
          "destination_id": 1}  # fmt: skip


def operations() -> list[tuple[str, str]]:
    # At collection, with no database: ninja's own document, before the providers are filled in.
    schema = NinjaAPI.get_openapi_schema(api)
    return sorted(
        (method.upper(), path.format(**VALUES))
        for path, methods in schema["paths"].items()
        for method in methods
    )


def api_routes(resolver: URLResolver | None = None, prefix: str = "") -> set[str]:
    found = set()
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver) and (resolver or entry.namespace == "api"):
            found |= api_routes(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern) and resolver is not None:
            found.add("/" + prefix + str(entry.pattern))
    return found


def test_the_schema_lists_every_operation():
    schema = api.get_openapi_schema()
    listed = {(m.upper(), p) for p, methods in schema["paths"].items() for m in methods}
    jobs, job = "/api/v1/jobs", "/api/v1/jobs/{job_id}"
    assert listed == {
        ("GET", jobs), ("POST", jobs), ("GET", job), ("DELETE", job),
        ("POST", f"{job}/cancel"), ("POST", f"{job}/retry"), ("POST", f"{job}/reprocess"),
        ("GET", f"{job}/post"), ("GET", f"{job}/post/{{fmt}}"), ("GET", f"{job}/post/zip"),
        ("GET", f"{job}/events"),
        ("POST", f"{job}/publish"), ("GET", f"{job}/publications"),
        ("GET", f"{job}/export/{{destination_id}}"),
        ("POST", "/api/v1/batches"), ("GET", "/api/v1/batches/{batch_id}"),
        ("GET", "/api/v1/stats"),
        ("GET", "/api/v1/queue"), ("POST", "/api/v1/queue/pause"),
        ("POST", "/api/v1/queue/resume"), ("POST", "/api/v1/queue/drain"),
        ("POST", "/api/v1/queue/clear"),
        ("GET", "/api/v1/videos/inspect"), ("GET", "/api/v1/videos"),
        ("GET", "/api/v1/videos/{video_id}"), ("DELETE", "/api/v1/videos/{video_id}"),
        ("GET", "/api/v1/videos/transcripts/{transcript_id}"),
        ("GET", "/api/v1/videos/transcripts/{transcript_id}/{fmt}"),
        ("GET", "/api/v1/providers"), ("POST", "/api/v1/providers/{slug}/test"),
        ("GET", "/api/v1/destinations"), ("POST", "/api/v1/destinations"),
        ("POST", "/api/v1/destinations/{destination_id}/check"),
        ("DELETE", "/api/v1/destinations/{destination_id}"),
    }  # fmt: skip
    # Every route the URL configuration has is in it, save the docs, the schema, the API's
    # root and the catch-all that answers unknown paths with JSON.
    routes = {
        re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route) for route in api_routes()
        if not route.endswith(("openapi.json", "docs", "<path:rest>", "/api/"))
    }  # fmt: skip
    assert routes == {path for _, path in listed}


def test_the_schema_and_docs_are_served(client):
    schema = Client().get("/api/v1/openapi.json")
    assert schema.status_code == 200
    assert schema.json()["info"]["title"] == "BlogTube API"
    assert "BearerToken" in schema.json()["components"]["securitySchemes"]
    docs = Client().get("/api/docs")
    assert docs.status_code == 200
    # Served from BlogTube's own static files, as htmx is: no CDN.
    sources = re.findall(r'(?:src|href)="([^"]+)"', docs.content.decode())
    assert any(s.endswith("ninja/swagger-ui-bundle.js") for s in sources)
    assert all(s.startswith("/") for s in sources), sources


@pytest.mark.parametrize(("method", "path"), operations())
def test_anonymous_callers_get_401_json(method, path):
    response = Client().generic(method, path, "{}", content_type="application/json")
    assert response.status_code == 401, (method, path, response.status_code)
    body = response.json()
    assert set(body) == {"error", "message", "detail", "suggestions", "request_id"}


def test_an_unknown_api_path_is_json_404(api):
    for path in ("/api/v1/nothing", "/api/v2/jobs", f"/api/v1/jobs/{uuid.uuid4()}/nothing"):
        response = api.get(path)
        assert response.status_code == 404 and response.json()["error"] == "NOT_FOUND"


def test_a_method_a_path_does_not_take_is_json_405(api):
    response = api.put("/api/v1/jobs")
    assert response.status_code == 405 and response.json()["error"] == "METHOD_NOT_ALLOWED"
    assert set(response["Allow"].split(", ")) == {"GET", "POST"}
    root = api.get("/api/")
    assert root.status_code == 404 and root.json()["error"] == "NOT_FOUND"
