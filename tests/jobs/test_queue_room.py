"""The queue room: staff see the queue's figures and pause, resume, drain or clear it,
on the page and from `manage.py queue_status`; every lever leaves one audit row."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from blogtube_site.models import ApiToken
from jobs import queue_room
from jobs.models import Dispatch, Job, JobEvent, QueueAction
from jobs.pipeline import claim_next
from tests.accounts import make_user
from tests.jobs.factories import make_job
from tests.ops.workers import a_cluster_reports

pytestmark = pytest.mark.django_db

LEVERS = ["jobs:queue-pause", "jobs:queue-resume", "jobs:queue-drain", "jobs:queue-clear"]


@pytest.fixture
def boss():
    return make_user("boss", staff=True)


@pytest.fixture
def staff(boss) -> Client:
    client = Client()
    client.force_login(boss)
    return client


def a_known_queue() -> dict[str, Job]:
    """Two urgent and one ordinary job ready, one waiting to retry, one running, three
    finished within the last hour (two completed, one failed) and one finished before it."""
    now = timezone.now()
    jobs = {
        "urgent1": make_job(priority=5),
        "urgent2": make_job(priority=5),
        "plain": make_job(),
        "later": make_job(retry_at=now + dt.timedelta(minutes=7)),
        "running": make_job(),
    }
    Job.objects.filter(pk=jobs["plain"].pk).update(created=now - dt.timedelta(minutes=42))
    jobs["running"].claim()
    Job.objects.filter(pk=jobs["running"].pk).update(heartbeat=now - dt.timedelta(seconds=30))
    for status, minutes in [("completed", 5), ("completed", 25), ("failed", 25), ("failed", 90)]:
        make_job(status=status, finished=now - dt.timedelta(minutes=minutes))
    return jobs


def test_only_staff_reach_the_queue_room(client):
    a_known_queue()
    assert client.get(reverse("jobs:queue")).status_code == 404
    for name in LEVERS:
        assert client.post(reverse(name), {"confirm": "yes"}).status_code == 404
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 4
    assert not QueueAction.objects.exists()
    assert "/queue/" not in client.get(reverse("jobs:home")).content.decode()


def test_the_page_shows_the_queue_figures(staff):
    a_known_queue()
    page = staff.get(reverse("jobs:queue"))
    assert page.status_code == 200
    html = page.content.decode()
    assert 'href="/queue/"' in html  # the top bar's link, for staff
    figures = page.context["q"]
    assert figures.queued_by_priority == [(5, 2), (0, 1)]
    assert figures.running_count == 1 and figures.waiting_count == 1
    assert 42 * 60 <= figures.oldest_waiting_seconds < 43 * 60
    assert figures.finished_last_hour == 3
    assert sum(b.counts["failed"] for b in figures.throughput) == 1
    assert next(age for _, age in figures.running_rows) >= 30
    assert '<strong data-testid="queued">3</strong>' in html
    assert '<strong data-testid="waiting">1</strong>' in html
    assert '<strong data-testid="finished-last-hour">3</strong>' in html
    assert "No worker cluster is running" in html


def test_the_page_lists_the_running_clusters(staff):
    a_cluster_reports()
    page = staff.get(reverse("jobs:queue"))
    (cluster,) = page.context["q"].clusters
    assert (cluster.pid, cluster.workers) == (1234, 2)
    assert f"<td>{cluster.host}</td><td>1234</td><td>2</td>" in page.content.decode()
    out = io.StringIO()
    call_command("queue_status", stdout=out)
    assert f"{cluster.host} pid 1234: 2 workers" in out.getvalue()


def test_pause_stops_claim_next_and_resume_lets_it(staff, boss):
    job = make_job()
    staff.post(reverse("jobs:queue-pause"))
    assert claim_next(str(job.pk)) is None
    assert Job.objects.get(pk=job.pk).status == Job.Status.QUEUED
    # A worker that read "not paused" just before the click still loses: the claim's
    # own UPDATE carries the guard.
    assert not job.claim(when=Dispatch.dispatching())
    assert "Paused" in staff.get(reverse("jobs:queue")).content.decode()

    staff.post(reverse("jobs:queue-resume"))
    assert claim_next(str(job.pk)).pk == job.pk
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING
    assert list(QueueAction.objects.order_by("at").values_list("kind", "user", "actor")) == [
        ("pause", boss.pk, "boss"),
        ("resume", boss.pk, "boss"),
    ]


def test_drain_asks_first_then_counts_the_running_jobs_down(staff):
    running = make_job()
    running.claim()
    waiting = make_job()
    asked = staff.post(reverse("jobs:queue-drain"))
    assert "Workers take no new job" in asked.content.decode()
    assert not QueueAction.objects.exists()

    staff.post(reverse("jobs:queue-drain"), {"confirm": "yes"})
    assert claim_next(str(waiting.pk)) is None
    assert "Draining, 1 still running" in staff.get(reverse("jobs:queue")).content.decode()
    running.complete()
    assert "Drained" in staff.get(reverse("jobs:queue")).content.decode()
    assert QueueAction.objects.get().jobs == 1


def test_clear_cancels_queued_jobs_only(staff, boss):
    jobs = a_known_queue()
    staff.post(reverse("jobs:queue-clear"))  # the confirmation page only
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 4

    staff.post(reverse("jobs:queue-clear"), {"confirm": "yes"})
    assert not Job.objects.filter(status=Job.Status.QUEUED).exists()
    assert Job.objects.get(pk=jobs["running"].pk).status == Job.Status.RUNNING
    cancelled = Job.objects.filter(status=Job.Status.CANCELLED)
    assert cancelled.count() == 4
    assert JobEvent.objects.filter(job__in=cancelled, message__contains="cleared").count() == 4
    action = QueueAction.objects.get()
    assert (action.kind, action.user, action.jobs) == ("clear", boss, 4)


def test_the_command_prints_the_status():
    a_known_queue()
    out = io.StringIO()
    call_command("queue_status", stdout=out)
    text = out.getvalue()
    assert "Dispatching: dispatching" in text
    assert "Queued: 3 (priority 5: 2, priority 0: 1)" in text
    assert "Running: 1" in text and "Waiting to retry: 1" in text
    assert "Finished in the last hour: 3" in text


def test_the_command_pulls_the_same_levers(boss):
    jobs = a_known_queue()
    call_command("queue_status", "--pause", stdout=io.StringIO())
    assert claim_next(str(jobs["plain"].pk)) is None
    with pytest.raises(CommandError):
        call_command("queue_status", "--clear", stdout=io.StringIO())
    assert Job.objects.filter(status=Job.Status.QUEUED).count() == 4

    out = io.StringIO()
    call_command("queue_status", "--clear", "--yes", "--user", "boss", stdout=out)
    assert "Cleared the queue (4 jobs), as boss." in out.getvalue()
    call_command("queue_status", "--resume", stdout=io.StringIO())
    rows = list(QueueAction.objects.order_by("at").values_list("kind", "user", "actor", "jobs"))
    assert [r[0] for r in rows] == ["pause", "clear", "resume"]
    assert rows[0][1] is None and rows[0][2].startswith("cli:")
    assert rows[1][1:] == (boss.pk, "boss", 4)
    assert Job.objects.get(pk=jobs["running"].pk).status == Job.Status.RUNNING


def test_the_status_costs_a_fixed_number_of_queries(django_assert_max_num_queries):
    a_known_queue()
    for _ in range(3):
        a_known_queue()
    with django_assert_max_num_queries(12):
        queue_room.status()


# --- the JSON API ----------------------------------------------------------------------


def script_of(user) -> Client:
    _, token = ApiToken.issue(user, "tests")
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}")


def test_the_api_gives_staff_the_same_figures_and_levers(boss):
    jobs = a_known_queue()
    script = script_of(boss)
    figures = script.get("/api/v1/queue").json()
    assert figures["state"] == "dispatching"
    assert figures["queued_by_priority"] == [{"priority": 5, "jobs": 2}, {"priority": 0, "jobs": 1}]
    assert (figures["running"], figures["waiting_to_retry"]) == (1, 1)
    assert sum(b["completed"] for b in figures["finished_last_hour"]) == 2

    paused = script.post("/api/v1/queue/pause").json()
    assert paused["action"] == "pause" and paused["queue"]["paused"] is True
    assert claim_next(str(jobs["plain"].pk)) is None
    cleared = script.post("/api/v1/queue/clear").json()
    assert cleared["jobs"] == 4 and cleared["queue"]["queued"] == 0
    drained = script.post("/api/v1/queue/drain").json()
    assert drained["queue"]["state"] == "draining, 1 still running"
    assert script.post("/api/v1/queue/resume").json()["queue"]["paused"] is False
    rows = list(QueueAction.objects.order_by("at").values_list("kind", "user"))
    assert rows == [(k, boss.pk) for k in ("pause", "clear", "drain", "resume")]


def test_the_api_refuses_everyone_else(user):
    make_job()
    script = script_of(user)
    assert script.get("/api/v1/queue").status_code == 403
    for action in ("pause", "resume", "drain", "clear"):
        assert script.post(f"/api/v1/queue/{action}").status_code == 403
    assert Job.objects.get().status == Job.Status.QUEUED
    assert not QueueAction.objects.exists()


# --- Django admin ------------------------------------------------------------------------


def test_admin_shows_the_queue_room_above_its_audit_log(staff, boss):
    a_known_queue()
    index = staff.get(reverse("admin:index")).content.decode()
    room = reverse("admin:jobs_queueaction_changelist")
    assert f'href="{room}">Queue room</a>' in index  # on every admin page, for staff
    queue_room.pause(boss)
    page = staff.get(room)
    html = page.content.decode()
    assert "Queue room: paused" in html
    assert 'data-testid="queued">3 (priority 5: 2, priority 0: 1)' in html
    assert "No worker cluster is running" in html
    assert "Paused dispatching" in html and ">boss<" in html  # the audit row
    assert 'value="Resume dispatching"' in html and 'value="Pause dispatching"' not in html


def test_admin_levers_come_back_to_admin_and_are_audited(staff, boss):
    a_known_queue()
    room = reverse("admin:jobs_queueaction_changelist")
    asked = staff.post(reverse("jobs:queue-clear"), {"next": room})
    assert f'name="next" value="{room}"' in asked.content.decode()  # the confirmation keeps it
    assert f'href="{room}">No, go back' in asked.content.decode()
    done = staff.post(reverse("jobs:queue-clear"), {"next": room, "confirm": "yes"})
    assert done.status_code == 302 and done["Location"] == room
    assert not Job.objects.filter(status=Job.Status.QUEUED).exists()
    html = staff.get(room).content.decode()
    assert "Cleared the queue (4 jobs)." in html  # the message
    assert '<td class="field-kind">Cleared the queue</td>' in html  # the audit row
    # Another site's address is no place to send anyone back to.
    away = staff.post(reverse("jobs:queue-pause"), {"next": "https://example.com/"})
    assert away["Location"] == reverse("jobs:queue")


def test_admin_queue_room_is_staff_only(client):
    page = client.get(reverse("admin:jobs_queueaction_changelist"))
    assert page.status_code == 302 and "/admin/login/" in page["Location"]
