"""A playlist's page and its continuations, as yt-dlp's youtube:tab extractor reads them."""

from __future__ import annotations

from typing import Any

from tests.fakes.youtube.catalogue import FakePlaylist, FakeVideo
from tests.fakes.youtube.replies import FakeReply, json_reply, youtube_page
from tests.fakes.youtube.tabs import (
    channel_link,
    continuation_item,
    continuation_reply,
    length_text,
    listed_video,
)

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
    return youtube_page(title, data)


def playlist_reload(playlist: FakePlaylist, videos: dict[str, FakeVideo]) -> FakeReply:
    """yt-dlp's "show unavailable videos" reload: the page's data, from the browse API."""
    return json_reply(playlist_data(playlist, videos))


def playlist_continuation(
    playlist: FakePlaylist, start: int, videos: dict[str, FakeVideo]
) -> FakeReply:
    return continuation_reply(playlist_items(playlist, start, videos))


def playlist_data(playlist: FakePlaylist, videos: dict[str, FakeVideo]) -> dict[str, Any]:
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
                "ownerText": channel_link(playlist.channel, playlist.channel_id),
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
        items.append(continuation_item(f"{playlist.playlist_id}:{end}"))
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
    video = listed_video(videos, video_id, playlist.channel, playlist.channel_id)
    renderer.update(
        title={"runs": [{"text": video.title}]},
        lengthSeconds=str(video.duration),
        lengthText=length_text(video.duration),
        shortBylineText=channel_link(video.channel, video.channel_id),
        isPlayable=True,
    )
    return {"playlistVideoRenderer": renderer}
