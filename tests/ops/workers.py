"""A django-q2 cluster as the web process sees it: its Stat in the cache, 3 seconds long."""

from __future__ import annotations

import uuid

from django.utils import timezone
from django_q.brokers import get_broker
from django_q.conf import Conf
from django_q.signing import SignedPackage
from django_q.status import Stat, Status

from blogtube_site import workers


def a_cluster_reports() -> str:
    """What a running cluster's sentinel saves every half second; the key it saves under."""
    workers.forget()
    cluster_id = uuid.uuid4()
    status = Status(pid=1234, cluster_id=cluster_id)
    status.tob, status.status, status.workers = timezone.now(), Conf.IDLE, [1235, 1236]
    key = Stat.get_key(cluster_id)
    get_broker().set_stat(key, SignedPackage.dumps(status, True), 3)
    return key


def its_report_expires(key: str) -> None:
    """What the cache does 3 s after the cluster stops reporting. Said outright, as the test's
    clock moves the database cache's expiry but not Redis's, which keeps its own."""
    get_broker().cache.delete(key)
