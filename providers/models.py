from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import timedelta
from typing import TYPE_CHECKING

from django.conf import settings
from django.core.cache import caches
from django.db import models
from django.utils import timezone

from providers import crypto
from providers.kinds.base import ProviderKind, ProviderLLM
from providers.registry import get_kind, kind_choices

if TYPE_CHECKING:
    from providers.openai_compatible import StreamChunk
    from providers.prompts import PostRequest
    from providers.writing import EventCallback


def env_value(name: str) -> str:
    """A variable from settings if defined there (tests override it so), else os.environ."""
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name, "")
    return str(value or "")


class Provider(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=kind_choices())
    base_url = models.URLField(blank=True, help_text="Empty: the kind's usual address.")
    api_key_env = models.CharField(
        "API key variable",
        max_length=100,
        blank=True,
        help_text="The environment variable holding the key. Empty: the kind's own "
        "(OPENAI_API_KEY, GROQ_API_KEY…). A key entered here in admin wins over it.",
    )
    # A Fernet token (providers.crypto), never the key; not editable as a field:
    # admin has a write-only form field that calls set_api_key().
    api_key_encrypted = models.TextField(blank=True, editable=False)
    default_model = models.CharField(max_length=200, blank=True)
    enabled = models.BooleanField(default=True)
    auto_enable = models.BooleanField(
        "enable when a key is set",
        default=False,
        help_text="Offered for new posts as soon as its API key is set, even while "
        "“enabled” is off. Untick both to hide it.",
    )
    fallback = models.BooleanField(
        "use as fallback",
        default=True,
        help_text="When the chosen provider is down, rate limited or out of quota, the "
        "job continues with the next fallback provider, in position order.",
    )
    position = models.PositiveSmallIntegerField(default=100)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def __repr__(self) -> str:
        return f"<Provider {self.slug} ({self.kind})>"

    # --- the kind and its defaults -------------------------------------------

    @property
    def kind_class(self) -> type[ProviderKind]:
        return get_kind(self.kind)

    # What the kind is, asked of the row.

    @property
    def has_server(self) -> bool:
        return self.kind_class.has_server

    @property
    def is_priced(self) -> bool:
        return self.kind_class.is_priced

    @property
    def can_translate(self) -> bool:
        return self.kind_class.can_translate

    @property
    def effective_base_url(self) -> str:
        kind = self.kind_class
        own = self.base_url.strip()
        # A row holding the kind's usual address follows the settings (OPENAI_BASE_URL).
        if own and own.rstrip("/") != kind.default_base_url.rstrip("/"):
            return own
        return kind.base_url_default()

    @property
    def effective_model(self) -> str:
        return self.default_model or self.kind_class.model_default()

    def context_window(self, model: str = "") -> int:
        return self.kind_class.context_window(model or self.effective_model)

    # --- the key -------------------------------------------------------------

    @property
    def key_variable(self) -> str:
        """The environment variable the key comes from, or "" if none is looked at."""
        if not self.has_server:
            return ""
        return self.api_key_env or self.kind_class.key_env

    def set_api_key(self, plaintext: str) -> None:
        """Store a key typed in admin, encrypted; an empty one clears it. Call save() after."""
        plaintext = plaintext.strip()
        self.api_key_encrypted = crypto.encrypt(plaintext) if plaintext else ""

    def clear_api_key(self) -> None:
        self.api_key_encrypted = ""

    def stored_key(self) -> str:
        """The key typed in admin, decrypted; "" if none or unreadable under this secret."""
        if not self.api_key_encrypted:
            return ""
        try:
            return crypto.decrypt(self.api_key_encrypted)
        except crypto.KeyUnreadable:
            return ""

    @property
    def stored_key_unreadable(self) -> bool:
        return bool(self.api_key_encrypted) and not self.stored_key()

    @property
    def api_key(self) -> str:
        """The key requests carry: admin's if set, else the environment's."""
        stored = self.stored_key()
        if stored:
            return stored
        variable = self.key_variable
        return env_value(variable) if variable else ""

    @property
    def key_source(self) -> str:
        if self.stored_key():
            return "admin"
        if self.key_variable and env_value(self.key_variable):
            return self.key_variable
        return ""

    @property
    def needs_key(self) -> bool:
        """Cloud kinds at their own address need one; a named variable says one is wanted.

        Any kind pointed at another address (a proxy, a local server) may go without.
        """
        if not self.has_server:
            return False
        if self.api_key_env or self.api_key_encrypted:
            return True
        kind = self.kind_class
        own = self.base_url.strip().rstrip("/")
        at_home = not own or own == kind.default_base_url.rstrip("/")
        return kind.requires_key and at_home

    def key_hint(self) -> str:
        """Whether a key is set, showing at most its last four characters."""
        if not self.needs_key and not self.api_key:
            return "no key needed"
        if self.stored_key_unreadable and not self.api_key:
            return "stored key unreadable (SECRET_KEY changed?): enter it again in admin"
        key = self.api_key
        if not key:
            variable = self.key_variable or "its key variable"
            return f"no key set: set {variable}"
        # Where it comes from only when that is admin: the environment is the usual place.
        said = "key set in admin" if self.key_source == "admin" else "key set"
        masked = crypto.mask(key)
        return f"{said} ({masked})" if masked else said

    # --- readiness -----------------------------------------------------------

    def configuration_problem(self) -> str:
        """What stops this provider from writing, in a sentence; "" when nothing does."""
        if not self.has_server:
            return ""
        if not self.effective_base_url:
            return f"{self.name} has no base URL."
        if self.needs_key and not self.api_key:
            return f"{self.name} needs an API key and none is set."
        return ""

    @property
    def is_configured(self) -> bool:
        return not self.configuration_problem()

    def client(self, *, timeout: float | None = None, max_retries: int = 2) -> ProviderKind:
        """This provider's kind, bound to its address and key."""
        options: dict = {"max_retries": max_retries}
        if timeout is not None:
            options["timeout"] = timeout
        return self.kind_class(
            base_url=self.effective_base_url, api_key=self.api_key, name=self.name, **options
        )

    def llm(self, model: str = "") -> ProviderLLM:
        """What providers.writing writes with: this provider and one model."""
        return self.client().llm(model or self.effective_model)

    def write(
        self, request: PostRequest, model: str = "", *, on_event: EventCallback | None = None
    ) -> Iterator[StreamChunk]:
        """The post as streamed text, written by this provider's kind with one model."""
        return self.client().write(request, model or self.effective_model, on_event=on_event)


