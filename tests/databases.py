"""The test database as a DATABASE_URL, for the real processes (daphne, qcluster) a test
starts on it: SQLite's file in the embedded run, PostgreSQL's database in the scale-out one."""

from __future__ import annotations

from urllib.parse import quote

from django.db import connection


def url_of_test_database() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{db['NAME']}"
    login = quote(db["USER"], safe="")
    if db["PASSWORD"]:
        login += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{login}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
