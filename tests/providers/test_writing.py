"""Writing a post against the fake OpenAI-compatible server: SEO data, streaming, long videos."""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator

import pytest

from blogtube_site.errors import BlogTubeError
from providers.openai_compatible import StreamChunk, stream_chat
from providers.prompts import MERGE_MARK, NOTES_MARK, PostRequest
from providers.seo import SeoStreamFilter, parse_seo, split_seo
from providers.writing import write
from tests.fakes.transcripts import long_talk
from tests.providers.post_requests import VIDEO_ID, post_request

SEO_JSON = (
    '{"title": "Brew Better Coffee", "description": "Grind fresh, weigh, bloom.", '
    '"tags": ["coffee", "brewing"], "slug": "brew-better-coffee"}'
)
POST = "# Better Coffee\n\nCoffee at home can be great.\n\n## Grinding\n\nGrind just before.\n"


class FakeChat:
    """An LLM (providers.writing.LLM) over stream_chat, counting the calls under way."""

    def __init__(self, base_url: str, context_window: int = 8192) -> None:
        self.name = "Fake LLM"
        self.model = "fake-model"
        self.context_window = context_window
        self.base_url = base_url
        self.active = 0
        self.most_active = 0
        self._lock = threading.Lock()

    def stream(self, messages: list[dict], *, max_tokens: int | None = None) -> Iterator:
        with self._lock:
            self.active += 1
            self.most_active = max(self.most_active, self.active)
        try:
            yield from stream_chat(
                base_url=self.base_url,
                api_key="sk-test",
                model=self.model,
                messages=messages,
                provider_name=self.name,
                max_tokens=max_tokens,
                max_retries=0,
            )
        finally:
            with self._lock:
                self.active -= 1


def _text(chunks: list[StreamChunk]) -> str:
    return "".join(c.text for c in chunks)


# --- SEO data: parsed, tolerated, taken out of the post ----------------------------


def test_the_seo_block_leaves_the_stream_and_is_kept_at_the_end(fake_llm) -> None:
    fake_llm.configure(reply=POST + "\n```json\n" + SEO_JSON + "\n```\n")
    chunks = list(write(post_request(), FakeChat(fake_llm.base_url)))

    text = _text(chunks)
    body, seo = split_seo(text)
    assert body.strip() == POST.strip()
    assert seo is not None
    assert seo.title == "Brew Better Coffee"
    assert seo.tags == ("coffee", "brewing")
    assert seo.slug == "brew-better-coffee"
    assert len(fake_llm.requests) == 1
    assert any(c.usage for c in chunks)


def test_the_post_streams_word_by_word(fake_llm) -> None:
    # One long paragraph: a writer that waited for line ends would send it in one piece.
    paragraph = "Coffee is best ground fresh. " * 60
    fake_llm.configure(reply=f"# Coffee\n\n{paragraph}\n\n```json\n{SEO_JSON}\n```")
    pieces = [c.text for c in write(post_request(), FakeChat(fake_llm.base_url)) if c.text]
    assert len(pieces) > 100
    assert "```json" not in "".join(pieces[:-1])  # only the last piece is the block


def test_a_block_the_model_writes_first_is_taken_out_too(fake_llm) -> None:
    fake_llm.configure(reply=f"{SEO_JSON}\n\n{POST}")
    body, seo = split_seo(_text(list(write(post_request(), FakeChat(fake_llm.base_url)))))
    assert body.startswith("# Better Coffee")
    assert seo is not None and seo.title == "Brew Better Coffee"


def test_a_model_that_ignores_the_format_still_gives_its_post(fake_llm) -> None:
    fake_llm.configure(reply=POST)
    text = _text(list(write(post_request(), FakeChat(fake_llm.base_url))))
    assert text == POST
    assert split_seo(text) == (POST, None)


