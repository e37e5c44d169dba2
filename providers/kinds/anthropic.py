"""Anthropic's Claude through its OpenAI-compatible endpoint."""

from __future__ import annotations

from providers.kinds.base import ProviderKind


class AnthropicKind(ProviderKind):
    slug = "anthropic"
    label = "Anthropic (Claude)"
    default_base_url = "https://api.anthropic.com/v1/"
    default_model = "claude-haiku-4-5"
    key_env = "ANTHROPIC_API_KEY"
    help_text = "Claude via api.anthropic.com/v1/ (OpenAI-compatible); key from ANTHROPIC_API_KEY."
    context_windows = {"claude": 200_000}
    default_context_window = 200_000

    def headers(self) -> dict[str, str]:
        # Chat completions take the Bearer key; Anthropic's native endpoints (GET /v1/models,
        # which the health check uses) want these two. Sending both works everywhere.
        headers = {"anthropic-version": "2023-06-01"}
        if self.api_key:
            headers["x-api-key"] = self.api_key
        return headers
