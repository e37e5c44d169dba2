"""A channel's videos tab and its continuations, as yt-dlp's youtube:tab extractor reads them."""

from __future__ import annotations

import html
import json
from typing import Any

from tests.fakes.youtube.catalogue import FakeChannel, FakeVideo
from tests.fakes.youtube.replies import FakeReply, ytcfg

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
    page = (
        "<!DOCTYPE html><html><head>"
        f"<title>{html.escape(channel.title)} - YouTube</title>"
        "</head><body>"
        f"<script>ytcfg.set({json.dumps(ytcfg())});</script>"
        f"<script>var ytInitialData = {json.dumps(data)};</script>"
        "</body></html>"
    )
    return FakeReply(200, page.encode(), "text/html; charset=utf-8")


def channel_items(
    channel: FakeChannel, start: int, videos: dict[str, FakeVideo]
) -> list[dict[str, Any]]:
    end = start + CHANNEL_PAGE_SIZE
    items: list[dict[str, Any]] = []
    for video_id in channel.video_ids[start:end]:
        video = videos.get(video_id) or FakeVideo(
            video_id=video_id, title=f"Video {video_id}", channel=channel.title
        )
        minutes, seconds = divmod(video.duration, 60)
        # The videos tab names no owner per video: the whole page is the channel's.
        renderer = {
            "videoId": video_id,
            "title": {"runs": [{"text": video.title}]},
            "lengthText": {"simpleText": f"{minutes}:{seconds:02d}"},
            "publishedTimeText": {"simpleText": "2 weeks ago"},
            "viewCountText": {"simpleText": "1,234 views"},
            "navigationEndpoint": {
                "commandMetadata": {"webCommandMetadata": {"url": f"/watch?v={video_id}"}},
                "watchEndpoint": {"videoId": video_id},
            },
        }
        items.append({"richItemRenderer": {"content": {"videoRenderer": renderer}}})
    if end < len(channel.video_ids):
        token = f"channel:{channel.channel_id}:{end}"
        command = {"token": token, "request": "CONTINUATION_REQUEST_TYPE_BROWSE"}
        endpoint = {"continuationCommand": command}
        items.append({"continuationItemRenderer": {"continuationEndpoint": endpoint}})
    return items