@pytest.mark.parametrize(
    "block",
    [
        "```json\n" + SEO_JSON + "\n```",
        "```\n" + SEO_JSON + "\n```",
        SEO_JSON,
        '```JSON\n{"Title": "Brew Better Coffee", "meta_description": "Grind fresh, weigh, '
        'bloom.", "keywords": "coffee, brewing", "slug": "Brew Better Coffee",}\n```',
    ],
)
def test_seo_blocks_in_the_forms_models_write(block: str) -> None:
    body, seo = split_seo(f"{POST}\n{block}\n")
    assert body.strip() == POST.strip()
    assert seo is not None
    assert (seo.title, seo.description) == ("Brew Better Coffee", "Grind fresh, weigh, bloom.")
    assert seo.tags == ("coffee", "brewing")
    assert seo.slug == "brew-better-coffee"


def test_json_inside_a_tutorial_stays_in_the_post() -> None:
    example = '```json\n{"name": "espresso", "grams": 18}\n```\n\nThen brew.\n'
    seo_example = '```json\n{"title": "x", "tags": ["y"]}\n```\n\nThat is the format.\n'
    for text in (f"{POST}\n{example}", f"{POST}\n{seo_example}"):
        body, seo = split_seo(text)
        assert body == text
        assert seo is None


def test_a_long_description_is_clipped_to_160_characters() -> None:
    seo = parse_seo('{"title": "T", "description": "' + "word " * 60 + '"}')
    assert seo is not None
    assert len(seo.description) <= 160
    assert seo.description.endswith("…")


def test_the_stream_filter_holds_back_only_what_could_open_a_block() -> None:
    seo_filter = SeoStreamFilter()
    assert seo_filter.feed("# Title\n\nSome te") == "# Title\n\nSome te"
    assert seo_filter.feed("xt.\n``") == "xt.\n"
    assert seo_filter.feed("`json\n" + SEO_JSON + "\n```\n\n") == ""
    assert seo_filter.finish() == ""
    assert seo_filter.seo is not None


# --- transcripts that fit, and those that do not ---------------------------------


def test_a_short_transcript_is_one_call(fake_llm) -> None:
    fake_llm.configure(reply=POST, context_limit=8000)
    events: list[tuple[str, str]] = []
    list(write(post_request(), FakeChat(fake_llm.base_url), on_event=lambda *e: events.append(e)))
    assert len(fake_llm.requests) == 1
    assert events == []


def _notes_reply(user: str) -> str:
    """Notes on a part: a heading per chapter named in the prompt, with its time link."""
    chapters = re.findall(r"^- (\[[\d:]+\]\(\S+\)) (.+)$", user, re.MULTILINE)
    return "\n\n".join(f"### {title} ({link})\n- A fact about {title}." for link, title in chapters)


def _post_reply(user: str) -> str:
    """A post with a section per chapter heading found in the notes, once each, in order."""
    sections: dict[str, str] = {}
    for heading in re.findall(r"^### (.+)$", user, re.MULTILINE):
        title = re.sub(r"\s*\(\[.*$", "", heading)
        sections.setdefault(title, heading)
    body = "".join(f"## {h}\n\nWhat the speaker says about it.\n\n" for h in sections.values())
    return (
        f"# The Course\n\nAn introduction.\n\n{body}## Conclusion\n\nThat is the course.\n\n"
        f"```json\n{SEO_JSON}\n```\n"
    )


def _model(body: dict, *, verbose_notes: bool = False) -> str:
    system, user = body["messages"][0]["content"], body["messages"][-1]["content"]
    if system.startswith(NOTES_MARK):
        notes = _notes_reply(user)
        # A model that ignores the word limit it was given.
        return notes + "\n- Details. " + "More detail. " * 150 if verbose_notes else notes
    if system.startswith(MERGE_MARK):
        return "\n".join(line for line in user.splitlines() if line.startswith("###"))
    return _post_reply(user)


def _assert_complete(text: str, request: PostRequest) -> None:
    body, seo = split_seo(text)
    for chapter in request.chapters:
        link = f"https://youtu.be/{VIDEO_ID}?t={int(chapter['start'])}"
        heading = rf"^## {re.escape(chapter['title'])} \(\[[\d:]+\]\({re.escape(link)}\)\)$"
        assert re.search(heading, body, re.MULTILINE), chapter["title"]
    assert body.rstrip().endswith("That is the course.")
    assert seo is not None


