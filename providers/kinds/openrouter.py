"""OpenRouter: many vendors' models behind one key, named "vendor/model"."""

from __future__ import annotations

from django.conf import settings

from providers.kinds.anthropic import AnthropicKind
from providers.kinds.base import ProviderKind
from providers.kinds.deepseek import DeepSeekKind
from providers.kinds.gemini import GeminiKind
from providers.kinds.groq import GroqKind
from providers.kinds.mistral import MistralKind
from providers.kinds.openai import OpenAIKind


class OpenRouterKind(ProviderKind):
    slug = "openrouter"
    label = "OpenRouter"
    default_base_url = "https://openrouter.ai/api/v1"
    default_model = "openai/gpt-4o-mini"
    key_env = "OPENROUTER_API_KEY"
    help_text = "openrouter.ai; models are named vendor/model; key from OPENROUTER_API_KEY."
    # The vendor part is dropped before the lookup: "anthropic/claude-3.5-sonnet" -> "claude...".
    context_windows = {
        **OpenAIKind.context_windows,
        **AnthropicKind.context_windows,
        **GeminiKind.context_windows,
        **GroqKind.context_windows,
        **MistralKind.context_windows,
        **DeepSeekKind.context_windows,
    }

    def headers(self) -> dict[str, str]:
        # OpenRouter attributes requests to an app by these two (optional) headers.
        site = settings.BLOGTUBE_SITE_URL
        return {"HTTP-Referer": site, "X-Title": "BlogTube"}
