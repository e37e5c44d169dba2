"""Stop words per language, from the stop-words package (plain word lists, 33 languages).

A tag or a heading made of "avec", "esta" or "j'ai" tells a reader nothing; the writer's own
frequency list of a transcript's commonest short words catches the rest ("gonna", "oui").
"""

from __future__ import annotations

from functools import lru_cache

# French and Italian write an article or pronoun onto the next word: "l'écureuil", "j'ai".
ELISIONS = ("l'", "d'", "j'", "c'", "s'", "n'", "m'", "t'", "qu'", "dell'", "all'", "un'")


@lru_cache(maxsize=32)
def stop_words(language: str) -> frozenset[str]:
    """The package's stop words for a language code ("fr", "pt-BR"), with English's: captions
    in every language quote English ("ok", "yeah")."""
    from stop_words import LANGUAGE_MAPPING, get_stop_words

    words = set(get_stop_words("en"))
    code = (language or "").lower().replace("_", "-").split("-")[0]
    if code != "en" and code in LANGUAGE_MAPPING:
        words |= set(get_stop_words(code))
    return frozenset(w.replace("’", "'") for w in words)


def without_elision(word: str) -> str:
    """ "l'écureuil" -> "écureuil"; other words as they are."""
    low = word.lower().replace("’", "'")
    for prefix in ELISIONS:
        if low.startswith(prefix) and len(low) > len(prefix):
            return word[len(prefix) :]
    return word


def is_stop_word(word: str, words: frozenset[str]) -> bool:
    low = word.lower()
    if low in words:
        return True
    # Runs on every word of a transcript: only a word with an apostrophe needs more.
    if "'" not in low and "’" not in low:
        return False
    low = low.replace("’", "'")
    return low in words or without_elision(low) in words
