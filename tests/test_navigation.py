"""The main navigation names every section and marks the one a page belongs to; the icon."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.test import Client
from django.urls import reverse

from tests.accounts import make_user


def nav(page: str) -> tuple[list[str], list[str]]:
    """(every link label, the current ones) of the page's main navigation."""
    block = page.split('<nav aria-label="Main">')[1].split("</nav>")[0]
    links = re.findall(r'<a href="[^"]+"( aria-current="page")?>([^<]+)</a>', block)
    return [label for _, label in links], [label for current, label in links if current]


PAGES = [
    ("jobs:home", "New post"),
    ("jobs:list", "Jobs"),
    ("jobs:deleted", "Jobs"),
    ("jobs:batches", "Batches"),
    ("videos:list", "Videos"),
    ("providers:list", "Providers"),
    ("jobs:stats", "Stats"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url_name", "current"), PAGES)
def test_every_section_is_in_the_nav_and_the_page_is_marked(client, url_name, current):
    labels, marked = nav(client.get(reverse(url_name)).content.decode())
    assert labels == ["New post", "Jobs", "Batches", "Videos", "Providers", "Stats"]
    assert marked == [current]


@pytest.mark.django_db
def test_staff_also_see_the_queue_and_admin(staff_client):
    labels, marked = nav(staff_client.get(reverse("jobs:queue")).content.decode())
    assert labels[-2:] == ["Queue", "Admin"]
    assert marked == ["Queue"]


@pytest.mark.django_db
def test_the_api_tokens_page_marks_its_link_and_no_section(client):
    page = client.get(reverse("api-tokens")).content.decode()
    assert nav(page)[1] == []
    assert f'<a href="{reverse("api-tokens")}" aria-current="page">API tokens</a>' in page


@pytest.mark.django_db
def test_favicon_ico_is_served_to_anyone():
    response = Client().get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/favicon.ico"
    with open(finders.find("favicon.ico"), "rb") as icon:
        assert icon.read(4) == b"\x00\x00\x01\x00"  # an ICO file


@pytest.mark.django_db
def test_admin_pages_name_the_icon():
    client = Client()
    client.force_login(make_user("boss", staff=True))
    page = client.get(reverse("admin:index")).content.decode()
    assert 'rel="icon" href="/static/favicon.svg"' in page
    assert "Site administration" in page  # still Django's own admin page
    assert finders.find("favicon.svg")
