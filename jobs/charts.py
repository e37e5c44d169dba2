"""Small SVG charts drawn on the server: no chart library, no CDN, no script.

Shapes carry CSS classes (``s-<series>``) and text uses ``currentColor``, so the
page's stylesheet colours them from the theme variables, light or dark. Every
text that comes from data goes through ``escape``; numbers are formatted here.
Each chart is an image for assistive technology (role="img", a <title> and a
<desc>); the page puts a table of the same numbers beside it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import count

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = count(1)


@dataclass(frozen=True)
class Series:
    key: str  # becomes the CSS class s-<key>
    label: str


@dataclass(frozen=True)
class Bar:
    """One row of a horizontal bar chart: a label and one value per series."""

    label: str
    values: Sequence[float]
    note: str = ""  # extra text after the values, e.g. a cost


def _num(value: float) -> str:
    # SVG coordinates: short, no exponent, no locale.
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _open(title: str, desc: str, width: int, height: int, css: str) -> list[str]:
    uid = f"chart-{next(_ids)}"
    return [
        f'<svg class="chart-svg {css}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" aria-describedby="{uid}-desc" '
        f'xmlns="http://www.w3.org/2000/svg" fill="currentColor">',
        f"<title>{escape(title)}</title>",
        f'<desc id="{uid}-desc">{escape(desc)}</desc>',
    ]


def nice_max(value: float) -> tuple[float, float]:
    """A round top for the value axis and its step (about four gridlines)."""
    if value <= 0:
        return 1, 1
    raw = value / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    return step * math.ceil(value / step), step


def stacked_bars(
    *,
    title: str,
    desc: str,
    labels: Sequence[str],
    tick_labels: Sequence[str],
    series: Sequence[Series],
    values: Sequence[dict[str, int]],
    tooltip: Callable[[int], str],
) -> SafeString:
    """Vertical bars, one per label, each a stack of the series (first at the bottom).

    `tick_labels` are the short labels under the axis ("" to skip one); `tooltip(i)`
    is the hover text of bar i.
    """
    width, height = 800, 260
    left, right, top, bottom = 40, 6, 12, 32
    plot_w, plot_h = width - left - right, height - top - bottom
    totals = [sum(v.get(s.key, 0) for s in series) for v in values]
    top_value, step = nice_max(max(totals, default=0))
    # Whole jobs only: a gridline at 2.5 jobs reads as nonsense.
    step = max(1, round(step))
    top_value = step * math.ceil(top_value / step)
    scale = plot_h / top_value
    out = _open(title, desc, width, height, "chart-stacked")
    out.append('<g class="grid">')
    tick = 0
    while tick <= top_value:
        y = top + plot_h - tick * scale
        out.append(
            f'<line x1="{left}" x2="{width - right}" y1="{_num(y)}" y2="{_num(y)}" />'
            f'<text class="axis" x="{left - 6}" y="{_num(y + 4)}" text-anchor="end">{tick}</text>'
        )
        tick += step
    out.append("</g>")
    slot = plot_w / max(1, len(labels))
    bar_w = max(1.0, slot * 0.72)
    for i, (label, row) in enumerate(zip(labels, values, strict=True)):
        x = left + i * slot + (slot - bar_w) / 2
        y = top + plot_h
        out.append(
            f'<g class="bar" data-label="{escape(label)}"><title>{escape(tooltip(i))}</title>'
        )
        for s in series:
            n = row.get(s.key, 0)
            if not n:
                continue
            h = n * scale
            y -= h
            out.append(
                f'<rect class="s-{escape(s.key)}" x="{_num(x)}" y="{_num(y)}" '
                f'width="{_num(bar_w)}" height="{_num(h)}" />'
            )
        out.append("</g>")
        if tick_labels[i]:
            out.append(
                f'<text class="axis" x="{_num(left + i * slot + slot / 2)}" y="{height - 4}" '
                f'text-anchor="middle">{escape(tick_labels[i])}</text>'
            )
    out.append(
        f'<line class="baseline" x1="{left}" x2="{width - right}" '
        f'y1="{top + plot_h}" y2="{top + plot_h}" />'
    )
    out.append("</svg>")
    return mark_safe("".join(out))  # every data string above went through escape()


def horizontal_bars(
    *,
    title: str,
    bars: Sequence[Bar],
    series: Sequence[Series],
    fmt: Callable[[float], str],
) -> SafeString:
    """One group per row: its label above, then one bar per series with its value.
    The description for assistive technology says the same values in words."""
    width = 480
    label_h, bar_h, gap, row_gap = 18, 14, 4, 12
    value_w = 150  # room right of the longest bar for its value
    row_h = label_h + len(series) * (bar_h + gap) + row_gap
    height = max(1, len(bars)) * row_h
    biggest = max((v for b in bars for v in b.values), default=0) or 1
    scale = (width - value_w) / biggest

    def text(s: Series, value: float) -> str:
        # "1.2 s", or with several series "1,200 in" and "300 out".
        return fmt(value) + (f" {s.label.lower()}" if len(series) > 1 else "")

    texts = [[text(s, v) for s, v in zip(series, bar.values, strict=True)] for bar in bars]
    desc = "; ".join(f"{bar.label}: {', '.join(t)}" for bar, t in zip(bars, texts, strict=True))
    out = _open(title, desc, width, height, "chart-hbars")
    for i, bar in enumerate(bars):
        y = i * row_h
        note = f" · {bar.note}" if bar.note else ""
        out.append(
            f'<g class="bar" data-label="{escape(bar.label)}">'
            f'<text class="bar-label" x="0" y="{y + 13}">{escape(bar.label)}'
            f'<tspan class="axis">{escape(note)}</tspan></text>'
        )
        for j, (s, value, text) in enumerate(zip(series, bar.values, texts[i], strict=True)):
            by = y + label_h + j * (bar_h + gap)
            w = max(value * scale, 2 if value else 0)
            out.append(
                f'<rect class="s-{escape(s.key)}" x="0" y="{by}" width="{_num(w)}" '
                f'height="{bar_h}" rx="2"><title>{escape(bar.label)}: {escape(text)}</title></rect>'
                f'<text class="axis" x="{_num(w + 6)}" y="{by + bar_h - 3}">{escape(text)}</text>'
            )
        out.append("</g>")
    out.append("</svg>")
    return mark_safe("".join(out))  # every data string above went through escape()


def tokens_display(tokens: float) -> str:
    return f"{round(tokens):,}"
