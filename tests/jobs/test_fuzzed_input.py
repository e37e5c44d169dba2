"""Arbitrary text thrown at every door: each form, each query-string and path parameter of
every page, the CLI's options and the post parsers. Whatever comes in is a page, a redirect,
a 4xx or the field's own error, never a server error, and a job it queues does not crash.
"""

from __future__ import annotations

import inspect
import re
from urllib.parse import quote

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import URLPattern, URLResolver, get_resolver
from hypothesis import example, given, settings
from hypothesis import strategies as st

from jobs.formatting import format_post
from jobs.models import Batch, Job
from jobs.post_text import PostTextError, body_word_count, parse_post, render_body
from jobs.views import batches as batch_views
from jobs.views import jobs as job_views
from jobs.views import posts as post_views
from jobs.views import publish as publish_views
from jobs.views import stats as stats_views
from providers import views as provider_views
from publishing import views as destination_views
from publishing.models import Destination
from tests.fuzzing import FORM_FIELDS, FUZZ, hostile, nul_refused, safe_urls
from tests.jobs.conftest import META, POST_FROM_MODEL, VIDEO_ID, VIDEO_URL
from tests.jobs.factories import make_job
from videos import views as video_views
from videos.models import Transcript, Video

pytestmark = pytest.mark.django_db

MARKDOWN_PIECES = [
    "- ", "* ", "1. ", "> ", "    ", "\t", "\n", "\n\n", "#", "## ", "[", "]", "(", ")", "![",
    "<", ">", "<a ", "*", "**", "_", "`", "```\n", "~~~", "|", "---", "&", "\\", ":", "word",
    "https://x.example/a", "[^1]", "*[", "{@", "===", "date: ", "2024-13-45", "title: ", "&a ",
    "*a", "!!binary ", "1" * 5000, "- " * 3000, "[" * 3000, "<a " * 1000,
]  # fmt: skip
markdown = st.one_of(
    st.lists(st.sampled_from(MARKDOWN_PIECES), max_size=600).map("".join),
    st.text(max_size=300),
)


@pytest.fixture
def world(fake_youtube, youtube_video, sync_tasks):
    """One of everything a URL can name."""
    job = make_job(status=Job.Status.COMPLETED)
    post = job.store_post(format_post(POST_FROM_MODEL, META))
    post.edit(post.markdown + "\nOne more line.\n")
    video = Video.objects.create(youtube_id=VIDEO_ID, url=VIDEO_URL, title="Talk")
    transcript = Transcript.objects.create(
        video=video, language_code="en", source="upload", segments=[], text="Some words."
    )
    batch = Batch.objects.create(
        kind=Batch.Kind.PLAYLIST, title="A list", source_url=VIDEO_URL, owner=job.owner
    )
    return {
        "job_id": str(job.pk),
        "batch_id": str(batch.pk),
        "slug": post.slug,
        "fmt": "md",
        "name": "cover.jpg",  # a picture of the post
        "youtube_id": video.youtube_id,
        "pk": str(transcript.pk),
        "token": "not-a-setup-token",
        # The JSON API's names (/api/v1/...), and its catch-all for unknown paths.
        "video_id": video.youtube_id,
        "transcript_id": str(transcript.pk),
        "rest": "v1/nothing",
        "destination_id": str(
            Destination.objects.create(owner=job.owner, name="Site", kind="static").pk
        ),
    }


def routes() -> list[str]:
    """Every route of the site but the admin's, as "jobs/<uuid:job_id>/"."""

    def walk(patterns, prefix: str):
        for pattern in patterns:
            route = prefix + str(pattern.pattern)
            if isinstance(pattern, URLResolver):
                if not route.startswith("admin/"):
                    yield from walk(pattern.url_patterns, route)
            elif isinstance(pattern, URLPattern):
                yield route

    return list(walk(get_resolver().url_patterns, ""))


ROUTES = routes()
PARAMETER = re.compile(r"<(?:\w+:)?(\w+)>")
VIEW_MODULES = [
    job_views, post_views, batch_views, stats_views, provider_views, video_views, publish_views,
    destination_views,
]  # fmt: skip
# Every name a view reads from a query string, as its source spells it.
QUERY_NAMES = sorted(
    {
        name
        for module in VIEW_MODULES
        for name in re.findall(
            r'(?:GET|params)\.get(?:list)?\(\s*"(\w+)"|GET\["(\w+)"\]', inspect.getsource(module)
        )
        for name in name
        if name
    }
)


def test_the_walk_finds_the_routes_and_query_parameters():
    assert "jobs/<uuid:job_id>/post.<str:fmt>" in ROUTES and "providers/models/" in ROUTES
    assert {"chars", "days", "page", "provider", "q", "version", "upage"} <= set(QUERY_NAMES)


def url_for(route: str, values: dict[str, str]) -> str:
    return "/" + PARAMETER.sub(lambda m: quote(values[m.group(1)], safe=""), route)


PER_ROUTE = settings(FUZZ, max_examples=25)


@pytest.mark.parametrize("route", [r for r in ROUTES if PARAMETER.search(r)])
@PER_ROUTE
@given(data=st.data())
def test_no_path_parameter_is_a_server_error(client, world, route, data):
    values = {
        name: data.draw(st.one_of(st.just(world[name]), hostile), label=name)
        for name in PARAMETER.findall(route)
    }
    assert client.get(url_for(route, values)).status_code < 500


