"""`make run`'s processes, stopped by Ctrl-C with exit status 0.

A terminal sends Ctrl-C's SIGINT to its whole foreground process group, and make, once it has
heard SIGINT, always ends as interrupted (status 130, "Error 130"), however cleanly its recipe
stopped. So `python -m blogtube_site.foreground honcho start` runs honcho in a process group of
its own and, on a terminal, makes that group the foreground: Ctrl-C reaches honcho alone, honcho
stops the web server and the worker, the terminal goes back to make's group, and a stop that
honcho reports as SIGINT's or SIGTERM's (130, 143) is a clean one: 0. A signal sent to this
process instead (`kill`) is passed on to honcho, once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from contextlib import suppress

# honcho's status after stopping everything on SIGINT or SIGTERM.
STOPPED_ON_REQUEST = {130, 143}


def run(command: list[str]) -> int:
    terminal = _terminal()
    # The child takes the terminal itself, before it runs anything: no Ctrl-C can fall
    # between its start and the hand-over.
    child = subprocess.Popen(
        command, process_group=0, preexec_fn=None if terminal is None else _foreground(terminal)
    )

    def forward(signum: int, frame: object) -> None:
        with suppress(ProcessLookupError):
            os.kill(child.pid, signum)

    signal.signal(signal.SIGINT, forward)
    signal.signal(signal.SIGTERM, forward)
    try:
        code = child.wait()
    finally:
        if terminal is not None:
            _give_back(terminal)
    return 0 if code in STOPPED_ON_REQUEST else code


def _terminal() -> int | None:
    """The controlling terminal's fd when this process is in its foreground, else None."""
    try:
        fd = os.open("/dev/tty", os.O_RDWR)
    except OSError:
        return None  # no terminal: signals come from `kill`, and are forwarded
    with suppress(OSError):
        if os.tcgetpgrp(fd) == os.getpgrp():
            return fd
    os.close(fd)  # in the background: the terminal is someone else's
    return None


def _foreground(fd: int):
    def take() -> None:  # in the child, in its new process group, before exec
        # A background group may change the foreground only with SIGTTOU ignored.
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        os.tcsetpgrp(fd, os.getpgrp())
        signal.signal(signal.SIGTTOU, signal.SIG_DFL)

    return take


def _give_back(fd: int) -> None:
    signal.signal(signal.SIGTTOU, signal.SIG_IGN)
    with suppress(OSError):
        os.tcsetpgrp(fd, os.getpgrp())
    os.close(fd)


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit("usage: python -m blogtube_site.foreground COMMAND [ARG...]")
    sys.exit(run(sys.argv[1:]))
