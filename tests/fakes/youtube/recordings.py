"""The recorded YouTube responses shipped inside the youtube-transcript-api wheel."""

from __future__ import annotations

import functools
import json
import re
from importlib import resources
from typing import Any
from xml.etree import ElementTree

ASSET_FOR_SCENARIO = {
    "ok": "youtube.innertube.json.static",
    "po_token": "youtube_po_token_required.innertube.json.static",
    "transcripts_disabled": "youtube_transcripts_disabled.innertube.json.static",
    "unavailable": "youtube_video_unavailable.innertube.json.static",
    "age_restricted": "youtube_age_restricted.innertube.json.static",
    "blocked": "youtube_request_blocked.innertube.json.static",
    "unplayable": "youtube_unplayable.innertube.json.static",
    "api_blocked": "youtube.innertube.json.static",
}


def asset_text(name: str) -> str:
    files = resources.files("youtube_transcript_api.test.assets")
    return files.joinpath(name).read_text(encoding="utf-8")


@functools.cache
def asset_json(name: str) -> dict[str, Any]:
    return json.loads(asset_text(name))


@functools.cache
def innertube_api_key() -> str:
    match = re.search(
        r'"INNERTUBE_API_KEY":\s*"([a-zA-Z0-9_-]+)"', asset_text("youtube.html.static")
    )
    assert match, "the recorded watch page no longer carries an INNERTUBE_API_KEY"
    return match.group(1)


def recorded_lines() -> list[tuple[float, float, str]]:
    root = ElementTree.fromstring(asset_text("transcript.xml.static"))
    return [
        (float(el.get("start", 0)), float(el.get("dur", 0)), el.text or "")
        for el in root.iter("text")
    ]
