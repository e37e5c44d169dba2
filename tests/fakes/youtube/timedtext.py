"""The /api/timedtext endpoint: a video's caption lines in the format asked for."""

from __future__ import annotations

import html
from typing import Any

from tests.fakes.youtube.catalogue import FakeVideo
from tests.fakes.youtube.recordings import asset_text, recorded_lines
from tests.fakes.youtube.replies import FakeReply, json_reply, rate_limited


def timedtext(video: FakeVideo, query: dict[str, list[str]]) -> FakeReply:
    if video.scenario == "too_many_requests":
        return rate_limited()
    lang = query.get("lang", [""])[0]
    tlang = query.get("tlang", [""])[0]
    generated = query.get("kind", [""])[0] == "asr"
    # youtube-transcript-api strips fmt (YouTube's first format); yt-dlp asks for one.
    fmt = query.get("fmt", [""])[0]
    if lang == "en" and not generated and not tlang:
        if video.transcript is not None:
            lines = video.transcript
        elif fmt in ("", "srv1"):
            # The recorded timedtext, verbatim.
            return FakeReply(200, asset_text("transcript.xml.static").encode(), "text/xml")
        else:
            lines = recorded_lines()
    else:
        label = f"{lang}{' auto' if generated else ''}{f' to {tlang}' if tlang else ''}"
        lines = [
            (0.0, 1.5, f"[{label}] first line"),
            (1.5, 2.25, f"[{label}] second line"),
            (3.75, 2.0, f"[{label}] third line"),
        ]
    if fmt in ("", "srv1"):
        return FakeReply(200, timedtext_xml(lines).encode(), "text/xml; charset=utf-8")
    if fmt == "json3":
        return json_reply(timedtext_json3(lines, rolling=generated))
    if fmt == "srv3":
        return FakeReply(200, timedtext_srv3(lines).encode(), "text/xml; charset=utf-8")
    if fmt == "vtt":
        return FakeReply(200, timedtext_vtt(lines, rolling=generated).encode(), "text/vtt")
    return FakeReply(404, b"", "text/html")


def timedtext_xml(lines: list[tuple[float, float, str]]) -> str:
    items = "\n".join(
        f'    <text start="{start}" dur="{dur}">{html.escape(text)}</text>'
        for start, dur, text in lines
    )
    return f'<?xml version="1.0" encoding="utf-8" ?>\n<transcript>\n{items}\n</transcript>\n'


def timedtext_json3(lines: list[tuple[float, float, str]], *, rolling: bool) -> dict[str, Any]:
    """YouTube's json3. Automatic captions come word by word (tOffsetMs), each
    line followed by an "aAppend" newline event, as YouTube serves them."""
    events: list[dict[str, Any]] = [
        {"tStartMs": 0, "dDurationMs": 999999, "id": 1, "wpWinPosId": 1}
    ]
    for start, dur, text in lines:
        start_ms, dur_ms = int(start * 1000), int(dur * 1000)
        if not rolling:
            events.append({"tStartMs": start_ms, "dDurationMs": dur_ms, "segs": [{"utf8": text}]})
            continue
        words = text.split()
        step = dur_ms // max(len(words), 1)
        segs = [
            {"utf8": (" " if i else "") + word, **({"tOffsetMs": i * step} if i else {})}
            for i, word in enumerate(words)
        ]
        events.append({"tStartMs": start_ms, "dDurationMs": dur_ms, "wWinId": 1, "segs": segs})
        events.append(
            {
                "tStartMs": start_ms + dur_ms,
                "dDurationMs": 10,
                "wWinId": 1,
                "aAppend": 1,
                "segs": [{"utf8": "\n"}],
            }
        )
    return {"wireMagic": "pb3", "events": events}


def timedtext_srv3(lines: list[tuple[float, float, str]]) -> str:
    items = "\n".join(
        f'<p t="{int(start * 1000)}" d="{int(dur * 1000)}">{html.escape(text)}</p>'
        for start, dur, text in lines
    )
    return (
        '<?xml version="1.0" encoding="utf-8" ?><timedtext format="3">\n'
        f"<body>\n{items}\n</body>\n</timedtext>\n"
    )


def _vtt_time(seconds: float) -> str:
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):02d}:{int(minutes):02d}:{secs:06.3f}"


def timedtext_vtt(lines: list[tuple[float, float, str]], *, rolling: bool) -> str:
    """WebVTT; automatic captions roll: each cue repeats the line before it."""
    cues = ["WEBVTT\nKind: captions\nLanguage: en\n"]
    previous = ""
    for start, dur, text in lines:
        shown = f"{previous}\n{text}" if rolling and previous else text
        cues.append(f"{_vtt_time(start)} --> {_vtt_time(start + dur)}\n{shown}\n")
        previous = text
    return "\n".join(cues)
