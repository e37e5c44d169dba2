"""Operators can see and act on everything from Django admin."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.urls import reverse

from jobs.models import Job, QueueAction
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db


@pytest.fixture
def operator(client, django_user_model):
    user = django_user_model.objects.create_superuser("ops", "ops@example.com", "pw")
    client.force_login(user)
    return client


def test_every_model_has_working_admin_pages(operator):
    job = make_job()
    job.log("hello")
    for model in (m for m in admin.site._registry if m._meta.app_label in
                  {"jobs", "videos", "providers"}):  # fmt: skip
        prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
        assert operator.get(reverse(f"{prefix}_changelist")).status_code == 200
        # The audit log is written by the queue room's levers only: no one adds to it.
        adding = 403 if model is QueueAction else 200
        assert operator.get(reverse(f"{prefix}_add")).status_code == adding
    assert {m._meta.model_name for m in admin.site._registry} >= {
        "job", "jobstep", "jobevent", "post", "video", "transcript", "provider",
    }  # fmt: skip
    page = operator.get(reverse("admin:jobs_job_change", args=[job.pk]))
    assert page.status_code == 200


def test_bulk_cancel_skips_jobs_that_cannot_be_cancelled(operator):
    queued, finished = make_job(), make_job()
    finished.claim()
    finished.complete()
    response = operator.post(
        reverse("admin:jobs_job_changelist"),
        {"action": "cancel_jobs", "_selected_action": [queued.pk, finished.pk]},
        follow=True,
    )
    assert "1 job cancelled, 1 had already ended." in response.content.decode()
    assert Job.objects.get(pk=queued.pk).status == Job.Status.CANCELLED
    assert Job.objects.get(pk=finished.pk).status == Job.Status.COMPLETED


def test_admin_deletes_idle_jobs_and_keeps_running_ones(operator):
    idle, running = make_job(), make_job()
    running.claim()
    response = operator.post(
        reverse("admin:jobs_job_changelist"),
        {"action": "delete_selected", "_selected_action": [idle.pk, running.pk], "post": "yes"},
        follow=True,
    )
    page = response.content.decode()
    assert "Successfully deleted 1 job." in page
    assert "1 running job(s) not deleted." in page
    assert list(Job.objects.values_list("pk", flat=True)) == [running.pk]
    assert list(LogEntry.objects.values_list("object_id", flat=True)) == [str(idle.pk)]


def test_admin_does_not_say_a_kept_running_job_was_deleted(operator):
    running = make_job()
    running.claim()
    response = operator.post(
        reverse("admin:jobs_job_delete", args=[running.pk]), {"post": "yes"}, follow=True
    )
    page = response.content.decode()
    assert "A running job is not deleted." in page
    assert "deleted successfully" not in page
    assert Job.objects.filter(pk=running.pk).exists()


def test_admin_cannot_set_a_status_by_hand(operator):
    job = make_job()
    page = operator.get(reverse("admin:jobs_job_change", args=[job.pk])).content.decode()
    assert 'name="status"' not in page
