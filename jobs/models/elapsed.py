"""Seconds between two timestamps, in the database's own SQL.

Django's ``F("finished") - F("started")`` on SQLite calls back into Python once per row
(``django_timestamp_diff``): 7 s of the stats page at 100,000 jobs. This expression is
native on both databases and deterministic, so it can back a stored generated column
(Job.run_seconds, JobStep.run_seconds) that aggregates and indexes read directly.
"""

from __future__ import annotations

from django.db import models


class ElapsedSeconds(models.Func):
    """``end - start`` in seconds (float); NULL when either is NULL."""

    output_field = models.FloatField()
    arity = 2

    def __init__(self, start: str, end: str) -> None:
        super().__init__(models.F(end), models.F(start))

    def as_sqlite(self, compiler, connection, **extra):
        # Django stores "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC: whole seconds from
        # strftime, the fraction from the text itself, exact to the microsecond
        # (julianday's float of days is not).
        end, end_params = compiler.compile(self.source_expressions[0])
        start, start_params = compiler.compile(self.source_expressions[1])
        sql = (
            f"((strftime('%%s', {end}) - strftime('%%s', {start}))"
            f" + (CAST(substr({end}, 20) AS REAL) - CAST(substr({start}, 20) AS REAL)))"
        )
        return sql, (*end_params, *start_params, *end_params, *start_params)

    def as_postgresql(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="EXTRACT(EPOCH FROM (%(expressions)s))::double precision",
            arg_joiner=" - ",
            **extra,
        )
