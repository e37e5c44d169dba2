"""Two web processes and two task clusters on one PostgreSQL and one Redis, as two machines
run them: what a person sees in the browser on one web process, of a job sent to the other
and run by whichever cluster takes it, and what a cluster killed mid-job costs them.

The processes are real (daphne, `manage.py qcluster`) and share nothing but the database,
Redis and the media folder; the model is the fake OpenAI-compatible server of tests/fakes,
and the transcript an upload, so nothing reaches the internet. It runs in the scale-out
pass (`make test-scaleout`), on that pass's own test database and Redis prefix.
"""

from __future__ import annotations

import datetime
import html
import os
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import requests
from django.conf import settings
from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password
from django.db import connection
from django.utils import timezone
from django_q.models import Schedule
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import connect

from jobs import queue_room
from jobs.models import Job, JobEvent
from jobs.recovery import REAPER_SCHEDULE
from tests.accounts import PASSWORD, USERNAME
from tests.databases import url_of_test_database
from tests.scaleout.processes import Running, Web, start_cluster, start_web
from tests.waiting import wait_until

HEARTBEAT = 0.5  # seconds, in every process: a dead worker is noticed within a few
LOST_AFTER = 3  # seconds of silence before the reaper puts a running job back
GUARD = 240.0  # a hang guard for the whole job, kill and recovery included; never a measure

pytestmark = [
    pytest.mark.scaleout,
    pytest.mark.skipif(
        not settings.REDIS_URL or connection.vendor != "postgresql",
        reason="the scale-out pass runs it: make test-scaleout (PostgreSQL and Redis)",
    ),
]

SRT = b"""1
00:00:01,000 --> 00:00:05,000
A rain garden catches the water that runs off a roof before it reaches the drain.

2
00:00:05,500 --> 00:00:10,000
Plant it with deep-rooted natives that like wet feet and dry spells alike.
"""
# Long enough that the stream is still running when the test kills its cluster.
PARAGRAPHS = [
    f"Paragraph {n}: the rain garden holds the storm, and its roots drink it slowly."
    for n in range(1, 41)
]
POST = "# Rain gardens\n\n" + "\n\n".join(PARAGRAPHS) + "\n"


@pytest.fixture
def site_env(media_root) -> dict[str, str]:
    """What a deployment's machines share: one database, one Redis (its prefix), one secret,
    one media folder; a dead worker's job is put back seconds after its last heartbeat."""
    env = {
        name: value
        for name, value in os.environ.items()
        # No real provider key reaches a child: the fake model is the only one there is.
        if not name.endswith("_API_KEY")
    }
    env.update(
        DJANGO_SETTINGS_MODULE="blogtube_site.settings",
        DATABASE_URL=url_of_test_database(),
        REDIS_URL=settings.REDIS_URL,
        REDIS_KEY_PREFIX=settings.REDIS_KEY_PREFIX,
        SECRET_KEY=settings.SECRET_KEY,
        MEDIA_ROOT=str(media_root),
        ALLOWED_HOSTS="127.0.0.1",
        DEBUG="false",
        BLOGTUBE_WORKERS="1",
        BLOGTUBE_HEARTBEAT_SECONDS=str(HEARTBEAT),
        BLOGTUBE_LOST_AFTER_SECONDS=str(LOST_AFTER),
        BLOGTUBE_DRAFT_FLUSH_SECONDS="0.1",
    )
    media_root.mkdir(parents=True, exist_ok=True)
    return env


@pytest.fixture
def processes(site_env, tmp_path) -> Iterator[list[Running]]:
    """Everything started, stopped at the end whatever happened (before the database is
    emptied, which their connections would block)."""
    started: list[Running] = []
    yield started
    for process in started:
        process.stop()


@pytest.fixture
def two_webs(processes, site_env, tmp_path) -> tuple[Web, Web]:
    for name in ("web-a", "web-b"):
        processes.append(start_web(name, site_env, tmp_path))
    return processes[-2], processes[-1]


@pytest.fixture
def two_clusters(processes, site_env, tmp_path) -> list[Running]:
    for name in ("cluster-1", "cluster-2"):
        processes.append(start_cluster(name, site_env, tmp_path))
    return processes[-2:]


