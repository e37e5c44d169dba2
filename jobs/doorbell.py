"""Tell live pages that a job has news. Only a hint: pages read the news from JobEvent."""

from __future__ import annotations

import logging
import uuid

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger(__name__)

DASHBOARD_GROUP = "dashboard"


def job_group(job_id: uuid.UUID | str) -> str:
    return f"job-{job_id}"


def ring(job_id: uuid.UUID | str) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "job.changed", "job": str(job_id)}
    try:
        async_to_sync(layer.group_send)(job_group(job_id), message)
        async_to_sync(layer.group_send)(DASHBOARD_GROUP, message)
    except Exception:
        # A lost doorbell costs latency, not correctness: never fail a job for it.
        log.warning("Could not ring the doorbell for job %s", job_id, exc_info=True)
