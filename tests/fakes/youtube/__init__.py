"""A fake YouTube at the HTTP boundary, so the real libraries run in tests.

youtube-transcript-api gets a ``requests.Session`` whose adapters answer from
here; yt-dlp gets a request handler that answers from here. Both are installed
by patching ``videos.http``. The innertube player responses are the recorded
ones shipped inside the youtube-transcript-api wheel (ids and titles adapted).

Usage::

    def test_something(fake_youtube):
        fake_youtube.add("dQw4w9WgXcQ", title="Hello", chapters=[(0, "Intro")])
        fake_youtube.add("AAAAAAAAAAA", scenario="blocked")
        fake_youtube.add_playlist("PLbread0000000000000000000000000000",
                                  video_ids=["dQw4w9WgXcQ", "BBBBBBBBBBB"], private=["BBBBBBBBBBB"])
        fake_youtube.add_channel("@breadlab", title="The Bread Lab", video_ids=["dQw4w9WgXcQ"])
        ...
        assert fake_youtube.count(host="www.youtube.com") == 1

Any request the fake does not know raises ``UnexpectedRequest`` and is kept in
``fake_youtube.unexpected``; the fixture fails the test at teardown if yt-dlp
swallowed such an error, so nothing can silently go to the network.

Where things live: ``catalogue`` (what a test registers, the scenarios),
``fake`` (FakeYouTube: the request log and which endpoint answers),
``watch``, ``timedtext``, ``playlists``, ``channels``, ``pictures`` (what each
endpoint serves; ``tabs`` what playlists and channels share; ``pictures`` is
i.ytimg.com's thumbnails and storyboard sheets), ``replies`` (reply and page shell),
``recordings`` (the wheel's assets), ``transports`` (how requests and yt-dlp
reach the fake). This module is the pytest plugin: the fixture lives here.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.fakes.youtube.catalogue import FakeStoryboard, FakeTrack
from tests.fakes.youtube.fake import FakeYouTube, UnexpectedRequest
from tests.fakes.youtube.transports import requests_session, ytdlp_handler

__all__ = ["FakeStoryboard", "FakeTrack", "FakeYouTube", "UnexpectedRequest", "fake_youtube"]


@pytest.fixture
def fake_youtube(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeYouTube]:
    from videos import http as videos_http

    fake = FakeYouTube()
    monkeypatch.setattr(videos_http, "requests_session", lambda: requests_session(fake))
    monkeypatch.setattr(videos_http, "YTDLP_REQUEST_HANDLERS", [ytdlp_handler(fake)])
    yield fake
    if fake.unexpected:
        listed = "\n".join(f"  {r.client}: {r.method} {r.url}" for r in fake.unexpected)
        pytest.fail(f"code under test made requests the fake YouTube does not know:\n{listed}")
