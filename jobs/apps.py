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
        post_migrate.connect(_live_ids_index, sender=self)
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


# A search counts its matches by joining each full-text match to its job to ask whether it is
# in the bin: by id, then the job's wide row, for up to 1,001 matches. On SQLite this index
# answers from itself (a common word at 100,000 jobs: 1.7 ms, not 2.3; its page 1.4x its
# time at 1,000 jobs, not 1.5x). PostgreSQL finds those jobs another way and plans every
# query of the jobs table against each of its indexes: it gets none.
LIVE_IDS_INDEX = "CREATE INDEX IF NOT EXISTS job_live_id ON jobs_job (id) WHERE deleted_at IS NULL"


def _live_ids_index(sender: AppConfig, using: str = "default", **kwargs: Any) -> None:
    """After every ``migrate``, not in a migration: SQLite rebuilds a table to change it and
    keeps only the indexes the models declare, which cannot be one database's alone."""
    connection = connections[using]
    if connection.vendor == "sqlite" and "jobs_job" in connection.introspection.table_names():
        with connection.cursor() as cursor:
            cursor.execute(LIVE_IDS_INDEX)


def provider_saved(instance: Any, update_fields: Any = None, **_signal: Any) -> None:
    """A provider renamed (in admin): its jobs sort under the new name, in the same
    transaction. Providers know nothing of jobs, so jobs listens."""
    if update_fields is not None and "name" not in update_fields:
        return
    from jobs.models import Job
    from jobs.models.search import provider_sort_key

    key = provider_sort_key(instance.name)
    Job.objects.filter(provider=instance).exclude(sort_provider=key).update(sort_provider=key)
