"""Mistral AI's API (OpenAI-shaped, stricter about unknown fields)."""

from __future__ import annotations

from providers.kinds.base import ProviderKind


class MistralKind(ProviderKind):
    slug = "mistral"
    label = "Mistral AI"
    default_base_url = "https://api.mistral.ai/v1"
    default_model = "mistral-small-latest"
    key_env = "MISTRAL_API_KEY"
    help_text = "api.mistral.ai; key from MISTRAL_API_KEY."
    context_windows = {
        "mistral-large": 131_072,
        "mistral-medium": 131_072,
        "mistral-small": 32_768,
        "open-mistral-nemo": 131_072,
        "ministral": 131_072,
        "codestral": 256_000,
    }
    default_context_window = 32_768
    # It answers 422 "extra_forbidden" to stream_options, and sends usage at the end anyway.
    supports_stream_usage = False
