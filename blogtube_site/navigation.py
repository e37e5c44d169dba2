"""The main navigation: every section, and which one a page belongs to."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Section:
    label: str
    url_name: str
    # (namespace, url names) of the pages that belong here; no names: the whole namespace.
    # A name also covers its dashed sub-pages: "post" holds "post-edit".
    pages: tuple[tuple[str, tuple[str, ...]], ...]
    staff_only: bool = False


SECTIONS = (
    Section("New post", "jobs:home", (("jobs", ("home",)),)),
    Section(
        "Jobs",
        "jobs:list",
        (("jobs", ("list", "detail", "deleted", "post")),),
    ),
    Section("Batches", "jobs:batches", (("jobs", ("batches", "batch")),)),
    Section("Videos", "videos:list", (("videos", ()),)),
    Section("Providers", "providers:list", (("providers", ()),)),
    Section("Stats", "jobs:stats", (("jobs", ("stats",)),)),
    Section("Queue", "jobs:queue", (("jobs", ("queue",)),), staff_only=True),
    Section("Admin", "admin:index", (("admin", ()),), staff_only=True),
)


@dataclass(frozen=True)
class NavLink:
    label: str
    href: str
    current: bool


def _belongs(section: Section, namespace: str, name: str) -> bool:
    return any(
        ns == namespace and (not names or any(name == n or name.startswith(n + "-") for n in names))
        for ns, names in section.pages
    )


def links(namespace: str, url_name: str, *, staff: bool) -> list[NavLink]:
    """The sections a person may visit, the one holding (namespace, url_name) marked current."""
    return [
        NavLink(s.label, reverse(s.url_name), _belongs(s, namespace, url_name))
        for s in SECTIONS
        if staff or not s.staff_only
    ]