@pytest.mark.parametrize("route", ROUTES)
@PER_ROUTE
@given(data=st.data())
def test_no_query_string_is_a_server_error(client, world, route, data):
    params = data.draw(
        st.fixed_dictionaries(
            {}, optional={name: safe_urls() if name == "url" else hostile for name in QUERY_NAMES}
        )
    )
    headers = data.draw(st.sampled_from([{}, {"HX-Request": "true"}]))
    response = client.get(url_for(route, world), params, headers=headers)
    if route == "health/ready" and response.status_code == 503:
        # Its answer, not a crash: no worker runs in tests. It must still say which check failed.
        assert response.json()["checks"]["worker"]["ok"] is False
        return
    assert response.status_code < 500


def upload() -> st.SearchStrategy[SimpleUploadedFile]:
    content = st.one_of(
        st.binary(max_size=400),
        st.text(max_size=400).map(str.encode),
        st.text(max_size=200).map(lambda t: t.encode("utf-16")),
        st.sampled_from([b"[" * 5000, b"...", b"1:23\n", b"WEBVTT\n\n", b'{"events": []}']),
    )
    name = st.sampled_from(["talk.txt", "talk.srt", "talk.vtt", "talk.json", "talk", "t.pdf"])
    return st.builds(SimpleUploadedFile, name, content)


@FUZZ
@given(data=st.data())
def test_the_new_post_form_refuses_or_queues_a_job_that_does_not_crash(client, world, data):
    fields = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(FORM_FIELDS, hostile)))
    fields["url"] = data.draw(safe_urls())
    fields["per_video"] = data.draw(st.sampled_from(["", "on"]))
    if data.draw(st.booleans()):
        fields["transcript_file"] = data.draw(upload())
    jobs_before = set(Job.objects.values_list("pk", flat=True))
    response = client.post("/jobs/new/", fields)
    assert response.status_code in (302, 400)
    for job in Job.objects.exclude(pk__in=jobs_before):
        assert job.error_code != "INTERNAL_ERROR", job.error_message


@FUZZ
@given(data=st.data())
def test_reprocess_refuses_or_queues_a_job_that_does_not_crash(client, world, data):
    fields = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(FORM_FIELDS, hostile)))
    job = Job.objects.get(pk=world["job_id"])
    job.transcript = job.transcript or Transcript.objects.create(
        language_code="en", source="upload", segments=[], text="Coffee is brewed with water."
    )
    job.save(update_fields=["transcript"])
    jobs_before = set(Job.objects.values_list("pk", flat=True))
    response = client.post(f"/jobs/{job.pk}/reprocess/", fields)
    assert response.status_code == 302 or nul_refused(response)
    for new in Job.objects.exclude(pk__in=jobs_before):
        assert new.error_code != "INTERNAL_ERROR", new.error_message


@FUZZ
@given(text=markdown, note=hostile, action=st.sampled_from(["", "preview", "save"]))
def test_editing_a_post_saves_or_says_what_is_wrong(client, world, text, note, action):
    url = f"/posts/{world['slug']}/edit/"
    response = client.post(url, {"markdown": text, "note": note, "action": action})
    assert response.status_code in (200, 302, 400)
    preview = client.post(f"/posts/{world['slug']}/preview/", {"markdown": text})
    assert preview.status_code == 200 or nul_refused(preview)
    page = client.get(f"/posts/{world['slug']}/")
    assert page.status_code == 200


@FUZZ
@given(restore=hostile)
def test_restoring_any_version_number_restores_or_is_not_found(client, world, restore):
    response = client.post(f"/posts/{world['slug']}/edit/", {"restore": restore})
    assert response.status_code in (302, 404) or nul_refused(response)


@FUZZ
@given(
    action=st.one_of(st.sampled_from(["cancel", "retry", "delete"]), hostile),
    ids=st.lists(st.one_of(hostile, st.uuids().map(str)), max_size=4),
    next_url=hostile,
)
def test_bulk_actions_never_fail(client, world, action, ids, next_url):
    response = client.post("/jobs/bulk/", {"action": action, "ids": ids, "next": next_url})
    if not nul_refused(response):
        assert response.status_code == 302
        assert response["Location"].startswith("/")
        assert not response["Location"].startswith("//")


CLI_OPTIONS = [
    "--language", "--provider", "--model", "--format", "--style", "--prompt", "--tone",
    "--length", "--write-language", "--translate-to",
]  # fmt: skip


@FUZZ
@given(option=st.sampled_from(CLI_OPTIONS), value=hostile)
@example(option="--provider", value="\x00")  # found on PostgreSQL, which refuses NUL in text
def test_the_cli_refuses_a_bad_option_with_its_message(world, option, value):
    # "not a url" stops the command before it fetches or writes anything.
    with pytest.raises(CommandError):
        call_command("blogtube", "not a url", f"{option}={value}")


@FUZZ
@given(text=st.one_of(markdown, st.text(max_size=400)).map(lambda body: "---\n" + body))
def test_front_matter_parses_or_says_what_is_wrong(text):
    try:
        front, _ = parse_post(text)
    except PostTextError as refused:
        assert str(refused)
    else:
        assert isinstance(front, dict)


@FUZZ
@given(text=markdown)
def test_any_markdown_renders(text):
    rendered = render_body(text)
    assert isinstance(rendered.html, str)
    # The versions list counts words without rendering each version: the same count.
    assert body_word_count(text) == rendered.word_count
    assert format_post(text, META).html is not None


@FUZZ
@given(provider=hostile)
def test_the_model_field_of_any_provider_renders(client, provider):
    response = client.get("/providers/models/", {"provider": provider})
    assert response.status_code == 200 or nul_refused(response)
