"""`manage.py worker`: django-q2's cluster, ending within a few seconds of SIGINT or SIGTERM.

`qcluster` leaves the cluster to the interpreter's exit, whose teardown of a fully loaded Django
takes seconds on a busy machine; and honcho (`make run`) sends SIGTERM to the whole process group,
so the cluster's own processes die with it, at times holding a lock that `qcluster`'s stop then
waits on for ever, until honcho's SIGKILL 5 seconds later. Here the cluster is stopped from a
thread, the command waits for it at most GRACE_SECONDS, then ends what is left of its process
group (when the group is its own) and exits with 0 without the interpreter's teardown. A job cut
short so is put back in the queue by the reaper, as after any lost worker.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
import time

from django.core.management.base import BaseCommand
from django.db import connections
from django_q.cluster import Cluster

# Below honcho's 5 seconds, which count from the first of its processes to stop.
GRACE_SECONDS = 4.0

log = logging.getLogger(__name__)


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
        cluster = Cluster()
        asked: list[float] = []

        def stop(signum: int, frame: object) -> None:
            # Once is enough; ignoring the rest also spares this process the group's SIGTERM.
            signal.signal(signal.SIGINT, signal.SIG_IGN)
            signal.signal(signal.SIGTERM, signal.SIG_IGN)
            asked.append(time.monotonic())

        # Before the cluster starts, in place of the handler Cluster() set: that one stops the
        # cluster from inside the signal, and a signal during start() (honcho stopping at once,
        # the group's SIGTERM killing the sentinel as it starts) left start() failing or hung.
        signal.signal(signal.SIGINT, stop)
        signal.signal(signal.SIGTERM, stop)
        try:
            cluster.start()
        except RuntimeError:  # the sentinel died starting: fine if it was told to stop
            if not asked:
                raise
        stopping: threading.Thread | None = None
        while cluster.sentinel.is_alive():
            if asked and stopping is None:
                stopping = threading.Thread(target=cluster.stop, name="stop-cluster", daemon=True)
                stopping.start()
            if asked and time.monotonic() - asked[0] > grace:
                log.warning("The worker did not stop within %.0f s: ending its processes.", grace)
                if os.getpgrp() == os.getpid():  # the group is the cluster's alone
                    os.killpg(os.getpgrp(), signal.SIGTERM)
                break
            time.sleep(0.1)
        code = 0 if asked or cluster.sentinel.exitcode == 0 else 1
        connections.close_all()
        logging.shutdown()
        sys.stdout.flush()
        sys.stderr.flush()
        os._exit(code)
