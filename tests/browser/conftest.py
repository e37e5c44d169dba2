"""A real BlogTube for the browser: daphne and a django-q2 worker as subprocesses.

Both run the production entry points (`daphne blogtube_site.asgi:application` and
`manage.py worker`) against the test database, which must therefore hold committed
data: tests using these fixtures are transactional. The web process runs its event
poller, as the embedded configuration does (without Redis the worker's doorbell never
reaches daphne), so the page is updated exactly as in production.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.conf import settings

from tests.databases import url_of_test_database

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = "/usr/bin/chromium"
# Chromium must not phone home: this machine (and CI) has no internet, and refused
# background connections slow the start and clutter the log.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
VIEWPORT = {"width": 1280, "height": 900}
START_TIMEOUT = 30  # seconds for daphne to answer its first request


@dataclass
class LiveApp:
    url: str
    web: subprocess.Popen
    worker: subprocess.Popen
    logs: Path

    def log_tail(self, lines: int = 40) -> str:
        """The end of both processes' output, for assertion messages."""
        parts = []
        for name in ("web", "worker"):
            path = self.logs / f"{name}.log"
            text = path.read_text(errors="replace") if path.exists() else ""
            parts.append(f"--- {name} ---\n" + "\n".join(text.splitlines()[-lines:]))
        return "\n".join(parts)


def _server_env(media_root: Path) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        # Nothing that would send the servers to another broker, layer or database.
        if key not in {"REDIS_URL", "DJANGO_ALLOW_ASYNC_UNSAFE", "BLOGTUBE_TASKS_SYNC"}
    }
    if settings.REDIS_URL:
        # The scale-out run: the worker's doorbell reaches daphne through this run's Redis
        # keys, and the poller stays off as it does in production there.
        env.update(REDIS_URL=settings.REDIS_URL, REDIS_KEY_PREFIX=settings.REDIS_KEY_PREFIX)
    else:
        # tests/conftest.py turns the poller off in the test process; the web
        # server is a separate process and gets it from here.
        env["BLOGTUBE_EVENT_POLLER"] = "true"
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "blogtube_site.settings",
            # The test database pytest-django created.
            "DATABASE_URL": url_of_test_database(),
            "MEDIA_ROOT": str(media_root),
            "BLOGTUBE_POLL_INTERVAL": "0.1",
            "BLOGTUBE_DRAFT_FLUSH_SECONDS": "0.2",
            "BLOGTUBE_WORKERS": "1",
            "BLOGTUBE_DETECT_LOCAL_MODELS": "false",
            "DEBUG": "true",
            "LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",
        }
    )
    return env


def _spawn(args: list[str], env: dict[str, str], log: Path, **kwargs) -> subprocess.Popen:
    with log.open("wb") as out:
        # A session of its own: teardown can end the process and its children as a group.
        return subprocess.Popen(
            args,
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            **kwargs,
        )


def _stop(proc: subprocess.Popen, timeout: float = 10) -> None:
    if proc.poll() is None:
        proc.terminate()  # both shut down cleanly on SIGTERM (the cluster stops its workers)
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout)
    # Whatever is left of this process's group (the cluster's worker processes).
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        proc.wait(5)


def _wait_until_serving(url: str, proc: subprocess.Popen, logs: LiveApp) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    while True:
        if proc.poll() is not None:
            raise RuntimeError(f"daphne exited with {proc.returncode}\n{logs.log_tail()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(
                f"daphne did not answer {url} in {START_TIMEOUT} s\n{logs.log_tail()}"
            )
        time.sleep(0.1)


@pytest.fixture
def live_app(transactional_db, media_root, tmp_path) -> Iterator[LiveApp]:
    """daphne (HTTP + WebSocket) and `manage.py worker` on the test database."""
    logs = tmp_path / "logs"
    logs.mkdir()
    media_root.mkdir(parents=True, exist_ok=True)
    env = _server_env(media_root)
    # The parent binds the port and hands the listening socket to daphne (--fd):
    # no free-port guessing, no race with other processes on this machine.
    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.bind(("127.0.0.1", 0))
    listener.listen(128)
    port = listener.getsockname()[1]
    worker = web = None
    try:
        worker = _spawn(
            [sys.executable, "manage.py", "worker"], env, logs / "worker.log"
        )  # fmt: skip
        web = _spawn(
            [sys.executable, "-m", "daphne", "--fd", str(listener.fileno()),
             "blogtube_site.asgi:application"],
            env, logs / "web.log", pass_fds=(listener.fileno(),),
        )  # fmt: skip
        listener.close()  # daphne holds its own copy now
        app = LiveApp(url=f"http://127.0.0.1:{port}", web=web, worker=worker, logs=logs)
        _wait_until_serving(app.url + "/", web, app)
        yield app
    finally:
        listener.close()
        for proc in (web, worker):
            if proc is not None:
                _stop(proc)
        if worker is not None or web is not None:
            # Shown by pytest only when the test failed.
            print(LiveApp("", web, worker, logs).log_tail(80))


def sign_in(page) -> None:
    """Sign in on the login page the browser is on, as the test client's person.

    The servers hash passwords as production does, not with the tests' quick hasher."""
    from django.contrib.auth.hashers import PBKDF2PasswordHasher, make_password

    from tests.accounts import PASSWORD, signed_in_user

    user = signed_in_user()
    user.password = make_password(PASSWORD, hasher=PBKDF2PasswordHasher())
    user.save(update_fields=["password"])
    page.fill("#id_username", user.username)
    page.fill("#id_password", PASSWORD)
    page.click("button:has-text('Sign in')")


@pytest.fixture
def page(monkeypatch, tmp_path):
    """A headless Debian Chromium page, 1280x900, that can reach 127.0.0.1 only."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (CI does)")
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop in this thread; the test's own ORM
    # calls are still plain synchronous ones.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "1")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(
                viewport=VIEWPORT, color_scheme="light", accept_downloads=True
            )
            # Hang guards, not measures: a suite on two busy cores can take seconds to
            # answer, and an assertion's own 5 s (Playwright's default for expect) failed
            # the live page's test now and then under the full suite's load.
            context.set_default_timeout(20_000)
            sync_api.expect.set_options(timeout=20_000)
            # Belt and braces: anything not served by the test's own servers fails fast.
            context.route(re.compile(r"^(?!https?://127\.0\.0\.1[:/])"), lambda r: r.abort())
            page = context.new_page()
            yield page
            context.close()
        finally:
            browser.close()
