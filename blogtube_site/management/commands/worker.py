"""`manage.py worker`: django-q2's cluster, ending within a few seconds of SIGINT or SIGTERM.

`qcluster` leaves the cluster to the interpreter's exit, whose teardown of a fully loaded Django
takes seconds on a busy machine, and its stop waits for a running task to finish: past the
5 seconds honcho (`make run`) gives before SIGKILL, which kills the main process alone and
leaves the cluster's processes behind. Here the command waits for the cluster itself, exits as
soon as it has stopped, and if it has not within GRACE_SECONDS ends the cluster's processes
(its own process group) so that none is left running. A job cut short so is put back in the
queue by the reaper, as after any lost worker.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading

from django.core.management.base import BaseCommand
from django.db import connections
from django_q.cluster import Cluster

# Below honcho's 5 seconds, which count from the first of its processes to stop.
GRACE_SECONDS = 4.0

log = logging.getLogger(__name__)


def _exit(code: int) -> None:
    connections.close_all()
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)


class Command(BaseCommand):
    help = "Run the task worker (django-q2's cluster); Ctrl-C or SIGTERM stops it cleanly."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--grace",
            type=float,
            default=GRACE_SECONDS,
            help="Seconds the cluster has to stop after SIGINT or SIGTERM.",
        )

    def handle(self, *args, grace: float, **options) -> None:
        cluster = Cluster()  # its SIGINT and SIGTERM handlers stop it

        def stop(signum: int, frame: object) -> None:
            # Once is enough; ignoring the rest also spares this process the deadline's killpg.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            threading.Thread(target=self._deadline, args=(grace,), daemon=True).start()
            cluster.sig_handler(signum, frame)

        cluster.start()
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        # A signal's handler runs here, in the main thread, and returns once the cluster has
        # stopped; the wait then sees the sentinel gone.
        while cluster.sentinel.is_alive():
            cluster.sentinel.join(1.0)
        _exit(0 if cluster.sentinel.exitcode in (0, None) else 1)

    def _deadline(self, grace: float) -> None:
        threading.Event().wait(grace)
        log.warning("The worker did not stop within %.0f s: ending its processes.", grace)
        if os.getpgrp() == os.getpid():
            # The group is the cluster's alone (honcho starts each process in its own).
            os.killpg(os.getpgrp(), signal.SIGTERM)
        _exit(0)
