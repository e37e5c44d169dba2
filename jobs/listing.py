"""The jobs list's query: filters, search, order, and pages read by keyset.

A page is "the 25 jobs after (or before) this one in this order", found through an index
in the same time however deep, not "skip the first 99,975" (an OFFSET reads every skipped
row: 839 ms for the last page of 100,000). The link to the next page carries the last
row's sort values as an opaque cursor; jobs made or deleted meanwhile neither repeat nor
vanish between pages. The count above the table stops at COUNT_CAP: past it, "10,000+";
a search's at SEARCH_COUNT_CAP.
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import json
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from functools import partial, reduce
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import BooleanField, CharField, ExpressionWrapper, IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.functions import Cast
from django.template.defaultfilters import pluralize

from jobs.models import Job

PAGE_SIZE = 25
COUNT_CAP = 10_000
# A search's matches are counted one by one through its index (a common word is 12,000 of
# 100,000 jobs: 50 ms on PostgreSQL to count to 10,000), and past a thousand the figure
# tells a person only to search for more words.
SEARCH_COUNT_CAP = 1_000

# What ?sort= may name, and the column it orders by (every one of them indexed).
SORTS = {
    "created": "created",
    "status": "status",
    "progress": "progress",
    "provider": "sort_provider",
    "title": "sort_title",
}
DEFAULT_SORT = "-created"
# The longest a cursor gets: a 300-character title, escaped, in base64.
MAX_CURSOR = 4000


class BadCursor(ValueError):
    """A cursor this code did not make (edited, truncated, from an older version)."""


@dataclass(frozen=True)
class Filters:
    q: str = ""
    status: str = ""
    provider: str = ""
    sort: str = DEFAULT_SORT

    @classmethod
    def from_query(cls, params: Mapping[str, str]) -> Filters:
        """From a request's GET: unknown values are dropped, never an error."""
        sort = params.get("sort", DEFAULT_SORT)
        status = params.get("status", "")
        return cls(
            q=params.get("q", "").strip(),
            status=status if status in Job.Status.values else "",
            provider=params.get("provider", ""),
            sort=sort if sort.lstrip("-") in SORTS else DEFAULT_SORT,
        )

    def apply(self, jobs: QuerySet[Job], *, many_matches: bool = False) -> QuerySet[Job]:
        if self.q:
            jobs = jobs.matching(self.q, many=many_matches)
        if self.status:
            jobs = jobs.filter(status=self.status)
        if self.provider:
            jobs = jobs.filter(provider__slug=self.provider)
        return jobs.order_by(*self.ordering)

    @property
    def keys(self) -> list[tuple[str, bool]]:
        """(field, descending) pairs, ending in unique ones: the full order of a page."""
        field = SORTS[self.sort.lstrip("-")]
        descending = self.sort.startswith("-")
        # Ties go the sort's own way: each order's index (field, created) is then read in one
        # direction; a mixed one made SQLite sort every job of a common title.
        tail = [("created", descending), ("id", descending)]
        if field == "created":
            return tail
        return [(field, descending), *tail]

    @property
    def ordering(self) -> list[str]:
        return [("-" if descending else "") + field for field, descending in self.keys]


@dataclass(frozen=True)
class Page:
    jobs: list[Job]
    count: int
    cap: int
    has_previous: bool
    has_next: bool
    previous_cursor: str
    next_cursor: str

    @property
    def count_display(self) -> str:
        """ "1 job", "2,500 jobs"; past the cap, "10,000+ jobs": counting further would
        read every row of a large history for a figure nobody needs exact."""
        if self.count > self.cap:
            return f"{self.cap:,}+ jobs"
        return f"{self.count:,} job{pluralize(self.count)}"


