"""blogtube_site.settings for a scale-out test's subprocess, with this run's own Redis keys.

Two test runs on one machine share its Redis: each run's keys carry a prefix of its own
(BLOGTUBE_TEST_REDIS_PREFIX), so neither reads nor clears what the other wrote.
"""

from __future__ import annotations

import os

from blogtube_site.settings import *  # noqa: F403
from blogtube_site.settings import CACHES, CHANNEL_LAYERS

_PREFIX = os.environ["BLOGTUBE_TEST_REDIS_PREFIX"]
CACHES["default"]["KEY_PREFIX"] = _PREFIX
if "CONFIG" in CHANNEL_LAYERS["default"]:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = _PREFIX
