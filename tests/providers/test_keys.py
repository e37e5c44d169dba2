"""API keys: from the environment or typed in admin, encrypted at rest, never shown whole."""

from __future__ import annotations

import logging

import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.urls import reverse

from providers import crypto, services
from providers.models import Provider

pytestmark = pytest.mark.django_db

KEY = "sk-live-very-secret-key-9876WXYZ"


def _stored_column(provider: Provider) -> str:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT api_key_encrypted FROM providers_provider WHERE id = %s", [provider.pk]
        )
        return cursor.fetchone()[0]


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw")
    client.force_login(user)
    return client


@pytest.fixture
def groq(monkeypatch) -> Provider:
    monkeypatch.delenv("GROQ_API_KEY", raising=False)
    return Provider.objects.get(slug="groq")


def test_a_key_round_trips_and_the_column_never_holds_it(groq):
    groq.set_api_key(KEY)
    groq.save()

    column = _stored_column(groq)
    assert column and KEY not in column and "WXYZ" not in column
    assert Provider.objects.get(pk=groq.pk).api_key == KEY


def test_each_encryption_differs(groq):
    assert crypto.encrypt(KEY) != crypto.encrypt(KEY)  # random IV: equal keys do not show


def test_a_stored_key_under_a_lost_secret_is_unreadable_not_a_crash(groq, settings):
    groq.set_api_key(KEY)
    groq.save()
    settings.SECRET_KEY = "an entirely different secret key for this installation"
    settings.SECRET_KEY_FALLBACKS = []

    fresh = Provider.objects.get(pk=groq.pk)
    assert fresh.api_key == ""
    assert "unreadable" in fresh.key_hint()
    assert not fresh.is_configured


def test_setting_an_encryption_key_later_keeps_stored_keys_readable(groq, settings):
    groq.set_api_key(KEY)
    groq.save()
    settings.BLOGTUBE_ENCRYPTION_KEY = "a separate key for provider secrets"

    assert Provider.objects.get(pk=groq.pk).api_key == KEY
    rotated = crypto.reencrypt(groq.api_key_encrypted)
    settings.SECRET_KEY = "and now the django secret changes too, yet it still reads"
    assert crypto.decrypt(rotated) == KEY


def test_the_hint_shows_only_the_last_four(groq, monkeypatch):
    assert groq.key_hint() == "no key set: set GROQ_API_KEY"
    monkeypatch.setenv("GROQ_API_KEY", "gsk_env_key_000011112222")
    assert groq.key_hint() == "key set (…2222)"

    groq.set_api_key(KEY)  # admin's key wins over the environment's
    assert groq.api_key == KEY
    assert groq.key_hint() == "key set in admin (…WXYZ)"
    groq.set_api_key("short-key")
    assert groq.key_hint() == "key set in admin"


def test_admin_sets_replaces_and_clears_the_key_without_ever_showing_it(admin_client, groq):
    url = reverse("admin:providers_provider_change", args=[groq.pk])
    form = {
        "name": groq.name,
        "slug": groq.slug,
        "kind": groq.kind,
        "base_url": "",
        "default_model": groq.default_model,
        "api_key_env": "",
        "position": groq.position,
        "auto_enable": "on",
        "fallback": "on",
    }

    response = admin_client.post(url, {**form, "new_api_key": KEY})
    assert response.status_code == 302
    groq.refresh_from_db()
    assert groq.api_key == KEY and KEY not in _stored_column(groq)

    page = admin_client.get(url).content.decode()
    assert KEY not in page and "very-secret" not in page
    assert "…WXYZ" in page
    assert 'type="password"' in page
    changelist = admin_client.get(reverse("admin:providers_provider_changelist"))
    assert KEY not in changelist.content.decode()

    admin_client.post(url, {**form, "new_api_key": ""})  # empty: keep it
    groq.refresh_from_db()
    assert groq.api_key == KEY

    admin_client.post(url, {**form, "new_api_key": "gsk_replacement_key_5555"})
    groq.refresh_from_db()
    assert groq.api_key == "gsk_replacement_key_5555"

    admin_client.post(url, {**form, "clear_api_key": "on"})
    groq.refresh_from_db()
    assert groq.api_key_encrypted == "" and groq.api_key == ""


def test_pages_show_the_mask_never_the_key(staff_client, groq):
    groq.set_api_key(KEY)
    groq.save()

    page = staff_client.get(reverse("providers:list")).content.decode()

    assert KEY not in page
    assert "key set in admin (…WXYZ)" in page


def test_the_key_is_sent_to_the_provider_and_never_logged(fake_llm, caplog):
    provider = Provider(slug="claude", name="Claude", kind="anthropic", base_url=fake_llm.base_url)
    provider.set_api_key(KEY)
    provider.save()
    fake_llm.configure(fail_status=401)

    with caplog.at_level(logging.DEBUG):
        health = services.check(provider)
        with pytest.raises(Exception) as info:
            list(provider.llm().stream([{"role": "user", "content": "hi"}]))

    assert fake_llm.requests[0].headers["Authorization"] == f"Bearer {KEY}"
    assert health.error_code == "PROVIDER_AUTH"
    assert KEY not in caplog.text
    assert KEY not in health.error and KEY not in str(info.value)
    assert KEY not in getattr(info.value, "detail", "")
    assert KEY not in repr(provider.client()) and KEY not in repr(provider.llm())
