"""What the jobs list's search reads: one row of text per job, indexed by the database.

A job is found by its video's title, its post's title, its uploaded file's name or its URL:
four columns on three tables, which ``LIKE '%…%'`` had to scan and join for every search
(585 ms at 100,000 jobs). Job.reindex() writes them here as one text, and the database
indexes it for substring search: a trigram full-text table on SQLite (FTS5), a trigram GIN
index on PostgreSQL (pg_trgm); both made by migration 0019. Trigrams, not words, because
people type parts of titles and ids ("sourd", "dQw4w9"), which word indexes do not find.
"""

from __future__ import annotations

from django.db import connection, models
from django.db.models.expressions import RawSQL

# The SQLite full-text table (migration 0019): its rowid is JobSearch.id.
FTS_TABLE = "jobs_jobsearch_fts"
# Shorter strings have no trigram: they are searched without the index.
TRIGRAM = 3


def contains(text: str, prefix: str = "") -> models.Q:
    """Search rows whose text contains ``text``, ignoring case, whatever characters it holds;
    ``prefix`` reaches JobSearch from another model ("search_row__" from Job)."""
    if connection.vendor == "sqlite" and len(text) >= TRIGRAM:
        # A quoted FTS5 string is taken literally (quotes doubled): no query syntax
        # a person types can reach the parser.
        phrase = '"' + text.replace('"', '""') + '"'
        fts = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [phrase])
        return models.Q(**{f"{prefix}id__in": fts})
    return models.Q(**{f"{prefix}text__icontains": text})


class JobSearchQuerySet(models.QuerySet):
    def matching(self, text: str) -> JobSearchQuerySet:
        """Rows whose text contains ``text``, ignoring case, whatever characters it holds."""
        return self.filter(contains(text))


class JobSearch(models.Model):
    # An integer key of its own: SQLite's full-text table points at rows by integer rowid,
    # which a job (uuid key) does not keep across a table rebuild.
    job = models.OneToOneField("jobs.Job", on_delete=models.CASCADE, related_name="search_row")
    text = models.TextField(blank=True)

    objects = JobSearchQuerySet.as_manager()

    class Meta:
        verbose_name = "job search text"

    def __str__(self) -> str:
        return self.text[:60]


SORT_TITLE_LENGTH = 300
# Provider.name's length.
SORT_PROVIDER_LENGTH = 100


def provider_sort_key(name: str) -> str:
    """What Job.sort_provider holds for a provider of this name: the list sorts by it."""
    return name.casefold()[:SORT_PROVIDER_LENGTH]


def indexed_text(
    video_title: str | None, post_title: str | None, file_name: str, source_url: str
) -> tuple[str, str]:
    """(sort_title, search text) of a job with these: what reindex() stores."""
    title = title_of(video_title or "", post_title or "", file_name, source_url)
    parts = (video_title, post_title, file_name, source_url)
    return title.casefold()[:SORT_TITLE_LENGTH], "\n".join(p for p in parts if p)


def title_of(video_title: str, post_title: str, file_name: str, source_url: str) -> str:
    """A job's title: its video's; for an upload, its post's once written, else the file's
    name; else its URL."""
    if video_title:
        return video_title
    if file_name:
        # An upload has no video title: once written, the post's title says more.
        return post_title or file_name
    return source_url or "Untitled job"
