"""What a playlist page and a channel's videos tab share, as yt-dlp's youtube:tab reads them."""

from __future__ import annotations

from typing import Any

from tests.fakes.youtube.catalogue import FakeVideo
from tests.fakes.youtube.replies import FakeReply, json_reply


def listed_video(
    videos: dict[str, FakeVideo], video_id: str, channel: str, channel_id: str
) -> FakeVideo:
    """The registered video, or a stand-in so a long listing needs no add() per entry."""
    return videos.get(video_id) or FakeVideo(
        video_id=video_id, title=f"Video {video_id}", channel=channel, channel_id=channel_id
    )


def length_text(seconds: int) -> dict[str, str]:
    minutes, seconds = divmod(seconds, 60)
    return {"simpleText": f"{minutes}:{seconds:02d}"}


def channel_link(name: str, channel_id: str) -> dict[str, Any]:
    endpoint = {"browseId": channel_id, "canonicalBaseUrl": f"/channel/{channel_id}"}
    return {"runs": [{"text": name, "navigationEndpoint": {"browseEndpoint": endpoint}}]}


def continuation_item(token: str) -> dict[str, Any]:
    """The last item of a page that has more: yt-dlp sends ``token`` back to browse."""
    command = {"token": token, "request": "CONTINUATION_REQUEST_TYPE_BROWSE"}
    endpoint = {"continuationCommand": command}
    return {"continuationItemRenderer": {"continuationEndpoint": endpoint}}


def continuation_reply(items: list[dict[str, Any]]) -> FakeReply:
    """The browse API's answer to a continuation token: the next page of items."""
    return json_reply(
        {
            "onResponseReceivedActions": [
                {"appendContinuationItemsAction": {"continuationItems": items}}
            ],
            "responseContext": {},
        }
    )
