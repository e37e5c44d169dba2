"""Numbers and ids as a request sends them: text that may be anything."""

from __future__ import annotations

import uuid

MAX_DIGITS = 18  # fits a 64-bit column; int() refuses 4,300+ digits with a ValueError
MAX_ID = 2**63 - 1  # the largest id a 64-bit column holds: the bound an API document gives
# Text with no NUL, which the whole site refuses (nul_characters): an API document's free text.
ANY_TEXT = r"^[^\x00]*$"


def whole_number(text: object) -> int | None:
    """A whole number written in ASCII digits ("12"), else None.

    str.isdigit() also accepts "²" and other digits that int() refuses.
    """
    if not isinstance(text, str) or not text.isascii() or not text.isdigit():
        return None
    if len(text) > MAX_DIGITS:
        return None
    return int(text)


def uuids(texts: list[str]) -> list[uuid.UUID]:
    """The texts that are UUIDs, as UUIDs; the others are left out."""
    found = []
    for text in texts:
        try:
            found.append(uuid.UUID(str(text)))
        except ValueError:
            continue
    return found
