"""A channel's videos tab and its continuations, as yt-dlp's youtube:tab extractor reads them."""

from __future__ import annotations

from typing import Any

from tests.fakes.youtube.catalogue import FakeChannel, FakeVideo
from tests.fakes.youtube.replies import FakeReply, youtube_page
from tests.fakes.youtube.tabs import (
    continuation_item,
    continuation_reply,
    length_text,
    listed_video,
)

# YouTube's channel videos tab and each continuation carry this many videos.
CHANNEL_PAGE_SIZE = 30


def channel_page(channel: FakeChannel | None, videos: dict[str, FakeVideo]) -> FakeReply:
    if channel is None:
        page = "<!DOCTYPE html><html><head><title>404 Not Found</title></head></html>"
        return FakeReply(404, page.encode(), "text/html; charset=utf-8")

    def tab(name: str, **more: Any) -> dict[str, Any]:
        url = f"/{channel.handle}/{name.lower()}"
        endpoint = {"commandMetadata": {"webCommandMetadata": {"url": url}}}
        return {"tabRenderer": {"title": name, "endpoint": endpoint, **more}}

    grid = {"richGridRenderer": {"contents": channel_items(channel, 0, videos)}}
    data = {
        "contents": {
            "twoColumnBrowseResultsRenderer": {
                "tabs": [
                    tab("Home"),
                    tab("Videos", selected=True, content=grid),
                    tab("Playlists"),
                ]
            }
        },
        "metadata": {
            "channelMetadataRenderer": {
                "title": channel.title,
                "description": "",
                "externalId": channel.channel_id,
                "channelUrl": f"https://www.youtube.com/channel/{channel.channel_id}",
                "vanityChannelUrl": f"http://www.youtube.com/{channel.handle}",
            }
        },
        "responseContext": {},
    }
    return youtube_page(f"{channel.title} - YouTube", data)


def channel_continuation(
    channel: FakeChannel, start: int, videos: dict[str, FakeVideo]
) -> FakeReply:
    return continuation_reply(channel_items(channel, start, videos))


def channel_items(
    channel: FakeChannel, start: int, videos: dict[str, FakeVideo]
) -> list[dict[str, Any]]:
    end = start + CHANNEL_PAGE_SIZE
    items: list[dict[str, Any]] = []
    for video_id in channel.video_ids[start:end]:
        video = listed_video(videos, video_id, channel.title, channel.channel_id)
        # The videos tab names no owner per video: the whole page is the channel's.
        renderer = {
            "videoId": video_id,
            "title": {"runs": [{"text": video.title}]},
            "lengthText": length_text(video.duration),
            "publishedTimeText": {"simpleText": "2 weeks ago"},
            "viewCountText": {"simpleText": "1,234 views"},
            "navigationEndpoint": {
                "commandMetadata": {"webCommandMetadata": {"url": f"/watch?v={video_id}"}},
                "watchEndpoint": {"videoId": video_id},
            },
        }
        items.append({"richItemRenderer": {"content": {"videoRenderer": renderer}}})
    if end < len(channel.video_ids):
        items.append(continuation_item(f"channel:{channel.channel_id}:{end}"))
    return items
