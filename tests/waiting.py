"""Waiting for another thread or process in a test, without ever measuring it."""

from __future__ import annotations

import time
from collections.abc import Callable

import pytest

HANG_GUARD = 120  # seconds; never a measure of speed: a test that reaches it has failed


def wait_until(condition: Callable[[], bool]) -> None:
    """Poll ``condition`` until it holds; fail the test (rather than hang it) if it never does."""
    deadline = time.monotonic() + HANG_GUARD
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"hung: the condition never came true in {HANG_GUARD} s")
        time.sleep(0.01)
