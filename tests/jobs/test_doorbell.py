"""The worker's doorbell: rung for every event, sent only where someone can hear it."""

from __future__ import annotations

import pytest
from channels.layers import channel_layers, get_channel_layer

from tests.jobs.factories import make_job


@pytest.fixture
def embedded_layer(settings):
    # The embedded setup's layer, whichever one this test run is configured with.
    settings.CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


@pytest.mark.django_db
@pytest.mark.usefixtures("embedded_layer")
def test_a_worker_with_no_page_open_leaves_the_channel_layer_alone(
    monkeypatch, django_capture_on_commit_callbacks
):
    # The embedded worker's layer reaches only sockets in its own process: there are none.
    sent: list[str] = []
    layer = get_channel_layer()

    async def group_send(group: str, message: dict) -> None:
        sent.append(group)

    monkeypatch.setattr(layer, "group_send", group_send)
    job = make_job()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        job.claim()
        job.start_step("generate")
        job.append_draft("text nobody watches")

    assert len(callbacks) == 3  # every event still rings...
    assert sent == []  # ...but nothing is sent where nobody listens
