"""Trigram indexes for the videos page's search, on PostgreSQL only.

The search is Django's icontains, which PostgreSQL writes as ``UPPER("title"::text) LIKE
UPPER(%s)``: GIN indexes over exactly those expressions (pg_trgm) find the candidates for a
substring of three characters or more without reading, and upper-casing, every title and
channel. Each candidate is checked against the LIKE itself, so what the search finds is
unchanged. ANALYZE gathers the expressions' statistics at once (autovacuum waits for
enough rows to change): with them PostgreSQL can tell a rare word (read the index) from a
common one (read the table until enough match). SQLite has no such index; its search reads
the table as before (videos/views.py stops counting early instead).

The videos app makes the extension itself (if the jobs app has not): it imports nothing
from jobs.
"""

from django.db import migrations

INDEXES = {"video_title_trgm": "title", "video_channel_trgm": "channel"}


def create_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON videos_video "
            f"USING gin (UPPER({column}) gin_trgm_ops)"
        )
    schema_editor.execute("ANALYZE videos_video")


def drop_indexes(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("videos", "0006_list_indexes"),
    ]

    operations = [
        migrations.RunPython(create_indexes, drop_indexes),
    ]
