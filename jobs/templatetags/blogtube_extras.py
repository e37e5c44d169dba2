"""How BlogTube writes money and durations, wherever they are shown.

Templates use these as filters (``{% load blogtube_extras %}``, then
``{{ job.duration_seconds|duration }}``); Python that writes text for people (the
stats charts, the cost estimate, the CLI) calls the same functions, so a figure
reads the same on every page and in every terminal.
"""

from __future__ import annotations

import datetime
from decimal import Decimal

from django import template
from django.contrib.humanize.templatetags.humanize import naturaltime
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.timezone import template_localtime

register = template.Library()


def _missing(value: object) -> bool:
    # None is "not known"; "" is what a template passes for a variable it cannot resolve.
    return value is None or value == ""


def _dollars(value: Decimal, places: int) -> str:
    return f"${value:,.{places}f}"


@register.filter
def money(value: Decimal | float | None) -> str:
    """A cost worked out from list prices: "$0", "≈ $0.0027", "≈ $1,234.56"; "" for None."""
    if _missing(value):
        return ""
    value = Decimal(value)
    if not value:
        return "$0"
    # Under a dollar a post's cost shows in tenths of a cent; beyond, cents are enough.
    return f"≈ {_dollars(value, 4 if value < 1 else 2)}"


@register.filter
def money_estimate(value: Decimal | float | None) -> str:
    """A guess before anything ran, rounded as coarsely as it deserves: "about $0.003"."""
    if _missing(value):
        return ""
    value = Decimal(value)
    if value < Decimal("0.001"):
        return "less than $0.001"
    # A tenth of a cent matters for small posts; beyond a cent it is noise.
    return f"about {_dollars(value, 3 if value < Decimal('0.01') else 2)}"


# A provider whose kind is not priced costs nothing per token: the estimate and the
# job's page say so in these words.
FREE_ON_OWN_SERVER = "free (runs on your own server)"  # Ollama, LM Studio, vLLM
FREE_OFFLINE = "free (offline writer)"


@register.filter
def duration(seconds: float | None) -> str:
    """Time taken: "4.2 s" (tenths only under ten seconds), "42 s", "3m 07s"; "" for None."""
    if _missing(seconds):
        return ""
    seconds = float(seconds)
    if seconds < 10:
        return f"{seconds:.1f} s"
    if round(seconds) < 60:
        return f"{seconds:.0f} s"
    minutes, secs = divmod(round(seconds), 60)
    return f"{minutes}m {secs:02}s"


@register.filter
def time_left(seconds: float | None) -> str:
    """What an estimate of the remaining time is worth: "about 4 min left"; "" for None."""
    if _missing(seconds):
        return ""
    if seconds < 60:
        return "less than a minute left"
    return f"about {round(seconds / 60)} min left"


@register.filter
def ago(moment: datetime.datetime | None) -> SafeString | str:
    """A moment as "now", "a minute ago", "3 days, 2 hours ago", in a <time> that gives
    the exact time, to the second, on hover."""
    if not moment:
        return ""
    local = template_localtime(moment)
    # isoformat and strftime: what date_format's "c" and "Y-m-d H:i:s" give, at a fifth of
    # the cost, which a table pays once a row.
    return format_html(
        '<time datetime="{}" title="{}">{}</time>',
        local.isoformat(),
        local.strftime("%Y-%m-%d %H:%M:%S"),
        naturaltime(moment),
    )
