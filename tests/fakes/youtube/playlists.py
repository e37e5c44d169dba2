"""A playlist's page and its continuations, as yt-dlp's youtube:tab extractor reads them."""

from __future__ import annotations

import html
import json
from typing import Any

from tests.fakes.youtube.catalogue import FakePlaylist, FakeVideo
from tests.fakes.youtube.replies import FakeReply, ytcfg

# YouTube's playlist page and each continuation carry at most this many videos.
PLAYLIST_PAGE_SIZE = 100
# What YouTube puts in place of a video the viewer may not see.
PRIVATE_TITLE = "[Private video]"
DELETED_TITLE = "[Deleted video]"


def playlist_page(playlist: FakePlaylist, videos: dict[str, FakeVideo]) -> FakeReply:
    if playlist.scenario == "unavailable":
        # What YouTube serves for a playlist that does not exist (or that
        # a stranger may not see): HTTP 200, an ERROR alert and no contents.
        data: dict[str, Any] = {
            "alerts": [
                {
                    "alertRenderer": {
                        "type": "ERROR",
                        "text": {"runs": [{"text": "The playlist does not exist."}]},
                    }
                }
            ],
            "responseContext": {},
        }
        title = "YouTube"
    else:
        data = playlist_data(playlist, videos)
        title = f"{playlist.title} - YouTube"
    page = (
        "<!DOCTYPE html><html><head>"
        f"<title>{html.escape(title)}</title>"
        "</head><body>"
        f"<script>ytcfg.set({json.dumps(ytcfg())});</script>"
        f"<script>var ytInitialData = {json.dumps(data)};</script>"
        "</body></html>"
    )
    return FakeReply(200, page.encode(), "text/html; charset=utf-8")


def playlist_data(playlist: FakePlaylist, videos: dict[str, FakeVideo]) -> dict[str, Any]:
    owner = {
        "runs": [
            {
                "text": playlist.channel,
                "navigationEndpoint": {
                    "browseEndpoint": {
                        "browseId": playlist.channel_id,
                        "canonicalBaseUrl": f"/channel/{playlist.channel_id}",
                    }
                },
            }
        ]
    }
    count = len(playlist.video_ids)
    video_list = {
        "playlistVideoListRenderer": {
            "playlistId": playlist.playlist_id,
            "contents": playlist_items(playlist, 0, videos),
        }
    }
    return {
        "contents": {
            "twoColumnBrowseResultsRenderer": {
                "tabs": [
                    {
                        "tabRenderer": {
                            "selected": True,
                            "content": {
                                "sectionListRenderer": {
                                    "contents": [
                                        {"itemSectionRenderer": {"contents": [video_list]}}
                                    ]
                                }
                            },
                        }
                    }
                ]
            }
        },
        "metadata": {"playlistMetadataRenderer": {"title": playlist.title, "description": ""}},
        "header": {
            "playlistHeaderRenderer": {
                "playlistId": playlist.playlist_id,
                "title": {"simpleText": playlist.title},
                "ownerText": owner,
                "privacy": "PUBLIC",
                "stats": [
                    {"runs": [{"text": str(count)}, {"text": " videos"}]},
                    {"simpleText": "1,234 views"},
                ],
            }
        },
        "responseContext": {},
    }


def playlist_items(
    playlist: FakePlaylist, start: int, videos: dict[str, FakeVideo]
) -> list[dict[str, Any]]:
    """One page of entries from ``start``, with a continuation when more follow."""
    end = start + PLAYLIST_PAGE_SIZE
    items: list[dict[str, Any]] = [
        _playlist_video(playlist, video_id, start + offset + 1, videos)
        for offset, video_id in enumerate(playlist.video_ids[start:end])
    ]
    if end < len(playlist.video_ids):
        items.append(
            {
                "continuationItemRenderer": {
                    "continuationEndpoint": {
                        "continuationCommand": {
                            "token": f"{playlist.playlist_id}:{end}",
                            "request": "CONTINUATION_REQUEST_TYPE_BROWSE",
                        }
                    }
                }
            }
        )
    return items


def _playlist_video(
    playlist: FakePlaylist, video_id: str, index: int, videos: dict[str, FakeVideo]
) -> dict[str, Any]:
    renderer: dict[str, Any] = {
        "videoId": video_id,
        "index": {"simpleText": str(index)},
        "navigationEndpoint": {
            "commandMetadata": {
                "webCommandMetadata": {
                    "url": f"/watch?v={video_id}&list={playlist.playlist_id}&index={index}"
                }
            },
            "watchEndpoint": {
                "videoId": video_id,
                "playlistId": playlist.playlist_id,
                "index": index - 1,
            },
        },
    }
    if video_id in playlist.private or video_id in playlist.deleted:
        placeholder = PRIVATE_TITLE if video_id in playlist.private else DELETED_TITLE
        renderer.update(title={"runs": [{"text": placeholder}]}, isPlayable=False)
        return {"playlistVideoRenderer": renderer}
    video = videos.get(video_id) or FakeVideo(
        video_id=video_id, title=f"Video {video_id}", channel=playlist.channel
    )
    minutes, seconds = divmod(video.duration, 60)
    renderer.update(
        title={"runs": [{"text": video.title}]},
        lengthSeconds=str(video.duration),
        lengthText={"simpleText": f"{minutes}:{seconds:02d}"},
        shortBylineText={
            "runs": [
                {
                    "text": video.channel,
                    "navigationEndpoint": {
                        "browseEndpoint": {
                            "browseId": video.channel_id,
                            "canonicalBaseUrl": f"/channel/{video.channel_id}",
                        }
                    },
                }
            ]
        },
        isPlayable=True,
    )
    return {"playlistVideoRenderer": renderer}
