"""Writing a post with an LLM, whatever the transcript's length.

A transcript that fits the model's context (with room left for the answer) is one streamed call.
A longer one goes map-reduce: chunks (providers.chunking) are summarized into notes in parallel,
with a bounded number of calls at once; notes too long together are merged in rounds; the post is
then written from the notes in one last streamed call. Only that last call's text reaches the
caller, so the page shows one post growing, never notes.

Every streamed post passes providers.seo's filter: the SEO block the prompt asks for is taken out
of the text as it streams, and stored again in one canonical block at the very end of the text
(``seo.split_seo`` finds it there), so the draft the pipeline keeps carries it to the format step,
and a retry of that step finds it again.
"""

from __future__ import annotations

import math
import re
import threading
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass
from functools import partial
from typing import Protocol

from blogtube_site.errors import BlogTubeError
from blogtube_site.timecodes import clock
from providers import chunking, prompts
from providers.chunking import Chunk, count_tokens, message_tokens
from providers.errors import ContextTooLong
from providers.openai_compatible import StreamChunk, Usage
from providers.prompts import PostRequest
from providers.seo import SeoStreamFilter, seo_block

__all__ = ["LLM", "EventCallback", "write"]

EventCallback = Callable[[str, str], None]  # (kind: "info" | "progress" | "warning", message)

# When a provider does not say: the smallest context a current chat model has.
DEFAULT_CONTEXT_WINDOW = 8192
DEFAULT_CONCURRENCY = 4
# Room left for the post itself (Markdown plus the SEO block), by target length.
ANSWER_TOKENS = {"short": 1200, "medium": 2200, "long": 3600}
# Notes per chunk: enough for the facts of a few minutes of talk, few enough that the notes of
# a long video fit one last call.
NOTE_MAX_TOKENS = 600
NOTE_MIN_TOKENS = 120
MAX_MERGE_ROUNDS = 4
MAX_CONTEXT_RETRIES = 3
_WORDS_PER_TOKEN = 0.7
_SAID_LIMIT = re.compile(r"(?:maximum context length|context (?:length|window)) (?:is|of) (\d+)")


class LLM(Protocol):
    """A chat model that streams: what write() needs of a provider."""

    name: str
    model: str
    context_window: int  # tokens

    def stream(
        self, messages: list[dict], *, max_tokens: int | None = None
    ) -> Iterator[StreamChunk]: ...


def write(
    request: PostRequest,
    llm: LLM,
    *,
    on_event: EventCallback | None = None,
    concurrency: int | None = None,
) -> Iterator[StreamChunk]:
    """The post as streamed text, usage chunks along the way, the SEO block at the end.

    `on_event(kind, message)` hears about the long-video path ("Long transcript: 14 chunks",
    "Summarized chunk 3/14", "Writing the post from the notes"); it is called on the caller's
    thread, and may raise (a cancellation, say) to stop: calls under way are abandoned.
    """
    writer = _Writer(request, llm, on_event, concurrency or default_concurrency())
    return writer.run()


def default_concurrency() -> int:
    from django.conf import settings

    if settings.configured:
        return max(1, int(settings.BLOGTUBE_LLM_CONCURRENCY))
    return DEFAULT_CONCURRENCY


