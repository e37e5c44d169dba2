"""How much Markdown may nest, so that rendering it takes bounded time and stack.

Python-Markdown recurses once per level of nested lists and quotes (a few thousand
``- `` on one line raise RecursionError), and scans ahead from every ``[`` or ``(``
for the one that closes it (thousands of unclosed ones take seconds to minutes).
A person's edit beyond the limits is refused with `problem`; a model's text, or a
stored one, is rendered through `bounded`, which keeps what is within them and makes
the rest plain text.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

MAX_CHARS = 100_000  # a long post is some 20,000
MAX_NESTING = 24  # lists and quotes inside each other, counting each 4 columns of indent
# "[", "(" or a tag's "<" not yet closed within a paragraph: the parser scans to the
# paragraph's end from each one, several times over.
MAX_OPEN = 8

_FENCE = re.compile(r"^[ \t]*(?:```|~~~)")
_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]+|>[ \t]*")
# "<" only where a tag could start: "a < b" is prose.
_BRACKET = re.compile(r"\\.|[\[\]()>]|<(?=[A-Za-z/!?])", re.DOTALL)
_PAIRS = {"[": "]", "(": ")", "<": ">"}
_CLOSERS = {"]": "[", ")": "(", ">": "<"}
# "<" has no backslash escape in Markdown: an entity is the same character as text.
_AS_TEXT = {"[": "\\[", "]": "\\]", "(": "\\(", ")": "\\)", "<": "&lt;", ">": "&gt;"}


def problem(text: str, first_line: int = 1) -> str:
    """What makes a person's Markdown too big or too deep to render, "" when nothing.

    first_line: the number of the text's first line in what the person sees."""
    if len(text) > MAX_CHARS:
        return (
            f"The post is {len(text):,} characters long; the limit is {MAX_CHARS:,}. "
            "Split it into several posts."
        )
    for number, line, code in _lines(text):
        if not code and _nesting(line)[0] > MAX_NESTING:
            return (
                f"Line {number + first_line - 1} nests lists or quotes more than "
                f"{MAX_NESTING} deep. Flatten it: fewer leading “-”, “>” or spaces."
            )
    overflow = _first_overflow(text)
    if overflow:
        number, char = overflow
        return (
            f"Line {number + first_line - 1} leaves more than {MAX_OPEN} “{char}” open in one "
            "paragraph. "
            f"Close them with “{_PAIRS[char]}”, or write {_AS_TEXT[char]} for a plain “{char}”."
        )
    return ""


def bounded(text: str) -> str:
    """The text with what is nested too deep made flat, and brackets beyond the limit
    escaped, so it renders in bounded time. Text within the limits comes back unchanged."""
    lines = []
    for _, line, code in _lines(text):
        if not code and _nesting(line)[0] > MAX_NESTING:
            line = _flatten(line)
        lines.append(line)
    return _escape_excess("".join(lines))


def _lines(text: str) -> Iterator[tuple[int, str, bool]]:
    """Each line (with its end) and whether it is inside a fenced code block."""
    code = False
    for number, line in enumerate(text.splitlines(keepends=True), start=1):
        if _FENCE.match(line):
            code = not code
            yield number, line, True
        else:
            yield number, line, code


def _nesting(line: str) -> tuple[int, int, int]:
    """(depth, indent columns, where the markers end) of one line."""
    stripped = line.lstrip(" \t")
    columns = len(line[: len(line) - len(stripped)].expandtabs(4))
    markers, position = 0, 0
    while match := _MARKER.match(stripped, position):
        markers += 1
        position = match.end()
    return columns // 4 + markers, columns, len(line) - len(stripped) + position


def _flatten(line: str) -> str:
    _, columns, end = _nesting(line)
    kept_columns = min(columns, 4 * MAX_NESTING)
    stripped = line.lstrip(" \t")
    room = MAX_NESTING - kept_columns // 4
    markers, position = [], 0
    while (match := _MARKER.match(stripped, position)) and len(markers) < room:
        markers.append(match.group())
        position = match.end()
    return " " * kept_columns + "".join(markers) + line[end:]


def _paragraphs(text: str) -> Iterator[tuple[int, str]]:
    """(first line number, text) of each run of lines between blank lines."""
    number = 1
    for block in re.split(r"(\n[ \t]*\n)", text):
        yield number, block
        number += block.count("\n")


def _first_overflow(text: str) -> tuple[int, str] | None:
    for first, block in _paragraphs(text):
        depth = dict.fromkeys(_PAIRS, 0)
        for match in _BRACKET.finditer(block):
            char = match.group()
            if char in depth:
                depth[char] += 1
                if depth[char] > MAX_OPEN:
                    return first + block.count("\n", 0, match.start()), char
            elif char in _CLOSERS:
                opener = _CLOSERS[char]
                depth[opener] = max(depth[opener] - 1, 0)
    return None


def _escape_excess(text: str) -> str:
    if _first_overflow(text) is None:
        return text
    out = []
    for _, block in _paragraphs(text):
        depth = dict.fromkeys(_PAIRS, 0)
        escaped = dict.fromkeys(_PAIRS, 0)
        position = 0
        for match in _BRACKET.finditer(block):
            char = match.group()
            if char in depth:
                if depth[char] >= MAX_OPEN:
                    # The deepest openers become text, and so do the closers that match them.
                    out.append(block[position : match.start()] + _AS_TEXT[char])
                    position = match.end()
                    escaped[char] += 1
                else:
                    depth[char] += 1
            elif char in _CLOSERS:
                opener = _CLOSERS[char]
                if escaped[opener]:
                    out.append(block[position : match.start()] + _AS_TEXT[char])
                    position = match.end()
                    escaped[opener] -= 1
                else:
                    depth[opener] = max(depth[opener] - 1, 0)
        out.append(block[position:])
    return "".join(out)
