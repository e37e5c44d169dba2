"""Ollama on this machine (or another): no key, models pulled with `ollama pull`."""

from __future__ import annotations

from providers.kinds.base import SelfHostedKind


class OllamaKind(SelfHostedKind):
    slug = "ollama"
    label = "Ollama"
    default_base_url = "http://localhost:11434/v1"
    default_model = "llama3.2"
    help_text = "A local Ollama server; no key. Pull the model first: ollama pull llama3.2."
    # Ollama serves 4096 tokens of context unless OLLAMA_CONTEXT_LENGTH says otherwise, and
    # cuts longer prompts silently: plan for what it really takes, not what the model could.
    default_context_window = 4_096
    found_on_this_machine = True
