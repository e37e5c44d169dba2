"""Any other OpenAI-compatible URL (llama.cpp, LocalAI, a company gateway...)."""

from __future__ import annotations

from providers.kinds.base import ProviderKind


class CustomKind(ProviderKind):
    slug = "custom"
    label = "OpenAI-compatible URL"
    requires_key = False
    help_text = "Any OpenAI-compatible base URL (usually ending in /v1); a key if it wants one."
