"""Every operation of the OpenAPI document, called with cases generated from the document itself
(schemathesis), by a signed-in script: none answers a server error, and each answer is one the
document describes."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from blogtube_site.wsgi import application
from tests.api.conftest import token_client
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


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
    # Positive data acceptance is left out: the document is looser than the views (``days`` any
    # integer, ``provider``/``style``/``tone`` any string, ``cursor`` any text, ``url`` any text),
    # so values it allows are refused with a 422 in the one error shape, as they should be.
    case.call_and_validate(
        headers={"Authorization": token}, excluded_checks=[positive_data_acceptance]
    )
