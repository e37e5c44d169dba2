"""Who may reach what: every URL of the site, walked from the URL configuration.

- An anonymous visitor is sent to sign in (with ?next=) from every page, form, download
  and socket, for GET and POST alike; only the sign-in and first-account pages answer.
- A signed-in person who is not staff gets, for someone else's job, batch, post or
  uploaded transcript, exactly what a made-up id gets: 404, nothing that tells it exists.
- Staff see everyone's, and the rows made before there were accounts.

A new URL with a path parameter this module has no object for fails the walk: say here
whose object it is before it ships.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass

import pytest
from channels.db import database_sync_to_async
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from blogtube_site.asgi import application
from jobs.models import Batch, Job, Post, PostPicture
from jobs.models.pictures import pictures_folder
from jobs.stats import job_stats
from publishing.models import Destination
from tests.accounts import make_user, signed_in_user
from tests.jobs.factories import make_job
from tests.websocket import ORIGIN, Communicator, signed_in_headers
from videos.models import Transcript, Video

# Pages anyone may open: how to sign in, the first account's one-time link, the probes
# (they say only whether the parts answer) and the site's icon.
PUBLIC = {"login", "setup", "health-live", "health-ready", "favicon"}
# For a scraper with a token, which has no session to sign in with: 401, never a sign-in page.
TOKEN_ONLY = {"jobs:metrics"}


def url_patterns(resolver: URLResolver | None = None, prefix: str = "", namespace: str = ""):
    """(name, route, parameter names) of every URL, admin's aside: admin is staff-only itself;
    and the JSON API's, which answers 401 JSON rather than a redirect (tests/api/test_access.py)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" or entry.namespace == "api":
                continue
            space = ":".join(filter(None, [namespace, entry.namespace]))
            yield from url_patterns(entry, prefix + str(entry.pattern), space)
        elif isinstance(entry, URLPattern):
            name = ":".join(filter(None, [namespace, entry.name]))
            yield name, prefix + str(entry.pattern), tuple(entry.pattern.converters)


ALL_URLS = sorted(url_patterns())


@dataclass
class Things:
    """What one person owns, one of each kind a URL can name."""

    job: Job
    batch: Batch
    post: Post
    upload: Transcript
    destination: Destination


def things_of(owner) -> Things:
    tag = owner.username if owner else "nobody"
    video, _ = Video.objects.get_or_create(
        youtube_id="dQw4w9WgXcQ", defaults={"url": "https://youtu.be/dQw4w9WgXcQ"}
    )
    batch = Batch.objects.create(
        owner=owner, kind=Batch.Kind.PLAYLIST, title=f"{tag}'s playlist", source_url="x"
    )
    upload = Transcript.objects.create(
        language_code="en", source=Transcript.Source.UPLOAD, file_name=f"{tag}.txt", text="Hi."
    )
    job = make_job(owner=owner, video=video, batch=batch, transcript=upload)
    job.claim()
    job.complete()
    post = Post.objects.create(
        job=job, video=video, title=f"{tag}'s post", slug=f"{tag}-post", markdown="# Hi\n",
        html="<p>Hi</p>",
    )  # fmt: skip
    destination = Destination.objects.create(
        owner=owner or make_user("destination-owner"), name=f"{tag}'s zip", kind="static"
    )
    # The post's cover, for the picture URL.
    PostPicture.objects.create(
        post=post, kind=PostPicture.Kind.COVER, position=0, name="cover.jpg", alt="Cover",
        width=1, height=1, size=3,
    )  # fmt: skip
    pictures_folder(post.slug).mkdir(parents=True, exist_ok=True)
    (pictures_folder(post.slug) / "cover.jpg").write_bytes(b"jpg")
    return Things(job=job, batch=batch, post=post, upload=upload, destination=destination)