def test_a_three_hour_talk_with_an_8k_model_gives_a_complete_post(fake_llm) -> None:
    # The first four calls are held until all four are open: never more than four at
    # once is the writer's doing, at least four is shown by order instead of by luck.
    fake_llm.configure(reply=_model, context_limit=8000, token_delay=0.0005, rendezvous=4)
    request = post_request(long_talk(3))
    llm = FakeChat(fake_llm.base_url, context_window=8192)
    events: list[tuple[str, str]] = []

    chunks = list(write(request, llm, on_event=lambda *e: events.append(e)))

    _assert_complete(_text(chunks), request)
    announced = next(m for _, m in events if m.startswith("Long transcript"))
    parts = int(re.search(r"(\d+) chunks", announced).group(1))
    assert parts >= 8
    assert len(fake_llm.requests) == parts + 1  # a call per chunk and one for the post
    assert ("progress", f"Summarized chunk {parts}/{parts}") in events
    assert events[-1] == ("info", "Writing the post from the notes")
    # Never over the limit: the server never had to refuse.
    for recorded in fake_llm.requests:
        sent = "\n".join(m["content"] for m in recorded.json["messages"])
        assert len(sent) // 4 <= 8000
    assert llm.most_active == 4
    usage = [c.usage for c in chunks if c.usage]
    assert sum(u.prompt_tokens for u in usage) > 20000


def test_the_concurrency_is_bounded_as_configured(fake_llm) -> None:
    fake_llm.configure(reply=_model, context_limit=8000, token_delay=0.0005, rendezvous=2)
    llm = FakeChat(fake_llm.base_url, context_window=8192)
    list(write(post_request(long_talk(1)), llm, concurrency=2))
    assert llm.most_active == 2
    assert fake_llm.peak_streams == 2


def test_a_model_smaller_than_it_says_shrinks_the_chunks_instead_of_failing(fake_llm) -> None:
    fake_llm.configure(reply=_model, context_limit=8000)
    request = post_request(long_talk(3))
    events: list[tuple[str, str]] = []

    llm = FakeChat(fake_llm.base_url, context_window=32000)

    chunks = list(write(request, llm, on_event=lambda *e: events.append(e)))

    _assert_complete(_text(chunks), request)
    assert any("too long for the model" in m for _, m in events)


def test_notes_too_long_together_are_merged_before_the_post(fake_llm) -> None:
    fake_llm.configure(reply=lambda body: _model(body, verbose_notes=True), context_limit=8000)
    request = post_request(long_talk(3))
    events: list[tuple[str, str]] = []

    llm = FakeChat(fake_llm.base_url)

    chunks = list(write(request, llm, on_event=lambda *e: events.append(e)))

    _assert_complete(_text(chunks), request)
    assert any(m.startswith("Merging the notes") for _, m in events)
    final = fake_llm.requests[-1].json["messages"]
    assert len("\n".join(m["content"] for m in final)) // 4 <= 8000


def test_an_event_handler_can_stop_the_work(fake_llm) -> None:
    fake_llm.configure(reply=_model, context_limit=8000, token_delay=0.001)

    class Stop(Exception):
        pass

    def on_event(kind: str, message: str) -> None:
        if kind == "progress":
            raise Stop()

    with pytest.raises(Stop):
        llm = FakeChat(fake_llm.base_url)
        list(write(post_request(long_talk(3)), llm, on_event=on_event, concurrency=1))
    assert len(fake_llm.requests) <= 2


def test_an_answer_that_stops_mid_sentence_is_reported(fake_llm) -> None:
    fake_llm.configure(reply="# Coffee\n\nGrinding is the most important step because the")
    events: list[tuple[str, str]] = []
    llm = FakeChat(fake_llm.base_url)
    list(write(post_request(), llm, on_event=lambda *e: events.append(e)))
    assert events and events[0][0] == "warning"
    assert "cut short" in events[0][1]


def test_provider_errors_reach_the_caller(fake_llm) -> None:
    fake_llm.configure(fail_status=401)
    with pytest.raises(BlogTubeError) as caught:
        list(write(post_request(), FakeChat(fake_llm.base_url)))
    assert caught.value.code == "PROVIDER_AUTH"
