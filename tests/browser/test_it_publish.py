"""A person adds a WordPress destination, checks it, and publishes a post to it, in Chromium
against the real servers (daphne and a django-q2 worker) and a fake WordPress on loopback."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.browser.conftest import sign_in
from tests.fakes.publishing_sites import WP_PASSWORD, WP_USER
from tests.publishing.conftest import make_written_job

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def written_job(transactional_db):
    return make_written_job()


@pytest.fixture
def loopback_destinations(monkeypatch):
    """The servers may call the fake WordPress on 127.0.0.1 (set before they start)."""
    monkeypatch.setenv("BLOGTUBE_PUBLISH_PRIVATE_ADDRESSES", "true")


def test_add_check_and_publish(
    loopback_destinations, fake_wordpress, written_job, live_app, page, tmp_path
):
    page.goto(f"{live_app.url}/destinations/")
    sign_in(page)
    page.goto(f"{live_app.url}/destinations/")
    page.fill("#id_name", "My blog")
    page.select_option("#id_kind", "wordpress")
    page.fill("#id_site_url", fake_wordpress.url)
    page.fill("#id_username", WP_USER)
    page.fill("#id_secret", WP_PASSWORD)
    page.click("button:has-text('Add destination')")
    result = page.locator("[data-testid=check-result]")
    result.get_by_text("Signed in to Fake WordPress as Ada Lovelace.").wait_for()
    assert WP_PASSWORD not in page.content()

    fake_wordpress.capabilities = {"publish_posts": True, "upload_files": False}
    page.click("button:has-text('Check')")
    result.get_by_text("Ada Lovelace may not upload media on this site.").wait_for()
    page.screenshot(path=str(_shots(tmp_path) / "destinations.png"), full_page=True)
    fake_wordpress.capabilities = {"publish_posts": True, "upload_files": True}
    page.click("button:has-text('Check')")
    result.get_by_text("Signed in to Fake WordPress").wait_for()

    page.goto(f"{live_app.url}/jobs/{written_job.pk}/")
    page.check("input[name=status][value=publish]")
    page.click("#job-publish button:has-text('Publish')")
    link = page.locator("[data-testid=publications] a")
    link.wait_for()
    [post] = fake_wordpress.posts.values()
    assert link.get_attribute("href") == post["link"]
    assert post["status"] == "publish" and post["title"] == "Composting at home"
    page.get_by_role("button", name="Update").wait_for()
    page.screenshot(path=str(_shots(tmp_path) / "published-post.png"), full_page=True)


def _shots(tmp_path: Path) -> Path:
    """The README's screenshots with BLOGTUBE_SCREENSHOTS=1, as the live page's test does."""
    if os.environ.get("BLOGTUBE_SCREENSHOTS") == "1":
        return Path(__file__).resolve().parents[2] / "docs" / "screenshots"
    return tmp_path
