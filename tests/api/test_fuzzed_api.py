"""Arbitrary input thrown at the API: any query value and any JSON body answers 2xx or the
one error shape with a 4xx, never a server error."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from jobs.models import Job
from tests.fuzzing import FORM_FIELDS, FUZZ, hostile, nul_refused, safe_urls
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

SHAPE = {"error", "message", "detail", "suggestions", "request_id"}
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | hostile,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(hostile, inner, max_size=3),
    max_leaves=6,
)
QUERIES = {
    "/api/v1/jobs": ["status", "q", "cursor", "limit"],
    "/api/v1/videos": ["q", "cursor", "limit"],
    "/api/v1/stats": ["days"],
}


def answered(response) -> None:
    assert response.status_code < 500, response.content[:300]
    if response.status_code >= 400 and not nul_refused(response):
        assert set(response.json()) == SHAPE


@pytest.fixture
def world(fake_youtube, api):
    job = make_job()
    job.claim()
    job.complete()
    return job


@pytest.mark.parametrize("path", list(QUERIES))
@FUZZ
@given(data=st.data())
def test_no_query_string_is_a_server_error(api, world, path, data):
    params = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(QUERIES[path], hostile)))
    answered(api.get(path, params))


@pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume")
@FUZZ
@given(last=hostile)
def test_no_last_event_id_is_a_server_error(api, world, last):
    response = api.get(f"/api/v1/jobs/{world.pk}/events", HTTP_LAST_EVENT_ID=last)
    answered(response)
    if response.status_code == 200:
        assert b"event: end" in b"".join(response)


@FUZZ
@given(body=json_values)
def test_no_json_body_is_a_server_error(api, world, body):
    for path in ("/api/v1/jobs", f"/api/v1/jobs/{world.pk}/reprocess", "/api/v1/batches"):
        answered(api.post(path, body, content_type="application/json"))
    assert not Job.objects.filter(error_code="INTERNAL_ERROR").exists()


@FUZZ
@given(data=st.data())
def test_no_json_object_of_the_forms_fields_is_a_server_error(api, world, data):
    values = st.one_of(hostile, st.booleans(), st.integers(), st.none())
    fields = data.draw(st.fixed_dictionaries({}, optional=dict.fromkeys(FORM_FIELDS, values)))
    fields["url"] = data.draw(safe_urls())
    answered(api.post("/api/v1/jobs", fields, content_type="application/json"))
