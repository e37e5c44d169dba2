"""The stats page's rollup: each past local day's jobs summed once (StatsDay and its
StatsGroup, StatsStep and StatsSlowest rows), so the page reads days x groups rows, not every job.

A rollup is only as good as its freshness, and jobs change long after their day: they
finish, are retried, binned, restored, purged, their owner deleted, their tokens counted.
Rather than trust every write path to remember, the database itself notes each change
that can move a figure (triggers on jobs_job and jobs_jobstep, migration
``stats_rollup``): a StatsChange row holding the changed job's ``created``. A day with a
change inside it is stale and summed again on the next read (jobs.rollup); today is
always read live.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models

from blogtube_site.ownership import visible_filter


class StatsDay(models.Model):
    """One local day of ``time_zone``, [start, end), whose jobs are summed below."""

    time_zone = models.CharField(max_length=64)
    day = models.DateField()
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        # Two readers rolling the same day up at once: the second one's insert fails.
        constraints = [
            models.UniqueConstraint(fields=["time_zone", "day"], name="one_rollup_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.day} ({self.time_zone})"


class RollupQuerySet(models.QuerySet):
    def visible_to(self, user: Any) -> RollupQuerySet:
        """The rows summing the jobs ``user`` may see: everyone's for staff (one row per
        group, not one per owner), their own otherwise."""
        condition = visible_filter(user)
        if condition is None:
            return self.filter(everyone=True)
        return self.filter(condition, everyone=False)


class RolledUp(models.Model):
    """What a day's group and step rows share: the day and whose jobs they sum."""

    # Indexed with whose rows they are (Meta), which every read filters on.
    stats_day = models.ForeignKey(StatsDay, on_delete=models.CASCADE, db_index=False)
    # True: every owner's jobs (what staff see); False: ``owner``'s alone (empty: the
    # jobs from before accounts). No constraint: a deleted person's jobs lose their owner,
    # which marks their days stale, so a dangling id is never read.
    everyone = models.BooleanField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )

    objects = RollupQuerySet.as_manager()

    class Meta:
        abstract = True
        indexes = [models.Index(fields=["stats_day", "everyone", "owner"], name="%(class)s_scope")]


class StatsGroup(RolledUp):
    """A day's jobs of one status, provider, model and error code."""

    status = models.CharField(max_length=10)
    provider = models.ForeignKey(
        "providers.Provider",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    model = models.CharField(max_length=200)
    error_code = models.CharField(max_length=50)
    jobs = models.PositiveIntegerField()
    tokens_in = models.BigIntegerField()
    tokens_out = models.BigIntegerField()
    # Of the completed jobs with both times: the average duration's sum and count.
    run_seconds = models.FloatField()
    runs = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.stats_day}: {self.jobs} {self.status}"


class StatsStep(RolledUp):
    """A day's finished runs of one step (done, with both times): what its average adds."""

    step = models.CharField(max_length=30)
    seconds = models.FloatField()
    runs = models.PositiveIntegerField()

    def __str__(self) -> str:
        return f"{self.stats_day}: {self.step} ran {self.runs} times"


class StatsSlowest(RolledUp):
    """One of a day's five slowest completed jobs: the window's slowest five are among
    its days' (and today's), so the page ranks a few hundred rows, not every job."""

    job = models.ForeignKey(
        "jobs.Job",
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        db_index=False,
        related_name="+",
    )
    run_seconds = models.FloatField()

    def __str__(self) -> str:
        return f"{self.stats_day}: {self.job_id} took {self.run_seconds} s"


class StatsChange(models.Model):
    """A job created at ``created`` changed in a way the stats count (written by the
    database's triggers only): the day holding that instant is summed again."""

    created = models.DateTimeField(unique=True)

    def __str__(self) -> str:
        return f"a job of {self.created} changed"


# --- the triggers that write StatsChange -----------------------------------------------
# What a figure reads: a job's day (created), whose it is, its status, provider, model,
# error, tokens, times (run_seconds) and whether it is in the bin; a step's job, name,
# status and times. Any other column (progress, heartbeat, draft) changes nothing counted.
JOB_COLUMNS = (
    "created",
    "owner_id",
    "provider_id",
    "model",
    "status",
    "error_code",
    "tokens_in",
    "tokens_out",
    "started",
    "finished",
    "deleted_at",
)
STEP_COLUMNS = ("job_id", "step", "status", "started", "finished")
# Only a done step counts, before or after the change.
DONE = "'done'"


def _changed(columns: tuple[str, ...], differ: str) -> str:
    return " OR ".join(f"OLD.{c} {differ} NEW.{c}" for c in columns)


