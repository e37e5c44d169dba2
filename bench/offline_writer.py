"""Time the offline writer on a three-hour transcript.

Run from the repository root: ``.venv/bin/python bench/offline_writer.py``. Needs no Django
settings: it imports only the writer and the transcript fixtures. The budget is one second on a
slow two-core machine, for both human (punctuated) captions and auto captions.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from providers.offline import write_post
from tests.fakes.transcripts import long_talk

RUNS = 5


def best_of(runs: int, **kwargs: object) -> tuple[float, str]:
    best = float("inf")
    post = ""
    for _ in range(runs):
        started = time.perf_counter()
        post = write_post(**kwargs)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
    return best, post


def main() -> None:
    for label, auto in (("punctuated captions", False), ("auto captions", True)):
        title, segments, chapters = long_talk(3, auto_captions=auto)
        words = sum(len(str(s["text"]).split()) for s in segments)
        seconds, post = best_of(
            RUNS,
            title=title,
            segments=segments,
            chapters=chapters,
            video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        )
        print(
            f"{label}: {len(segments)} segments, {words} words -> "
            f"write_post best of {RUNS}: {seconds:.3f} s, post {len(post.split())} words"
        )


if __name__ == "__main__":
    main()
