"""Deploying: the environment variables that make `check --deploy` clean, the Content Security
Policy every page carries, and the local default that keeps serving plain http."""

from __future__ import annotations

import importlib.util
import io
import os
from pathlib import Path
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import override_settings

SETTINGS_FILE = Path(__file__).resolve().parent.parent / "blogtube_site" / "settings.py"
HTTPS_SETTINGS = (
    "SECURE_SSL_REDIRECT",
    "SESSION_COOKIE_SECURE",
    "CSRF_COOKIE_SECURE",
    "SECURE_HSTS_SECONDS",
    "SECURE_HSTS_INCLUDE_SUBDOMAINS",
    "SECURE_HSTS_PRELOAD",
    "SECURE_PROXY_SSL_HEADER",
)


def settings_under(environment: dict[str, str]) -> dict:
    """What blogtube_site/settings.py makes of these environment variables."""
    spec = importlib.util.spec_from_file_location("settings_under_test", SETTINGS_FILE)
    module = importlib.util.module_from_spec(spec)
    cleared = {name: "" for name in ("BLOGTUBE_SECURE", *HTTPS_SETTINGS) if name in os.environ}
    with mock.patch.dict(os.environ, {**cleared, **environment}):
        spec.loader.exec_module(module)
    return {name: getattr(module, name) for name in HTTPS_SETTINGS if hasattr(module, name)}


def deploy_warnings(environment: dict[str, str]) -> str:
    out = io.StringIO()
    values = settings_under({"DEBUG": "false", **environment})
    with override_settings(DEBUG=False, **values):
        call_command("check", deploy=True, stdout=out, stderr=out)
    return out.getvalue()


HTTPS_WARNINGS = ("security.W004", "security.W008", "security.W012", "security.W016")


def test_without_https_settings_deploy_check_names_what_is_missing():
    found = deploy_warnings({})
    assert all(code in found for code in HTTPS_WARNINGS), found


def test_blogtube_secure_clears_the_https_warnings():
    found = deploy_warnings(
        {"BLOGTUBE_SECURE": "true", "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    )
    assert not any(code in found for code in HTTPS_WARNINGS), found


def test_every_https_setting_on_makes_the_deploy_check_clean():
    found = deploy_warnings(
        {
            "BLOGTUBE_SECURE": "true",
            "SECURE_HSTS_INCLUDE_SUBDOMAINS": "true",
            "SECURE_HSTS_PRELOAD": "true",
        }
    )
    assert "no issues" in found, found


def test_the_settings_can_be_set_one_by_one():
    values = settings_under(
        {
            "SECURE_SSL_REDIRECT": "true",
            "SESSION_COOKIE_SECURE": "true",
            "CSRF_COOKIE_SECURE": "true",
            "SECURE_HSTS_SECONDS": "600",
            "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto",
        }
    )
    assert values["SECURE_SSL_REDIRECT"] and values["SESSION_COOKIE_SECURE"]
    assert values["CSRF_COOKIE_SECURE"] and values["SECURE_HSTS_SECONDS"] == 600
    assert values["SECURE_PROXY_SSL_HEADER"] == ("HTTP_X_FORWARDED_PROTO", "https")


@pytest.mark.django_db
def test_the_local_default_serves_plain_http(client):
    values = settings_under({})
    assert values["SECURE_HSTS_SECONDS"] == 0 and "SECURE_PROXY_SSL_HEADER" not in values
    with override_settings(**values):
        response = client.get("/")
    assert response.status_code == 200
    assert "Strict-Transport-Security" not in response


@pytest.mark.django_db
def test_behind_a_tls_proxy_https_requests_are_not_redirected(client):
    values = settings_under(
        {"BLOGTUBE_SECURE": "true", "SECURE_PROXY_SSL_HEADER": "X-Forwarded-Proto"}
    )
    with override_settings(**values):
        plain = client.get("/")
        proxied = client.get("/", headers={"X-Forwarded-Proto": "https"})
    assert plain.status_code == 301 and plain["Location"].startswith("https://")
    assert proxied.status_code == 200 and "max-age=31536000" in proxied["Strict-Transport-Security"]


@pytest.mark.django_db
def test_pages_forbid_inline_script_and_allow_their_own_socket(client):
    policy = client.get("/", headers={"Host": "localhost:8000"})["Content-Security-Policy"]
    directives = {d.split()[0]: d.split()[1:] for d in policy.split("; ")}
    assert directives["script-src"] == ["'self'"]
    assert "'unsafe-inline'" not in policy and "'unsafe-eval'" not in policy
    assert {"ws://localhost:8000", "wss://localhost:8000"} <= set(directives["connect-src"])
    assert "https://i.ytimg.com" in directives["img-src"]
