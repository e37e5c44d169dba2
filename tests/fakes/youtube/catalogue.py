"""What a test registers with the fake YouTube: videos, playlists, channels."""

from __future__ import annotations

import colorsys
import math
from dataclasses import dataclass, field

SCENARIOS = (
    "ok",
    "transcripts_disabled",
    "unavailable",
    "age_restricted",
    "blocked",  # the "Sign in to confirm you're not a bot" player response
    "captcha",  # the recaptcha page instead of the watch page (IpBlocked)
    "po_token",
    "too_many_requests",  # HTTP 429 on every request
    "unplayable",
    # The innertube player API answers the ANDROID client (youtube-transcript-api)
    # with the bot check, while the watch page (yt-dlp's web client) still
    # carries the captions: the case where yt-dlp subtitles rescue a job.
    "api_blocked",
)
PLAYLIST_SCENARIOS = ("ok", "unavailable")
# The channel every video and playlist belongs to unless a test says otherwise.
DEFAULT_CHANNEL = "The Bread Lab"
DEFAULT_CHANNEL_ID = "UCbreadlab00000000000000"
DEFAULT_PLAYLIST_TITLE = "Sourdough Basics"


@dataclass(frozen=True)
class FakeTrack:
    language_code: str
    name: str
    generated: bool = False
    translatable: bool = False


DEFAULT_TRACKS = (
    FakeTrack("en", "English", translatable=True),
    FakeTrack("de", "German"),
    FakeTrack("fr", "French (auto-generated)", generated=True, translatable=True),
)
DEFAULT_TRANSLATION_LANGUAGES = (
    ("en", "English"),
    ("de", "German"),
    ("fr", "French"),
    ("es", "Spanish"),
    ("ja", "Japanese"),
)


@dataclass(frozen=True)
class FakeStoryboard:
    """The seek-preview sprite sheets served for a video: a small level (48x27, one sheet) and
    the one tests cut frames from. Each tile of that one is a colour of its own
    (``colour(frame)``), so a test can tell which frame was cut."""

    width: int = 160
    height: int = 90
    columns: int = 5
    rows: int = 5
    interval: float = 5.0  # seconds of video a frame
    # Served instead of every sheet when set: broken or hostile bytes.
    body: bytes | None = None

    def frame_count(self, duration: float) -> int:
        return max(1, math.ceil(duration / self.interval))

    @staticmethod
    def colour(frame: int) -> tuple[int, int, int]:
        # Hues a golden angle apart: neighbouring frames are far apart in colour.
        red, green, blue = colorsys.hsv_to_rgb((frame * 0.618033988749895) % 1.0, 1.0, 1.0)
        return round(red * 255), round(green * 255), round(blue * 255)


THUMBNAIL_COLOUR = (250, 140, 20)


@dataclass
class FakeVideo:
    video_id: str
    scenario: str = "ok"
    title: str = "How to Bake Sourdough Bread"
    channel: str = DEFAULT_CHANNEL
    channel_id: str = DEFAULT_CHANNEL_ID
    duration: int = 316
    description: str = "Everything about sourdough.\n\n0:00 Intro\n1:00 Starter\n3:20 Baking"
    upload_date: str = "2024-03-05"
    chapters: list[tuple[int, str]] = field(
        default_factory=lambda: [(0, "Intro"), (60, "Starter"), (200, "Baking")]
    )
    tracks: tuple[FakeTrack, ...] = DEFAULT_TRACKS
    translation_languages: tuple[tuple[str, str], ...] = DEFAULT_TRANSLATION_LANGUAGES
    # (start, duration, text) lines served for the manual English track;
    # None serves the wheel's recorded timedtext.
    transcript: list[tuple[float, float, str]] | None = None
    # Served as an audio-only stream (itag 140) when set, for speech-to-text.
    audio: bytes | None = None
    # The storyboard in the player response; None: the video has none.
    storyboard: FakeStoryboard | None = field(default_factory=FakeStoryboard)
    # Whether i.ytimg.com serves its thumbnails (False: 404, as for a removed picture).
    thumbnail: bool = True


@dataclass
class FakePlaylist:
    playlist_id: str
    video_ids: list[str]
    scenario: str = "ok"
    title: str = DEFAULT_PLAYLIST_TITLE
    channel: str = DEFAULT_CHANNEL
    channel_id: str = DEFAULT_CHANNEL_ID
    # Ids listed in place but shown as YouTube shows them to a stranger.
    private: frozenset[str] = frozenset()
    deleted: frozenset[str] = frozenset()


@dataclass
class FakeChannel:
    channel_id: str  # UC + 22 characters
    handle: str  # "@breadlab"
    title: str
    video_ids: list[str]
