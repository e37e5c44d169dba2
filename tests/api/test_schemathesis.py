"""Every operation of the OpenAPI document, called with cases generated from the document itself
(schemathesis), by a signed-in script: none answers a server error, each answer is one the
document describes, everything the document allows is accepted and what it refuses is refused."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from ninja import NinjaAPI
from schemathesis.specs.openapi.checks import positive_data_acceptance

from blogtube_site.api import api
from blogtube_site.wsgi import application
from jobs.api import bodies
from tests.api.conftest import token_client
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db


def api_document() -> schemathesis.schemas.BaseSchema:
    """The document /api/v1/openapi.json serves, read at collection, when there is no database
    yet to name the providers a job may use: here the offline writer, which needs nothing
    (tests/api/test_document_strictness.py checks the providers the server names)."""
    document = bodies.with_providers(NinjaAPI.get_openapi_schema(api), ["offline"], [])
    loaded = schemathesis.openapi.from_dict(document)
    loaded.app = application
    loaded.location = "/api/v1/openapi.json"
    return loaded


schema = api_document()


@pytest.fixture(autouse=True)
def connections_kept():
    """The WSGI handler closes the database connection after each request, as a server's
    should; the test database lives in that connection, so keep it open (as Django's
    test client does)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def token(user) -> str:
    client = token_client(user)
    return client.defaults["HTTP_AUTHORIZATION"]


@pytest.fixture
def world(fake_youtube, user):
    """A finished job of the user's, so the lists answer with rows to check against the
    document; the fake YouTube so that no generated video URL reaches the network."""
    fake_youtube.unknown_ids_unavailable = True  # the document's URLs name made-up ones
    job = make_job(owner=user)
    job.claim()
    job.complete()
    return job


@schema.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    derandomize=True,
    suppress_health_check=list(HealthCheck),
)
def test_no_generated_call_is_a_server_error(case, token, world):
    # A transcript file's bytes are beyond what a schema can say (random bytes are no
    # transcript): an upload is checked for no server error and documented answers only.
    upload = case.media_type == "multipart/form-data" and case.path == "/api/v1/jobs"
    # Which of a destination's fields are needed depends on its kind (a site address for
    # WordPress and Ghost, a key for all but a static site), and its name must be new among
    # the person's: the document names the fields, the 422 names what is missing.
    destination = case.method == "POST" and case.path == "/api/v1/destinations"
    case.call_and_validate(
        headers={"Authorization": token},
        excluded_checks=[positive_data_acceptance] if upload or destination else [],
    )