def page(jobs: QuerySet[Job], filters: Filters, *, after: str = "", before: str = "") -> Page:
    """The page of ``jobs`` (filtered and ordered by ``filters`` here) after the row ``after``
    names, or before ``before``'s; the first page without either. Raises BadCursor."""
    keys = filters.keys
    read: Callable[[QuerySet[Job]], list[Job]] = list
    if filters.q:
        found = _searched_page(jobs, filters, after=after, before=before)
        if found is not None:
            return found
        # A common word: read in the page's order, not every match sorted (Job.matching).
        cap, count = SEARCH_COUNT_CAP, SEARCH_COUNT_CAP + 1
        read = partial(_read, jobs)
        jobs = filters.apply(jobs, many_matches=True)
    else:
        cap, jobs = COUNT_CAP, filters.apply(jobs)
        count = _count(jobs, cap)
    if before:
        flipped = [(field, not descending) for field, descending in keys]
        rows = read(
            jobs.filter(_beyond(flipped, decode(before, keys))).order_by(
                *[("-" if d else "") + f for f, d in flipped]
            )[: PAGE_SIZE + 1]
        )
        if len(rows) > PAGE_SIZE:
            rows = rows[:PAGE_SIZE][::-1]
            return _page(rows, keys, count, cap, has_previous=True, has_next=True)
        # Fewer than a page before it: that is the first page, shown whole.
        after = ""
    if after:
        jobs = jobs.filter(_beyond(keys, decode(after, keys)))
    rows = read(jobs[: PAGE_SIZE + 1])
    more = len(rows) > PAGE_SIZE
    return _page(rows[:PAGE_SIZE], keys, count, cap, has_previous=bool(after), has_next=more)


def _read(rows: QuerySet[Job], jobs: QuerySet[Job]) -> list[Job]:
    """``jobs`` (a searched page's), their ids read first, then the jobs by primary key as
    ``rows`` reads them (with what a row joins). PostgreSQL planned the search and the four
    joins in one query for 3.4 ms, twice as long as it ran; apart, 0.4 ms and 0.8 ms."""
    return by_pk(rows, list(jobs.values_list("pk", flat=True)))


def by_pk(rows: QuerySet[Job], ids: list[Any]) -> list[Job]:
    """The jobs of ``ids``, in that order, as ``rows`` reads them; those gone meanwhile left
    out."""
    found = rows.order_by().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _count(jobs: QuerySet[Job], cap: int) -> int:
    """How many ``jobs``, counting no further than ``cap`` + 1."""
    # A constant selected, not the jobs' ids: the count then reads the filter's index alone,
    # not each job's row (1 ms for 10,000 failed jobs on SQLite, not 14). Value(1) would say it,
    # but Django drops a constant from a sliced count and writes an empty SELECT.
    one = RawSQL("1", [], output_field=IntegerField())
    return jobs.order_by().annotate(one=one).values("one")[: cap + 1].count()


def _searched_page(
    jobs: QuerySet[Job], filters: Filters, *, after: str, before: str
) -> Page | None:
    """A searched page, the search index read once; None when the search matches more than
    SEARCH_COUNT_CAP jobs (a common word).

    The matches' ids are read, up to the cap and one: their number is the count. The
    database then sorts those ids in the page's order, saying of each whether it lies past
    the cursor, and the page's 25 are read by primary key. Counting the matches and then
    sorting them for the page read the index twice, each time checking every candidate's
    text (1,458 for "marathon photography" at 100,000 jobs), and PostgreSQL went on to look
    for the page's 25 by scanning the list's date index."""
    keys = filters.keys
    ids = searched_ids(filters.apply(jobs))
    if ids is None:
        return None
    ordered = in_order(ids, filters.ordering)
    start = 0
    if after or before:
        # Past the cursor: after it in the order (Next), or before it (Previous).
        side = keys if after else [(field, not descending) for field, descending in keys]
        past = ExpressionWrapper(_beyond(side, decode(after or before, keys)), BooleanField())
        rows = list(ordered.annotate(past=past).values_list("pk", "past"))
        ids = [pk for pk, _ in rows]
        beyond = sum(1 for _, is_past in rows if is_past)
        # Those after the cursor end the list; those before it begin it, and fewer than a
        # page before it make the first page, shown whole.
        start = len(ids) - beyond if after else max(beyond - PAGE_SIZE, 0)
    else:
        ids = list(ordered.values_list("pk", flat=True))
    rows = by_pk(jobs, ids[start : start + PAGE_SIZE])
    return _page(
        rows,
        keys,
        len(ids),
        SEARCH_COUNT_CAP,
        has_previous=start > 0,
        has_next=start + PAGE_SIZE < len(ids),
    )


