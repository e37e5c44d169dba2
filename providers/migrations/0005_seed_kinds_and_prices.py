"""The common providers, waiting for a key, and today's price table.

Cloud providers are seeded disabled with "enable when a key is set": setting
GROQ_API_KEY (or entering a key in admin) offers Groq at once, with no visit to
admin, and a provider nobody configured never clutters the New post form. Local
servers (Ollama, LM Studio) have no key to detect: an operator enables them.
Copied here, not imported: a migration must not change when the code does.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.db import migrations

PROVIDERS = [
    # slug, name, kind, default model, position
    ("anthropic", "Anthropic (Claude)", "anthropic", "claude-haiku-4-5", 20),
    ("gemini", "Google Gemini", "gemini", "gemini-2.5-flash", 30),
    ("openrouter", "OpenRouter", "openrouter", "openai/gpt-4o-mini", 40),
    ("groq", "Groq", "groq", "llama-3.3-70b-versatile", 50),
    ("mistral", "Mistral AI", "mistral", "mistral-small-latest", 60),
    ("deepseek", "DeepSeek", "deepseek", "deepseek-chat", 70),
    ("ollama", "Ollama (local)", "ollama", "llama3.2", 80),
    ("lmstudio", "LM Studio (local)", "lmstudio", "", 90),
]
LOCAL = {"ollama", "lmstudio"}

JUNE_2025 = datetime.date(2025, 6, 1)
OCTOBER_2025 = datetime.date(2025, 10, 1)

# USD per 1M tokens (input, output), from the providers' public price pages.
PRICES = {
    JUNE_2025: {
        "extractive": ("0", "0"),
        "gpt-4o": ("2.50", "10.00"),
        "gpt-4o-mini": ("0.15", "0.60"),
        "gpt-4.1": ("2.00", "8.00"),
        "gpt-4.1-mini": ("0.40", "1.60"),
        "gpt-4.1-nano": ("0.10", "0.40"),
        "gpt-4-turbo": ("10.00", "30.00"),
        "gpt-3.5-turbo": ("0.50", "1.50"),
        "o1": ("15.00", "60.00"),
        "o1-mini": ("1.10", "4.40"),
        "o3": ("2.00", "8.00"),
        "o3-mini": ("1.10", "4.40"),
        "o4-mini": ("1.10", "4.40"),
        "claude-3-5-sonnet": ("3.00", "15.00"),
        "claude-3.5-sonnet": ("3.00", "15.00"),
        "claude-3-7-sonnet": ("3.00", "15.00"),
        "claude-3.7-sonnet": ("3.00", "15.00"),
        "claude-sonnet-4": ("3.00", "15.00"),
        "claude-3-5-haiku": ("0.80", "4.00"),
        "claude-3.5-haiku": ("0.80", "4.00"),
        "claude-3-haiku": ("0.25", "1.25"),
        "claude-3-opus": ("15.00", "75.00"),
        "claude-opus-4": ("15.00", "75.00"),
        "gemini-1.5-flash": ("0.075", "0.30"),
        "gemini-1.5-flash-8b": ("0.0375", "0.15"),
        "gemini-1.5-pro": ("1.25", "5.00"),
        "gemini-2.0-flash": ("0.10", "0.40"),
        "gemini-2.0-flash-lite": ("0.075", "0.30"),
        "gemini-2.5-flash": ("0.30", "2.50"),
        "gemini-2.5-pro": ("1.25", "10.00"),
        "llama-3.1-8b-instant": ("0.05", "0.08"),
        "llama-3.1-70b-versatile": ("0.59", "0.79"),
        "llama-3.3-70b-versatile": ("0.59", "0.79"),
        "llama-3.3-70b-specdec": ("0.59", "0.99"),
        "llama3-8b-8192": ("0.05", "0.08"),
        "llama3-70b-8192": ("0.59", "0.79"),
        "mixtral-8x7b-32768": ("0.24", "0.24"),
        "gemma2-9b-it": ("0.20", "0.20"),
        "deepseek-chat": ("0.27", "1.10"),
        "deepseek-reasoner": ("0.55", "2.19"),
    },
    OCTOBER_2025: {
        "gpt-5": ("1.25", "10.00"),
        "gpt-5-mini": ("0.25", "2.00"),
        "gpt-5-nano": ("0.05", "0.40"),
        "claude-haiku-4-5": ("1.00", "5.00"),
        "claude-sonnet-4-5": ("3.00", "15.00"),
        "mistral-small": ("0.10", "0.30"),
        "mistral-large": ("2.00", "6.00"),
    },
}


def seed(apps, schema_editor):
    Provider = apps.get_model("providers", "Provider")
    ModelPrice = apps.get_model("providers", "ModelPrice")
    # The extractive writer is no stand-in for a model a person chose: opt-in.
    Provider.objects.filter(slug="offline").update(fallback=False)
    Provider.objects.filter(slug="openai").update(auto_enable=True)
    for slug, name, kind, model, position in PROVIDERS:
        Provider.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "kind": kind,
                "default_model": model,
                "position": position,
                "enabled": False,
                "auto_enable": slug not in LOCAL,
                "fallback": True,
            },
        )
    for as_of, table in PRICES.items():
        for model, (price_in, price_out) in table.items():
            ModelPrice.objects.get_or_create(
                model=model,
                defaults={
                    "input_usd_per_mtok": Decimal(price_in),
                    "output_usd_per_mtok": Decimal(price_out),
                    "as_of": as_of,
                    "note": "Estimate from the public price page; tiers and caching differ.",
                },
            )


def unseed(apps, schema_editor):
    apps.get_model("providers", "Provider").objects.filter(
        slug__in=[row[0] for row in PROVIDERS]
    ).delete()
    apps.get_model("providers", "ModelPrice").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("providers", "0004_provider_kinds_keys_prices")]
    operations = [migrations.RunPython(seed, unseed)]
