"""The OpenAPI document is as strict as the views: its enums are the New post form's choices,
its patterns the parsers' own rules (each proved here to accept what it matches), and its
providers the ones a job may name at the moment the document is asked for."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jobs import batches
from jobs.api.jobs import CURSOR_PATTERN, encode_cursor
from jobs.forms import JobForm
from providers import services as providers
from providers.models import Provider
from tests.jobs.factories import make_job
from videos import services as videos

pytestmark = pytest.mark.django_db

JOBS = "/api/v1/jobs"
PROMPT_PIECES = ["a", " ", "{", "}", "\x00", "{title}", "{url}", "{x}"]


def body(document: dict, path: str, media: str = "application/json") -> dict:
    return document["paths"][path]["post"]["requestBody"]["content"][media]["schema"]


def choices(schema: dict) -> object:
    """The non-null alternative of a JSON property."""
    return next(s for s in schema["anyOf"] if s.get("type") != "null")


def test_the_options_are_the_forms_choices(api):
    document = api.get("/api/v1/openapi.json").json()
    properties = body(document, JOBS)["properties"]
    form = JobForm.base_fields
    for name in ("style", "tone", "length", "output_format"):
        assert choices(properties[name])["enum"] == [v for v, _ in form[name].choices]
    assert choices(properties["priority"])["enum"] == [0, 1, -1]
    assert choices(properties["toc"]) == {"type": "boolean"}
    assert body(document, JOBS)["required"] == ["url"]
    assert body(document, JOBS)["additionalProperties"] is False
    # The custom style needs a prompt, as the form says.
    assert body(document, JOBS)["if"]["properties"]["style"] == {"const": "custom"}
    stats = document["paths"]["/api/v1/stats"]["get"]["parameters"]
    assert next(p for p in stats if p["name"] == "days")["schema"]["enum"] == [7, 30, 90]


def test_the_providers_are_those_a_job_may_name_now(api, no_cloud_provider_keys):
    def named() -> list[str]:
        document = api.get("/api/v1/openapi.json").json()
        provider = choices(body(document, JOBS)["properties"]["provider"])["anyOf"][0]
        return provider["enum"]

    assert named() == [p.slug for p in providers.available_providers()]
    assert "openai" not in named()  # no key: the form would refuse it
    openai = Provider.objects.get(slug="openai")
    openai.set_api_key("sk-test-1234567890")
    openai.enabled = True
    openai.save()
    assert "openai" in named()
    Provider.objects.filter(slug="offline").update(enabled=False)
    assert "offline" not in named()
    form = body(api.get("/api/v1/openapi.json").json(), JOBS, "multipart/form-data")
    assert str(openai.pk) in form["properties"]["provider"]["enum"]


@settings(max_examples=200, deadline=None)
@given(st.from_regex(videos.VIDEO_URL_PATTERN, fullmatch=True))
def test_every_url_the_pattern_matches_is_a_video(url):
    assert len(videos.parse_video_id(url)) == 11


@settings(max_examples=200, deadline=None)
@given(
    st.from_regex(videos.PLAYLIST_URL_PATTERN, fullmatch=True)
    | st.from_regex(videos.CHANNEL_URL_PATTERN, fullmatch=True)
)
def test_every_batch_url_the_pattern_matches_is_a_playlist_or_channel(url):
    assert batches.kind_of(url) is not None


@settings(max_examples=300, deadline=None)
@given(
    st.lists(st.sampled_from(["a", " ", "{", "}", "\x00", "{title}", "{url}", "{x}"])).map("".join)
)
def test_the_prompt_pattern_is_the_prompt_check(text):
    try:
        providers.validate_custom_prompt(text)
        valid = "\x00" not in text  # the form refuses NUL before the check
    except ValueError:
        valid = False
    assert bool(re.fullmatch(providers.CUSTOM_PROMPT_PATTERN, text)) == valid


def test_a_cursor_is_what_its_pattern_says(api):
    job = make_job()
    assert re.fullmatch(CURSOR_PATTERN, encode_cursor(job))
    # One that matches but points nowhere is a page, not an error.
    far = "99999999999999999-" + "f" * 32
    assert api.get(JOBS, {"cursor": far}).status_code == 200


def test_a_language_list_longer_than_a_job_keeps_is_refused_as_the_document_says(api):
    # Found by the fuzz on PostgreSQL, which (unlike SQLite) enforces a column's length.
    document = api.get("/api/v1/openapi.json").json()
    longest = choices(body(document, JOBS)["properties"]["language"])["maxLength"]
    too_long = ",".join(["de-DE"] * 4)  # 23 characters, each code fine
    assert len(too_long) > longest
    response = api.post(JOBS, {"url": "https://youtu.be/dQw4w9WgXcQ", "language": too_long})
    assert response.status_code == 422
    assert "language" in response.json()["detail"]["fields"]
