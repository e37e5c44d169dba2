"""What tokens cost.

Prices live in the ModelPrice table (admin: Providers, Model prices), seeded
from the public price pages (see migration 0005). Every figure computed here is
an ESTIMATE: batch, cached and long-context tiers differ, and self-hosted
servers cost nothing per token.
"""

from __future__ import annotations

import math
from decimal import Decimal

from django.core.cache import caches

from providers.model_names import lookup_by_prefix
from providers.models import PRICES_CACHE_KEY, ModelPrice, Provider
from providers.tokens import CHARS_PER_TOKEN

# Shown where a table-wide date is wanted; each ModelPrice row has its own as_of.
PRICES_AS_OF = "2025-06"
# Kept in each process's memory (the "process" cache): reading it costs a page no query, and
# refilling it one. An edit in admin clears the editing process's copy at once; other
# processes see it within this long. Every figure is an estimate anyway.
PRICES_CACHE_SECONDS = 60

# Rough shape of a post and of the writing around it, for estimates before a job runs.
PROMPT_OVERHEAD_TOKENS = 400
POST_TOKENS = {"short": 800, "medium": 1500, "long": 2600}
# Long transcripts are summarised piece by piece, then combined (providers.writing).
SUMMARY_TOKENS = 400
_CONTEXT_SHARE = 0.6


# --- prices ------------------------------------------------------------------


def price_table() -> dict[str, tuple[Decimal, Decimal]]:
    """model -> (input, output) USD per 1M tokens, cached (PRICES_CACHE_SECONDS)."""
    table = caches["process"].get(PRICES_CACHE_KEY)
    if table is None:
        table = {
            row.model: (row.input_usd_per_mtok, row.output_usd_per_mtok)
            for row in ModelPrice.objects.all()
        }
        caches["process"].set(PRICES_CACHE_KEY, table, PRICES_CACHE_SECONDS)
    return table


def price_for(model: str) -> tuple[Decimal, Decimal] | None:
    """(input, output) USD per 1M tokens, by exact name or longest prefix; None if unknown."""
    return lookup_by_prefix(price_table(), model)


def prices_as_of() -> str:
    """The oldest as-of date of the table ("2025-06"): how stale the estimate may be."""
    oldest = ModelPrice.objects.order_by("as_of").values_list("as_of", flat=True).first()
    return oldest.strftime("%Y-%m") if oldest else PRICES_AS_OF


def cost_usd(model: str, tokens_in: int, tokens_out: int) -> Decimal | None:
    prices = price_for(model)
    if prices is None:
        return None
    price_in, price_out = prices
    return (Decimal(tokens_in) * price_in + Decimal(tokens_out) * price_out) / Decimal(1_000_000)


def estimate_cost(
    provider: Provider, model: str, transcript_chars: int, *, length: str = "medium"
) -> Decimal | None:
    """What a post from a transcript this long should cost, before the job runs; None if unpriced.

    Counts the prompt (the transcript plus instructions) and the post; a transcript
    longer than the model's context is summarised in pieces first, which reads it
    once more in summaries and writes those summaries too.
    """
    if not provider.is_priced:
        return Decimal(0)
    model = model or provider.effective_model
    transcript_tokens = math.ceil(max(0, transcript_chars) / CHARS_PER_TOKEN)
    post_tokens = POST_TOKENS.get(length, POST_TOKENS["medium"])
    window = provider.context_window(model)
    room = max(1, int(window * _CONTEXT_SHARE) - PROMPT_OVERHEAD_TOKENS - post_tokens)
    pieces = max(1, math.ceil(transcript_tokens / room))
    if pieces == 1:
        tokens_in = transcript_tokens + PROMPT_OVERHEAD_TOKENS
        tokens_out = post_tokens
    else:
        summaries = pieces * SUMMARY_TOKENS
        tokens_in = transcript_tokens + pieces * PROMPT_OVERHEAD_TOKENS
        tokens_in += summaries + PROMPT_OVERHEAD_TOKENS
        tokens_out = summaries + post_tokens
    return cost_usd(model, tokens_in, tokens_out)
