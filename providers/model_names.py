"""Model names as vendors and servers spell them, and tables keyed by name or by prefix."""

from __future__ import annotations

from typing import TypeVar

T = TypeVar("T")

# What may follow a name for a prefix to count: a dated or tagged variant
# ("gpt-4o-2024-08-06", "llama3.1:8b"), never another model ("gpt-4o" is not "gpt-4").
SEPARATORS = ("-", ":", "@", "_")


def normalise_model(model: str) -> str:
    # OpenRouter and Gemini prefix names with a vendor or a path: "openai/gpt-4o", "models/...".
    return model.strip().lower().rsplit("/", 1)[-1]


def lookup_by_prefix(table: dict[str, T], model: str) -> T | None:
    """The value for a model by exact name, else by the longest name it extends."""
    name = normalise_model(model)
    if not name:
        return None
    if name in table:
        return table[name]
    best = ""
    for key in table:
        if len(key) > len(best) and name.startswith(key) and name[len(key)] in SEPARATORS:
            best = key
    return table[best] if best else None
