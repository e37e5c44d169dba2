"""A vLLM server (`vllm serve MODEL`); a key only if it was started with --api-key."""

from __future__ import annotations

from providers.kinds.base import SelfHostedKind


class VLLMKind(SelfHostedKind):
    slug = "vllm"
    label = "vLLM"
    # Not 8000, vLLM's own default: BlogTube serves there.
    default_base_url = "http://localhost:8001/v1"
    help_text = "A vLLM server; a key only if it runs with --api-key."
