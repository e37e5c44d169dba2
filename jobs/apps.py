from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"

    def ready(self) -> None:
        post_migrate.connect(_stats_triggers, sender=self)


def _stats_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The stats rollup's triggers again after every ``migrate``: a later migration that
    rebuilds jobs_job or jobs_jobstep on SQLite drops them with the old table."""
    from jobs.models.rollup import install_triggers

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {"jobs_job", "jobs_jobstep", "jobs_statschange", "jobs_statsday"} <= tables:
        install_triggers(connection)
