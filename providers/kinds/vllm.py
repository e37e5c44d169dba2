"""A vLLM server (`vllm serve MODEL`); a key only if it was started with --api-key."""

from __future__ import annotations

from providers.kinds.base import ProviderKind


class VLLMKind(ProviderKind):
    slug = "vllm"
    label = "vLLM"
    # Not 8000, vLLM's own default: BlogTube serves there.
    default_base_url = "http://localhost:8001/v1"
    requires_key = False
    is_priced = False  # it runs on someone's own machine
    help_text = "A vLLM server; a key only if it runs with --api-key."