# SQLite writes one transaction at a time, so a note that already exists (ignored) is
# never lost to a reader summing the day at the same moment.
_SQLITE_NOTE = "INSERT OR IGNORE INTO jobs_statschange (created) VALUES ({at});"
_SQLITE_STEP_NOTE = (
    "INSERT OR IGNORE INTO jobs_statschange (created) "
    "SELECT created FROM jobs_job WHERE id = {job};"
)
SQLITE_TRIGGERS = {
    "jobs_job_stats_insert": f"AFTER INSERT ON jobs_job BEGIN "
    f"{_SQLITE_NOTE.format(at='NEW.created')} END",
    "jobs_job_stats_update": f"AFTER UPDATE OF {', '.join(JOB_COLUMNS)} ON jobs_job "
    f"WHEN {_changed(JOB_COLUMNS, 'IS NOT')} BEGIN "
    f"{_SQLITE_NOTE.format(at='OLD.created')} {_SQLITE_NOTE.format(at='NEW.created')} END",
    "jobs_job_stats_delete": f"AFTER DELETE ON jobs_job BEGIN "
    f"{_SQLITE_NOTE.format(at='OLD.created')} END",
    "jobs_jobstep_stats_insert": f"AFTER INSERT ON jobs_jobstep WHEN NEW.status = {DONE} "
    f"BEGIN {_SQLITE_STEP_NOTE.format(job='NEW.job_id')} END",
    "jobs_jobstep_stats_update": f"AFTER UPDATE OF {', '.join(STEP_COLUMNS)} ON jobs_jobstep "
    f"WHEN (OLD.status = {DONE} OR NEW.status = {DONE}) "
    f"AND ({_changed(STEP_COLUMNS, 'IS NOT')}) BEGIN "
    f"{_SQLITE_STEP_NOTE.format(job='OLD.job_id')} "
    f"{_SQLITE_STEP_NOTE.format(job='NEW.job_id')} END",
    "jobs_jobstep_stats_delete": f"AFTER DELETE ON jobs_jobstep WHEN OLD.status = {DONE} "
    f"BEGIN {_SQLITE_STEP_NOTE.format(job='OLD.job_id')} END",
}

# PostgreSQL: an existing note is updated, not skipped. The update locks it, so a reader
# deleting the day's notes before summing it waits for this transaction and then sees
# its change; skipping would let the reader take the note while the change is uncommitted.
_PG_NOTE = """
    INSERT INTO jobs_statschange (created) SELECT {at} WHERE {at} IS NOT NULL
    ON CONFLICT (created) DO UPDATE SET created = EXCLUDED.created;"""
POSTGRESQL_FUNCTIONS = {
    "jobs_job_stats_changed": f"""
    BEGIN
        IF TG_OP <> 'INSERT' THEN {_PG_NOTE.format(at="OLD.created")} END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR OLD.created <> NEW.created) THEN
            {_PG_NOTE.format(at="NEW.created")}
        END IF;
        RETURN NULL;
    END""",
    "jobs_jobstep_stats_changed": f"""
    BEGIN
        IF TG_OP <> 'INSERT' THEN
            {_PG_NOTE.format(at="(SELECT created FROM jobs_job WHERE id = OLD.job_id)")}
        END IF;
        IF TG_OP <> 'DELETE' AND (TG_OP = 'INSERT' OR OLD.job_id <> NEW.job_id) THEN
            {_PG_NOTE.format(at="(SELECT created FROM jobs_job WHERE id = NEW.job_id)")}
        END IF;
        RETURN NULL;
    END""",
}
POSTGRESQL_TRIGGERS = {
    "jobs_job_stats_insert_delete": "AFTER INSERT OR DELETE ON jobs_job FOR EACH ROW "
    "EXECUTE FUNCTION jobs_job_stats_changed()",
    "jobs_job_stats_update": f"AFTER UPDATE OF {', '.join(JOB_COLUMNS)} ON jobs_job "
    f"FOR EACH ROW WHEN ({_changed(JOB_COLUMNS, 'IS DISTINCT FROM')}) "
    "EXECUTE FUNCTION jobs_job_stats_changed()",
    "jobs_jobstep_stats_insert": f"AFTER INSERT ON jobs_jobstep FOR EACH ROW "
    f"WHEN (NEW.status = {DONE}) EXECUTE FUNCTION jobs_jobstep_stats_changed()",
    "jobs_jobstep_stats_update": f"AFTER UPDATE OF {', '.join(STEP_COLUMNS)} ON jobs_jobstep "
    f"FOR EACH ROW WHEN ((OLD.status = {DONE} OR NEW.status = {DONE}) "
    f"AND ({_changed(STEP_COLUMNS, 'IS DISTINCT FROM')})) "
    "EXECUTE FUNCTION jobs_jobstep_stats_changed()",
    "jobs_jobstep_stats_delete": f"AFTER DELETE ON jobs_jobstep FOR EACH ROW "
    f"WHEN (OLD.status = {DONE}) EXECUTE FUNCTION jobs_jobstep_stats_changed()",
}


def install_triggers(connection: Any) -> None:
    """(Re)create the triggers, and forget every rolled-up day: run by the migration and
    after every ``migrate``, as SQLite drops a table's triggers whenever a migration
    rebuilds the table, and writes made meanwhile went unnoted."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name, body in SQLITE_TRIGGERS.items():
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        elif connection.vendor == "postgresql":
            for name, body in POSTGRESQL_FUNCTIONS.items():
                cursor.execute(
                    f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger "
                    f"LANGUAGE plpgsql AS $$ {body} $$"
                )
            for name, body in POSTGRESQL_TRIGGERS.items():
                table = "jobs_jobstep" if name.startswith("jobs_jobstep") else "jobs_job"
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
                cursor.execute(f"CREATE TRIGGER {name} {body}")
        else:
            raise NotImplementedError(f"No stats triggers for {connection.vendor}.")
        cursor.execute("DELETE FROM jobs_statsslowest")
        cursor.execute("DELETE FROM jobs_statsstep")
        cursor.execute("DELETE FROM jobs_statsgroup")
        cursor.execute("DELETE FROM jobs_statsday")
        cursor.execute("DELETE FROM jobs_statschange")


def drop_triggers(connection: Any) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
        elif connection.vendor == "postgresql":
            for name in POSTGRESQL_TRIGGERS:
                table = "jobs_jobstep" if name.startswith("jobs_jobstep") else "jobs_job"
                cursor.execute(f"DROP TRIGGER IF EXISTS {name} ON {table}")
            for name in POSTGRESQL_FUNCTIONS:
                cursor.execute(f"DROP FUNCTION IF EXISTS {name}()")
