"""What the fake YouTube answers with, and the page shell every YouTube page shares."""

from __future__ import annotations

import html
import json
from dataclasses import dataclass
from typing import Any

from tests.fakes.youtube.recordings import asset_text, innertube_api_key

WEB_CLIENT_VERSION = "2.20260708.00.00"
# YouTube's "unusual traffic" page: served with 429 when rate limited, and
# with 200 in place of the watch page when it wants a captcha solved.
UNUSUAL_TRAFFIC_PAGE = "youtube_too_many_requests.html.static"


@dataclass
class FakeReply:
    status: int
    body: bytes
    content_type: str

    @property
    def reason(self) -> str:
        return "Too Many Requests" if self.status == 429 else "OK"


def json_reply(data: dict[str, Any]) -> FakeReply:
    return FakeReply(200, json.dumps(data).encode(), "application/json; charset=utf-8")


def unusual_traffic(status: int) -> FakeReply:
    return FakeReply(status, asset_text(UNUSUAL_TRAFFIC_PAGE).encode(), "text/html")


def rate_limited() -> FakeReply:
    return unusual_traffic(429)


def youtube_page(
    title: str,
    initial_data: dict[str, Any],
    *,
    head: str = "",
    player_response: dict[str, Any] | None = None,
) -> FakeReply:
    """A page as yt-dlp reads it: ytcfg, then the embedded innertube responses."""
    player = (
        f"<script>var ytInitialPlayerResponse = {json.dumps(player_response)};</script>"
        if player_response is not None
        else ""
    )
    page = (
        "<!DOCTYPE html><html><head>"
        f"<title>{html.escape(title)}</title>"
        f"{head}"
        "</head><body>"
        f"<script>ytcfg.set({json.dumps(ytcfg())});</script>"
        f"{player}"
        f"<script>var ytInitialData = {json.dumps(initial_data)};</script>"
        "</body></html>"
    )
    return FakeReply(200, page.encode(), "text/html; charset=utf-8")


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
