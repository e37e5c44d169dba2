"""``{% load links %}``: ``{{ url|web_url }}`` is the URL when it may be a link (http or
https), else "", so a template shows anything else as text."""

from __future__ import annotations

from django import template

from blogtube_site import links

register = template.Library()
register.filter("web_url", links.web_url)
