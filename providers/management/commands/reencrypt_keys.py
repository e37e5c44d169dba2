"""Move the API keys stored in admin to the current secret after a rotation."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from providers import crypto
from providers.models import Provider


class Command(BaseCommand):
    help = (
        "Re-encrypt the API keys typed in admin under the current secret "
        "(BLOGTUBE_ENCRYPTION_KEY, else SECRET_KEY). Run it after a rotation, while the "
        "old secret is still in SECRET_KEY_FALLBACKS; then the old secret can go."
    )

    def handle(self, *args, **options) -> None:
        moved, unreadable = 0, []
        for provider in Provider.objects.exclude(api_key_encrypted="").order_by("slug"):
            try:
                token = crypto.reencrypt(provider.api_key_encrypted)
            except crypto.KeyUnreadable:
                unreadable.append(provider.slug)
                continue
            Provider.objects.filter(pk=provider.pk).update(api_key_encrypted=token)
            moved += 1
        self.stdout.write(f"Re-encrypted {moved} stored API key{'s' if moved != 1 else ''}.")
        if unreadable:
            raise CommandError(
                "Could not decrypt the stored key of "
                + ", ".join(unreadable)
                + ". Put the secret they were stored under in SECRET_KEY_FALLBACKS and run this "
                "again, or enter those keys again in admin."
            )
