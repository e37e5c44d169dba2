"""What the rest of BlogTube may ask of publishing: a person's destinations, checking one,
publishing an Article to one (or exporting it as a zip), and the shapes these speak."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from publishing.destinations.base import Article, Picture, Progress, Remote
from publishing.destinations.static_site import GENERATORS
from publishing.errors import DestinationError
from publishing.forms import DestinationForm
from publishing.models import Destination

__all__ = [
    "GENERATORS",
    "Article",
    "Destination",
    "DestinationError",
    "DestinationForm",
    "Picture",
    "Remote",
    "check",
    "destinations_for",
    "export",
    "find_destination",
    "publish",
]


def destinations_for(user: Any) -> QuerySet[Destination]:
    """The destinations ``user`` may use: their own (staff: everyone's)."""
    return Destination.objects.visible_to(user).select_related("owner")


def find_destination(user: Any, reference: str | int) -> Destination | None:
    """One of ``user``'s own destinations, by id or by name (case-insensitive); None if
    there is none. Own, even for staff: a post goes out only with its sender's credentials."""
    text = str(reference).strip()
    mine = destinations_for(user).filter(owner=user)
    if text.isdigit():
        return mine.filter(pk=int(text)).first()
    return mine.filter(name__iexact=text).first()


def check(destination: Destination) -> tuple[bool, str]:
    """Ask the site whether the credentials may publish; the answer is kept on the row."""
    if destination.kind_class.needs_secret and not destination.secret():
        ok, message = False, destination.secret_hint.capitalize() + "."
    else:
        try:
            ok, message = True, destination.client().check()
        except DestinationError as error:
            ok, message = False, error.message
            if error.suggestions:
                message += " " + " ".join(error.suggestions)
    destination.record_check(ok, message)
    return ok, message


def publish(
    destination: Destination,
    article: Article,
    *,
    published: bool,
    previous: Remote | None,
    progress: Progress,
) -> Remote:
    """Create the post on the destination, or update ``previous`` there: a Remote saying
    where it is, or a DestinationError (transient ones are worth retrying)."""
    if destination.kind_class.needs_secret and not destination.secret():
        raise DestinationError(
            f"{destination.name} has no readable key.",
            suggestions=["Enter the key again on the Destinations page"],
        )
    return destination.client().publish(
        article, published=published, previous=previous, progress=progress
    )


def export(destination: Destination, article: Article, *, published: bool) -> tuple[str, bytes]:
    """(file name, zip) of a static-site destination's layout of the article."""
    client = destination.client()
    if destination.is_remote or not hasattr(client, "export"):
        raise DestinationError(f"{destination.name} is not a static site: publish to it instead.")
    return client.export(article, published=published)
