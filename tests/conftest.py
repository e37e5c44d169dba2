from __future__ import annotations

import os
from pathlib import Path

import openai._base_client
import pytest
from django.core.cache import caches
from django.test import Client

from providers.models import Provider
from tests.accounts import make_user, signed_in_user
from tests.caches import clear_cache, on_redis

pytest_plugins = [
    "tests.fakes.youtube",
    "tests.fakes.llm_server",
    "tests.fakes.proxy",
    "tests.fakes.publishing_sites",
]


def pytest_configure(config):
    # The scale-out run (make test-scaleout): its two test processes (xdist) share one Redis
    # and each has a database of its own (pytest-django names it after the process), so job
    # ids repeat; the keys of each carry its name too, or one's doorbells and cached videos
    # would reach the other.
    from django.conf import settings

    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not (settings.REDIS_URL and worker):
        return
    prefix = settings.REDIS_KEY_PREFIX = f"{settings.REDIS_KEY_PREFIX}-{worker}"
    settings.CACHES["default"]["KEY_PREFIX"] = prefix
    settings.CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"{prefix}-asgi"


@pytest.fixture(autouse=True)
def caches_emptied():
    # The database cache goes back with each test's transaction; a Redis cache keeps what
    # the last test put in it (a video's details, a rate count) unless emptied, and so does
    # the process's own (what a local model server answered).
    if on_redis():
        clear_cache()
    caches["process"].clear()


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture(autouse=True)
def no_poller(settings):
    # Tests that need the embedded poller switch it back on themselves.
    settings.BLOGTUBE_EVENT_POLLER = False


@pytest.fixture(autouse=True)
def no_local_model_servers(settings):
    # Whatever this machine runs on Ollama's or LM Studio's port changes no test;
    # tests/providers/test_offered_providers.py turns the asking on against a fake server.
    settings.BLOGTUBE_DETECT_LOCAL_MODELS = False


@pytest.fixture(autouse=True)
def reaps_after_every_run():
    # A finished run reaps at most once a second in a process: a test's own run must not
    # find the last test's reap too recent.
    from jobs import recovery

    recovery.forget_last_reap()


@pytest.fixture(autouse=True)
def no_kept_socket_connection(settings):
    # A connection kept on the sockets' thread would outlive the test database (PostgreSQL
    # refuses to drop it); tests/jobs/test_live_reads.py keeps one and closes it.
    settings.BLOGTUBE_LIVE_CONN_SECONDS = 0


@pytest.fixture(autouse=True)
def no_shared_renders_from_other_tests():
    # Each test's database starts again at the same ids: a socket must not be handed what a
    # page of the previous test was sent.
    from jobs import fanout

    fanout.forget()


@pytest.fixture(autouse=True)
def no_youtube_pacing(settings):
    # The pace is real time and lives in the database cache; tests of it
    # (tests/videos/test_pacing.py) switch it back on with a fake clock.
    settings.YOUTUBE_REQUESTS_PER_MINUTE = 0


@pytest.fixture(autouse=True)
def no_per_minute_limits(settings):
    # The counts live in the cache, a minute of real time: a test making many jobs must not
    # trip over the last one's. tests/jobs/test_limits.py sets them, with a fake clock.
    settings.BLOGTUBE_JOBS_PER_MINUTE = 0
    settings.BLOGTUBE_PREVIEWS_PER_MINUTE = 0


@pytest.fixture(autouse=True)
def instant_client_retries(monkeypatch):
    """The openai client's own back-off (0.5 s, 1 s, ... with jitter) without the waiting.

    Its retries still happen, request by request, against the fake server; a
    Retry-After that a fake sends is still honoured.
    """
    monkeypatch.setattr(openai._base_client, "INITIAL_RETRY_DELAY", 0.0)


@pytest.fixture(autouse=True)
def quick_password_hashing(settings):
    # Admin tests log in as a superuser; a real password hash costs a good part of a second.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def user(db):
    """The ordinary (not staff) person every test's ``client`` is signed in as."""
    return signed_in_user()


@pytest.fixture(autouse=True)
def signed_in_client(request):
    # Every page needs a signed-in user: a test that takes ``client`` gets one signed in,
    # and tests of what anonymous visitors see log it out (tests/test_access.py).
    if "client" in request.fixturenames:
        client = request.getfixturevalue("client")
        if isinstance(client, Client):  # not a test's own parameter of that name
            client.force_login(request.getfixturevalue("user"))


@pytest.fixture
def staff_client(client, db):
    """The test client signed in as staff: provider tests, key hints, everyone's jobs."""
    client.force_login(make_user("staff", staff=True))
    return client


@pytest.fixture
def sync_tasks(settings):
    """Run queued jobs inside the request, as django-q2's sync mode does."""
    settings.BLOGTUBE_TASKS_SYNC = True


@pytest.fixture
def offline_provider(db) -> Provider:
    return Provider.objects.get(slug="offline")


@pytest.fixture
def llm_provider(db, fake_llm) -> Provider:
    return Provider.objects.create(
        slug="fake",
        name="Fake LLM",
        kind="openai",
        base_url=fake_llm.base_url,
        default_model="fake-model",
    )


@pytest.fixture
def no_cloud_provider_keys(settings, monkeypatch):
    """The seeded cloud providers stay unconfigured, so no fallback chain reaches them."""
    settings.OPENAI_API_KEY = ""
    for variable in ("ANTHROPIC", "GEMINI", "OPENROUTER", "GROQ", "MISTRAL", "DEEPSEEK"):
        monkeypatch.delenv(f"{variable}_API_KEY", raising=False)


def pytest_sessionfinish(session, exitstatus):
    # Django removes the test database file but not SQLite's -wal and -shm beside it.
    from django.conf import settings

    name = settings.DATABASES["default"].get("TEST", {}).get("NAME") or ""
    for suffix in ("-wal", "-shm"):
        if name:
            Path(name + suffix).unlink(missing_ok=True)


def pytest_collection_modifyitems(items):
    # A transactional test empties the database when it ends; without serialized_rollback
    # the seeded providers are gone and the content types come back under new ids, which
    # breaks whichever transactional test happens to run next.
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True"
            )


@pytest.fixture(scope="session", autouse=True)
def no_connection_left_at_the_end(django_db_setup, django_db_blocker):
    """PostgreSQL drops no database anyone is connected to, and the threads of the live tests
    (Channels' database thread, a live server's) keep connections of their own past their
    test: at the end, before the test database is dropped, they are closed from the server."""
    yield
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
