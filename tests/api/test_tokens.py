"""API tokens: made on one's own page (shown once), kept only as a hash, revoked there or in
admin; a token signs in its owner and no one else."""

from __future__ import annotations

import hashlib
import re

import pytest
from django.test import Client
from django.urls import reverse

from blogtube_site.models import ApiToken
from tests.accounts import make_user

pytestmark = pytest.mark.django_db


def test_the_top_bar_links_to_the_tokens_page(client):
    assert reverse("api-tokens") in client.get(reverse("jobs:home")).content.decode()


def test_a_token_is_shown_once_and_stored_as_a_hash(client, user):
    page = client.post(reverse("api-tokens"), {"name": "my laptop"}).content.decode()
    token = re.search(r'data-testid="new-token">([^<]+)<', page).group(1)
    row = ApiToken.objects.get(user=user)
    assert row.name == "my laptop" and token.startswith(row.prefix)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(ApiToken.objects.values())
    again = client.get(reverse("api-tokens")).content.decode()
    assert token not in again and row.prefix in again
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token}")
    assert api.get("/api/v1/jobs").status_code == 200
    row.refresh_from_db()
    assert row.last_used is not None


def test_a_token_needs_a_name(client):
    assert client.post(reverse("api-tokens"), {"name": ""}).status_code == 400
    assert not ApiToken.objects.exists()


def test_revoking_stops_the_token_and_only_ones_own(client, user):
    _, mine = ApiToken.issue(user, "mine")
    theirs, _ = ApiToken.issue(make_user("bob"), "bob's")
    assert client.post(reverse("api-token-revoke", args=[theirs.pk])).status_code == 404
    assert ApiToken.objects.filter(pk=theirs.pk).exists()
    own = ApiToken.objects.get(user=user)
    client.post(reverse("api-token-revoke", args=[own.pk]))
    assert Client(HTTP_AUTHORIZATION=f"Bearer {mine}").get("/api/v1/jobs").status_code == 401


def test_admin_makes_a_token_shown_once_and_revokes_any(staff_client):
    bob = make_user("bob")
    page = staff_client.post(
        "/admin/blogtube_site/apitoken/add/", {"user": bob.pk, "name": "bob's CI"}, follow=True
    ).content.decode()
    token = re.search(r"(bt_[A-Za-z0-9_-]{20,})", page).group(1)
    row = ApiToken.objects.get(user=bob)
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert Client(HTTP_AUTHORIZATION=f"Bearer {token}").get("/api/v1/jobs").status_code == 200
    staff_client.post(f"/admin/blogtube_site/apitoken/{row.pk}/delete/", {"post": "yes"})
    assert not ApiToken.objects.exists()
