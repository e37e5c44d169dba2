"""Move the destinations' stored keys to the current secret after a rotation."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from blogtube_site.crypto import KeyUnreadable
from publishing.models import SEALER, Destination


class Command(BaseCommand):
    help = (
        "Re-encrypt the destinations' keys and application passwords under the current secret "
        "(BLOGTUBE_ENCRYPTION_KEY, else SECRET_KEY). Run it with reencrypt_keys after a "
        "rotation, while the old secret is still in SECRET_KEY_FALLBACKS."
    )

    def handle(self, *args, **options) -> None:
        moved, unreadable = 0, []
        stored = Destination.objects.exclude(secret_encrypted="").order_by("pk")
        for destination in stored.iterator(chunk_size=500):
            try:
                token = SEALER.reencrypt(destination.secret_encrypted)
            except KeyUnreadable:
                unreadable.append(f"{destination.name} (#{destination.pk})")
                continue
            Destination.objects.filter(pk=destination.pk).update(secret_encrypted=token)
            moved += 1
        self.stdout.write(f"Re-encrypted {moved} destination key{'s' if moved != 1 else ''}.")
        if unreadable:
            raise CommandError(
                "Could not decrypt the stored key of "
                + ", ".join(unreadable[:20])
                + ". Put the secret they were stored under in SECRET_KEY_FALLBACKS and run this "
                "again, or have their owners enter them again."
            )
