"""LM Studio's local server: no key, whichever model is loaded."""

from __future__ import annotations

from providers.kinds.base import SelfHostedKind


class LMStudioKind(SelfHostedKind):
    slug = "lmstudio"
    label = "LM Studio"
    default_base_url = "http://localhost:1234/v1"
    help_text = "LM Studio's local server; no key; set the default model to the loaded one."
    # LM Studio loads models with 4096 tokens of context unless told otherwise.
    default_context_window = 4_096
    found_on_this_machine = True
