"""The built-in extractive writer: no network, no key, no tokens bought."""

from __future__ import annotations

from collections.abc import Iterator

from providers import offline as writer
from providers.kinds.base import ProviderKind
from providers.openai_compatible import StreamChunk

MODELS = ["extractive"]


class OfflineKind(ProviderKind):
    slug = "offline"
    label = "Built-in offline writer"
    default_model = "extractive"
    requires_key = False
    help_text = "Writes an extractive post from the transcript itself; needs nothing."
    # It reads the whole transcript at once, whatever its length.
    default_context_window = 1_000_000_000

    def stream(
        self, messages: list[dict], model: str, *, max_tokens: int | None = None
    ) -> Iterator[StreamChunk]:
        # Jobs give it the whole PostRequest (providers.services); from bare messages
        # the last user message is the best transcript there is.
        text = next(
            (m.get("content", "") for m in reversed(messages) if m.get("role") == "user"), ""
        )
        post = writer.write_post(title="", segments=[{"start": 0, "duration": 0, "text": text}])
        for piece in writer.stream_post(post):
            yield StreamChunk(text=piece)

    def list_models(self, *, timeout: float | None = None, max_retries: int = 1) -> list[str]:
        return list(MODELS)

    def check(self, *, timeout: float = 0) -> list[str]:
        return list(MODELS)