@pytest.fixture
def person(user):
    """The signed-in person, their password hashed as the web processes check it (the test
    process's quick hasher is a test setting they do not have)."""
    user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    return user


def sign_in(web: Web) -> requests.Session:
    """The sign-in form, as a browser fills it in."""
    browser = requests.Session()
    form = browser.get(f"{web.url}/accounts/login/", timeout=30)
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form.text)
    assert token, form.text[:2000]
    signed_in = browser.post(
        f"{web.url}/accounts/login/",
        data={"username": USERNAME, "password": PASSWORD, "csrfmiddlewaretoken": token[1]},
        allow_redirects=False,
        timeout=30,
    )
    assert signed_in.status_code == 302, signed_in.text[:2000]
    return browser


@dataclass
class Page:
    """A job page's socket, read in a thread of its own as the browser reads it."""

    messages: list[str] = field(default_factory=list)
    closed: threading.Event = field(default_factory=threading.Event)
    error: BaseException | None = None

    def watch(self, web: Web, job_id: str, browser: requests.Session) -> threading.Thread:
        cookie = "; ".join(f"{name}={value}" for name, value in browser.cookies.items())
        headers = {"Cookie": cookie, "Origin": web.url}
        ready = threading.Event()

        def read() -> None:
            try:
                with connect(
                    f"ws://127.0.0.1:{web.port}/ws/jobs/{job_id}/",
                    additional_headers=headers,
                    open_timeout=60,
                ) as socket:
                    ready.set()
                    deadline = time.monotonic() + GUARD
                    finished = False
                    while time.monotonic() < deadline:
                        try:
                            # Once the job has ended, a quiet socket means everything came.
                            message = socket.recv(timeout=3 if finished else 5)
                        except TimeoutError:
                            if finished:
                                return
                            continue
                        self.messages.append(message)
                        # The status region is read fresh: it can say Completed in a push
                        # whose log stops short of the last events, which the next push
                        # brings. Keep reading until the socket goes quiet.
                        finished = finished or any(
                            s in message for s in ("status-completed", "status-failed")
                        )
            except ConnectionClosed as closed:
                self.error = closed
            except BaseException as error:
                self.error = error
                raise
            finally:
                ready.set()
                self.closed.set()

        thread = threading.Thread(target=read, name="job-page-socket", daemon=True)
        thread.start()
        assert ready.wait(60), "the socket never opened"
        return thread

    def wait_for(self, text: str, after: int = 0) -> int:
        """The index of the first message from ``after`` on containing ``text``."""
        found: list[int] = []

        def arrived() -> bool:
            closed = self.closed.is_set()  # before reading: a last message is not missed
            found.extend(i for i in range(after, len(self.messages)) if text in self.messages[i])
            if not found and closed:
                raise AssertionError(f"the socket ended ({self.error!r}) without {text!r}")
            return bool(found)

        wait_until(arrived, guard=GUARD, what=f"a message with {text!r}", every=0.05)
        return found[0]


LOG = re.compile(r'<ol id="event-log"[^>]*?(?:hx-swap-oob="(\w+)")?>(.*?)</ol>', re.S)
LOG_LINE = re.compile(r"<li[^>]*><time[^>]*>[^<]*</time> (.*?)</li>", re.S)


def log_lines(fragment: str) -> list[str]:
    return [html.unescape(line) for line in LOG_LINE.findall(fragment)]


def log_as_the_page_shows_it(messages: list[str]) -> list[str]:
    """The job log after htmx applied every pushed message: a whole region replaces it,
    a "beforeend" one appends to it."""
    shown: list[str] = []
    for message in messages:
        for swap, lines in LOG.findall(message):
            shown = shown + log_lines(lines) if swap == "beforeend" else log_lines(lines)
    return shown


def cluster_running_the_model_call(clusters: list[Running], port: int) -> Running:
    holding: list[Running] = []

    def one_holds_it() -> bool:
        holding[:] = [c for c in clusters if c.talks_to(port)]
        return len(holding) == 1

    wait_until(
        one_holds_it, guard=GUARD, what="one cluster holding the model's connection", every=0.05
    )
    return holding[0]


