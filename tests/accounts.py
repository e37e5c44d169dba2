"""The accounts tests sign in with: one ordinary person, who owns what tests make."""

from __future__ import annotations

from django.contrib.auth import get_user_model

USERNAME = "alice"
PASSWORD = "correct horse battery staple"


def signed_in_user():
    """The person the ``client`` fixture is signed in as (not staff)."""
    user, created = get_user_model().objects.get_or_create(username=USERNAME)
    if created:
        user.set_password(PASSWORD)
        user.save()
    return user


def make_user(username: str, *, staff: bool = False):
    return get_user_model().objects.create_user(
        username, password=PASSWORD, is_staff=staff, is_superuser=staff
    )
