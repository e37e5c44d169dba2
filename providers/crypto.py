"""API keys typed in admin, encrypted at rest with Fernet (AES-128-CBC + HMAC-SHA256).

The Fernet key is derived with HKDF from BLOGTUBE_ENCRYPTION_KEY, or from SECRET_KEY
when that is not set. Derived, never the secret itself: the same SECRET_KEY also
signs sessions, and a separate derivation keeps the two uses apart.

Decryption also tries SECRET_KEY and SECRET_KEY_FALLBACKS, so setting
BLOGTUBE_ENCRYPTION_KEY later, or rotating SECRET_KEY the Django way, does not lose
the stored keys (crypto.reencrypt() moves one to the current key).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

# Fixed, public: they only separate this use of the secret from any other.
_SALT = b"blogtube.providers.api-key"
_INFO = b"fernet v1"


class KeyUnreadable(Exception):
    """A stored key was encrypted under a secret this installation no longer has."""


def encrypt(plaintext: str) -> str:
    return _fernet(*_secrets()).encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    try:
        return _fernet(*_secrets()).decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise KeyUnreadable(
            "The stored API key cannot be decrypted with this installation's secret."
        ) from exc


def reencrypt(token: str) -> str:
    """The same key encrypted under the current secret (MultiFernet.rotate)."""
    try:
        return _fernet(*_secrets()).rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, ValueError) as exc:
        raise KeyUnreadable("The stored API key cannot be decrypted.") from exc


# Fewer characters than this and the last four would give away too much of the key.
MIN_KEY_FOR_MASK = 12


def mask(key: str) -> str:
    """ "…WXYZ": the last four only; "" for a key too short to spare them."""
    return f"…{key[-4:]}" if len(key) >= MIN_KEY_FOR_MASK else ""


def _secrets() -> tuple[str, ...]:
    primary = settings.BLOGTUBE_ENCRYPTION_KEY
    older = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    ordered = [primary] if primary else []
    ordered += [s for s in older if s and s not in ordered]
    return tuple(ordered)


@lru_cache(maxsize=8)
def _fernet(*secrets: str) -> MultiFernet:
    # The first encrypts; every one decrypts. Cached: HKDF per call would be wasted work.
    return MultiFernet([Fernet(_derive(secret)) for secret in secrets])


def _derive(secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=_SALT, info=_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))
