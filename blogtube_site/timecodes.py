"""A moment of a video as people read it: 1:05, or 1:02:03 from the first hour on.

The videos app (lengths, chapters, transcript paragraphs, speech-to-text progress) and the
providers app (the time links in a post) both write it, and neither may import the other.
"""

from __future__ import annotations


def clock(seconds: float) -> str:
    """Whole seconds as "M:SS", or "H:MM:SS" from an hour on: 65 -> "1:05", 3723 -> "1:02:03"."""
    hours, rest = divmod(int(seconds), 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02}:{secs:02}" if hours else f"{minutes}:{secs:02}"
