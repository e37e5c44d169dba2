"""Search text stored in one case (jobs.models.search.fold), and indexed as it is.

Compared with a plain LIKE, a row's text no longer has its case folded by every search that
reads it: PostgreSQL's trigram index is now on the text itself, not on UPPER(text). On
SQLite the full-text table stays as 0019 made it; JobSearchFullText names it for the ORM
(unmanaged: this migration creates no table for it).
"""

import django.db.models.deletion
from django.db import migrations, models

import jobs.models.search
from jobs.models.search import fold

CHUNK = 2000
OLD_INDEX = (
    "CREATE INDEX jobs_jobsearch_text_trgm ON jobs_jobsearch USING gin (UPPER(text) gin_trgm_ops)"
)
NEW_INDEX = "CREATE INDEX jobs_jobsearch_text_trgm ON jobs_jobsearch USING gin (text gin_trgm_ops)"
DROP_INDEX = "DROP INDEX IF EXISTS jobs_jobsearch_text_trgm"
FTS = jobs.models.search.FTS_TABLE


def drop_old_index(apps, schema_editor):
    # Before the texts change: a GIN index updated row by row is the slow part of a rewrite.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)


def fold_texts(apps, schema_editor):
    """Every search text folded, a few thousand at a time; in Python, as new texts are (the
    databases' own lower() folds ASCII letters only, or by the server's locale)."""
    JobSearch = apps.get_model("jobs", "JobSearch")
    rows = JobSearch.objects.order_by("pk").values_list("pk", "text")
    last = 0
    while chunk := list(rows.filter(pk__gt=last)[:CHUNK]):
        changed = [JobSearch(pk=pk, text=fold(text)) for pk, text in chunk if fold(text) != text]
        JobSearch.objects.bulk_update(changed, ["text"], batch_size=500)
        last = chunk[-1][0]


def create_new_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(NEW_INDEX)
    elif schema_editor.connection.vendor == "sqlite":
        # Each text rewritten left the full-text table a delete and an insert in segments of
        # their own; merged, a search reads one (a rare phrase at 100,000 jobs: 24 ms, not 15).
        schema_editor.execute(f"INSERT INTO {FTS}({FTS}) VALUES ('optimize')")


def back_to_old_index(apps, schema_editor):
    # The texts stay folded: UPPER() of a folded text is what the old index held.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP_INDEX)
        schema_editor.execute(OLD_INDEX)


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0021_job_sort_provider"),
    ]

    operations = [
        migrations.CreateModel(
            name="JobSearchFullText",
            fields=[
                (
                    "row",
                    models.OneToOneField(
                        db_column="rowid",
                        on_delete=django.db.models.deletion.DO_NOTHING,
                        primary_key=True,
                        related_name="full_text",
                        serialize=False,
                        to="jobs.jobsearch",
                    ),
                ),
                ("text", jobs.models.search.FullTextColumn()),
            ],
            options={
                "db_table": "jobs_jobsearch_fts",
                "managed": False,
            },
        ),
        migrations.RunPython(drop_old_index, migrations.RunPython.noop),
        migrations.RunPython(fold_texts, migrations.RunPython.noop),
        migrations.RunPython(create_new_index, back_to_old_index),
    ]
