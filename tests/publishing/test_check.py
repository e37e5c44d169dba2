"""The Check button: it says exactly what is wrong with a destination."""

from __future__ import annotations

import socket

import pytest

from publishing import services
from tests.publishing.conftest import make_destination

pytestmark = pytest.mark.django_db


def test_working_credentials_say_who_and_where(wordpress, ghost, devto):
    assert services.check(wordpress) == (True, "Signed in to Fake WordPress as Ada Lovelace.")
    assert services.check(ghost) == (True, "Signed in to Fake Ghost (Ghost 5.96).")
    assert services.check(devto)[1].endswith("as @ada.")
    wordpress.refresh_from_db()
    assert wordpress.check_ok is True and wordpress.checked_at is not None


def test_a_wrong_application_password_is_a_401(fake_wordpress):
    destination = make_destination("wordpress", fake_wordpress.url, secret="wrong")
    ok, message = services.check(destination)
    assert not ok
    assert message.startswith("The site refused the credentials (401).")


def test_an_account_that_may_not_upload_is_named(wordpress, fake_wordpress):
    fake_wordpress.capabilities = {"publish_posts": True, "upload_files": False}
    ok, message = services.check(wordpress)
    assert not ok
    assert message.startswith("Ada Lovelace may not upload media on this site.")


def test_ghost_without_permission_is_a_403(ghost, fake_ghost):
    fake_ghost.forbidden = True
    ok, message = services.check(ghost)
    assert (ok, message.split(" (403)")[0]) == (
        False,
        "The credentials work but may not publish posts or upload images",
    )


def test_a_site_of_another_kind_is_not_taken_for_wordpress(fake_ghost):
    destination = make_destination("wordpress", fake_ghost.url)
    ok, message = services.check(destination)
    assert not ok
    assert "does not answer as a WordPress site" in message


def test_a_site_that_is_not_ghost(fake_wordpress):
    ok, message = services.check(make_destination("ghost", fake_wordpress.url))
    assert not ok and "does not answer as a Ghost site" in message


def test_a_name_that_does_not_resolve_is_a_dns_failure(monkeypatch):
    def no_such_name(host, *args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_name)
    destination = make_destination("wordpress", "https://no-such-blog.example")
    ok, message = services.check(destination)
    assert not ok
    assert message.startswith("The name no-such-blog.example could not be found (DNS).")


def test_nothing_listening_is_unreachable():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    ok, message = services.check(make_destination("wordpress", f"http://127.0.0.1:{port}"))
    assert not ok
    assert message.startswith("The site could not be reached")


def test_a_private_address_is_refused_unless_the_operator_allows_it(
    settings, wordpress, fake_wordpress
):
    settings.BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES = False
    ok, message = services.check(wordpress)
    assert not ok
    assert message.startswith("127.0.0.1 is at 127.0.0.1, a private or local address")
    assert fake_wordpress.received == []


def test_a_public_name_resolving_to_loopback_is_refused_at_connect(
    settings, monkeypatch, fake_wordpress
):
    """DNS that answers 127.0.0.1 for a public-looking name never reaches the fake site."""
    settings.BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES = False
    real = socket.getaddrinfo

    def rebinding(host, port, *args, **kwargs):
        return real("127.0.0.1" if host == "blog.example.com" else host, port, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    destination = make_destination("wordpress", f"http://blog.example.com:{fake_wordpress.port}")
    ok, message = services.check(destination)
    assert not ok
    assert "blog.example.com is at 127.0.0.1" in message
    assert fake_wordpress.received == []


def test_a_destination_without_its_key_says_so(fake_wordpress):
    destination = make_destination("wordpress", fake_wordpress.url, secret="")
    assert services.check(destination) == (False, "No key set.")
