"""Emptying the cache between tests, on whichever backend the run is configured with."""

from __future__ import annotations

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache


def on_redis() -> bool:
    return isinstance(caches["default"], RedisCache)


def clear_cache() -> None:
    """Empty this test process's cache.

    On Redis only the keys under its own prefix go: ``cache.clear()`` is a FLUSHDB there,
    which would empty the cache of every other run (and xdist worker) sharing the server.
    """
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        cache.clear()
        return
    client = cache._cache.get_client(write=True)
    keys = list(client.scan_iter(match=f"{cache.key_prefix}:*", count=1000))
    if keys:
        client.delete(*keys)


def expire_on_redis(key: str, lifetime: int) -> None:
    """A test's clock moves the database cache's expiry, never Redis's, which keeps time
    itself. On Redis: check that ``key`` was given ``lifetime`` and expire it, as Redis does
    once that time has passed; on the database cache the moved clock already did."""
    cache = caches["default"]
    if not isinstance(cache, RedisCache):
        return
    client = cache._cache.get_client(write=True)
    stored = cache.make_and_validate_key(key)
    assert 0 < client.ttl(stored) <= lifetime
    client.delete(stored)