class ProviderHealth(models.Model):
    """One check of a provider: is it up, how fast, and what went wrong."""

    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="health_checks")
    checked_at = models.DateTimeField(auto_now_add=True, db_index=True)
    ok = models.BooleanField()
    latency_ms = models.PositiveIntegerField(null=True, blank=True)
    error_code = models.CharField(max_length=50, blank=True)
    error = models.TextField(blank=True)
    model_ids = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-checked_at", "-id"]
        get_latest_by = "checked_at"

    def __str__(self) -> str:
        return f"{self.provider}: {'ok' if self.ok else self.error_code or 'down'}"

    @classmethod
    def prune(cls, *, keep_days: int = 30) -> int:
        """Forget checks older than keep_days; a check every 30 minutes adds up."""
        cutoff = timezone.now() - timedelta(days=keep_days)
        deleted, _ = cls.objects.filter(checked_at__lt=cutoff).delete()
        return deleted


PRICES_CACHE_KEY = "providers:model-prices:v1"


class ModelPrice(models.Model):
    """What a model costs per million tokens; prices change, so admin can edit them."""

    model = models.CharField(
        max_length=200,
        unique=True,
        help_text="A model name, or a prefix: “gpt-4o-mini” also prices “gpt-4o-mini-2024-07-18”. "
        "Vendor paths are ignored (“openai/gpt-4o” is “gpt-4o”). The longest match wins.",
    )
    input_usd_per_mtok = models.DecimalField(
        "input USD per 1M tokens", max_digits=12, decimal_places=4
    )
    output_usd_per_mtok = models.DecimalField(
        "output USD per 1M tokens", max_digits=12, decimal_places=4
    )
    as_of = models.DateField(help_text="When this price was read from the provider's price page.")
    note = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["model"]

    def __str__(self) -> str:
        prices = f"${self.input_usd_per_mtok} in / ${self.output_usd_per_mtok} out"
        return f"{self.model}: {prices} per 1M tokens"

    def save(self, *args, **kwargs) -> None:
        self.model = self.model.strip().lower()
        super().save(*args, **kwargs)
        caches["process"].delete(PRICES_CACHE_KEY)

    def delete(self, *args, **kwargs):
        result = super().delete(*args, **kwargs)
        caches["process"].delete(PRICES_CACHE_KEY)
        return result
