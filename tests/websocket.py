"""channels' WebsocketCommunicator, with waits sized for a loaded machine.

Its own waits give up after 1 s, which a busy CI machine can exceed: the test then
fails for want of time, not for a wrong answer. Every wait here ends the moment the
answer arrives, so the longer limit costs nothing when all goes well.
"""

from __future__ import annotations

from channels.testing import WebsocketCommunicator

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
