"""Every kind of provider by its slug."""

from __future__ import annotations

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
    """(slug, label) of every kind, for the Provider.kind field."""
    return [(slug, kind.label) for slug, kind in KINDS.items()]
