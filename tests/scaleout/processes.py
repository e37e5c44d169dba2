"""BlogTube's processes as a deployment runs them: daphne web processes and django-q2 task
clusters, each a real process (group) of its own, on the settings a deployment gives them
through its environment."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import psutil
import requests

ROOT = Path(__file__).resolve().parents[2]
START_GUARD = 90.0  # a hang guard for a process to answer, never a measure of speed


@dataclass
class Running:
    """One started process and its children: a cluster is a sentinel, a pusher, a monitor
    and its workers; a kill of the group takes all of them, as a machine dying would."""

    name: str
    popen: subprocess.Popen
    log: Path

    def processes(self) -> list[psutil.Process]:
        try:
            top = psutil.Process(self.popen.pid)
            return [top, *top.children(recursive=True)]
        except psutil.NoSuchProcess:
            return []

    def talks_to(self, port: int) -> bool:
        """Whether one of its processes has a connection open to 127.0.0.1:``port``."""
        for process in self.processes():
            try:
                connections = process.net_connections(kind="tcp")
            except psutil.NoSuchProcess:
                continue
            if any(c.raddr and c.raddr.port == port for c in connections):
                return True
        return False

    def kill(self) -> None:
        """SIGKILL the whole group: nothing of it gets to clean up."""
        os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM, a few seconds to go, then SIGKILL whatever is left of the group (a
        cluster's children outlive a parent that stopped first)."""
        if self.popen.poll() is None:
            os.killpg(self.popen.pid, signal.SIGTERM)
            with contextlib.suppress(subprocess.TimeoutExpired):
                self.popen.wait(timeout=5)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)
        self.popen.wait(timeout=30)

    def tail(self) -> str:
        """The end of its log, for a failing assertion's message."""
        return self.log.read_text(errors="replace")[-4000:]


def _spawn(
    name: str, args: list[str], env: dict[str, str], logs: Path, pass_fds: tuple[int, ...] = ()
) -> Running:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(
            args, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=out,
            stderr=subprocess.STDOUT, pass_fds=pass_fds, start_new_session=True,
        )  # fmt: skip
    return Running(name, popen, log)


@dataclass
class Web(Running):
    url: str = ""

    @property
    def port(self) -> int:
        return int(self.url.rsplit(":", 1)[1])


def start_web(name: str, env: dict[str, str], logs: Path) -> Web:
    """daphne on a port the kernel picks: the socket is bound here and handed over, so two
    runs side by side never race for a port."""
    listener = socket.create_server(("127.0.0.1", 0), backlog=128)
    port = listener.getsockname()[1]
    daphne = str(Path(sys.executable).with_name("daphne"))
    args = [daphne, "--fd", str(listener.fileno()), "blogtube_site.asgi:application"]
    try:
        started = _spawn(name, args, env, logs, pass_fds=(listener.fileno(),))
    finally:
        listener.close()  # daphne holds its own copy
    web = Web(started.name, started.popen, started.log, url=f"http://127.0.0.1:{port}")
    _wait_until_it_answers(web)
    return web


def _wait_until_it_answers(web: Web) -> None:
    deadline = time.monotonic() + START_GUARD
    while time.monotonic() < deadline:
        if web.popen.poll() is not None:
            raise AssertionError(f"{web.name} exited:\n{web.tail()}")
        try:
            if requests.get(f"{web.url}/health/live", timeout=30).status_code == 200:
                return
        except requests.RequestException:  # not listening yet, or busy starting
            pass
        time.sleep(0.2)
    raise AssertionError(f"{web.name} never answered:\n{web.tail()}")


def start_cluster(name: str, env: dict[str, str], logs: Path) -> Running:
    return _spawn(name, [sys.executable, "manage.py", "qcluster"], env, logs)
