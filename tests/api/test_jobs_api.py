"""The jobs API as a script sees it: create, list, read, change and delete jobs, read posts."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from jobs.models import Job, Post
from providers.models import Provider
from tests.api.conftest import token_client
from tests.fakes.transcripts import COMPOST_SRT
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

JSON = "application/json"


def finished(job: Job, status: str = Job.Status.FAILED) -> Job:
    job.claim()
    if status == Job.Status.COMPLETED:
        job.complete()
    else:
        job.request_cancel()
        job.mark_cancelled()
    job.refresh_from_db()
    return job


def with_post(job: Job) -> Post:
    finished(job, Job.Status.COMPLETED)
    return Post.objects.create(
        job=job,
        title="Compost at home",
        slug="compost-at-home",
        markdown="# Compost at home\n\nDig.\n",
        html="<h1>Compost at home</h1><p>Dig.</p>",
    )


# --- creating -------------------------------------------------------------------------


def test_a_job_from_a_url_takes_the_new_post_forms_options(api, user):
    response = api.post(
        "/api/v1/jobs",
        {"url": "https://youtu.be/dQw4w9WgXcQ", "style": "tutorial", "toc": True, "priority": 1},
        content_type=JSON,
    )
    assert response.status_code == 201, response.content
    body = response.json()
    job = Job.objects.get(pk=body["id"])
    assert job.owner == user and job.status == Job.Status.QUEUED
    assert job.options["style"] == "tutorial" and job.options["toc"] is True
    assert job.options["timestamps"] is True  # not sent: the form's default
    assert job.priority == 1 and body["provider"] == "offline"
    steps = api.get(f"/api/v1/jobs/{job.pk}").json()["steps"]
    assert [s["name"] for s in steps][:2] == ["validate", "fetch_info"]


def test_a_job_from_an_uploaded_transcript_is_multipart(api):
    upload = SimpleUploadedFile("compost.srt", COMPOST_SRT.encode())
    response = api.post("/api/v1/jobs", {"transcript_file": upload, "language": "auto"})
    assert response.status_code == 201, response.content
    job = Job.objects.get(pk=response.json()["id"])
    assert job.transcript_file_name == "compost.srt" and job.language == ""


def test_refusals_name_each_field_with_the_forms_own_words(api):
    response = api.post(
        "/api/v1/jobs", {"url": "https://example.com/x", "tone": "grumpy"}, content_type=JSON
    )
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "VALIDATION_ERROR"
    assert set(body["detail"]["fields"]) == {"tone"}  # the form stops at the options first
    assert "Unknown tone “grumpy”" in body["detail"]["fields"]["tone"][0]
    response = api.post("/api/v1/jobs", {"url": "https://example.com/x"}, content_type=JSON)
    assert list(response.json()["detail"]["fields"]) == ["url"]
    assert not Job.objects.exists()


def test_json_of_the_wrong_type_or_unknown_fields_is_422_and_bad_json_400(api):
    wrong = api.post("/api/v1/jobs", {"toc": "maybe", "colour": "red"}, content_type=JSON)
    assert wrong.status_code == 422
    assert set(wrong.json()["detail"]["fields"]) == {"toc", "colour"}
    bad = api.post("/api/v1/jobs", "{not json", content_type=JSON)
    assert bad.status_code == 400 and bad.json()["error"] == "BAD_REQUEST"
    assert api.post("/api/v1/jobs", "[1]", content_type=JSON).status_code == 400
    # json.loads refuses a number too long for int() with a bare ValueError.
    assert api.post("/api/v1/jobs", "1" * 5000, content_type=JSON).status_code == 400
    # Nor a server error for arrays nested deeper than the parser's stack.
    deep = api.post("/api/v1/jobs", "[" * 100_000, content_type=JSON)
    assert deep.status_code == 400 and deep.json()["error"] == "BAD_REQUEST"


def test_an_unconfigured_provider_is_refused_on_its_field(api):
    Provider.objects.filter(slug="openai").update(enabled=True)
    response = api.post(
        "/api/v1/jobs",
        {"url": "https://youtu.be/dQw4w9WgXcQ", "provider": "openai"},
        content_type=JSON,
    )
    assert response.status_code == 422
    assert "OPENAI_API_KEY" in response.json()["detail"]["fields"]["provider"][0]


def test_over_the_limit_is_429_with_retry_after(api, settings):
    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 1
    make_job()
    response = api.post("/api/v1/jobs", {"url": "https://youtu.be/dQw4w9WgXcQ"}, content_type=JSON)
    assert response.status_code == 429
    assert response["Retry-After"] == "60"
    body = response.json()
    assert body["error"] == "RATE_LIMITED" and body["detail"]["retry_after"] == 60
    assert "running or queued" in body["message"]
    assert Job.objects.count() == 1


# --- reading --------------------------------------------------------------------------


def test_the_list_filters_by_status_and_words(api):
    queued = make_job(source_url="https://youtu.be/aaaaaaaaaaa")
    done = finished(make_job(source_url="https://youtu.be/bbbbbbbbbbb"), Job.Status.COMPLETED)
    ids = lambda response: [j["id"] for j in response.json()["items"]]  # noqa: E731
    assert ids(api.get("/api/v1/jobs?status=completed")) == [str(done.pk)]
    assert ids(api.get("/api/v1/jobs?q=aaaaa")) == [str(queued.pk)]
    refused = api.get("/api/v1/jobs?status=lost")
    assert refused.status_code == 422 and "status" in refused.json()["detail"]["fields"]


def test_cursor_pages_walk_every_job_once_even_as_new_ones_arrive(api):
    made = [make_job() for _ in range(5)]
    Job.objects.filter(pk__in=[j.pk for j in made[:3]]).update(created=made[0].created)
    seen, cursor = [], ""
    for _ in range(5):
        page = api.get("/api/v1/jobs", {"limit": 2, **({"cursor": cursor} if cursor else {})})
        assert page.status_code == 200
        seen += [j["id"] for j in page.json()["items"]]
        make_job()  # newer than every page: never in a later one
        cursor = page.json()["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == sorted(str(j.pk) for j in made) and len(seen) == 5
    bad = api.get("/api/v1/jobs?cursor=garbage")
    assert bad.status_code == 422 and list(bad.json()["detail"]["fields"]) == ["cursor"]


def test_a_job_shows_its_steps_progress_and_error(api):
    job = make_job()
    job.claim()
    job.start_step("validate")
    body = api.get(f"/api/v1/jobs/{job.pk}").json()
    assert body["status"] == "running" and body["current_step"] == "validate"
    assert body["steps"][0] == {**body["steps"][0], "name": "validate", "status": "running"}
    assert len(body["steps"]) == 8


def test_someone_elses_job_is_404_like_a_made_up_one(api, bob):
    theirs = make_job(owner=bob)
    with_post(theirs)
    for method, path in [
        ("get", ""), ("post", "/cancel"), ("post", "/retry"), ("post", "/reprocess"),
        ("delete", ""), ("get", "/post"), ("get", "/post/markdown"),
    ]:  # fmt: skip
        response = getattr(api, method)(f"/api/v1/jobs/{theirs.pk}{path}", content_type=JSON)
        assert response.status_code == 404, (method, path)
        assert response.json()["error"] == "NOT_FOUND"
    assert str(theirs.pk) not in api.get("/api/v1/jobs").content.decode()
    assert Job.objects.filter(pk=theirs.pk, status=Job.Status.COMPLETED).exists()


def test_staff_see_everyones_jobs(staff_api, bob):
    theirs = make_job(owner=bob)
    assert staff_api.get(f"/api/v1/jobs/{theirs.pk}").status_code == 200


# --- changing -------------------------------------------------------------------------


def test_cancel_retry_and_delete(api):
    job = make_job()
    cancelled = api.post(f"/api/v1/jobs/{job.pk}/cancel")
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    retried = api.post(f"/api/v1/jobs/{job.pk}/retry")
    assert retried.status_code == 200 and retried.json()["status"] == "queued"
    assert api.delete(f"/api/v1/jobs/{job.pk}").status_code == 204
    assert not Job.objects.filter(pk=job.pk).exists()


def test_a_wrong_state_is_409(api):
    job = make_job()
    response = api.post(f"/api/v1/jobs/{job.pk}/retry")
    assert response.status_code == 409
    assert response.json()["error"] == "INVALID_STATE"
    assert response.json()["message"] == "This job is queued: retrying is not possible."
    job.claim()
    assert api.delete(f"/api/v1/jobs/{job.pk}").status_code == 409
    assert Job.objects.filter(pk=job.pk).exists()
    job.complete()
    assert api.post(f"/api/v1/jobs/{job.pk}/cancel").status_code == 409


def test_retrying_counts_against_the_limit(api, settings):
    settings.BLOGTUBE_ACTIVE_JOBS_PER_USER = 1
    failed = finished(make_job())
    make_job()
    response = api.post(f"/api/v1/jobs/{failed.pk}/retry")
    assert response.status_code == 429 and response["Retry-After"] == "60"
    assert Job.objects.get(pk=failed.pk).status == Job.Status.CANCELLED


def test_reprocess_changes_only_what_is_sent(api, user):
    job = make_job(options={"style": "article", "tone": "friendly"})
    with_post(job)
    response = api.post(
        f"/api/v1/jobs/{job.pk}/reprocess", {"style": "listicle"}, content_type=JSON
    )
    assert response.status_code == 201, response.content
    new = Job.objects.get(pk=response.json()["id"])
    assert new.pk != job.pk and new.owner == user
    assert new.options["style"] == "listicle" and new.options["tone"] == "friendly"
    refused = api.post(f"/api/v1/jobs/{job.pk}/reprocess", {"length": "epic"}, content_type=JSON)
    assert refused.status_code == 422 and list(refused.json()["detail"]["fields"]) == ["length"]
    # A form works too, and nothing sent writes it again as it was.
    as_form = api.post(f"/api/v1/jobs/{job.pk}/reprocess", {"tone": "professional"})
    assert as_form.status_code == 201, as_form.content
    assert Job.objects.get(pk=as_form.json()["id"]).options["tone"] == "professional"
    assert api.post(f"/api/v1/jobs/{job.pk}/reprocess").status_code == 201
    # What a reprocess keeps as it was is not a field of it.
    kept = api.post(f"/api/v1/jobs/{job.pk}/reprocess", {"priority": 1}, content_type=JSON)
    assert kept.status_code == 422 and list(kept.json()["detail"]["fields"]) == ["priority"]


# --- the post -------------------------------------------------------------------------


def test_the_post_in_every_format(api):
    job = make_job()
    assert api.get(f"/api/v1/jobs/{job.pk}/post").status_code == 404  # not written yet
    with_post(job)
    post = api.get(f"/api/v1/jobs/{job.pk}/post").json()
    assert post["title"] == "Compost at home" and post["slug"] == "compost-at-home"
    markdown = api.get(f"/api/v1/jobs/{job.pk}/post/markdown")
    assert markdown["Content-Type"].startswith("text/markdown")
    assert "# Compost at home" in markdown.content.decode()
    assert "compost-at-home.md" in markdown["Content-Disposition"]
    assert "<h1" in api.get(f"/api/v1/jobs/{job.pk}/post/html").content.decode()
    assert api.get(f"/api/v1/jobs/{job.pk}/post/json").json()["title"] == "Compost at home"
    assert "Dig." in api.get(f"/api/v1/jobs/{job.pk}/post/text").content.decode()
    assert api.get(f"/api/v1/jobs/{job.pk}/post/pdf").status_code == 422


# --- who is asking --------------------------------------------------------------------


def test_without_a_token_or_session_it_is_401_json_not_a_redirect():
    for response in (
        Client().get("/api/v1/jobs"),
        Client().post("/api/v1/jobs", {}, content_type=JSON),
        Client(HTTP_AUTHORIZATION="Bearer bt_not-a-token").get("/api/v1/jobs"),
    ):
        assert response.status_code == 401
        assert response["WWW-Authenticate"] == "Bearer"
        assert response.json()["error"] == "NOT_AUTHENTICATED"


def test_a_revoked_token_or_an_inactive_account_signs_in_no_more(user):
    from blogtube_site.models import ApiToken

    client = token_client(user)
    assert client.get("/api/v1/jobs").status_code == 200
    user.is_active = False
    user.save()
    assert client.get("/api/v1/jobs").status_code == 401
    user.is_active = True
    user.save()
    ApiToken.objects.all().delete()
    assert client.get("/api/v1/jobs").status_code == 401


def test_the_browser_session_works_and_needs_csrf_to_change_things(user):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    job = make_job()
    assert browser.get(f"/api/v1/jobs/{job.pk}").status_code == 200
    refused = browser.post(f"/api/v1/jobs/{job.pk}/cancel")
    assert refused.status_code == 403 and refused.json()["error"] == "FORBIDDEN"
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    token = browser.get("/accounts/tokens/").cookies["csrftoken"].value
    done = browser.post(f"/api/v1/jobs/{job.pk}/cancel", HTTP_X_CSRFTOKEN=token)
    assert done.status_code == 200 and done.json()["status"] == "cancelled"


def test_a_token_needs_no_csrf(user):
    client = token_client(user)
    client.handler.enforce_csrf_checks = True
    job = make_job()
    assert client.post(f"/api/v1/jobs/{job.pk}/cancel").status_code == 200


def test_errors_carry_the_request_id_they_were_given(api):
    response = api.get("/api/v1/jobs/not-a-job", HTTP_X_REQUEST_ID="abc123")
    assert response.status_code == 404
    assert response.json()["request_id"] == "abc123" == response["X-Request-ID"]
    made = api.get("/api/v1/jobs/x")
    assert made.json()["request_id"] == made["X-Request-ID"] and len(made["X-Request-ID"]) >= 16
