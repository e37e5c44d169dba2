"""Groq: fast open models behind an OpenAI-compatible API."""

from __future__ import annotations

from providers.kinds.base import ProviderKind


class GroqKind(ProviderKind):
    slug = "groq"
    label = "Groq"
    default_base_url = "https://api.groq.com/openai/v1"
    default_model = "llama-3.3-70b-versatile"
    key_env = "GROQ_API_KEY"
    help_text = "api.groq.com; key from GROQ_API_KEY."
    context_windows = {
        "llama-3.3-70b-versatile": 131_072,
        "llama-3.1-8b-instant": 131_072,
        "llama3-70b-8192": 8_192,
        "llama3-8b-8192": 8_192,
        "mixtral-8x7b-32768": 32_768,
        "gemma2-9b-it": 8_192,
        "openai/gpt-oss": 131_072,
        "gpt-oss": 131_072,
    }