def url_kwargs(params: tuple[str, ...], things: Things | None) -> dict:
    """Real values for a route's parameters: ``things``' own, or made-up ones for None."""
    values = {
        "job_id": things.job.pk if things else uuid.uuid4(),
        "batch_id": things.batch.pk if things else uuid.uuid4(),
        "slug": things.post.slug if things else "no-such-post",
        "pk": things.upload.pk if things else 987654,
        "destination_id": things.destination.pk if things else 987654,
        # Not anyone's: shared YouTube data, a provider, a format, a token.
        "youtube_id": "dQw4w9WgXcQ",
        "fmt": "md",
        "name": "cover.jpg",  # a picture of the post named by "slug"
        "token": "not-a-token",
    }
    unknown = set(params) - set(values)
    assert not unknown, f"whose is {unknown}? Give tests/test_access.py an object for it."
    return {name: values[name] for name in params}


def url_of(name: str, params: tuple[str, ...], things: Things | None) -> str:
    kwargs = url_kwargs(params, things)
    if name == "videos:transcript":
        kwargs["fmt"] = "txt"
    if name == "providers:test":
        kwargs = {"slug": "offline"}
    if name.startswith("publishing:") and "pk" in kwargs:
        kwargs["pk"] = things.destination.pk if things else 987654
    return reverse(name, kwargs=kwargs)


# URLs that name something a person owns (not shared videos, not providers).
OWNED = [
    (name, params)
    for name, _, params in ALL_URLS
    if {"job_id", "batch_id", "pk"} & set(params) or name.startswith("jobs:post")
]


@pytest.fixture
def bob(db):
    return make_user("bob")


@pytest.fixture
def bobs(bob) -> Things:
    return things_of(bob)


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_walk_sees_every_app():
    names = {name for name, _, _ in ALL_URLS}
    assert {"jobs:detail", "jobs:bulk", "videos:transcript", "providers:test", "logout"} <= names
    assert "api-tokens" in names
    assert "jobs:post-edit" in {name for name, _ in OWNED}


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "route", "params"), ALL_URLS, ids=[u[0] for u in ALL_URLS])
@pytest.mark.parametrize("method", ["get", "post"])
def test_anonymous_visitors_are_sent_to_sign_in(name, route, params, method, bobs):
    url = url_of(name, params, bobs)
    response = getattr(Client(), method)(url)
    if name in PUBLIC:
        assert response.status_code != 302 or not response["Location"].startswith("/accounts/")
        return
    if name in TOKEN_ONLY:
        assert response.status_code in (401, 405), (url, response.status_code)
        return
    assert response.status_code == 302, (url, response.status_code)
    assert response["Location"] == f"{reverse('login')}?next={url.replace(':', '%3A')}"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params"), OWNED, ids=[o[0] for o in OWNED])
@pytest.mark.parametrize("method", ["get", "post"])
def test_someone_elses_things_answer_as_if_they_did_not_exist(client, name, params, method, bobs):
    elsewhere = getattr(client, method)(url_of(name, params, bobs))
    made_up = getattr(client, method)(url_of(name, params, None))
    # A method the view refuses (405) is refused alike: it says nothing either.
    assert elsewhere.status_code == made_up.status_code in (404, 405)
    assert Job.objects.filter(pk=bobs.job.pk, status=Job.Status.COMPLETED).exists()
    assert Post.objects.get(pk=bobs.post.pk).markdown == "# Hi\n"


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "params"), OWNED, ids=[o[0] for o in OWNED])
def test_owners_and_staff_reach_their_things(name, params, bob, bobs):
    url = url_of(name, params, bobs)
    staff = make_user("boss", staff=True)
    for user in (bob, staff):
        response = signed_in(user).get(url)
        # GET-only pages answer; forms that only take POST say so, not 404.
        assert response.status_code in (200, 405), (user, url, response.status_code)


@pytest.mark.django_db
def test_lists_counts_and_pages_show_only_ones_own(client, user, bobs):
    mine = things_of(user)
    for name in ("jobs:home", "jobs:list", "jobs:batches", "videos:list"):
        page = client.get(reverse(name)).content.decode()
        assert "bob" not in page, name
    assert str(mine.job.pk) in client.get(reverse("jobs:list")).content.decode()
    video_page = client.get(reverse("videos:detail", args=["dQw4w9WgXcQ"])).content.decode()
    assert "alice&#x27;s post" in video_page and "bob" not in video_page
    assert job_stats(30, user=user).total == 1
    assert job_stats(30, user=make_user("boss", staff=True)).total == 2


