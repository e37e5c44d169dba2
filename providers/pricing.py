"""Token and cost accounting: counting tokens, and what they cost.

Prices live in the ModelPrice table (admin: Providers, Model prices), seeded
from the public price pages (see migration 0005). Every figure computed here is
an ESTIMATE: batch, cached and long-context tiers differ, and self-hosted
servers cost nothing per token.

Counting: servers report usage at the end of a stream, and that is what a job
records. Where they do not, tokens are counted with tiktoken when its encoding
file is already on this machine, else estimated as characters / 4. tiktoken's
wheel ships no encodings: on first use it downloads them with no timeout, which
on a machine without internet fails (or hangs behind a silent firewall), so it
is never asked to download here. To count exactly, fetch the file once where
there is internet, e.g. `TIKTOKEN_CACHE_DIR=var/tiktoken python -c "import
tiktoken; tiktoken.get_encoding('o200k_base')"`, and run BlogTube with that
TIKTOKEN_CACHE_DIR.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from decimal import Decimal
from functools import lru_cache
from typing import TYPE_CHECKING

from django.core.cache import cache

from providers.kinds.base import lookup_by_prefix

if TYPE_CHECKING:
    import tiktoken

    from providers.models import ModelPrice, Provider

# Shown where a table-wide date is wanted; each ModelPrice row has its own as_of.
PRICES_AS_OF = "2025-06"
PRICES_CACHE_SECONDS = 10 * 60
CHARS_PER_TOKEN = 4
# Per message: role and framing tokens that chat formats add around the content.
_MESSAGE_OVERHEAD = 4

# Rough shape of a post and of the writing around it, for estimates before a job runs.
PROMPT_OVERHEAD_TOKENS = 400
POST_TOKENS = {"short": 800, "medium": 1500, "long": 2600}
# Long transcripts are summarised piece by piece, then combined (providers.writing).
SUMMARY_TOKENS = 400
_CONTEXT_SHARE = 0.6

# Kinds that run on someone's own machine: nothing is bought per token.
_SELF_HOSTED = {"ollama", "lmstudio", "vllm", "offline"}


# --- prices ------------------------------------------------------------------


def price_table() -> dict[str, tuple[Decimal, Decimal]]:
    """model -> (input, output) USD per 1M tokens, cached; admin edits clear the cache."""
    from providers.models import PRICES_CACHE_KEY, ModelPrice

    table = cache.get(PRICES_CACHE_KEY)
    if table is None:
        table = {
            row.model: (row.input_usd_per_mtok, row.output_usd_per_mtok)
            for row in ModelPrice.objects.all()
        }
        cache.set(PRICES_CACHE_KEY, table, PRICES_CACHE_SECONDS)
    return table


def price_for(model: str) -> tuple[Decimal, Decimal] | None:
    """(input, output) USD per 1M tokens, by exact name or longest prefix; None if unknown."""
    return lookup_by_prefix(price_table(), model)


def price_row(model: str) -> ModelPrice | None:
    """The ModelPrice row that prices a model (for its as-of date), or None."""
    from providers.models import ModelPrice

    table = price_table()
    match = lookup_by_prefix({key: key for key in table}, model)
    return ModelPrice.objects.filter(model=match).first() if match else None


def prices_as_of() -> str:
    """The oldest as-of date of the table ("2025-06"): how stale the estimate may be."""
    from providers.models import ModelPrice

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
    if provider.kind in _SELF_HOSTED:
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


# --- counting ------------------------------------------------------------------


def count_tokens(text: str, model: str = "") -> int:
    """Tokens in a text: exact for OpenAI's encodings when available, else chars / 4."""
    if not text:
        return 0
    encoding = _encoding(_encoding_name(model))
    if encoding is not None:
        return len(encoding.encode(text, disallowed_special=()))
    return math.ceil(len(text) / CHARS_PER_TOKEN)


def count_message_tokens(messages: list[dict], model: str = "") -> int:
    total = 0
    for message in messages:
        content = message.get("content") or ""
        if isinstance(content, list):  # content parts
            content = "".join(p.get("text", "") for p in content if isinstance(p, dict))
        total += count_tokens(str(content), model) + _MESSAGE_OVERHEAD
    return total


def counting_method(model: str = "") -> str:
    """ "tiktoken <encoding>" or "estimate (chars / 4)": what count_tokens uses for a model."""
    name = _encoding_name(model)
    return f"tiktoken {name}" if _encoding(name) is not None else "estimate (chars / 4)"


def _encoding_name(model: str) -> str:
    # Newer OpenAI models use o200k; for the rest (Claude, Llama, Gemini...) it is
    # an approximation either way, and o200k is the closer one for modern vocabularies.
    name = model.strip().lower().rsplit("/", 1)[-1]
    if name.startswith(("gpt-4-", "gpt-3.5")) or name == "gpt-4":
        return "cl100k_base"
    return "o200k_base"


@lru_cache(maxsize=4)
def _encoding(name: str) -> tiktoken.Encoding | None:
    """The encoding if its file is already cached locally; never a download (see above)."""
    try:
        import tiktoken
    except ImportError:
        return None
    url = _ENCODING_URLS.get(name)
    if url is None or not _cached_file(url):
        return None
    try:
        return tiktoken.get_encoding(name)
    except Exception:  # a corrupt cache file: tiktoken would try to download again
        return None


# Where tiktoken_ext.openai_public fetches each encoding; its cache file is named by the URL.
_ENCODING_URLS = {
    "o200k_base": "https://openaipublic.blob.core.windows.net/encodings/o200k_base.tiktoken",
    "cl100k_base": "https://openaipublic.blob.core.windows.net/encodings/cl100k_base.tiktoken",
}


def _cached_file(url: str) -> bool:
    # Mirrors tiktoken.load.read_file_cached: same variables, same file name.
    if "TIKTOKEN_CACHE_DIR" in os.environ:
        cache_dir = os.environ["TIKTOKEN_CACHE_DIR"]
    elif "DATA_GYM_CACHE_DIR" in os.environ:
        cache_dir = os.environ["DATA_GYM_CACHE_DIR"]
    else:
        cache_dir = os.path.join(tempfile.gettempdir(), "data-gym-cache")
    if not cache_dir:
        return False  # caching disabled: every use would download
    return os.path.exists(os.path.join(cache_dir, hashlib.sha1(url.encode()).hexdigest()))