@dataclass(frozen=True)
class _Budgets:
    window: int

    @property
    def margin(self) -> int:
        return 64 + self.window // 20

    def answer(self, length: str) -> int:
        return min(ANSWER_TOKENS.get(length, ANSWER_TOKENS["medium"]), self.window // 3)

    def post_prompt(self, length: str) -> int:
        return self.window - self.answer(length) - self.margin

    @property
    def note_answer(self) -> int:
        return _note_max_tokens(NOTE_MAX_TOKENS)

    @property
    def note_prompt(self) -> int:
        return self.window - self.note_answer - self.margin


def _note_max_tokens(target: int) -> int:
    # A hard stop well past the target: it only catches a model that never stops.
    return int(target * 1.6) + 50


class _Stopped(Exception):
    """Another call failed or the caller stopped: abandon this one."""


class _Writer:
    def __init__(
        self,
        request: PostRequest,
        llm: LLM,
        on_event: EventCallback | None,
        concurrency: int,
    ) -> None:
        self.request = request
        self.llm = llm
        self.on_event = on_event
        self.concurrency = max(1, concurrency)
        self.window = llm.context_window or DEFAULT_CONTEXT_WINDOW
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._events: list[tuple[str, str]] = []  # from worker threads, told on the caller's
        self._tokens_in = 0
        self._tokens_out = 0

    @property
    def budgets(self) -> _Budgets:
        return _Budgets(self.window)

    # --- the two paths -----------------------------------------------------------------

    def run(self) -> Iterator[StreamChunk]:
        messages = prompts.build_messages(self.request)
        fits = message_tokens(messages) <= self.budgets.post_prompt(self.request.length)
        # When our estimate was too kind to this model, it goes the long way after all.
        if fits and (yield from self._try_post(messages)):
            return
        yield from self._long_path()

    def _long_path(self) -> Iterator[StreamChunk]:
        chunks = self._split()
        self._event("info", f"Long transcript: {len(chunks)} chunks")
        notes = self._summarize(chunks)
        yield from self._usage()
        for attempt in range(MAX_CONTEXT_RETRIES + 1):
            notes = yield from self._merge_until_it_fits(notes)
            self._event("info", "Writing the post from the notes")
            messages = prompts.build_combine_messages(self.request, "\n\n".join(notes))
            if (yield from self._try_post(messages, last_try=attempt == MAX_CONTEXT_RETRIES)):
                return
            self._event("warning", "The notes were too long for the model; merging them")

    def _try_post(
        self, messages: list[dict], *, last_try: bool = False
    ) -> Generator[StreamChunk, None, bool]:
        """Stream the post; False when the model said, before any text, that the prompt was
        too long for it (its window is learnt, so the caller can try with less)."""
        streamed = False
        try:
            for chunk in self._stream_post(messages):
                streamed = streamed or bool(chunk.text)
                yield chunk
        except BlogTubeError as error:
            if streamed or not _is_context_error(error) or last_try:
                raise
            self._learn_window(error, message_tokens(messages))
            return False
        return True

    # --- map: notes per chunk ----------------------------------------------------------

    def _split(self) -> list[Chunk]:
        overhead = message_tokens(
            prompts.build_chunk_messages(
                self.request, "", part=99, parts=99, start=0, end=0, chapters=[], words=999
            )
        )
        budget = self.budgets.note_prompt - overhead - self._chapter_allowance()
        if budget < 64:
            raise ContextTooLong(
                f"The context window of {self.llm.model!r} ({self.window} tokens) is too small "
                "to summarize the transcript in parts.",
                detail=f"chunk budget {budget} tokens",
            )
        return chunking.split(self.request, budget)

    def _chapter_allowance(self) -> int:
        # A chunk's prompt lists the chapters it covers: room for the longest few.
        lines = sorted(
            (count_tokens(prompts.chapter_lines(self.request, [c])) for c in self.request.chapters),
            reverse=True,
        )
        return sum(lines[:4]) + 8

    def _summarize(self, chunks: list[Chunk]) -> list[str]:
        words = self._note_words(len(chunks))
        total = len(chunks)
        jobs = [partial(self._notes_for, c, i + 1, total, words) for i, c in enumerate(chunks)]
        bodies = self._parallel(jobs, "Summarized chunk {done}/{total}")
        pairs = zip(chunks, bodies, strict=True)
        return [self._labelled(chunk, i + 1, body) for i, (chunk, body) in enumerate(pairs)]

    def _note_words(self, count: int) -> int:
        """Words per note such that all notes fit the last call, within sensible bounds."""
        overhead = message_tokens(prompts.build_combine_messages(self.request, ""))
        room = self.budgets.post_prompt(self.request.length) - overhead - 40 * count
        tokens = max(NOTE_MIN_TOKENS, min(NOTE_MAX_TOKENS, room // max(count, 1)))
        return int(tokens * _WORDS_PER_TOKEN)

    def _notes_for(self, chunk: Chunk, part: int, parts: int, words: int, depth: int = 0) -> str:
        messages = prompts.build_chunk_messages(
            self.request,
            chunk.text,
            part=part,
            parts=parts,
            start=chunk.start,
            end=chunk.end,
            chapters=chunk.chapters,
            words=words,
        )
        max_tokens = _note_max_tokens(int(words / _WORDS_PER_TOKEN))
        fits = message_tokens(messages) <= self.window - max_tokens - self.budgets.margin
        if fits:
            try:
                return self._complete(messages, max_tokens)
            except BlogTubeError as error:
                if not _is_context_error(error):
                    raise
                self._learn_window(error, message_tokens(messages))
        halves = chunking.halve(self.request, chunk)
        if not halves:
            raise ContextTooLong(
                f"A single caption line is too long for {self.llm.model!r}.",
                detail=f"{chunk.tokens} tokens in one piece, window {self.window}",
            )
        if depth == 0:
            self._queue_event("info", f"Chunk {part} was too long for the model: splitting it")
        half_words = max(int(NOTE_MIN_TOKENS * _WORDS_PER_TOKEN), words // 2)
        return "\n\n".join(
            self._notes_for(half, part, parts, half_words, depth + 1) for half in halves
        )

    def _labelled(self, chunk: Chunk, part: int, body: str) -> str:
        label = f"## Part {part}"
        if chunk.start is not None:
            when = (
                prompts.moment(self.request.video_id, chunk.start)
                if self.request.links_timestamps
                else clock(chunk.start)
            )
            label += f" (from {when})"
        return f"{label}\n\n{body.strip()}"

    # --- reduce: merge notes until they fit one call -----------------------------------

    def _merge_until_it_fits(self, notes: list[str]) -> Iterator[StreamChunk]:
        for _ in range(MAX_MERGE_ROUNDS):
            messages = prompts.build_combine_messages(self.request, "\n\n".join(notes))
            if message_tokens(messages) <= self.budgets.post_prompt(self.request.length):
                return notes
            groups = self._groups(notes)
            self._event("info", f"Merging the notes of {len(notes)} parts into {len(groups)}")
            words = self._note_words(len(groups))
            jobs = [partial(self._merge, g, words) for g in groups]
            notes = self._parallel(jobs, "Merged notes {done}/{total}")
            yield from self._usage()
        messages = prompts.build_combine_messages(self.request, "\n\n".join(notes))
        if message_tokens(messages) <= self.budgets.post_prompt(self.request.length):
            return notes
        raise ContextTooLong(
            f"Even condensed, the notes of this video do not fit {self.llm.model!r}.",
            suggestions=("Pick a model with a larger context window.", "Choose a shorter length."),
            detail=f"window {self.window} tokens",
        )

    def _groups(self, notes: list[str]) -> list[list[str]]:
        """Consecutive notes in groups that each fit one merge call; at least two a group."""
        overhead = message_tokens(prompts.build_merge_messages(self.request, "", words=999))
        budget = self.window - self.budgets.note_answer - self.budgets.margin - overhead
        groups: list[list[str]] = []
        size = 0
        for note in notes:
            tokens = count_tokens(note) + 2
            if groups and (size + tokens <= budget or len(groups[-1]) < 2):
                groups[-1].append(note)
                size += tokens
            else:
                groups.append([note])
                size = tokens
        return groups

    def _merge(self, group: list[str], words: int) -> str:
        messages = prompts.build_merge_messages(self.request, "\n\n".join(group), words=words)
        max_tokens = _note_max_tokens(int(words / _WORDS_PER_TOKEN))
        try:
            return self._complete(messages, max_tokens)
        except BlogTubeError as error:
            if not _is_context_error(error) or len(group) < 2:
                raise
            self._learn_window(error, message_tokens(messages))
        middle = len(group) // 2
        halves = (group[:middle], group[middle:])
        return "\n\n".join(self._merge(half, words // 2) for half in halves)

    # --- calls ----------------------------------------------------------------------

    def _stream_post(self, messages: list[dict]) -> Iterator[StreamChunk]:
        seo_filter = SeoStreamFilter()
        tail = ""
        # No max_tokens: a post cut at a token limit is what this must never produce.
        for chunk in self.llm.stream(messages):
            if chunk.text:
                text = seo_filter.feed(chunk.text)
                if text:
                    tail = (tail + text)[-200:]
                    yield StreamChunk(text=text)
            if chunk.usage is not None:
                yield StreamChunk(usage=chunk.usage)
        text = seo_filter.finish()
        if text:
            tail = (tail + text)[-200:]
            yield StreamChunk(text=text)
        if seo_filter.seo is not None:
            yield StreamChunk(text=seo_block(seo_filter.seo))
        elif tail.strip() and tail.rstrip()[-1] not in ".!?…)]*_`\"'»”":
            self._event("warning", "The model's answer ends mid-sentence: it may be cut short")

    def _complete(self, messages: list[dict], max_tokens: int) -> str:
        """One call run to its end on a worker thread: its text, usage counted."""
        if self._stop.is_set():
            raise _Stopped()
        parts: list[str] = []
        usage: Usage | None = None
        stream = self.llm.stream(messages, max_tokens=max_tokens)
        try:
            for chunk in stream:
                if self._stop.is_set():
                    raise _Stopped()
                if chunk.text:
                    parts.append(chunk.text)
                if chunk.usage is not None:
                    usage = chunk.usage
        finally:
            close = getattr(stream, "close", None)
            if close is not None:
                close()  # closes the connection of an abandoned stream
        text = "".join(parts)
        if usage is None:  # a server that does not report usage: count ourselves
            usage = Usage(message_tokens(messages), count_tokens(text))
        with self._lock:
            self._tokens_in += usage.prompt_tokens
            self._tokens_out += usage.completion_tokens
        return text

    def _parallel(self, jobs: list[Callable[[], str]], progress: str) -> list[str]:
        results: list[str] = [""] * len(jobs)
        pool = ThreadPoolExecutor(
            max_workers=min(self.concurrency, len(jobs)), thread_name_prefix="blogtube-llm"
        )
        futures: dict[Future[str], int] = {pool.submit(job): i for i, job in enumerate(jobs)}
        done_count = 0
        try:
            pending = set(futures)
            while pending:
                done, pending = wait(pending, timeout=0.25, return_when=FIRST_COMPLETED)
                self._tell_queued()
                for future in sorted(done, key=futures.__getitem__):
                    results[futures[future]] = future.result()
                    done_count += 1
                    self._event("progress", progress.format(done=done_count, total=len(jobs)))
        except BaseException:
            # A failed call or a stop from on_event: abandon the rest, do not wait for them.
            self._stop.set()
            pool.shutdown(wait=False, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
        self._tell_queued()
        return results

    def _usage(self) -> Iterator[StreamChunk]:
        with self._lock:
            tokens_in, tokens_out = self._tokens_in, self._tokens_out
            self._tokens_in = self._tokens_out = 0
        if tokens_in or tokens_out:
            yield StreamChunk(usage=Usage(tokens_in, tokens_out))

    # --- context and events ---------------------------------------------------------

    def _learn_window(self, error: BlogTubeError, sent_tokens: int) -> None:
        """Believe the server over the configured size: its own number, or less than we sent."""
        said = _SAID_LIMIT.search(f"{error.detail} {error.message}")
        with self._lock:
            if said and int(said.group(1)) < self.window:
                self.window = int(said.group(1))
            else:
                self.window = max(1024, min(self.window, math.floor(sent_tokens * 0.75)))

    def _event(self, kind: str, message: str) -> None:
        if self.on_event is not None:
            self.on_event(kind, message)

    def _queue_event(self, kind: str, message: str) -> None:
        with self._lock:
            self._events.append((kind, message))

    def _tell_queued(self) -> None:
        with self._lock:
            events, self._events = self._events, []
        for kind, message in events:
            self._event(kind, message)


def _is_context_error(error: BlogTubeError) -> bool:
    return error.code == ContextTooLong.code
