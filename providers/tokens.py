"""Counting tokens, where a server reports none: exact with tiktoken when its encoding file is
already on this machine, else estimated as characters / 4.

Servers report usage at the end of a stream, and that is what a job records. tiktoken's wheel
ships no encodings: on first use it downloads them with no timeout, which on a machine without
internet fails (or hangs behind a silent firewall), so it is never asked to download here. To
count exactly, fetch the file once where there is internet, e.g. `TIKTOKEN_CACHE_DIR=var/tiktoken
python -c "import tiktoken; tiktoken.get_encoding('o200k_base')"`, and run BlogTube with that
TIKTOKEN_CACHE_DIR.
"""

from __future__ import annotations

import hashlib
import math
import os
import tempfile
from functools import lru_cache
from typing import TYPE_CHECKING

from providers.model_names import normalise_model

if TYPE_CHECKING:
    import tiktoken

CHARS_PER_TOKEN = 4
# Per message: role and framing tokens that chat formats add around the content.
MESSAGE_OVERHEAD = 4


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
        total += count_tokens(str(content), model) + MESSAGE_OVERHEAD
    return total


def _encoding_name(model: str) -> str:
    # Newer OpenAI models use o200k; for the rest (Claude, Llama, Gemini...) it is
    # an approximation either way, and o200k is the closer one for modern vocabularies.
    name = normalise_model(model)
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