def wait_until_settled(job_id: str, seconds: float) -> None:
    """Until the job is older than the reaper's margin for a task just sent (resume nudges
    only jobs past it)."""
    margin = datetime.timedelta(seconds=seconds)
    wait_until(
        lambda: Job.objects.get(pk=job_id).updated <= timezone.now() - margin,
        guard=GUARD,
        what="the job settling",
        every=0.1,
    )


def wait_until_silent(job_id: str) -> None:
    """Until the dead worker's heartbeat is older than the reaper's limit."""
    limit = datetime.timedelta(seconds=LOST_AFTER)

    def silent() -> bool:
        job = Job.objects.get(pk=job_id)
        if job.status != Job.Status.RUNNING or not job.heartbeat:
            return True
        return job.heartbeat < timezone.now() - limit

    wait_until(silent, guard=GUARD, what="the killed worker's job going quiet", every=0.2)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_job_sent_to_one_web_process_is_seen_live_on_the_other_and_outlives_a_killed_cluster(
    person, fake_llm, llm_provider, two_webs, two_clusters, settings
):
    settings.BLOGTUBE_HEARTBEAT_SECONDS = HEARTBEAT  # resume() here, as in the processes
    fake_llm.configure(reply=POST, token_delay=0.01)
    web_a, web_b = two_webs
    browser = sign_in(web_a)
    # An operator's pause holds the job until its page is open on A, so the page sees it from
    # its first step however slowly this machine opens a socket.
    queue_room.pause()

    # The session made on A sends the job to B: the same person, the same CSRF token.
    created = browser.post(
        f"{web_b.url}/api/v1/jobs",
        data={"provider": llm_provider.slug},
        files={"transcript_file": ("rain-gardens.srt", SRT, "application/x-subrip")},
        headers={"X-CSRFToken": browser.cookies["csrftoken"]},
        timeout=30,
    )
    assert created.status_code == 201, created.text[:2000]
    job_id = created.json()["id"]

    page = Page()
    socket_thread = page.watch(web_a, job_id, browser)
    page.wait_for("status-queued")
    wait_until_settled(job_id, HEARTBEAT)
    queue_room.resume()  # gives the held job a task: a cluster takes it
    # The post grows on A while a worker streams it: the news crossed Redis.
    first_text = page.wait_for('id="draft" hx-swap-oob="beforeend"')

    victim = cluster_running_the_model_call(two_clusters, fake_llm.port)
    survivor = next(c for c in two_clusters if c is not victim)
    victim.kill()
    assert not victim.processes(), "a process of the killed cluster is still alive"
    killed_at = len(page.messages)

    wait_until_silent(job_id)
    # The reaper's minutely run, due now instead of within the minute: the surviving
    # cluster's scheduler runs it, as it would have anyway.
    Schedule.objects.filter(name=REAPER_SCHEDULE).update(next_run=timezone.now())

    page.wait_for("status-completed", after=killed_at)
    socket_thread.join(timeout=30)
    assert survivor.popen.poll() is None, survivor.tail()

    job = Job.objects.get(pk=job_id)
    assert job.status == Job.Status.COMPLETED, (job.error_message, survivor.tail())
    assert job.attempts == 2  # the killed run and the survivor's
    # Nothing lost, nothing twice: the post is the model's whole answer once.
    post = browser.get(f"{web_a.url}/api/v1/jobs/{job_id}/post", timeout=30).json()
    body = post["markdown"].split("\n---\n", 1)[1]  # after the front matter
    assert [body.count(paragraph) for paragraph in PARAGRAPHS] == [1] * len(PARAGRAPHS)

    # Every event of the job reached A's socket; the page, updated only by it, shows the
    # same log a reload of A shows, the lost worker in it.
    reloaded = browser.get(f"{web_a.url}/jobs/{job_id}/", timeout=30).text
    log = log_lines(LOG.search(reloaded)[2])
    expected = [
        event.message
        for event in JobEvent.objects.filter(job_id=job_id).order_by("id")
        if event.shows_in_log
    ]
    assert log == expected
    assert any("stopped before it finished" in line for line in log)
    pushed = {line for message in page.messages for line in log_lines(message)}
    assert pushed == set(log)
    assert log_as_the_page_shows_it(page.messages) == log
    # And the survivor's run streamed to A as the first one did.
    assert any('hx-swap-oob="beforeend"' in m for m in page.messages[killed_at:])
    assert first_text < killed_at
