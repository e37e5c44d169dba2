"""Time the offline writer on a three-hour transcript.

Run from the repository root: ``.venv/bin/python bench/offline_writer.py``. Needs no Django
settings: it imports only the writer, the transcript clean-up every writer reads through (timed
on its own line) and the transcript fixtures. The budget is one second on a
slow two-core machine, for human (punctuated) captions and auto captions, with chapters and
without (then YAKE finds the headings and the title). The first post of a process also pays once
for importing numpy and yake; that is printed on its own line, outside the budget.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from providers.offline import write_post
from tests.fakes.transcripts import long_talk
from videos.transcript_cleanup import clean_transcript

RUNS = 5
VIDEO_ID = "dQw4w9WgXcQ"
VIDEO_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}"


def best_of(runs: int, **kwargs: object) -> tuple[float, str]:
    best = float("inf")
    post = ""
    for _ in range(runs):
        started = time.perf_counter()
        post = write_post(**kwargs)  # type: ignore[arg-type]
        best = min(best, time.perf_counter() - started)
    return best, post


def main() -> None:
    cases = (
        ("punctuated captions", False, True),
        ("auto captions", True, True),
        ("auto captions, no chapters or title", True, False),
    )
    first = True
    for label, auto, with_chapters in cases:
        title, segments, chapters = long_talk(3, auto_captions=auto)
        kwargs: dict[str, object] = {
            "title": title if with_chapters else "",
            "segments": segments,
            "chapters": chapters if with_chapters else None,
            "video_url": VIDEO_URL,
            "video_id": VIDEO_ID,
        }
        if first:
            # Without chapters or title the writer needs both numpy and yake: import them now.
            cold, _ = best_of(1, **{**kwargs, "title": "", "chapters": None})
            print(f"first post of the process (imports numpy and yake): {cold:.3f} s")
            first = False
        words = sum(len(str(s["text"]).split()) for s in segments)
        cleaning = min(_timed(clean_transcript, segments, "en") for _ in range(RUNS))
        seconds, post = best_of(RUNS, **kwargs)
        print(
            f"{label}: {len(segments)} segments, {words} words -> "
            f"write_post best of {RUNS}: {seconds:.3f} s, post {len(post.split())} words; "
            f"the transcript clean-up before it: {cleaning:.3f} s"
        )


def _timed(function: object, *args: object) -> float:
    started = time.perf_counter()
    function(*args)  # type: ignore[operator]
    return time.perf_counter() - started


if __name__ == "__main__":
    main()
