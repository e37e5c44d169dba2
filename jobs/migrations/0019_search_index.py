"""Search's index, in each database's own kind, then every job's title and search text.

SQLite: an FTS5 table with the trigram tokenizer over jobs_jobsearch (external content, its
rowid the row's id), kept in step by three triggers. A later migration that rebuilds
jobs_jobsearch on SQLite drops the triggers with the old table: it must create them again
(tests/jobs/test_search.py fails if search stops finding new jobs).
PostgreSQL: pg_trgm and a GIN trigram index on UPPER(text), the expression Django's
icontains compares.
"""

from django.db import migrations

from jobs.models.search import indexed_text

FTS = "jobs_jobsearch_fts"
SQLITE = [
    f"CREATE VIRTUAL TABLE {FTS} USING fts5("
    "text, content='jobs_jobsearch', content_rowid='id', tokenize='trigram')",
    f"""CREATE TRIGGER jobs_jobsearch_ai AFTER INSERT ON jobs_jobsearch BEGIN
        INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text);
    END""",
    f"""CREATE TRIGGER jobs_jobsearch_ad AFTER DELETE ON jobs_jobsearch BEGIN
        INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text);
    END""",
    f"""CREATE TRIGGER jobs_jobsearch_au AFTER UPDATE ON jobs_jobsearch BEGIN
        INSERT INTO {FTS}({FTS}, rowid, text) VALUES ('delete', old.id, old.text);
        INSERT INTO {FTS}(rowid, text) VALUES (new.id, new.text);
    END""",
]
SQLITE_UNDO = [
    "DROP TRIGGER IF EXISTS jobs_jobsearch_ai",
    "DROP TRIGGER IF EXISTS jobs_jobsearch_ad",
    "DROP TRIGGER IF EXISTS jobs_jobsearch_au",
    f"DROP TABLE IF EXISTS {FTS}",
]
POSTGRESQL = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX jobs_jobsearch_text_trgm ON jobs_jobsearch USING gin (UPPER(text) gin_trgm_ops)",
]
POSTGRESQL_UNDO = ["DROP INDEX IF EXISTS jobs_jobsearch_text_trgm"]
CHUNK = 2000


def create_index(apps, schema_editor):
    for sql in {"sqlite": SQLITE, "postgresql": POSTGRESQL}.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def drop_index(apps, schema_editor):
    undo = {"sqlite": SQLITE_UNDO, "postgresql": POSTGRESQL_UNDO}
    for sql in undo.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def fill(apps, schema_editor):
    """What Job.reindex() stores, for every job there is, a few thousand at a time."""
    Job = apps.get_model("jobs", "Job")
    JobSearch = apps.get_model("jobs", "JobSearch")
    rows = Job.objects.order_by("pk").values_list(
        "pk", "video__title", "post__title", "transcript_file_name", "source_url"
    )
    last = None
    while True:
        chunk = list((rows.filter(pk__gt=last) if last else rows)[:CHUNK])
        if not chunk:
            return
        jobs, texts = [], []
        for pk, *sources in chunk:
            sort_title, text = indexed_text(*sources)
            jobs.append(Job(pk=pk, sort_title=sort_title))
            texts.append(JobSearch(job_id=pk, text=text))
        Job.objects.bulk_update(jobs, ["sort_title"], batch_size=500)
        JobSearch.objects.bulk_create(texts, batch_size=500)
        last = chunk[-1][0]


def analyze(apps, schema_editor):
    """SQLite plans by the statistics ANALYZE keeps, and rebuilding jobs_job (0014) dropped
    its own: without them it drives the jobs list from the providers table and sorts every
    job (7 s at 100,000). PostgreSQL's autovacuum keeps its statistics itself."""
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("ANALYZE")


def empty(apps, schema_editor):
    apps.get_model("jobs", "JobSearch").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [
        ("jobs", "0018_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_index, drop_index),
        migrations.RunPython(fill, empty),
        migrations.RunPython(analyze, migrations.RunPython.noop),
    ]
