"""A person's destinations: where their posts can go, with credentials encrypted at rest."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone

from blogtube_site.crypto import KeyUnreadable, Sealer
from blogtube_site.ownership import OwnedQuerySet
from publishing.destinations import KINDS
from publishing.destinations.base import DestinationKind

# Fixed, public: it only separates this use of the secret from the providers' keys.
SEALER = Sealer(b"blogtube.publishing.destination-secret")


class Destination(models.Model):
    class Kind(models.TextChoices):
        WORDPRESS = "wordpress", "WordPress"
        GHOST = "ghost", "Ghost"
        FOREM = "forem", "dev.to (Forem)"
        STATIC = "static", "Static site (zip)"

    class Generator(models.TextChoices):
        HUGO = "hugo", "Hugo"
        JEKYLL = "jekyll", "Jekyll"
        ASTRO = "astro", "Astro"

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="destinations"
    )
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    site_url = models.CharField("site address", max_length=500, blank=True)
    username = models.CharField(max_length=150, blank=True)
    # A Fernet token (blogtube_site.crypto), never the secret; shown again to nobody.
    secret_encrypted = models.TextField(blank=True, editable=False)
    generator = models.CharField(
        max_length=10, choices=Generator.choices, blank=True, help_text="Static sites only."
    )
    created = models.DateTimeField(auto_now_add=True)
    checked_at = models.DateTimeField(null=True, blank=True)
    check_ok = models.BooleanField(null=True)
    check_message = models.TextField(blank=True)

    objects = OwnedQuerySet.as_manager()

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "name"], name="one_destination_name_per_owner")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    @property
    def kind_class(self) -> type[DestinationKind]:
        return KINDS[self.kind]

    @property
    def is_remote(self) -> bool:
        return self.kind_class.is_remote

    @property
    def address(self) -> str:
        return self.site_url or self.kind_class.default_url

    def set_secret(self, plaintext: str) -> None:
        plaintext = plaintext.strip()
        self.secret_encrypted = SEALER.encrypt(plaintext) if plaintext else ""

    def secret(self) -> str:
        """The secret, decrypted; "" if none or unreadable under this installation's secret."""
        if not self.secret_encrypted:
            return ""
        try:
            return SEALER.decrypt(self.secret_encrypted)
        except KeyUnreadable:
            return ""

    @property
    def secret_hint(self) -> str:
        if not self.kind_class.needs_secret:
            return "no key needed"
        if not self.secret_encrypted:
            return "no key set"
        if not self.secret():
            return "stored key unreadable (SECRET_KEY changed?): enter it again"
        return "key set"

    def client(self) -> DestinationKind:
        return self.kind_class(
            site_url=self.address,
            username=self.username,
            secret=self.secret(),
            options={"generator": self.generator},
        )

    def record_check(self, ok: bool, message: str) -> None:
        Destination.objects.filter(pk=self.pk).update(
            checked_at=timezone.now(), check_ok=ok, check_message=message
        )
        self.checked_at, self.check_ok, self.check_message = timezone.now(), ok, message

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "name": self.name,
            "kind": self.kind,
            "site_url": self.address,
            "username": self.username,
            "generator": self.generator,
            "secret": self.secret_hint,
            "checked_at": self.checked_at,
            "check_ok": self.check_ok,
            "check_message": self.check_message,
        }
