"""/health/live and /health/ready: for a load balancer, an orchestrator or a person with curl.

live: the process answers (no database, nothing else). ready: everything a page and a job need
is there: the database, the cache, the channel layer, a django-q2 cluster seen within a minute,
and every migration applied. Both answer JSON, `{"status": "ok"|"fail", "checks": {...}}`, 200 or
503, to anyone: they tell nothing private, and a probe has no session.

A ready check costs a handful of queries; the one expensive question (which migrations are
unapplied) is asked once per process once the answer is "none", and at most every few seconds
until then.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Callable
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.decorators import login_not_required
from django.core.cache import cache
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.migrations.executor import MigrationExecutor
from django.http import HttpRequest, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from blogtube_site import workers

log = logging.getLogger(__name__)

# A cluster not seen for this long is down (a restart takes a few seconds).
WORKER_GRACE_SECONDS = 60
MIGRATIONS_RECHECK_SECONDS = 10
CHANNEL_TIMEOUT_SECONDS = 2.0

Check = Callable[[], tuple[bool, Any]]


def check_database() -> tuple[bool, Any]:
    with connections[DEFAULT_DB_ALIAS].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()
    return True, connections[DEFAULT_DB_ALIAS].vendor


def check_cache() -> tuple[bool, Any]:
    key, value = "blogtube:health", uuid.uuid4().hex
    cache.set(key, value, 30)
    read = cache.get(key)
    return read == value, "read back what was written" if read == value else "read back other"


def check_channel_layer() -> tuple[bool, Any]:
    layer = get_channel_layer()
    if layer is None:
        return False, "no channel layer configured"

    async def round_trip() -> bool:
        # A channel of its own, read back at once: nothing is left behind in the layer.
        channel = await layer.new_channel()
        await layer.send(channel, {"type": "health.ping"})
        message = await asyncio.wait_for(layer.receive(channel), CHANNEL_TIMEOUT_SECONDS)
        return message.get("type") == "health.ping"

    ok = async_to_sync(round_trip)()
    return ok, type(layer).__name__


def check_worker() -> tuple[bool, Any]:
    sighting = workers.look()
    age = sighting.age_seconds()
    ok = age is not None and age <= WORKER_GRACE_SECONDS
    detail: dict[str, Any] = {"clusters": sighting.clusters, "last_seen_seconds_ago": age}
    if not ok:
        detail["problem"] = (
            "never seen a django-q2 cluster"
            if age is None
            else f"no django-q2 cluster seen for {round(age)} s (limit {WORKER_GRACE_SECONDS})"
        )
    return ok, detail


_migrations = {"applied": False, "checked": 0.0, "unapplied": []}


def unapplied_migrations() -> list[str]:
    """Migrations not applied yet; an empty answer is kept for the process's life."""
    if _migrations["applied"]:
        return []
    now = time.monotonic()
    if _migrations["checked"] and now - _migrations["checked"] < MIGRATIONS_RECHECK_SECONDS:
        return _migrations["unapplied"]
    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    plan = executor.migration_plan(executor.loader.graph.leaf_nodes())
    unapplied = [f"{migration.app_label}.{migration.name}" for migration, _ in plan]
    _migrations.update(applied=not unapplied, checked=now, unapplied=unapplied)
    return unapplied


def forget_migrations() -> None:
    """Ask again next time (tests; a process that migrates itself)."""
    _migrations.update(applied=False, checked=0.0, unapplied=[])


def check_migrations() -> tuple[bool, Any]:
    unapplied = unapplied_migrations()
    return not unapplied, {"unapplied": unapplied[:20], "count": len(unapplied)}


READY_CHECKS: dict[str, Check] = {
    "database": check_database,
    "cache": check_cache,
    "channel_layer": check_channel_layer,
    "worker": check_worker,
    "migrations": check_migrations,
}


def run_checks(checks: dict[str, Check]) -> dict[str, dict[str, Any]]:
    results = {}
    for name, check in checks.items():
        try:
            ok, detail = check()
        except Exception as exc:  # a check that raises has failed; say how, and go on
            log.warning("Health check %s failed: %r", name, exc)
            ok, detail = False, f"{type(exc).__name__}: {exc}"
        results[name] = {"ok": bool(ok), "detail": detail}
    return results


def answer(results: dict[str, dict[str, Any]]) -> JsonResponse:
    ok = all(result["ok"] for result in results.values())
    return JsonResponse(
        {"status": "ok" if ok else "fail", "checks": results}, status=200 if ok else 503
    )


@login_not_required
@never_cache
@require_safe
def live(request: HttpRequest) -> JsonResponse:
    return answer({"process": {"ok": True, "detail": "answering"}})


@login_not_required
@never_cache
@require_safe
def ready(request: HttpRequest) -> JsonResponse:
    return answer(run_checks(READY_CHECKS))
