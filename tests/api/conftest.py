from __future__ import annotations

import pytest
from django.test import Client

from blogtube_site.models import ApiToken
from tests.accounts import make_user


def token_client(user) -> Client:
    """A script's client: no session, only a token of ``user``'s in every request."""
    _, token = ApiToken.issue(user, "tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


@pytest.fixture
def api(user) -> Client:
    """Alice's script."""
    return token_client(user)


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def staff_api(db) -> Client:
    return token_client(make_user("boss", staff=True))


@pytest.fixture(autouse=True)
def offline_destinations(no_dns):
    """A destination the API is given (a fuzzer's made-up site) never resolves a real name."""
