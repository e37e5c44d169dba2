"""Every log line says which request or job wrote it, as text or as one JSON object a line.

`settings.LOGGING` puts `RequestAndJob` on the console handler, so the web process and the
worker (which shares the settings) both stamp `request_id` and `job_id` on each record;
LOG_FORMAT=json picks `JsonFormatter` (python-json-logger), one object per line for a log
shipper, with the same two fields.
"""

from __future__ import annotations

import logging

from pythonjsonlogger.json import JsonFormatter as _BaseJsonFormatter

from blogtube_site.request_ids import current_job_id, current_request_id

JSON_FIELDS = ["asctime", "levelname", "name", "message", "request_id", "job_id"]
RENAMED = {"asctime": "time", "levelname": "level", "name": "logger"}


class RequestAndJob(logging.Filter):
    """Adds ``request_id`` and ``job_id`` ("-" when there is none) to every record."""

    def filter(self, record: logging.LogRecord) -> bool:
        # A record made elsewhere with its own ids (a test, a forwarded record) keeps them.
        if not getattr(record, "request_id", None):
            # django.request's "Not Found: /x" is written after the middleware has returned,
            # outside the request's context, but it hands over the request itself.
            request = getattr(record, "request", None)
            record.request_id = current_request_id() or getattr(request, "request_id", None) or "-"
        if not getattr(record, "job_id", None):
            record.job_id = current_job_id() or "-"
        return True


class JsonFormatter(_BaseJsonFormatter):
    """One JSON object a line: time, level, logger, message, request_id, job_id, and extras."""

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("fmt", " ".join(f"%({name})s" for name in JSON_FIELDS))
        kwargs.setdefault("rename_fields", RENAMED)
        super().__init__(**kwargs)
