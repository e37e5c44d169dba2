"""yt-dlp's real YouTube extractor against the fake YouTube."""

from __future__ import annotations

import datetime

from videos.youtube import VideoInfo, fetch_video_info

VID = "dQw4w9WgXcQ"


def test_metadata(fake_youtube):
    fake_youtube.add(
        VID,
        title="Sourdough, start to finish",
        channel="The Bread Lab",
        duration=754,
        description="All of it.\n\n0:00 Intro",
        upload_date="2023-11-30",
        chapters=[(0, "Intro"), (95, "Starter"), (400, "Bake")],
    )
    info = fetch_video_info(VID)
    assert isinstance(info, VideoInfo)
    assert info.video_id == VID
    assert info.url == f"https://www.youtube.com/watch?v={VID}"
    assert info.title == "Sourdough, start to finish"
    assert info.channel == "The Bread Lab"
    assert info.duration == 754
    assert info.upload_date == datetime.date(2023, 11, 30)
    assert info.description == "All of it.\n\n0:00 Intro"
    assert info.thumbnail_url.startswith("https://i.ytimg.com/")
    assert VID in info.thumbnail_url
    assert info.chapters == [
        {"title": "Intro", "start": 0.0, "end": 95.0},
        {"title": "Starter", "start": 95.0, "end": 400.0},
        {"title": "Bake", "start": 400.0, "end": 754.0},
    ]


def test_metadata_costs_one_request(fake_youtube):
    fake_youtube.add(VID)
    fetch_video_info(VID)
    assert fake_youtube.count(client="yt-dlp") == 1
    assert fake_youtube.count(host="www.youtube.com", path="/watch") == 1
    # No player JS, no config pages, no second client.
    assert fake_youtube.count(path="/s/player") == 0
    assert fake_youtube.count(path="/youtubei/") == 0


def test_no_chapters(fake_youtube):
    fake_youtube.add(VID, chapters=[], description="No timestamps here.")
    assert fetch_video_info(VID).chapters == []


def test_unicode_title(fake_youtube):
    fake_youtube.add(
        VID, title="Surface Go Review - It\u2019s Awesome \U0001f35e", channel="Blogoth\xe8que"
    )
    info = fetch_video_info(VID)
    assert info.title == "Surface Go Review - It\u2019s Awesome \U0001f35e"
    assert info.channel == "Blogoth\xe8que"


def test_metadata_works_when_captions_need_a_po_token(fake_youtube):
    # Metadata does not touch the caption URLs, so a PO-token video still has a title.
    fake_youtube.add(VID, scenario="po_token", title="Still readable")
    assert fetch_video_info(VID).title == "Still readable"


def test_metadata_works_when_transcripts_are_disabled(fake_youtube):
    fake_youtube.add(VID, scenario="transcripts_disabled", title="No captions here")
    assert fetch_video_info(VID).title == "No captions here"


def test_proxy_and_cookies_reach_yt_dlp(fake_youtube, settings, tmp_path):
    from videos import http

    cookies = tmp_path / "cookies.txt"
    cookies.write_text("# Netscape HTTP Cookie File\n")
    settings.YOUTUBE_PROXY_URL = "http://user:pw@proxy.invalid:8080"
    settings.YOUTUBE_COOKIES_FILE = str(cookies)
    ydl = http.youtube_dl({})
    assert ydl.params["proxy"] == "http://user:pw@proxy.invalid:8080"
    assert ydl.params["cookiefile"] == str(cookies)
    assert ydl.params["noplaylist"] is True
    # Still answered by the fake, never by a real proxy.
    fake_youtube.add(VID)
    assert fetch_video_info(VID).title
