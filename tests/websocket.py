"""channels' WebsocketCommunicator, with waits sized for a loaded machine.

Its own waits give up after 1 s, which a busy CI machine can exceed: the test then
fails for want of time, not for a wrong answer. Every wait here ends the moment the
answer arrives, so the longer limit costs nothing when all goes well.
"""

from __future__ import annotations

from channels.db import database_sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings
from django.test import Client

from tests.accounts import signed_in_user

WAIT = 30.0  # a hang guard, never a measure of speed


class Communicator(WebsocketCommunicator):
    async def connect(self, timeout: float = WAIT):
        return await super().connect(timeout)

    async def receive_output(self, timeout: float = WAIT):
        return await super().receive_output(timeout)

    async def receive_from(self, timeout: float = WAIT):
        return await super().receive_from(timeout)

    async def disconnect(self, code: int = 1000, timeout: float = WAIT):
        return await super().disconnect(code, timeout)


ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async
def signed_in_headers(user=None) -> list[tuple[bytes, bytes]]:
    """A page's socket headers: its origin and the session cookie of ``user`` (default: the
    person the test client signs in as), as a browser sends them after signing in."""
    client = Client()
    client.force_login(user or signed_in_user())
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    return [ORIGIN, (b"cookie", f"{cookie.key}={cookie.value}".encode())]
