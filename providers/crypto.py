"""API keys typed in admin, encrypted at rest (blogtube_site.crypto, under this use's salt)."""

from __future__ import annotations

from blogtube_site.crypto import MIN_KEY_FOR_MASK, KeyUnreadable, Sealer, mask

__all__ = ["MIN_KEY_FOR_MASK", "KeyUnreadable", "decrypt", "encrypt", "mask", "reencrypt"]

# Fixed, public: it only separates this use of the secret from any other.
_SEALER = Sealer(b"blogtube.providers.api-key")


def encrypt(plaintext: str) -> str:
    return _SEALER.encrypt(plaintext)


def decrypt(token: str) -> str:
    return _SEALER.decrypt(token)


def reencrypt(token: str) -> str:
    return _SEALER.reencrypt(token)
