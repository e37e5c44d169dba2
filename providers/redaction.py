"""API keys never leave in error text.

A provider's error body may quote the key it refused; the client library quotes the body in
its exception. Before an error is stored (ProviderHealth, a job's error, its events), shown
or logged, every key BlogTube knows is replaced: the provider's own, those in the
environment variables the kinds read, and those typed in admin.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import SynchronousOnlyOperation
from django.db import DatabaseError

from blogtube_site.errors import BlogTubeError
from providers.errors import MIN_KEY_LENGTH, redact, without_keys

# The keys last read from the database, for the log filter, which must not query it.
_stored_keys: frozenset[str] = frozenset()


def _usable(keys: Iterable[str]) -> set[str]:
    return {key.strip() for key in keys if key and len(key.strip()) >= MIN_KEY_LENGTH}


def environment_keys() -> set[str]:
    """Keys in the variables the kinds read, from settings (tests set them there) or os.environ."""
    from providers.registry import KINDS

    names = {kind.key_env for kind in KINDS.values() if kind.key_env}
    return _usable(
        str(getattr(settings, name, "") or os.environ.get(name, "") or "") for name in names
    )


def stored_keys() -> set[str]:
    """Keys typed in admin and in the variables a provider names itself; remembered for logs."""
    global _stored_keys
    from providers.models import Provider, env_value

    try:
        keys = set()
        for provider in Provider.objects.all():
            keys.add(provider.stored_key())
            if provider.api_key_env:
                keys.add(env_value(provider.api_key_env))
    except (DatabaseError, SynchronousOnlyOperation):
        return set(_stored_keys)  # no database here (an async context): the last ones read
    _stored_keys = frozenset(_usable(keys))
    return set(_stored_keys)


def known_keys(*extra: str) -> set[str]:
    return _usable(extra) | environment_keys() | stored_keys()


def redact_error(error: BlogTubeError, *extra_keys: str) -> BlogTubeError:
    """The same error with every known key (and `extra_keys`) taken out of its text."""
    return without_keys(error, known_keys(*extra_keys))


class RedactKeysFilter(logging.Filter):
    """On the log handlers: a key that reached a log line anyway is replaced there."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            keys = environment_keys() | _stored_keys
        except Exception:  # logging must never fail, not even before the apps load
            keys = set()
        if not keys:
            return True
        message = record.getMessage()
        cleaned = redact(message, keys)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text, keys)
        return True
