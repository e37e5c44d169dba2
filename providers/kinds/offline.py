"""The built-in extractive writer: no network, no key, no tokens bought."""

from __future__ import annotations

from collections.abc import Iterator

from providers import offline as writer
from providers.kinds.base import ProviderKind
from providers.openai_compatible import StreamChunk
from providers.prompts import PostRequest
from providers.seo import SeoData, seo_block
from providers.writing import EventCallback


class OfflineKind(ProviderKind):
    slug = "offline"
    label = "Built-in offline writer"
    default_model = "extractive"
    requires_key = False
    has_server = False
    is_priced = False
    # It picks sentences that were said: the post is in the transcript's language.
    can_translate = False
    models = ("extractive",)
    help_text = "Writes an extractive post from the transcript itself; needs nothing."
    # It reads the whole transcript at once, whatever its length.
    default_context_window = 1_000_000_000

    def write(
        self, request: PostRequest, model: str = "", *, on_event: EventCallback | None = None
    ) -> Iterator[StreamChunk]:
        post = writer.write(
            title=request.title,
            segments=request.segments or [{"start": 0, "duration": 0, "text": request.transcript}],
            chapters=request.chapters,
            video_url=request.video_url,
            video_id=request.video_id,
            language=request.language,
            length=request.length,
        )
        for piece in writer.stream_post(post.markdown):
            yield StreamChunk(text=piece)
        # Where a model's SEO block goes: the format step takes the tags from it.
        yield StreamChunk(text=seo_block(SeoData(tags=tuple(post.tags))))
