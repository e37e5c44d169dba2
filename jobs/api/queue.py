"""The queue room for scripts (/api/v1/queue): its figures and its levers, staff only.

The levers act at once: the POST itself is the confirmation the page asks for."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.errors import HttpError

from jobs import queue_room
from jobs.api.bodies import ERRORS

router = Router(tags=["queue"])


class ClusterOut(Schema):
    host: str
    pid: int
    workers: int
    status: str
    last_seen: dt.datetime


class PriorityOut(Schema):
    priority: int
    jobs: int


class RunningOut(Schema):
    id: str
    heartbeat_age_seconds: float | None


class RetryOut(Schema):
    id: str
    retry_at: dt.datetime | None


class BucketOut(Schema):
    start: dt.datetime
    completed: int
    failed: int
    cancelled: int


class QueueOut(Schema):
    state: str
    paused: bool
    draining: bool
    workers: list[ClusterOut]
    last_seen: dt.datetime | None
    queued: int
    queued_by_priority: list[PriorityOut]
    running: int
    running_jobs: list[RunningOut]
    waiting_to_retry: int
    retries: list[RetryOut]
    oldest_waiting_seconds: float | None
    finished_last_hour: list[BucketOut]


class ActionOut(Schema):
    action: str
    jobs: int
    at: dt.datetime
    queue: QueueOut


def _staff_only(request: HttpRequest) -> None:
    if not request.user.is_staff:
        raise HttpError(403, "Only staff can see and steer the queue.")


@router.get("", response={200: QueueOut, **ERRORS}, summary="The queue room's figures (staff)")
def status(request: HttpRequest) -> dict[str, Any]:
    _staff_only(request)
    return queue_room.status().as_dict()


def _act(request: HttpRequest, action: str) -> dict[str, Any]:
    _staff_only(request)
    done = getattr(queue_room, action)(request.user)
    return {"action": done.kind, "jobs": done.jobs, "at": done.at, "queue": status(request)}


@router.post("/pause", response={200: ActionOut, **ERRORS}, summary="Pause dispatching (staff)")
def pause(request: HttpRequest) -> dict[str, Any]:
    """Workers take no new job; running ones finish."""
    return _act(request, "pause")


@router.post("/resume", response={200: ActionOut, **ERRORS}, summary="Resume dispatching (staff)")
def resume(request: HttpRequest) -> dict[str, Any]:
    return _act(request, "resume")


@router.post("/drain", response={200: ActionOut, **ERRORS}, summary="Drain the queue (staff)")
def drain(request: HttpRequest) -> dict[str, Any]:
    """Pause, and count the running jobs down as they finish."""
    return _act(request, "drain")


@router.post("/clear", response={200: ActionOut, **ERRORS}, summary="Clear the queue (staff)")
def clear(request: HttpRequest) -> dict[str, Any]:
    """Cancel every queued job; running ones go on."""
    return _act(request, "clear")
