"""After a secret rotation, stored keys move to the new secret and the old one can go."""

from __future__ import annotations

import pytest
from django.core.management import CommandError, call_command

from providers.models import Provider

pytestmark = pytest.mark.django_db

KEY = "sk-rotate-me-1234ABCD"


@pytest.fixture
def stored_key_provider(settings) -> Provider:
    settings.SECRET_KEY = "the-old-secret-" + "x" * 40
    settings.BLOGTUBE_ENCRYPTION_KEY = ""
    provider = Provider.objects.create(slug="stored", name="Stored", kind="custom")
    provider.set_api_key(KEY)
    provider.save()
    return provider


def test_keys_survive_the_rotation_once_reencrypted(stored_key_provider, settings, capsys):
    old = settings.SECRET_KEY
    settings.SECRET_KEY = "the-new-secret-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = [old]

    call_command("reencrypt_keys")

    assert "Re-encrypted 1 stored API key." in capsys.readouterr().out
    settings.SECRET_KEY_FALLBACKS = []  # the old secret is gone for good
    assert Provider.objects.get(pk=stored_key_provider.pk).api_key == KEY


def test_a_key_under_a_forgotten_secret_is_named(stored_key_provider, settings):
    settings.SECRET_KEY = "the-new-secret-" + "y" * 40
    settings.SECRET_KEY_FALLBACKS = []

    with pytest.raises(CommandError, match=r"stored key of stored\. Put the secret"):
        call_command("reencrypt_keys")
