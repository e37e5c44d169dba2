"""Every kind of provider by its slug, and the LLM adapter the writing code talks to."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from providers.kinds.anthropic import AnthropicKind
from providers.kinds.base import ProviderKind
from providers.kinds.custom import CustomKind
from providers.kinds.deepseek import DeepSeekKind
from providers.kinds.gemini import GeminiKind
from providers.kinds.groq import GroqKind
from providers.kinds.lmstudio import LMStudioKind
from providers.kinds.mistral import MistralKind
from providers.kinds.offline import OfflineKind
from providers.kinds.ollama import OllamaKind
from providers.kinds.openai import OpenAIKind
from providers.kinds.openrouter import OpenRouterKind
from providers.kinds.vllm import VLLMKind
from providers.openai_compatible import StreamChunk, Usage

KINDS: dict[str, type[ProviderKind]] = {
    kind.slug: kind
    for kind in (
        OfflineKind,
        OpenAIKind,
        AnthropicKind,
        GeminiKind,
        OpenRouterKind,
        GroqKind,
        MistralKind,
        DeepSeekKind,
        OllamaKind,
        LMStudioKind,
        VLLMKind,
        CustomKind,
    )
}


def get_kind(slug: str) -> type[ProviderKind]:
    """The kind class for a slug; an unknown one is treated as a plain compatible URL."""
    return KINDS.get(slug, CustomKind)


def kind_choices() -> list[tuple[str, str]]:
    return [(slug, kind.label) for slug, kind in KINDS.items()]


@dataclass
class ProviderLLM:
    """One provider and model, as providers.writing sees an LLM.

    It fills in token usage when the server sent none (estimated from the text),
    so every call the writing code makes is counted.
    """

    kind: ProviderKind
    model: str
    name: str
    context_window: int

    def stream(
        self, messages: list[dict], *, max_tokens: int | None = None
    ) -> Iterator[StreamChunk]:
        from providers import pricing  # pricing reads the price table, a Django model

        written: list[str] = []
        got_usage = False
        for chunk in self.kind.stream(messages, self.model, max_tokens=max_tokens):
            if chunk.usage is not None:
                got_usage = True
            if chunk.text:
                written.append(chunk.text)
            yield chunk
        if not got_usage and not isinstance(self.kind, OfflineKind):
            yield StreamChunk(
                usage=Usage(
                    prompt_tokens=pricing.count_message_tokens(messages, self.model),
                    completion_tokens=pricing.count_tokens("".join(written), self.model),
                )
            )

    def __repr__(self) -> str:
        return f"<ProviderLLM {self.name} {self.model} ctx={self.context_window}>"
