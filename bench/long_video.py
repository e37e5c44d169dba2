"""Time the long-video path: a three-hour transcript, an 8k-context model, notes in parallel.

Run from the repository root: ``.venv/bin/python bench/long_video.py`` (``--help`` for the knobs).
Needs no Django settings and no network: the model is the test suite's fake OpenAI-compatible
server on 127.0.0.1, which streams its answers one word per `--token-delay` seconds and refuses
prompts over `--context-limit` tokens, and the real `openai` client talks to it.

It reports the wall time, the LLM calls and their tokens, and two ratios:

- wall / chain: the longest chain of calls that must follow each other (the slowest notes call,
  the slowest merge call of each round, the post). No concurrency can beat it.
- wall / limit: the best any scheduler could do with the chosen concurrency, given the calls'
  measured durations (a longest-first schedule of each parallel round on that many workers,
  plus the post). Close to 1 means the writer itself adds next to nothing.
"""

from __future__ import annotations

import argparse
import heapq
import re
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from providers.openai_compatible import stream_chat
from providers.prompts import MERGE_MARK, NOTES_MARK, PostRequest
from providers.seo import split_seo
from providers.writing import write
from tests.fakes.llm_server import FakeLLMServer
from tests.fakes.transcripts import long_talk

VIDEO_ID = "dQw4w9WgXcQ"
VIDEO_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}"
POST_WORDS = 1000


@dataclass
class Call:
    kind: str
    started: float
    ended: float = 0.0

    @property
    def seconds(self) -> float:
        return self.ended - self.started


@dataclass
class TimedChat:
    """The LLM write() drives, over stream_chat, timing every call."""

    base_url: str
    context_window: int
    name: str = "Fake LLM"
    model: str = "fake-8k"
    calls: list[Call] = field(default_factory=list)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def stream(self, messages: list[dict], *, max_tokens: int | None = None) -> Iterator:
        system = messages[0]["content"]
        kind = "notes" if system.startswith(NOTES_MARK) else "merge"
        kind = kind if system.startswith((NOTES_MARK, MERGE_MARK)) else "post"
        call = Call(kind, time.perf_counter())
        try:
            yield from stream_chat(
                base_url=self.base_url,
                api_key="bench",
                model=self.model,
                messages=messages,
                max_tokens=max_tokens,
                max_retries=0,
            )
        finally:
            call.ended = time.perf_counter()
            with self._lock:
                self.calls.append(call)


def model(body: dict) -> str:
    """A stand-in model that writes about as much as it is asked to."""
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    asked = re.search(r"at most (\d+) words", system)
    words = int(asked.group(1)) if asked else POST_WORDS
    if system.startswith((NOTES_MARK, MERGE_MARK)):
        headings = re.findall(r"^- (\[[\d:]+\]\(\S+\)) (.+)$", user, re.MULTILINE)
        lines = [f"### {title} ({link})" for link, title in headings] or ["### Topic"]
        filler = " ".join(["fact"] * max(words - 12 * len(lines), 10))
        return "\n".join(lines) + f"\n- {filler}."
    sections = dict.fromkeys(re.findall(r"^### (.+)$", user, re.MULTILINE))
    per_section = max(POST_WORDS // max(len(sections), 1), 20)
    body_text = "".join(f"## {h}\n\n{' '.join(['word'] * per_section)}.\n\n" for h in sections)
    return (
        f"# The course\n\nIntro.\n\n{body_text}## Conclusion\n\nDone.\n\n"
        '```json\n{"title": "The course", "description": "All of it.", "tags": ["ml"], '
        '"slug": "the-course"}\n```\n'
    )


def lpt_makespan(durations: list[float], workers: int) -> float:
    """Longest-processing-time-first schedule on `workers`: a near-optimal makespan."""
    loads = [0.0] * max(1, workers)
    for seconds in sorted(durations, reverse=True):
        heapq.heapreplace(loads, loads[0] + seconds)
    return max(loads)


def run(hours: float, concurrency: int, token_delay: float, context_limit: int) -> None:
    title, segments, chapters = long_talk(hours)
    request = PostRequest(
        title=title,
        transcript=" ".join(str(s["text"]) for s in segments),
        segments=segments,
        chapters=chapters,
        video_url=VIDEO_URL,
        video_id=VIDEO_ID,
    )
    with FakeLLMServer() as fake:
        fake.configure(reply=model, token_delay=token_delay, context_limit=context_limit)
        llm = TimedChat(fake.base_url, context_window=context_limit)
        events: list[str] = []
        started = time.perf_counter()
        chunks = list(
            write(request, llm, concurrency=concurrency, on_event=lambda k, m: events.append(m))
        )
        wall = time.perf_counter() - started
        refused = sum(
            1
            for r in fake.requests
            if len("\n".join(m["content"] for m in r.json["messages"])) // 4 > context_limit
        )

    body, seo = split_seo("".join(c.text for c in chunks))
    missing = [c["title"] for c in chapters if c["title"] not in body]
    tokens_in = sum(c.usage.prompt_tokens for c in chunks if c.usage)
    tokens_out = sum(c.usage.completion_tokens for c in chunks if c.usage)
    rounds: dict[str, list[float]] = {}
    for call in llm.calls:
        rounds.setdefault(call.kind, []).append(call.seconds)
    post = sum(rounds.get("post", [0.0]))
    chain = max(rounds.get("notes", [0.0])) + max(rounds.get("merge", [0.0])) + post
    limit = sum(lpt_makespan(rounds.get(k, []), concurrency) for k in ("notes", "merge")) + post
    words = sum(len(str(s["text"]).split()) for s in segments)
    print(
        f"{hours:g} h talk ({words:,} words), context limit {context_limit:,}, "
        f"{token_delay * 1000:g} ms a token, concurrency {concurrency}"
    )
    print(f"  {next((e for e in events if e.startswith('Long')), 'one call')}")
    counts = ", ".join(f"{len(v)} {k}" for k, v in rounds.items())
    print(f"  LLM calls: {len(llm.calls)} ({counts}); refused by the server: {refused}")
    print(f"  tokens: {tokens_in:,} in, {tokens_out:,} out (as the server counts words)")
    print(
        f"  wall {wall:.2f} s; serial sum of calls {sum(c.seconds for c in llm.calls):.2f} s; "
        f"post call {post:.2f} s"
    )
    print(f"  longest call chain {chain:.2f} s -> wall/chain {wall / chain:.2f}")
    print(f"  limit at concurrency {concurrency}: {limit:.2f} s -> wall/limit {wall / limit:.2f}")
    complete = not missing and body.rstrip().endswith("Done.") and seo is not None
    print(
        f"  post: {len(body.split()):,} words, complete: {complete}"
        + (f" {missing}" * bool(missing))
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--hours", type=float, default=3)
    parser.add_argument("--concurrency", type=int, nargs="+", default=[4, 1])
    parser.add_argument("--token-delay", type=float, default=0.004)
    parser.add_argument("--context-limit", type=int, default=8192)
    args = parser.parse_args()
    for concurrency in args.concurrency:
        run(args.hours, concurrency, args.token_delay, args.context_limit)


if __name__ == "__main__":
    main()