def searched_ids(matches: QuerySet[Job]) -> list[str] | None:
    """The ids of ``matches`` (jobs filtered by a search), in no order, the search index read
    once; None past SEARCH_COUNT_CAP (a common word: read those with Job.matching's
    ``many``). Their number is the search's count: counting first and then reading the page
    read the index twice, each time checking every candidate's text."""
    # As text, for pk__in: SQLite keeps a uuid as 32 hex digits, and making UUIDs of 1,001
    # of them, only to learn that a common word has more, made this read 4.9 ms at 100,000
    # jobs where the count it replaced took 2.8 (as text, 3.2).
    pk = Cast("pk", CharField())
    ids = list(matches.order_by().values_list(pk, flat=True)[: SEARCH_COUNT_CAP + 1])
    return None if len(ids) > SEARCH_COUNT_CAP else ids


def in_order(ids: list[str], ordering: Sequence[str]) -> QuerySet[Job]:
    """The jobs of ``ids`` (searched_ids'), sorted by the database in ``ordering``. Read them
    whole, never sliced: given a LIMIT, PostgreSQL's planner looked for the first rows of
    ``id IN (...)`` by scanning the list's date index, past every job that is not one of
    them."""
    return Job.objects.filter(pk__in=ids).order_by(*ordering)


def _page(
    rows: list[Job], keys, count: int, cap: int, *, has_previous: bool, has_next: bool
) -> Page:
    return Page(
        jobs=rows,
        count=count,
        cap=cap,
        has_previous=has_previous and bool(rows),
        has_next=has_next and bool(rows),
        previous_cursor=encode(rows[0], keys) if rows else "",
        next_cursor=encode(rows[-1], keys) if rows else "",
    )


def _beyond(keys: list[tuple[str, bool]], values: list[Any]) -> Q:
    """Rows after ``values`` in the order ``keys``: a >= x and ((a > x) or (a = x and b > y)
    or ...). The first term says nothing the rest does not, but it is the one a database
    starts its index scan at: without it PostgreSQL read the title index from its start and
    dropped 99,971 rows to show the last page of 100,000 (193 ms)."""
    alternatives = []
    for i, (field, descending) in enumerate(keys):
        equal = {f: v for (f, _), v in zip(keys[:i], values[:i], strict=True)}
        alternatives.append(Q(**equal, **{f"{field}__{'lt' if descending else 'gt'}": values[i]}))
    (first, descending), *_ = keys
    return Q(**{f"{first}__{'lte' if descending else 'gte'}": values[0]}) & reduce(
        operator.or_, alternatives
    )


def _value(job: Job, field: str) -> Any:
    for part in field.split("__"):
        job = getattr(job, part)
    return job


def encode(job: Job, keys: list[tuple[str, bool]]) -> str:
    values = [_value(job, field) for field, _ in keys]
    raw = json.dumps([v.isoformat() if hasattr(v, "isoformat") else str(v) for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode(cursor: str, keys: list[tuple[str, bool]]) -> list[Any]:
    """The sort values a cursor carries, each checked by its model field; BadCursor else."""
    if len(cursor) > MAX_CURSOR:
        raise BadCursor(cursor[:MAX_CURSOR])
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        texts = json.loads(raw)
        if not isinstance(texts, list) or len(texts) != len(keys):
            raise BadCursor(cursor)
        values = []
        for (field, _), text in zip(keys, texts, strict=True):
            if not isinstance(text, str) or "\x00" in text:
                raise BadCursor(cursor)
            value = _field(field).to_python(text)
            if value is None or (isinstance(value, dt.datetime) and value.tzinfo is None):
                raise BadCursor(cursor)
            values.append(value)
    except (binascii.Error, ValueError, ValidationError, RecursionError) as error:
        raise BadCursor(cursor) from error
    return values


def _field(path: str):
    model = Job
    *relations, name = path.split("__")
    for relation in relations:
        model = model._meta.get_field(relation).related_model
    return model._meta.get_field(name)
