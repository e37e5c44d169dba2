"""The language of a text, for transcripts whose uploader did not say.

py3langid (langid.py's maintained fork) ships its model inside the package,
so detection works offline and gives the same answer every time.
"""

from __future__ import annotations

import functools
from typing import Any

from django.utils.translation import get_language_info

UNKNOWN = "und"  # ISO 639-2 "undetermined", as the upload parser uses
# Below this many letters a guess is noise ("OK", "[Music]").
MIN_LETTERS = 20
MIN_CONFIDENCE = 0.5
# Enough text for a confident answer; more only costs time.
SAMPLE_CHARS = 5000


@functools.cache
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    # norm_probs turns scores into probabilities, so a threshold means something.
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    """(ISO 639-1 code, confidence 0-1) of ``text``; (UNKNOWN, 0.0) when unsure."""
    sample = text[:SAMPLE_CHARS]
    if sum(c.isalpha() for c in sample) < MIN_LETTERS:
        return UNKNOWN, 0.0
    code, confidence = _identifier().classify(sample)
    if confidence < MIN_CONFIDENCE:
        return UNKNOWN, float(confidence)
    return str(code), float(confidence)


def language_name(code: str) -> str:
    """English name of a language code ("de" -> "German"); the code when unknown."""
    if not code or code == UNKNOWN:
        return "Unknown"
    for candidate in (code, code.split("-")[0]):
        try:
            return str(get_language_info(candidate.lower())["name"])
        except KeyError:
            continue
    return code


def same_language(track_code: str, wanted: str) -> bool:
    """Whether a track in ``track_code`` answers a request for ``wanted``.

    "en" accepts "en-GB" and "en-US"; an exact match wins because callers
    list exact codes first.
    """
    track_code, wanted = track_code.lower(), wanted.lower()
    return track_code == wanted or track_code.split("-")[0] == wanted
