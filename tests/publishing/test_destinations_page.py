"""The Destinations page, the job page's Publish card, admin, and key rotation."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from publishing.models import Destination
from tests.accounts import make_user
from tests.fakes.publishing_sites import WP_PASSWORD, WP_USER
from tests.publishing.conftest import make_destination

pytestmark = pytest.mark.django_db


def test_adding_a_destination_checks_it_and_never_shows_the_key(client, fake_wordpress):
    response = client.post(
        "/destinations/",
        {"name": "Blog", "kind": "wordpress", "site_url": fake_wordpress.url,
         "username": WP_USER, "secret": WP_PASSWORD},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Destination “Blog” added." in page
    assert "Signed in to Fake WordPress as Ada Lovelace." in page
    assert WP_PASSWORD not in page
    destination = Destination.objects.get()
    assert destination.secret() == WP_PASSWORD
    assert WP_PASSWORD not in destination.secret_encrypted


def test_a_bad_address_is_refused_with_the_form_as_filled_in(client):
    response = client.post(
        "/destinations/",
        {"name": "Blog", "kind": "ghost", "site_url": "javascript:alert(1)", "secret": "x"},
    )
    assert response.status_code == 400
    assert "must start with https://" in response.content.decode()
    assert not Destination.objects.exists()


def test_check_answers_the_row_for_htmx(client, wordpress, fake_wordpress):
    fake_wordpress.capabilities = {"publish_posts": False, "upload_files": True}
    response = client.post(f"/destinations/{wordpress.pk}/check/", HTTP_HX_REQUEST="true")
    row = response.content.decode()
    assert row.lstrip().startswith(f'<tr id="destination-{wordpress.pk}"')
    assert "Ada Lovelace may not publish posts on this site." in row


def test_someone_elses_destination_cannot_be_checked_or_deleted(client, fake_wordpress):
    theirs = make_destination("wordpress", fake_wordpress.url, owner=make_user("bob"))
    assert client.post(f"/destinations/{theirs.pk}/check/").status_code == 404
    assert client.post(f"/destinations/{theirs.pk}/delete/").status_code == 404
    assert Destination.objects.filter(pk=theirs.pk).exists()


def test_the_job_page_offers_publishing_and_shows_where_the_post_went(
    client, written_job, wordpress, publish_now
):
    page = client.get(f"/jobs/{written_job.pk}/").content.decode()
    assert f'<option value="{wordpress.pk}">My wordpress (WordPress)</option>' in page

    publish_now(written_job, wordpress)

    page = client.get(f"/jobs/{written_job.pk}/").content.decode()
    publication = written_job.publications.get()
    assert f'href="{publication.url}"' in page
    assert ">Update</button>" in page
    assert "Composting at home" in page  # the post stays readable


def test_publishing_from_the_page_queues_the_publish_step(client, written_job, wordpress):
    response = client.post(
        f"/jobs/{written_job.pk}/publish/", {"destination": wordpress.pk, "status": "publish"}
    )
    assert response.status_code == 302
    written_job.refresh_from_db()
    assert written_job.status == "queued"
    assert written_job.steps.get(step="publish").status == "pending"
    assert written_job.steps.get(step="save").status == "done"
    assert written_job.post_is_ready


def test_staff_manage_destinations_in_admin(staff_client, wordpress):
    assert staff_client.get("/admin/publishing/destination/").status_code == 200
    page = staff_client.get(f"/admin/publishing/destination/{wordpress.pk}/change/")
    assert page.status_code == 200
    assert WP_PASSWORD not in page.content.decode()


def test_keys_move_to_a_new_secret(settings, wordpress, capsys):
    old = settings.SECRET_KEY
    settings.BLOGTUBE_ENCRYPTION_KEY = ""
    settings.SECRET_KEY = "the-new-secret-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = [old]

    call_command("reencrypt_destination_keys")

    assert "Re-encrypted 1 destination key." in capsys.readouterr().out
    settings.SECRET_KEY_FALLBACKS = []
    assert Destination.objects.get(pk=wordpress.pk).secret() == WP_PASSWORD
