"""Waiting for another thread or process in a test, without ever measuring it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

HANG_GUARD = 120  # seconds; never a measure of speed: a test that reaches it has failed


def wait_until(
    condition: Callable[[], bool],
    *,
    guard: float = HANG_GUARD,
    what: Callable[[], str] | str = "the condition",
    every: float = 0.01,
) -> None:
    """Poll ``condition`` every ``every`` seconds until it holds; fail the test (rather than
    hang it) if it never does within ``guard``, saying ``what`` (a callable: read then, say
    a process's log)."""
    deadline = time.monotonic() + guard
    while not condition():
        if time.monotonic() > deadline:
            said = what() if callable(what) else what
            pytest.fail(f"hung: {said} never came true in {guard} s")
        time.sleep(every)
