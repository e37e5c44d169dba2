"""Google Gemini through its OpenAI-compatible endpoint."""

from __future__ import annotations

from providers.kinds.base import ProviderKind


class GeminiKind(ProviderKind):
    slug = "gemini"
    label = "Google Gemini"
    default_base_url = "https://generativelanguage.googleapis.com/v1beta/openai/"
    default_model = "gemini-2.5-flash"
    key_env = "GEMINI_API_KEY"
    help_text = "Gemini's OpenAI-compatible endpoint; key from GEMINI_API_KEY."
    context_windows = {"gemini": 1_048_576, "gemini-1.5-pro": 2_097_152, "gemma": 8_192}
    default_context_window = 1_048_576

    def model_id(self, listed: str) -> str:
        # It lists "models/gemini-2.5-flash" and expects "gemini-2.5-flash" back.
        return listed.removeprefix("models/")
