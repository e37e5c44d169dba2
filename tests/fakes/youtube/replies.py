"""What the fake YouTube answers with, and the pieces every page shares."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from tests.fakes.youtube.recordings import asset_text, innertube_api_key

WEB_CLIENT_VERSION = "2.20260708.00.00"


@dataclass
class FakeReply:
    status: int
    body: bytes
    content_type: str


def rate_limited() -> FakeReply:
    return FakeReply(429, asset_text("youtube_too_many_requests.html.static").encode(), "text/html")


def ytcfg() -> dict[str, Any]:
    return {
        "INNERTUBE_API_KEY": innertube_api_key(),
        "INNERTUBE_CLIENT_NAME": "WEB",
        "INNERTUBE_CLIENT_VERSION": WEB_CLIENT_VERSION,
        "INNERTUBE_CONTEXT_CLIENT_NAME": 1,
        "INNERTUBE_CONTEXT": {
            "client": {"clientName": "WEB", "clientVersion": WEB_CLIENT_VERSION, "hl": "en"}
        },
    }
