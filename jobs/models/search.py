"""What the jobs list's search reads: one row of text per job, indexed by the database.

A job is found by its video's title, its post's title, its uploaded file's name or its URL:
four columns on three tables, which ``LIKE '%…%'`` had to scan and join for every search
(585 ms at 100,000 jobs). Job.reindex() writes them here as one text, in one case (fold),
and the database indexes it for substring search: a trigram full-text table on SQLite
(FTS5, migration 0019), a trigram GIN index on PostgreSQL (pg_trgm, migration 0022).
Trigrams, not words, because people type parts of titles and ids ("sourd", "dQw4w9"), which
word indexes do not find.
"""

from __future__ import annotations

from django.db import connection, models

# The SQLite full-text table (migration 0019): its rowid is JobSearch.id.
FTS_TABLE = "jobs_jobsearch_fts"
# Shorter strings have no trigram: they are searched without the index.
TRIGRAM = 3


def contains(text: str, prefix: str = "") -> models.Q:
    """Search rows whose text contains ``text``, ignoring case, whatever characters it holds;
    ``prefix`` reaches JobSearch from another model ("search_row__" from Job)."""
    folded = fold(text)
    if connection.vendor == "sqlite" and len(folded) >= TRIGRAM:
        # A quoted FTS5 string is taken literally (quotes doubled): no query syntax
        # a person types can reach the parser.
        phrase = '"' + folded.replace('"', '""') + '"'
        # Joined, not "id IN (SELECT rowid …)": SQLite then reads the full-text matches one
        # at a time and stops at a LIMIT, where the IN list held all of them first (12,000
        # for a common word at 100,000 jobs, to count to a thousand).
        return models.Q(**{f"{prefix}full_text__text__match": phrase})
    # PostgreSQL's trigram index serves this LIKE (migration 0022).
    return row_contains(text, prefix)


def row_contains(text: str, prefix: str = "") -> models.Q:
    """A row's own text contains ``text`` (a LIKE; on SQLite not through the full-text
    index): for rows read one by one anyway, and PostgreSQL's whole search."""
    return models.Q(**{f"{prefix}text__contains": fold(text)})


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


class FullTextColumn(models.TextField):
    """A column of SQLite's full-text table: ``__match`` compares it with FTS5's MATCH."""


@FullTextColumn.register_lookup
class Match(models.Lookup):
    lookup_name = "match"

    def as_sql(self, compiler, connection) -> tuple[str, list]:
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} MATCH {rhs}", [*lhs_params, *rhs_params]


class JobSearchFullText(models.Model):
    """SQLite's full-text table over JobSearch (FTS_TABLE, made by migration 0019; not on
    PostgreSQL, which indexes JobSearch.text itself), as a model so that a query can join it."""

    row = models.OneToOneField(
        JobSearch,
        primary_key=True,
        db_column="rowid",
        on_delete=models.DO_NOTHING,
        related_name="full_text",
    )
    text = FullTextColumn()

    class Meta:
        managed = False
        db_table = FTS_TABLE

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
    return title.casefold()[:SORT_TITLE_LENGTH], fold("\n".join(p for p in parts if p))


def fold(text: str) -> str:
    """Search text and what is searched for, in one case: stored so, a row is compared
    with a plain LIKE, which no longer folds the case of every row it reads (UPPER() on
    PostgreSQL), and on SQLite, whose LIKE folds ASCII letters only, matches what the
    full-text index matches ("École" for "école"). lower(), not casefold(), as FTS5 folds:
    "ß" stays "ß"."""
    return text.lower()


def title_of(video_title: str, post_title: str, file_name: str, source_url: str) -> str:
    """A job's title: its video's; for an upload, its post's once written, else the file's
    name; else its URL."""
    if video_title:
        return video_title
    if file_name:
        # An upload has no video title: once written, the post's title says more.
        return post_title or file_name
    return source_url or "Untitled job"
