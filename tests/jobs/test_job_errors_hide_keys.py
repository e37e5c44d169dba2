"""A job whose provider answers with an error that quotes the API key: the failed job's
rows, its page and the worker's log never hold the key."""

from __future__ import annotations

import json
import logging

import pytest
from django.urls import reverse

from jobs.models import Job, JobEvent, JobStep

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sync_tasks")]

KEY = "sk-proj-echoed-by-the-server-42QRST"


@pytest.mark.parametrize("status", [401, 403, 400])
def test_a_failed_jobs_rows_page_and_log_never_hold_the_key(
    client,
    settings,
    youtube_video,
    fake_llm,
    llm_provider,
    form_data,
    caplog,
    django_capture_on_commit_callbacks,
    status,
):
    settings.OPENAI_API_KEY = KEY
    settings.BLOGTUBE_MAX_ATTEMPTS = 1
    fake_llm.configure(fail_status=status, fail_message="Refused key {api_key} for this model.")

    with caplog.at_level(logging.DEBUG):
        with django_capture_on_commit_callbacks(execute=True):  # the job runs on commit
            response = client.post(reverse("jobs:create"), form_data(llm_provider))
        job = Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
        page = client.get(job.get_absolute_url()).content.decode()
        dashboard = client.get(reverse("jobs:list")).content.decode()

    assert any(r.headers.get("Authorization") == f"Bearer {KEY}" for r in fake_llm.requests)
    assert job.status == Job.Status.FAILED
    stored = json.dumps(
        [
            list(Job.objects.values()),
            list(JobEvent.objects.values("message", "data")),
            list(JobStep.objects.values("message")),
        ],
        default=str,
    )
    assert KEY not in stored
    assert KEY not in page and KEY not in dashboard
    assert KEY not in caplog.text
    if status != 401:  # the server's own words are kept, without the key
        assert "Refused key [redacted key]" in job.error_message
