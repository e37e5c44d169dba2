"""`manage.py queue_status`: the queue room in a terminal, and its levers.

    manage.py queue_status                  what the page shows, as text
    manage.py queue_status --json           the same as JSON, for scripts
    manage.py queue_status --pause | --resume | --drain | --clear --yes

Each lever is recorded in the audit log as cli:<system user>, or as the account --user names.
"""

from __future__ import annotations

import getpass
import json
from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from jobs import queue_room
from jobs.templatetags.blogtube_extras import duration

ACTIONS = ("pause", "resume", "drain", "clear")
NEEDS_YES = ("drain", "clear")


class Command(BaseCommand):
    help = "Show the job queue and its workers; pause, resume, drain or clear it."

    def add_arguments(self, parser: CommandParser) -> None:
        levers = parser.add_mutually_exclusive_group()
        for action in ACTIONS:
            levers.add_argument(f"--{action}", action="store_true", help=f"{action} the queue")
        parser.add_argument("--yes", action="store_true", help="confirm --drain or --clear")
        parser.add_argument("--user", help="the staff account to record the action as")
        parser.add_argument("--json", action="store_true", help="print the status as JSON")

    def handle(self, *args: Any, **options: Any) -> None:
        action = next((a for a in ACTIONS if options[a]), None)
        if action:
            if action in NEEDS_YES and not options["yes"]:
                raise CommandError(f"--{action} changes what workers do: add --yes to confirm.")
            user = _staff(options["user"])
            actor = user.get_username() if user else f"cli:{getpass.getuser()}"
            done = getattr(queue_room, action)(user, actor=actor)
            self.stdout.write(f"{done.get_kind_display()} ({done.jobs} jobs), as {actor}.")
        status = queue_room.status()
        if options["json"]:
            self.stdout.write(json.dumps(status.as_dict(), indent=2))
            return
        self.stdout.write(render(status))


def _staff(username: str | None) -> Any:
    if not username:
        return None
    users = get_user_model().objects.filter(is_active=True, is_staff=True)
    user = users.filter(**{get_user_model().USERNAME_FIELD: username}).first()
    if user is None:
        raise CommandError(f"No active staff account is called {username!r}.")
    return user


def render(q: queue_room.QueueStatus) -> str:
    oldest = q.oldest_waiting_seconds
    lines = [
        f"Dispatching: {q.state}",
        f"Queued: {q.queued_count}"
        + (
            " (" + ", ".join(f"priority {p}: {n}" for p, n in q.queued_by_priority) + ")"
            if q.queued_by_priority
            else ""
        ),
        f"Running: {q.running_count}",
        f"Waiting to retry: {q.waiting_count}",
        f"Oldest waiting: {duration(oldest) if oldest is not None else '-'}",
        "Workers:",
    ]
    for c in q.clusters:
        lines.append(f"  {c.host} pid {c.pid}: {c.workers} workers, {c.status}")
    if not q.clusters:
        seen = f", last seen {q.last_seen:%Y-%m-%d %H:%M:%S}" if q.last_seen else ""
        lines.append(f"  none running{seen}")
    for job, age in q.running_rows:
        beat = f"{duration(age)} ago" if age is not None else "never"
        lines.append(f"  running {job.pk}: {job.current_step or '-'}, heartbeat {beat}")
    for job in q.waiting:
        lines.append(f"  retry {job.pk} at {job.retry_at:%H:%M:%S}")
    lines.append(f"Finished in the last hour: {q.finished_last_hour}")
    for b in q.throughput:
        counts = ", ".join(f"{k} {v}" for k, v in b.counts.items())
        lines.append(f"  {b.start:%H:%M}  {counts}")
    return "\n".join(lines)
