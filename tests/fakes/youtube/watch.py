"""A video's watch page, innertube player and next responses, and its audio stream."""

from __future__ import annotations

import copy
import html
import json
from typing import Any

from tests.fakes.youtube.catalogue import FakeVideo
from tests.fakes.youtube.pictures import storyboard_spec
from tests.fakes.youtube.recordings import ASSET_FOR_SCENARIO, asset_json
from tests.fakes.youtube.replies import (
    FakeReply,
    json_reply,
    rate_limited,
    unusual_traffic,
    youtube_page,
)


def watch_page(video: FakeVideo) -> FakeReply:
    if video.scenario == "too_many_requests":
        return rate_limited()
    if video.scenario == "captcha":
        # Served with 200, like the recording.
        return unusual_traffic(200)
    return youtube_page(
        f"{video.title} - YouTube",
        _initial_data(video),
        head=f'<meta property="og:title" content="{html.escape(video.title)}">',
        player_response=player_response(video),
    )


def player(video: FakeVideo, payload: dict[str, Any] | None = None) -> FakeReply:
    if video.scenario == "too_many_requests":
        return rate_limited()
    client_name = ((payload or {}).get("context") or {}).get("client", {}).get("clientName")
    if video.scenario == "api_blocked" and client_name != "WEB":
        return json_reply(player_response(video, scenario="blocked"))
    return json_reply(player_response(video))


def watch_next(video: FakeVideo) -> FakeReply:
    # yt-dlp asks the "next" API only when the watch page lacked ytInitialData.
    if video.scenario in ("too_many_requests", "captcha"):
        return rate_limited()
    return json_reply(_initial_data(video))


def player_response(video: FakeVideo, scenario: str | None = None) -> dict[str, Any]:
    """The recorded innertube response for the scenario, adapted to this video."""
    scenario = scenario or video.scenario
    # An IP that gets the captcha page gets the bot check from the API.
    asset = ASSET_FOR_SCENARIO["blocked" if scenario == "captcha" else scenario]
    data = copy.deepcopy(asset_json(asset))
    recorded_id = data.get("videoDetails", {}).get("videoId")
    if recorded_id:
        # Thumbnails, caption URLs and tracking data all carry the recorded id.
        data = json.loads(json.dumps(data).replace(recorded_id, video.video_id))
    # Keep the response small and free of media URLs: yt-dlp must not try
    # to fetch manifests. It reads captions only from a response that has
    # streamingData, so an empty one stays; audio only when a test asks.
    if data.pop("streamingData", None) is not None:
        data["streamingData"] = {
            "expiresInSeconds": "21540",
            "formats": [],
            "adaptiveFormats": [_audio_format(video)] if video.audio else [],
        }
    if "videoDetails" in data:
        data["videoDetails"].update(
            videoId=video.video_id,
            title=video.title,
            author=video.channel,
            channelId=video.channel_id,
            lengthSeconds=str(video.duration),
            shortDescription=video.description,
        )
        data["microformat"] = _microformat(video)
    # The recording's storyboard is another video's: this one's, or none.
    data.pop("storyboards", None)
    if video.storyboard is not None and "videoDetails" in data:
        data["storyboards"] = storyboard_spec(video)
    if scenario in ("ok", "api_blocked"):
        data["captions"] = _captions(video)
    elif scenario == "unplayable":
        # The recording was hand-edited: its error screen still says "not a
        # bot" while the status reason is custom; make the two agree.
        status = data["playabilityStatus"]
        status["errorScreen"]["playerErrorMessageRenderer"]["reason"] = {
            "runs": [{"text": status["reason"]}]
        }
    return data


def _microformat(video: FakeVideo) -> dict[str, Any]:
    stamp = f"{video.upload_date}T09:00:00-07:00"
    return {
        "playerMicroformatRenderer": {
            "title": {"simpleText": video.title},
            "description": {"simpleText": video.description},
            "lengthSeconds": str(video.duration),
            "ownerChannelName": video.channel,
            "externalChannelId": video.channel_id,
            "uploadDate": stamp,
            "publishDate": stamp,
            "category": "Education",
            "thumbnail": {
                "thumbnails": [
                    {
                        "url": f"https://i.ytimg.com/vi/{video.video_id}/maxresdefault.jpg",
                        "width": 1280,
                        "height": 720,
                    }
                ]
            },
        }
    }


def _captions(video: FakeVideo) -> dict[str, Any]:
    tracks = []
    for track in video.tracks:
        url = f"https://www.youtube.com/api/timedtext?v={video.video_id}&lang={track.language_code}"
        if track.generated:
            url += "&kind=asr"
        entry: dict[str, Any] = {
            "baseUrl": url + "&fmt=srv3",
            "name": {"runs": [{"text": track.name}]},
            "vssId": ("a." if track.generated else ".") + track.language_code,
            "languageCode": track.language_code,
            "isTranslatable": track.translatable,
            "trackName": "",
        }
        if track.generated:
            entry["kind"] = "asr"
        tracks.append(entry)
    return {
        "playerCaptionsTracklistRenderer": {
            "captionTracks": tracks,
            "audioTracks": [{"captionTrackIndices": list(range(len(tracks)))}],
            "translationLanguages": [
                {"languageCode": code, "languageName": {"runs": [{"text": name}]}}
                for code, name in video.translation_languages
            ],
            "defaultAudioTrackIndex": 0,
        }
    }


def _initial_data(video: FakeVideo) -> dict[str, Any]:
    chapters = [
        {
            "chapterRenderer": {
                "title": {"simpleText": title},
                "timeRangeStartMillis": start * 1000,
            }
        }
        for start, title in video.chapters
    ]
    return {
        "contents": {
            "twoColumnWatchNextResults": {
                "results": {
                    "results": {
                        "contents": [
                            {
                                "videoSecondaryInfoRenderer": {
                                    "owner": {
                                        "videoOwnerRenderer": {
                                            "title": {"runs": [{"text": video.channel}]},
                                        }
                                    }
                                }
                            }
                        ]
                    }
                }
            }
        },
        "playerOverlays": {
            "playerOverlayRenderer": {
                "decoratedPlayerBarRenderer": {
                    "decoratedPlayerBarRenderer": {
                        "playerBar": {"chapteredPlayerBarRenderer": {"chapters": chapters}}
                    }
                }
            }
        },
    }


def _audio_format(video: FakeVideo) -> dict[str, Any]:
    # A plain URL without the "n" and signature challenges, so yt-dlp needs
    # no JavaScript to use it.
    return {
        "itag": 140,
        "url": f"https://rr1---sn-fake.googlevideo.com/videoplayback?id={video.video_id}&itag=140",
        "mimeType": 'audio/mp4; codecs="mp4a.40.2"',
        "bitrate": 130000,
        "contentLength": str(len(video.audio or b"")),
        "quality": "tiny",
        "audioQuality": "AUDIO_QUALITY_MEDIUM",
        "approxDurationMs": str(video.duration * 1000),
        "audioSampleRate": "16000",
        "audioChannels": 1,
    }


def media(video: FakeVideo) -> FakeReply:
    if video.audio is None:
        return FakeReply(403, b"", "text/plain")
    return FakeReply(200, video.audio, "audio/mp4")
