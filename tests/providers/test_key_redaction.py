"""A provider's error that quotes an API key: the key is replaced before the error is
stored, shown or logged, whichever key it is (the provider's own, one from the environment,
one typed in admin)."""

from __future__ import annotations

import logging

import pytest
from django.urls import reverse

from providers.errors import ProviderError
from providers.models import Provider, ProviderHealth
from providers.redaction import redact_error

pytestmark = pytest.mark.django_db

ENV_KEY = "sk-env-quoted-back-1234ABCD"
ADMIN_KEY = "sk-admin-quoted-back-5678EFGH"
OTHER_KEY = "gsk-another-provider-0000ZZZZ"
ECHO = "Incorrect API key provided: {api_key}. You can find your key at the dashboard."


def everything_shown_and_stored(client, caplog) -> str:
    page = client.get(reverse("providers:list")).content.decode()
    rows = " ".join(f"{h.error_code} {h.error}" for h in ProviderHealth.objects.all())
    return f"{page}\n{rows}\n{caplog.text}"


@pytest.mark.parametrize("status", [401, 403, 400])
def test_a_key_from_the_environment_quoted_back_appears_nowhere(
    staff_client, settings, fake_llm, llm_provider, caplog, status
):
    settings.OPENAI_API_KEY = ENV_KEY
    fake_llm.configure(fail_status=status, fail_message=ECHO)

    with caplog.at_level(logging.DEBUG):
        response = staff_client.post(
            reverse("providers:test", args=[llm_provider.slug]), follow=True
        )

    assert fake_llm.requests[0].headers["Authorization"] == f"Bearer {ENV_KEY}"
    health = ProviderHealth.objects.get()
    assert not health.ok
    if status != 401:  # 403 and 400 quote the server's words: all but the key stays
        assert "[redacted key]. You can find your key" in health.error
    assert ENV_KEY not in response.content.decode()
    assert ENV_KEY not in everything_shown_and_stored(staff_client, caplog)


@pytest.mark.parametrize("status", [401, 403, 400])
def test_a_key_typed_in_admin_quoted_back_appears_nowhere(
    staff_client, fake_llm, llm_provider, caplog, status
):
    llm_provider.set_api_key(ADMIN_KEY)
    llm_provider.save()
    fake_llm.configure(fail_status=status, fail_message=ECHO)

    with caplog.at_level(logging.DEBUG):
        staff_client.post(
            reverse("providers:test", args=[llm_provider.slug]), headers={"HX-Request": "true"}
        )

    assert fake_llm.requests[0].headers["Authorization"] == f"Bearer {ADMIN_KEY}"
    assert ADMIN_KEY not in everything_shown_and_stored(staff_client, caplog)


def test_every_known_key_is_taken_out_not_only_the_providers_own(settings, monkeypatch):
    settings.OPENAI_API_KEY = ENV_KEY
    monkeypatch.setenv("GROQ_API_KEY", OTHER_KEY)
    stored = Provider.objects.get(slug="mistral")
    stored.set_api_key(ADMIN_KEY)
    stored.save()
    error = ProviderError(
        f"Refused {ENV_KEY}", detail=f"{OTHER_KEY} {ADMIN_KEY}", suggestions=[f"Not {ADMIN_KEY}"]
    )

    redact_error(error)

    said = f"{error.message} {error.detail} {error.suggestions} {error} {error.as_dict()}"
    assert not any(key in said for key in (ENV_KEY, OTHER_KEY, ADMIN_KEY))
    assert error.message == "Refused [redacted key]"


def test_a_key_that_still_reaches_a_log_line_is_replaced_there(settings, capsys):
    # The console handler's filter is the last guard, for text that never was an error.
    settings.OPENAI_API_KEY = ENV_KEY
    logging.getLogger("providers.test").warning("the server said %s", ENV_KEY)
    assert ENV_KEY not in capsys.readouterr().err
