"""One module per kind of destination; ``KINDS`` names them by slug."""

from __future__ import annotations

from publishing.destinations.base import DestinationKind
from publishing.destinations.forem import Forem
from publishing.destinations.ghost import Ghost
from publishing.destinations.static_site import StaticSite
from publishing.destinations.wordpress import WordPress

KINDS: dict[str, type[DestinationKind]] = {
    kind.slug: kind for kind in (WordPress, Ghost, Forem, StaticSite)
}
