"""Secrets people type (API keys, application passwords), encrypted at rest with Fernet
(AES-128-CBC + HMAC-SHA256).

Each use derives its own Fernet key with HKDF from BLOGTUBE_ENCRYPTION_KEY, or from
SECRET_KEY when that is not set, salted by its purpose: derived, never the secret itself,
since the same SECRET_KEY also signs sessions, and one use's token never opens another's.

Decryption also tries SECRET_KEY and SECRET_KEY_FALLBACKS, so setting
BLOGTUBE_ENCRYPTION_KEY later, or rotating SECRET_KEY the Django way, does not lose
the stored secrets (``reencrypt`` moves one to the current key).
"""

from __future__ import annotations

import base64
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_INFO = b"fernet v1"


class KeyUnreadable(Exception):
    """A stored secret was encrypted under a secret this installation no longer has."""


class Sealer:
    """Encrypts and decrypts one kind of stored secret; ``purpose`` is a fixed, public salt."""

    def __init__(self, purpose: bytes) -> None:
        self.purpose = purpose

    def encrypt(self, plaintext: str) -> str:
        return self._fernet().encrypt(plaintext.encode()).decode("ascii")

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet().decrypt(token.encode("ascii")).decode()
        except (InvalidToken, ValueError) as exc:
            raise KeyUnreadable(
                "The stored secret cannot be decrypted with this installation's secret."
            ) from exc

    def reencrypt(self, token: str) -> str:
        """The same secret encrypted under the current key (MultiFernet.rotate)."""
        try:
            return self._fernet().rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, ValueError) as exc:
            raise KeyUnreadable("The stored secret cannot be decrypted.") from exc

    def _fernet(self) -> MultiFernet:
        return _fernet(self.purpose, *_secrets())


# Fewer characters than this and the last four would give away too much of the secret.
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


@lru_cache(maxsize=16)
def _fernet(purpose: bytes, *secrets: str) -> MultiFernet:
    # The first encrypts; every one decrypts. Cached: HKDF per call would be wasted work.
    return MultiFernet([Fernet(_derive(purpose, secret)) for secret in secrets])


def _derive(purpose: bytes, secret: str) -> bytes:
    hkdf = HKDF(algorithm=hashes.SHA256(), length=32, salt=purpose, info=_INFO)
    return base64.urlsafe_b64encode(hkdf.derive(secret.encode()))
