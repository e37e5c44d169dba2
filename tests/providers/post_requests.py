"""What the writing code is asked in the providers' tests: a fake talk, from one video."""

from __future__ import annotations

from providers.prompts import PostRequest
from tests.fakes.transcripts import Talk, short_talk

VIDEO_ID = "dQw4w9WgXcQ"
VIDEO_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}"


def post_request(
    talk: Talk | None = None, *, chapters: bool = True, **changes: object
) -> PostRequest:
    """A request for a post about `talk` (short_talk() unless given), with any field changed."""
    title, segments, chapter_list = talk or short_talk()
    values: dict = {
        "title": title,
        "transcript": " ".join(str(s["text"]) for s in segments),
        "segments": segments,
        "chapters": chapter_list if chapters else [],
        "video_url": VIDEO_URL,
        "video_id": VIDEO_ID,
    }
    values.update(changes)
    return PostRequest(**values)
