"""Destinations and publishing through the JSON API, as a script with a token does it."""

from __future__ import annotations

import io
import json
import zipfile

import pytest

from jobs.models import Job
from publishing.models import Destination
from tests.accounts import make_user
from tests.api.conftest import token_client
from tests.fakes.publishing_sites import WP_PASSWORD, WP_USER
from tests.publishing.conftest import make_destination

pytestmark = pytest.mark.django_db


@pytest.fixture
def api(user):
    """The signed-in person's script: a token, no session."""
    return token_client(user)


def post_json(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def test_a_script_adds_checks_lists_and_deletes_a_destination(api, fake_wordpress):
    made = post_json(
        api,
        "/api/v1/destinations",
        {"name": "Blog", "kind": "wordpress", "site_url": fake_wordpress.url + "/",
         "username": WP_USER, "secret": WP_PASSWORD},
    )  # fmt: skip
    assert made.status_code == 201, made.content
    body = made.json()
    assert body["site_url"] == fake_wordpress.url
    assert body["secret"] == "key set"
    assert WP_PASSWORD not in made.content.decode()
    stored = Destination.objects.get(pk=body["id"])
    assert WP_PASSWORD not in stored.secret_encrypted

    checked = api.post(f"/api/v1/destinations/{body['id']}/check")
    assert checked.json() == {"ok": True, "message": "Signed in to Fake WordPress as Ada Lovelace."}

    listed = api.get("/api/v1/destinations").json()
    assert [d["name"] for d in listed] == ["Blog"]
    assert WP_PASSWORD not in json.dumps(listed)

    assert api.delete(f"/api/v1/destinations/{body['id']}").status_code == 204
    assert not Destination.objects.exists()


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"site_url": "ftp://blog.example.com"}, "site_url", "must start with https://"),
        ({"site_url": "https://user:pw@blog.example.com"}, "site_url", "must not hold a user"),
        ({"site_url": ""}, "site_url", "needs the site's address"),
        ({"username": ""}, "username", "needs the user name"),
        ({"secret": ""}, "secret", "needs its application password"),
    ],
)
def test_a_bad_destination_is_refused_field_by_field(api, fields, field, message):
    data = {"name": "Blog", "kind": "wordpress", "site_url": "https://blog.example.com",
            "username": "ada", "secret": "pw", **fields}  # fmt: skip
    answer = post_json(api, "/api/v1/destinations", data)
    assert answer.status_code == 422
    assert message in " ".join(answer.json()["detail"]["fields"][field])


def test_a_malformed_ghost_key_is_refused(api):
    answer = post_json(
        api,
        "/api/v1/destinations",
        {"name": "G", "kind": "ghost", "site_url": "https://g.example.com", "secret": "nocolon"},
    )
    assert "id, a colon and a hexadecimal secret" in answer.json()["detail"]["fields"]["secret"][0]


def test_another_persons_destination_is_not_found(api, fake_wordpress):
    theirs = make_destination("wordpress", fake_wordpress.url, owner=make_user("bob"))
    assert api.post(f"/api/v1/destinations/{theirs.pk}/check").status_code == 404
    assert api.delete(f"/api/v1/destinations/{theirs.pk}").status_code == 404
    assert fake_wordpress.received == []


def test_publish_through_the_api_then_read_where_it_went(
    api, written_job, wordpress, fake_wordpress, sync_tasks, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        answer = post_json(
            api,
            f"/api/v1/jobs/{written_job.pk}/publish",
            {"destination": "My wordpress", "status": "publish"},
        )
    assert answer.status_code == 202, answer.content
    assert answer.json()["state"] == "queued"

    [publication] = api.get(f"/api/v1/jobs/{written_job.pk}/publications").json()
    [post] = fake_wordpress.posts.values()
    assert publication["state"] == "done"
    assert publication["url"] == post["link"]
    assert publication["remote_status"] == "publish"
    assert Job.objects.get(pk=written_job.pk).status == Job.Status.COMPLETED


def test_publishing_to_someone_elses_destination_is_refused(api, written_job, fake_wordpress):
    theirs = make_destination("wordpress", fake_wordpress.url, owner=make_user("bob"))
    answer = post_json(api, f"/api/v1/jobs/{written_job.pk}/publish", {"destination": theirs.pk})
    assert answer.status_code == 422
    assert answer.json()["detail"]["fields"]["destination"] == ["Not one of your destinations."]


def test_a_static_site_export_is_a_hugo_page_bundle(api, written_job, pictures):
    hugo = make_destination("static", generator="hugo")
    answer = api.get(f"/api/v1/jobs/{written_job.pk}/export/{hugo.pk}?status=publish")
    assert answer.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(archive.namelist()) == [
        "content/posts/composting-at-home/cover.jpg",
        "content/posts/composting-at-home/frame-1.jpg",
        "content/posts/composting-at-home/index.md",
    ]
    text = archive.read("content/posts/composting-at-home/index.md").decode()
    assert text.startswith("---\ntitle: Composting at home\n")
    assert "draft: false" in text
    assert "cover:\n  image: ./cover.jpg" in text
    assert "![The heap](./frame-1.jpg)" in text


def test_jekyll_and_astro_layouts(client, written_job, pictures):
    jekyll = make_destination("static", name="J", generator="jekyll")
    astro = make_destination("static", name="A", generator="astro")

    j = zipfile.ZipFile(
        io.BytesIO(client.get(f"/jobs/{written_job.pk}/export/{jekyll.pk}.zip").content)
    )
    post_name = next(n for n in j.namelist() if n.startswith("_posts/"))
    assert post_name.endswith("-composting-at-home.md")
    assert "assets/images/composting-at-home/frame-1.jpg" in j.namelist()
    jtext = j.read(post_name).decode()
    assert "layout: post" in jtext and "published: false" in jtext
    assert "](/assets/images/composting-at-home/frame-1.jpg)" in jtext

    a = zipfile.ZipFile(
        io.BytesIO(client.get(f"/jobs/{written_job.pk}/export/{astro.pk}.zip").content)
    )
    atext = a.read("src/content/blog/composting-at-home.md").decode()
    assert "heroImage: ../../assets/blog/composting-at-home/cover.jpg" in atext
    assert "draft: true" in atext
    assert "src/assets/blog/composting-at-home/frame-1.jpg" in a.namelist()
