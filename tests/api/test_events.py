"""A job's events as Server-Sent Events: every event once, in order, resumable by id, ending
when the job does; the draft arrives exactly once however often the connection drops."""

from __future__ import annotations

import asyncio
import json

import pytest
from asgiref.sync import sync_to_async

from blogtube_site.asgi import application
from blogtube_site.models import ApiToken
from jobs import event_stream
from jobs.models import Job
from tests.accounts import signed_in_user
from tests.jobs.factories import make_job
from tests.websocket import WAIT

pytestmark = [
    pytest.mark.django_db,
    # The test client reads the async stream synchronously, as WSGI would; daphne does not.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume"),
]


def events_of(response) -> list[dict]:
    """The stream's events as {"id", "event", "data"}, comments and the retry line left out."""
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response).decode()
    found = []
    for block in text.split("\n\n"):
        fields = dict(
            line.split(": ", 1)
            for line in block.splitlines()
            if not line.startswith((":", "retry"))
        )
        if fields:
            found.append({**fields, "data": json.loads(fields["data"])})
    return found


def write(job: Job, *parts: str) -> None:
    for part in parts:
        job.append_draft(part, step="generate", percent=50)


def draft(events: list[dict]) -> str:
    text = ""
    for event in events:
        if event["event"] == "draft_reset":
            text = ""
        elif event["event"] == "token":
            text += event["data"]["text"]
    return text


@pytest.fixture
def finished_job() -> Job:
    job = make_job()
    job.claim()
    job.start_step("generate")
    write(job, "Compost ", "turns scraps ")
    job.reset_draft()
    write(job, "Compost turns ", "scraps into soil.")
    job.complete()
    return job


def test_a_finished_jobs_events_then_end(api, finished_job):
    events = events_of(api.get(f"/api/v1/jobs/{finished_job.pk}/events"))
    assert events[-1] == {"event": "end", "data": {"status": "completed"}}
    ids = [int(e["id"]) for e in events[:-1]]
    assert ids == sorted(ids) and len(ids) == finished_job.events.count()
    assert draft(events) == "Compost turns scraps into soil." == finished_job.draft
    assert {"status", "step", "token", "draft_reset"} <= {e["event"] for e in events}


def test_reconnecting_with_last_event_id_repeats_and_loses_nothing(api, finished_job):
    everything = events_of(api.get(f"/api/v1/jobs/{finished_job.pk}/events"))[:-1]
    for cut in range(len(everything)):
        first = everything[: cut + 1]
        rest = events_of(
            api.get(f"/api/v1/jobs/{finished_job.pk}/events", HTTP_LAST_EVENT_ID=first[-1]["id"])
        )[:-1]
        assert [e["id"] for e in first + rest] == [e["id"] for e in everything]
        assert draft(first + rest) == finished_job.draft
    by_query = api.get(
        f"/api/v1/jobs/{finished_job.pk}/events", {"last_event_id": everything[-2]["id"]}
    )
    assert [e["id"] for e in events_of(by_query)[:-1]] == [everything[-1]["id"]]


def test_a_running_job_streams_until_it_ends(api, monkeypatch):
    job = make_job()
    steps = iter(
        [
            lambda: (job.claim(), job.start_step("generate")),
            lambda: write(job, "Keep the pile "),
            lambda: write(job, "damp."),
            lambda: job.complete(),
        ]
    )

    async def worker_moves_on(seconds):
        await sync_to_async(next(steps))()

    monkeypatch.setattr(event_stream, "pause", worker_moves_on)
    events = events_of(api.get(f"/api/v1/jobs/{job.pk}/events"))
    assert draft(events) == "Keep the pile damp."
    assert events[-1]["data"] == {"status": "completed"}
    assert [e["data"].get("status") for e in events if e["event"] == "status"][-1] == "completed"


def test_someone_elses_jobs_events_are_404(api, bob):
    theirs = make_job(owner=bob)
    assert api.get(f"/api/v1/jobs/{theirs.pk}/events").status_code == 404


# --- under ASGI, as daphne serves it ---------------------------------------------------


@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
async def test_under_asgi_events_arrive_while_the_job_runs():
    """The stream is sent as it is read: the draft's first words reach the client while the
    job is still running (a synchronous generator would be held back until the end)."""

    def running_job() -> tuple[Job, str]:
        job = make_job()
        job.claim()
        job.start_step("generate")
        write(job, "Compost turns ")
        return job, ApiToken.issue(signed_in_user(), "asgi")[1]

    job, token = await sync_to_async(running_job)()
    scope = {
        "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET",
        "scheme": "http", "path": f"/api/v1/jobs/{job.pk}/events", "raw_path": b"",
        "query_string": b"", "root_path": "", "server": ("testserver", 80),
        "client": ("127.0.0.1", 5000),
        "headers": [(b"host", b"testserver"), (b"authorization", f"Bearer {token}".encode())],
    }  # fmt: skip
    requests: asyncio.Queue = asyncio.Queue()
    await requests.put({"type": "http.request", "body": b"", "more_body": False})
    sent: asyncio.Queue = asyncio.Queue()
    app = asyncio.create_task(application(scope, requests.get, sent.put))

    async def read_until(text: bytes) -> bytes:
        received = b""
        while text not in received:
            message = await asyncio.wait_for(sent.get(), WAIT)
            if message["type"] == "http.response.start":
                assert message["status"] == 200
            received += message.get("body", b"")
        return received

    assert b"Compost turns " in await read_until(b"Compost turns ")
    assert not app.done()  # still streaming: the job runs

    def finish() -> None:
        write(job, "scraps into soil.")
        job.complete()

    await sync_to_async(finish)()
    rest = await read_until(b"event: end")
    assert b"scraps into soil." in rest
    await requests.put({"type": "http.disconnect"})
    await asyncio.wait_for(app, WAIT)
