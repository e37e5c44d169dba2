"""Signing in and out, the first account's one-time link, and whose new jobs are."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from jobs.models import Job
from tests.accounts import PASSWORD, USERNAME, make_user

pytestmark = pytest.mark.django_db


def setup_link(capsys) -> str:
    """What `make run` prints before it starts the servers: the link's path, or ""."""
    call_command("setup_link")
    out = capsys.readouterr().out
    match = re.search(r"Create the first account: http://127\.0\.0\.1:8000(/setup/\S+/)", out)
    return match.group(1) if match else ""


def test_a_fresh_install_prints_a_link_that_creates_the_first_account_once(capsys):
    path = setup_link(capsys)
    assert path

    browser = Client()
    assert "Create the first account" in browser.get(path).content.decode()
    response = browser.post(
        path, {"username": "owner", "password1": PASSWORD, "password2": PASSWORD}
    )
    assert response.status_code == 302 and response["Location"] == reverse("jobs:home")
    owner = get_user_model().objects.get()
    assert owner.username == "owner" and owner.is_staff and owner.is_superuser
    # Signed in as that account already.
    assert 'data-testid="signed-in-as">owner<' in browser.get("/").content.decode()

    # Used: gone, for anyone.
    assert Client().get(path).status_code == 404
    assert browser.post(path, {"username": "x", "password1": PASSWORD,
                               "password2": PASSWORD}).status_code == 404  # fmt: skip
    assert get_user_model().objects.count() == 1
    assert setup_link(capsys) == ""  # and `make run` prints no new one


def test_the_link_refuses_once_any_account_exists(capsys):
    path = setup_link(capsys)
    make_user("made-with-createsuperuser", staff=True)
    assert Client().get(path).status_code == 404
    assert Client().post(path, {"username": "late", "password1": PASSWORD,
                                "password2": PASSWORD}).status_code == 404  # fmt: skip
    assert not get_user_model().objects.filter(username="late").exists()


def test_a_wrong_or_replaced_token_is_refused(capsys):
    first = setup_link(capsys)
    second = setup_link(capsys)  # `make run` again: the newest link is the one that works
    assert Client().get(first).status_code == 404
    assert Client().get("/setup/guessed-token/").status_code == 404
    assert Client().get(second).status_code == 200


def test_a_weak_password_is_refused_and_the_link_still_works(capsys):
    path = setup_link(capsys)
    page = Client().post(path, {"username": "owner", "password1": "123", "password2": "123"})
    assert page.status_code == 200 and "This password is too short" in page.content.decode()
    assert not get_user_model().objects.exists()
    assert Client().get(path).status_code == 200


def test_signing_in_goes_back_where_the_visitor_was_headed(user):
    browser = Client()
    response = browser.get(reverse("jobs:stats"))
    assert response["Location"] == "/accounts/login/?next=/stats/"
    page = browser.get(response["Location"]).content.decode()
    assert 'name="next" value="/stats/"' in page
    response = browser.post(
        reverse("login"), {"username": USERNAME, "password": PASSWORD, "next": "/stats/"}
    )
    assert response["Location"] == "/stats/"


def test_a_swap_after_the_session_ended_sends_the_whole_page_to_sign_in():
    # The jobs list refreshes its table with htmx; the session has ended meanwhile.
    response = Client().get(
        reverse("jobs:list"),
        headers={"HX-Request": "true", "HX-Current-URL": "http://testserver/jobs/?status=failed"},
    )
    assert response["HX-Redirect"] == "/accounts/login/?next=/jobs/%3Fstatus%3Dfailed"
    assert "password" not in response.content.decode()  # no login form swapped into the table


def test_signing_in_never_sends_the_visitor_to_another_site(user):
    response = Client().post(
        reverse("login"),
        {"username": USERNAME, "password": PASSWORD, "next": "https://evil.example/"},
    )
    assert response["Location"] == reverse("jobs:home")


def test_a_wrong_password_is_refused(user):
    page = Client().post(reverse("login"), {"username": USERNAME, "password": "nope"})
    assert page.status_code == 200 and "Please enter a correct username" in page.content.decode()


def test_signing_out_takes_a_post(client):
    assert client.get(reverse("logout")).status_code == 405  # a link cannot sign anyone out
    response = client.post(reverse("logout"))
    assert response["Location"] == reverse("login")
    assert client.get("/").status_code == 302


def test_a_new_job_and_a_reprocessed_one_are_the_signed_in_persons(
    client, user, offline_provider, form_data, monkeypatch
):
    monkeypatch.setattr("jobs.services.async_task", lambda *a, **k: None)
    client.post(reverse("jobs:create"), form_data(offline_provider))
    job = Job.objects.get()
    assert job.owner == user

    job.claim()
    job.complete()
    staff = make_user("boss", staff=True)
    client.force_login(staff)
    response = client.post(reverse("jobs:reprocess", args=[job.pk]), {"tone": "professional"})
    new = Job.objects.exclude(pk=job.pk).get()
    assert response["Location"] == new.get_absolute_url()
    assert new.owner == staff  # who asked pays: staff reprocessing alice's job own the new one
