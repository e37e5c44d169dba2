"""Video and chapter titles made fit to print: no emoji, "- YouTube", "(Official Video)",
hashtags or shouting.
"""

from __future__ import annotations

import re
import unicodedata
from html import unescape

from providers.offline.captions import SPACES
from providers.offline.sentences import capitalize
from providers.offline.vocabulary import EN_STOPWORDS, SMALL_WORDS

_TITLE_SUFFIX = re.compile(r"\s*[-|–—]\s*youtube\s*$", re.I)
_TITLE_JUNK = re.compile(
    r"\s*[(\[]\s*(?:official\b[^)\]]*|(?:music|lyric|lyrics|full)\s+video|lyrics?|visuali[sz]er"
    r"|audio|hd|hq|4k|8k|\d{3,4}p)\s*[)\]]",
    re.I,
)
_HASHTAG = re.compile(r"(?<!\w)#\w+")


def clean_title(title: str) -> str:
    text = unescape(title or "")
    text = "".join(ch for ch in text if unicodedata.category(ch) not in ("So", "Cs", "Co"))
    text = _TITLE_SUFFIX.sub("", text)
    text = _TITLE_JUNK.sub("", text)
    text = _HASHTAG.sub("", text)
    text = SPACES.sub(" ", text).strip()
    parts = [p.strip() for p in re.split(r"\s+\|\s+", text) if p.strip()]
    parts = [re.sub(r"([!?])[!?]+", r"\1", p) for p in parts[:2]]  # a third is the channel
    text = parts[0] if parts else ""
    if len(parts) > 1:
        text += (" " if text.endswith(("?", "!", ".", ":")) else ": ") + parts[1]
    text = text.strip(" -|–—·•:,")
    return capitalize(_fix_shouting(text))


def clean_heading(title: str) -> str:
    text = "".join(ch for ch in unescape(title) if unicodedata.category(ch) not in ("So", "Cs"))
    return _fix_shouting(SPACES.sub(" ", text).strip(" -|–—·•:"))


def _fix_shouting(text: str) -> str:
    """Title-case words in capitals when a title shouts; acronyms and model names stay."""
    letters = [ch for ch in text if ch.isalpha()]
    words = text.split(" ")
    loud = any(sum(ch.isalpha() for ch in w) >= 5 and w.isupper() for w in words)
    if len(letters) < 6 or (sum(ch.isupper() for ch in letters) / len(letters) < 0.6 and not loud):
        return text
    out = []
    for i, word in enumerate(words):
        core = re.sub(r"\W", "", word)
        if not word.isupper():
            out.append(word)  # already written in mixed case by a person
        elif 2 <= len(core) <= 3 and core.isalpha() and core.lower() not in EN_STOPWORDS:
            out.append(word)  # likely an acronym: AI, GPU, NBA
        elif any(ch.isdigit() for ch in core):
            out.append(word)  # model names such as V60 or 4K
        elif i and word.lower() in SMALL_WORDS:
            out.append(word.lower())
        else:
            out.append(word[:1].upper() + word[1:].lower())
    return " ".join(out)
