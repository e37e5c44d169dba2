"""``{% load navigation %}``: ``{% main_nav %}`` draws the site's sections for the page."""

from __future__ import annotations

from django import template

from blogtube_site import navigation

register = template.Library()


@register.inclusion_tag("_main_nav.html", takes_context=True)
def main_nav(context: template.Context) -> dict:
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    user = getattr(request, "user", None)
    return {
        "links": navigation.links(
            getattr(match, "namespace", "") or "",
            getattr(match, "url_name", "") or "",
            staff=bool(getattr(user, "is_staff", False)),
        )
    }
