"""OpenAI itself; OPENAI_BASE_URL may point it at any compatible server."""

from __future__ import annotations

from django.conf import settings

from providers.kinds.base import ProviderKind

OFFICIAL_BASE_URL = "https://api.openai.com/v1"


class OpenAIKind(ProviderKind):
    slug = "openai"
    label = "OpenAI"
    default_base_url = OFFICIAL_BASE_URL
    default_model = "gpt-4o-mini"
    key_env = "OPENAI_API_KEY"
    help_text = "api.openai.com (or OPENAI_BASE_URL); key from OPENAI_API_KEY or admin."
    context_windows = {
        "gpt-5": 400_000,
        "gpt-4.1": 1_047_576,
        "gpt-4o": 128_000,
        "gpt-4-turbo": 128_000,
        "gpt-4": 8_192,
        "gpt-3.5-turbo": 16_385,
        "o1": 200_000,
        "o1-mini": 128_000,
        "o3": 200_000,
        "o3-mini": 200_000,
        "o4-mini": 200_000,
    }

    # Read when asked, so a .env change or a test's settings are seen at once.
    @classmethod
    def base_url_default(cls) -> str:
        return settings.OPENAI_BASE_URL or OFFICIAL_BASE_URL

    @classmethod
    def model_default(cls) -> str:
        return settings.OPENAI_MODEL or cls.default_model