@pytest.mark.django_db
def test_bulk_actions_skip_someone_elses_jobs(client, user, bobs):
    queued = make_job(owner=bobs.job.owner)
    mine = make_job(owner=user)
    data = {"action": "cancel", "ids": [queued.pk, mine.pk]}
    page = client.post(reverse("jobs:bulk"), data, follow=True).content.decode()
    assert "1 job cancelled." in page
    assert Job.objects.get(pk=queued.pk).status == Job.Status.QUEUED
    assert Job.objects.get(pk=mine.pk).status == Job.Status.CANCELLED


@pytest.mark.django_db
def test_rows_from_before_accounts_are_for_staff_only(client):
    old = things_of(None)
    assert client.get(old.job.get_absolute_url()).status_code == 404
    assert client.get(old.batch.get_absolute_url()).status_code == 404
    staff = signed_in(make_user("boss", staff=True))
    assert staff.get(old.job.get_absolute_url()).status_code == 200
    assert staff.get(old.batch.get_absolute_url()).status_code == 200


@pytest.mark.django_db
def test_admin_is_for_staff_only(client):
    assert client.get("/admin/").status_code == 302  # to admin's own sign-in
    assert Client().get("/admin/").status_code == 302
    assert signed_in(make_user("boss", staff=True)).get("/admin/").status_code == 200


# --- sockets ------------------------------------------------------------------------


async def closes_with(path: str, headers) -> int | None:
    socket = Communicator(application, path, headers=headers)
    connected, _ = await socket.connect()
    assert connected  # accepted, then closed: the ws extension must not retry
    output = await socket.receive_output()
    await socket.disconnect()
    return output.get("code") if output["type"] == "websocket.close" else None


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_sockets_need_a_signed_in_user_who_may_see_the_job():
    bob = await database_sync_to_async(make_user)("bob")
    job = await database_sync_to_async(make_job)(owner=bob)
    path = f"/ws/jobs/{job.pk}/"

    assert await closes_with(path, [ORIGIN]) == 4401
    assert await closes_with("/ws/dashboard/", [ORIGIN]) == 4401
    assert await closes_with(path, await signed_in_headers()) == 4404  # alice: not hers
    assert await closes_with(path, await signed_in_headers(bob)) is None  # his: the state

    staff = await database_sync_to_async(make_user)("boss", staff=True)
    assert await closes_with(path, await signed_in_headers(staff)) is None


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_the_dashboard_socket_sends_only_ones_own_jobs():
    bob = await database_sync_to_async(make_user)("bob")
    staff = await database_sync_to_async(make_user)("boss", staff=True)
    alice = await database_sync_to_async(signed_in_user)()
    sockets = {}
    for who in (alice, staff):
        sockets[who.username] = Communicator(
            application, "/ws/dashboard/", headers=await signed_in_headers(who)
        )
        assert (await sockets[who.username].connect())[0]
    bobs = await database_sync_to_async(make_job)(owner=bob)
    hers = await database_sync_to_async(make_job)(owner=alice)
    # Both pages say they show both rows: asking for bob's row does not make it alice's.
    watch = json.dumps({"watch": [f"job-row-{bobs.pk}", f"job-row-{hers.pk}"]})
    for socket in sockets.values():
        await socket.send_to(text_data=watch)

    await database_sync_to_async(bobs.claim)()
    assert f"job-row-{bobs.pk}" in await sockets["boss"].receive_from()

    await database_sync_to_async(hers.claim)()
    first = await sockets["alice"].receive_from()  # bob's moves never reached her
    assert f"job-row-{hers.pk}" in first and f"job-row-{bobs.pk}" not in first
    for socket in sockets.values():
        await socket.disconnect()
