"""Template mistakes that render without an error but show on the page."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = sorted((ROOT / "templates").rglob("*.html"))


def test_there_are_templates_to_check():
    assert len(TEMPLATES) > 10


def test_no_comment_tag_spans_lines():
    # Django's {# #} ends at the line's end: a second line prints the comment as page text,
    # and an unclosed tag named in it (<style>, <script>) swallows the rest of the page.
    broken = [
        f"{path.relative_to(ROOT)}:{text.count(chr(10), 0, match.start()) + 1}"
        for path in TEMPLATES
        for text in [path.read_text(encoding="utf-8")]
        for match in re.finditer(r"\{#(?:(?!#\}).)*$", text, re.M)
    ]
    assert broken == [], "use {% comment %} for comments over several lines: " + ", ".join(broken)
