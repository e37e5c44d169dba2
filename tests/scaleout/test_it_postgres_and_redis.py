"""The scale-out configuration against the PostgreSQL and Redis running on this machine:
DATABASE_URL=postgres://…, REDIS_URL=redis://… (cache, pacing and the Channels layer).

Another test run may use the same servers at the same time: each run gets databases
of its own and a Redis key prefix of its own."""

from __future__ import annotations

import asyncio
import json
import os
import socket
import subprocess
import sys
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from channels.db import database_sync_to_async
from channels.layers import channel_layers

from blogtube_site.asgi import application
from tests.jobs.factories import make_job
from tests.websocket import Communicator, signed_in_headers

ROOT = Path(__file__).resolve().parents[2]
POSTGRES = ("127.0.0.1", 5432)
REDIS = ("127.0.0.1", 6379)
REDIS_URL = "redis://127.0.0.1:6379/9"  # a database of its own, away from `make run`'s
RUN = uuid.uuid4().hex[:8]  # this test run's own names on the shared servers
REDIS_PREFIX = f"blogtube-test-{RUN}"

pytestmark = pytest.mark.scaleout


def reachable(address: tuple[str, int]) -> bool:
    try:
        socket.create_connection(address, timeout=1).close()
    except OSError:
        return False
    return True


needs_redis = pytest.mark.skipif(
    not reachable(REDIS), reason="Redis is not running on 127.0.0.1:6379"
)
needs_postgres = pytest.mark.skipif(
    not reachable(POSTGRES), reason="PostgreSQL is not running on 127.0.0.1:5432"
)


@pytest.fixture
def redis_layer(settings):
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL], "prefix": REDIS_PREFIX},
        }
    }
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@needs_redis
@pytest.mark.asyncio
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.usefixtures("redis_layer")
async def test_a_job_page_idle_for_a_while_still_hears_the_worker():
    # No poller: what reaches the page crosses Redis, as between machines.
    job = await database_sync_to_async(make_job)()
    await database_sync_to_async(job.claim)()
    await database_sync_to_async(job.start_step)("generate")
    socket_ = Communicator(application, f"/ws/jobs/{job.pk}/", headers=await signed_in_headers())
    connected, _ = await socket_.connect()
    assert connected
    await socket_.receive_from()
    # Longer than the layer's blocking read: a client library whose socket timeout is
    # shorter than it (redis 8 with channels-redis) breaks the socket right here.
    await asyncio.sleep(6)
    await database_sync_to_async(job.append_draft)("written on another machine")
    delta = await socket_.receive_from()
    assert "written on another machine" in delta
    await socket_.disconnect()


@dataclass
class PostgresSite:
    """`manage.py` on a migrated PostgreSQL database of this run's own, with the Redis cache."""

    database: str
    env: dict[str, str]

    def manage(self, *args: str) -> subprocess.CompletedProcess:
        return subprocess.run(
            [sys.executable, "manage.py", *args],
            cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=120,
        )  # fmt: skip


@pytest.fixture(scope="module")
def postgres_site(tmp_path_factory) -> Iterator[PostgresSite]:
    name = f"blogtube_test_{RUN}"
    admin = ["psql", "-h", POSTGRES[0], "-U", "postgres", "-d", "postgres", "-qc"]
    subprocess.run([*admin, f"CREATE DATABASE {name}"], check=True, capture_output=True)
    site = PostgresSite(
        database=name,
        env={
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@{POSTGRES[0]}:{POSTGRES[1]}/{name}",
            "REDIS_URL": REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "blogtube_site.settings",
            "REDIS_KEY_PREFIX": REDIS_PREFIX,
            "MEDIA_ROOT": str(tmp_path_factory.mktemp("media")),
            "DJANGO_SUPERUSER_PASSWORD": "a long test password",
        },
    )
    try:
        migrated = site.manage("migrate", "--no-input")
        assert migrated.returncode == 0, migrated.stderr
        # The CLI writes as the first staff account, as on a real install.
        admin_user = site.manage(
            "createsuperuser", "--no-input", "--username", "ops", "--email", "ops@example.com"
        )
        assert admin_user.returncode == 0, admin_user.stderr
        yield site
    finally:
        subprocess.run([*admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"], check=False)


@needs_postgres
@needs_redis
def test_a_post_is_written_on_postgres_with_the_redis_cache(postgres_site, tmp_path):
    transcript = tmp_path / "rain-gardens.srt"
    transcript.write_text(
        "1\n00:00:01,000 --> 00:00:05,000\nA rain garden catches the water that runs off "
        "a roof.\n\n2\n00:00:05,500 --> 00:00:10,000\nPlant it with deep-rooted natives "
        "that like wet feet and dry spells.\n"
    )
    run = postgres_site.manage("blogtube", "--transcript-file", str(transcript))
    assert run.returncode == 0, run.stderr
    assert "deep-rooted natives" in run.stdout
    assert "[8/9] Saved" in run.stderr
    check = subprocess.run(
        ["psql", "-h", POSTGRES[0], "-U", "postgres", "-d", postgres_site.database, "-tAc",
         "SELECT status FROM jobs_job WHERE transcript_file_name = 'rain-gardens.srt'"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    assert check.stdout.split() == ["completed"]


CLAIM_RACE = """
import json
from jobs.services import JobRequest, create_job
from providers.models import Provider
from tests.jobs.claiming import two_workers_claim
offline = Provider.objects.get(slug="offline")
job = create_job(JobRequest(provider=offline, url="https://youtu.be/dQw4w9WgXcQ"), enqueue=False)
print(json.dumps(two_workers_claim(job)))
"""


@needs_postgres
@needs_redis
def test_two_workers_claiming_one_job_on_postgres_start_it_once(postgres_site):
    # The race of tests/jobs/test_worker_guarantees.py on PostgreSQL's row locks
    # instead of SQLite's database lock.
    run = postgres_site.manage("shell", "-c", CLAIM_RACE)
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout.strip().splitlines()[-1]) == {
        "errors": [],
        "claimed": [False, True],
        "status": "running",
        "attempts": 1,
        "starts": ["Started"],
    }
