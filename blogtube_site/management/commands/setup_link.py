"""`manage.py setup_link`: the one-time link to a fresh install's first account."""

from __future__ import annotations

import os

from django.core.management.base import BaseCommand, CommandParser
from django.urls import reverse

from blogtube_site.accounts import SETUP_TOKEN_SECONDS, anyone_signed_up, new_setup_token


class Command(BaseCommand):
    help = "Print a one-time link that creates the first (staff) account, if there is none."

    def add_arguments(self, parser: CommandParser) -> None:
        # `make run` serves at BLOGTUBE_HOST:BLOGTUBE_PORT; the link must point there.
        host = os.environ.get("BLOGTUBE_HOST") or "127.0.0.1"
        port = os.environ.get("BLOGTUBE_PORT") or "8000"
        parser.add_argument(
            "--base-url",
            default=f"http://{host}:{port}",
            help="where BlogTube is served (default: http://$BLOGTUBE_HOST:$BLOGTUBE_PORT)",
        )

    def handle(self, *args, **options) -> None:
        if anyone_signed_up():
            return  # nothing to set up: people sign in with their accounts
        path = reverse("setup", args=[new_setup_token()])
        hours = SETUP_TOKEN_SECONDS // 3600
        self.stdout.write(
            f"Create the first account: {options['base_url'].rstrip('/')}{path}\n"
            f"(works once, for {hours} hours; `manage.py createsuperuser` works too)"
        )
