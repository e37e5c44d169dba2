from __future__ import annotations

from typing import Any

from django.apps import AppConfig
from django.db import connections
from django.db.models.signals import post_migrate, post_save, pre_migrate


class JobsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "jobs"

    def ready(self) -> None:
        from providers.services import Provider

        pre_migrate.connect(_no_stats_triggers, sender=self)
        post_migrate.connect(_stats_triggers, sender=self)
        post_save.connect(
            provider_saved, sender=Provider, dispatch_uid="jobs.sort_provider_follows_name"
        )


def _no_stats_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """No stats triggers while migrations run: SQLite rebuilds a table to change it, and a
    trigger of another table naming jobs_job makes that rebuild fail."""
    from jobs.models.rollup import drop_triggers

    connection = connections[using]
    if "jobs_job" in connection.introspection.table_names():
        drop_triggers(connection)


def _stats_triggers(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """The stats rollup's triggers again after every ``migrate``: a later migration that
    rebuilds jobs_job or jobs_jobstep on SQLite drops them with the old table."""
    from jobs.models.rollup import install_triggers

    connection = connections[using]
    tables = set(connection.introspection.table_names())
    if {"jobs_job", "jobs_jobstep", "jobs_statschange", "jobs_statsday"} <= tables:
        install_triggers(connection)


def provider_saved(instance: Any, update_fields: Any = None, **_signal: Any) -> None:
    """A provider renamed (in admin): its jobs sort under the new name, in the same
    transaction. Providers know nothing of jobs, so jobs listens."""
    if update_fields is not None and "name" not in update_fields:
        return
    from jobs.models import Job
    from jobs.models.search import provider_sort_key

    key = provider_sort_key(instance.name)
    Job.objects.filter(provider=instance).exclude(sort_provider=key).update(sort_provider=key)
