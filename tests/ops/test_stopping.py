"""`make run` stops on Ctrl-C with exit status 0, and the worker stops on SIGINT or SIGTERM."""

from __future__ import annotations

import os
import pty
import select
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, _server_env, _spawn
from tests.waiting import wait_until

# Its line, not the recipe's echo, which names it too.
READY = b"\nready\r"
# Stands in for honcho: says it is ready, and stops as honcho does on SIGINT (status 130).
SERVICE = (
    "import signal, sys, time\n"
    "def stop(*_):\n"
    "    print('stopped cleanly', flush=True); sys.exit(130)\n"
    "signal.signal(signal.SIGINT, stop)\n"
    "print('ready', flush=True)\n"
    "time.sleep(60)\n"
)
# The service as one line of a recipe.
SERVICE_COMMAND = f"{sys.executable} -c \"exec('''{SERVICE}''')\"".replace("\n", "\\n")


def ctrl_c_on_a_terminal(
    command: list[str], wait_for: bytes, timeout: float = 60
) -> tuple[int, str]:
    """Run `command` on a pseudo-terminal, press Ctrl-C once it printed `wait_for`."""
    pid, fd = pty.fork()
    if pid == 0:  # the child: the terminal's session leader, as a shell would start make
        os.chdir(ROOT)
        os.execvp(command[0], command)
    out, pressed, deadline = b"", False, time.monotonic() + timeout
    while time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            try:
                out += os.read(fd, 4096)
            except OSError:  # the terminal closed: everything on it has ended
                break
        if not pressed and wait_for in out:
            os.write(fd, b"\x03")
            pressed = True
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), out.decode(errors="replace")


def makefile(tmp_path: Path, recipe: str) -> list[str]:
    path = tmp_path / "Makefile"
    path.write_text(f"run:\n\t{recipe}\n")
    return ["make", "--no-print-directory", "-f", str(path), "run"]


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_ctrl_c_ends_make_run_with_0(tmp_path):
    recipe = f"{sys.executable} -m blogtube_site.foreground {SERVICE_COMMAND}"
    code, out = ctrl_c_on_a_terminal(makefile(tmp_path, recipe), READY)
    assert "stopped cleanly" in out
    assert "Error" not in out and "Interrupt" not in out, out
    assert code == 0, out


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_without_it_make_reports_the_interrupt(tmp_path):
    code, out = ctrl_c_on_a_terminal(makefile(tmp_path, SERVICE_COMMAND), READY)
    assert code != 0, out


def test_a_signal_sent_to_it_is_passed_on_once():
    runner = subprocess.Popen(
        [sys.executable, "-m", "blogtube_site.foreground", sys.executable, "-c", SERVICE],
        cwd=ROOT, stdout=subprocess.PIPE, stdin=subprocess.DEVNULL, start_new_session=True,
    )  # fmt: skip
    assert runner.stdout.readline() == b"ready\n"
    runner.send_signal(signal.SIGINT)
    assert runner.wait(30) == 0
    assert runner.stdout.read() == b"stopped cleanly\n"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
@pytest.mark.parametrize(
    ("signum", "to_group", "once"),
    # Ctrl-C or `kill` reach the worker alone; honcho signals its whole process group, at
    # times while the cluster is still starting (stopped as soon as it was started).
    [
        (signal.SIGINT, False, b"running."),
        (signal.SIGTERM, False, b"running."),
        (signal.SIGTERM, True, b"running."),
        (signal.SIGTERM, True, b"starting."),
    ],
)
def test_the_worker_stops_on_a_signal_and_leaves_no_process(
    signum, to_group, once, media_root, tmp_path
):
    log = tmp_path / "worker.log"
    worker = _spawn([sys.executable, "manage.py", "worker"], _server_env(media_root), log)
    try:

        def started() -> bool:
            assert worker.poll() is None, log.read_text()
            return once in (log.read_bytes() if log.exists() else b"")

        wait_until(started, what=lambda: f"{once!r} in the worker's log:\n{log.read_text()}")
        if to_group:
            os.killpg(worker.pid, signum)
        else:
            worker.send_signal(signum)
        assert worker.wait(60) == 0, log.read_text()
        # Nothing of the cluster is left running in the worker's process group (a zombie is
        # dead: it waits for this container's init to reap it).
        time.sleep(0.5)
        ps = ["ps", "-o", "stat=,args=", "-g", str(worker.pid)]
        left = subprocess.run(ps, capture_output=True, text=True).stdout.splitlines()
        assert [line for line in left if not line.strip().startswith("Z")] == []
    finally:
        if worker.poll() is None:
            os.killpg(worker.pid, signal.SIGKILL)
