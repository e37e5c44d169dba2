"""A person's edited Markdown back into its parts: the front matter (YAML loaded safely and
within bounds) and the body, rendered as the post page shows it."""

from __future__ import annotations

from dataclasses import dataclass

import yaml

from jobs.formatting import leading_h1, to_html


class PostTextError(ValueError):
    """Text a person typed that cannot become a post; the message says what to fix."""


class FrontMatterError(PostTextError):
    pass


_FENCE = "---"
_FENCE_END = ("---", "...")  # YAML allows "..." to close a document


def split_front_matter(markdown: str) -> tuple[str | None, str]:
    """The YAML between the leading ``---`` lines (None without any) and the body after it."""
    text = markdown.lstrip("\ufeff")
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != _FENCE:
        return None, text
    for i, line in enumerate(lines[1:], start=1):
        if line.strip() in _FENCE_END:
            return "".join(lines[1:i]), "".join(lines[i + 1 :]).lstrip("\n")
    raise FrontMatterError(
        'The front matter starts with "---" but has no closing "---" line before the text.'
    )


MAX_FRONT_MATTER_CHARS = 10_000
MAX_FRONT_MATTER_DEPTH = 10


class FrontMatterLoader(yaml.SafeLoader):
    """safe_load without what makes a few bytes of YAML into a huge or broken value:
    anchors and aliases (one alias of an alias... is an exponential "billion laughs"),
    deep nesting (recursion), and dates such as 2024-13-45 (a ValueError, not YAML's)."""

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent, index):
        if isinstance(self.peek_event(), yaml.AliasEvent):
            raise FrontMatterError(
                "The front matter uses a YAML alias (*name); write the value out instead."
            )
        if getattr(self.peek_event(), "anchor", None):
            raise FrontMatterError(
                "The front matter uses a YAML anchor (&name); write the value out instead."
            )
        self._depth += 1
        try:
            if self._depth > MAX_FRONT_MATTER_DEPTH:
                raise FrontMatterError(
                    f"The front matter nests lists or maps more than {MAX_FRONT_MATTER_DEPTH} deep."
                )
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_yaml_timestamp(self, node):
        try:
            return super().construct_yaml_timestamp(node)
        except (ValueError, OverflowError):
            line = node.start_mark.line + 2  # +2: after the opening "---", counting from 1
            raise FrontMatterError(
                f"“{node.value}” on line {line} is not a real date; write it as YYYY-MM-DD, "
                "such as 2024-05-31."
            ) from None


FrontMatterLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", FrontMatterLoader.construct_yaml_timestamp
)


def parse_post(markdown: str) -> tuple[dict, str]:
    """Front matter as a dict and the body without it; FrontMatterError when the YAML is wrong."""
    raw, body = split_front_matter(markdown)
    if raw is None:
        return {}, body
    if len(raw) > MAX_FRONT_MATTER_CHARS:
        raise FrontMatterError(
            f"The front matter is {len(raw):,} characters long; the limit is "
            f"{MAX_FRONT_MATTER_CHARS:,}. It holds the title, description and tags, not the text."
        )
    try:
        front = yaml.load(raw, Loader=FrontMatterLoader)  # safe_load, bounded
    except yaml.YAMLError as exc:
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        mark = getattr(exc, "problem_mark", None)
        # +2: the mark counts from 0 inside the YAML, which starts after the opening "---".
        where = f" (line {mark.line + 2}, column {mark.column + 1})" if mark else ""
        raise FrontMatterError(f"The front matter is not valid YAML: {problem}{where}.") from exc
    except FrontMatterError:
        raise
    except (ValueError, OverflowError) as exc:  # such as an integer of 5,000 digits
        raise FrontMatterError(f"The front matter has a value that cannot be read: {exc}") from exc
    if front is None:
        return {}, body
    if not isinstance(front, dict):
        raise FrontMatterError(
            'The front matter must be "key: value" lines, such as "title: My post".'
        )
    tags = front.get("tags")
    if tags is not None and not isinstance(tags, (list, str)):
        raise FrontMatterError('"tags" must be a list, such as "tags: [bread, baking]".')
    return front, body


def front_tags(front: dict) -> list[str] | None:
    """Tags as a list of strings; a comma-separated string counts too. None when absent."""
    tags = front.get("tags")
    if tags is None:
        return None
    if isinstance(tags, str):
        tags = tags.split(",")
    return [str(t).strip() for t in tags if t is not None and str(t).strip()]


@dataclass(frozen=True)
class RenderedBody:
    heading: str  # the leading H1, "" when there is none
    html: str  # sanitized fragment, without that H1 (pages print the title themselves)
    word_count: int


def render_body(body: str) -> RenderedBody:
    """Render a body the way format_post does: the leading H1 is the title, not content."""
    text = body.strip()
    heading, rest = leading_h1(text) or ("", text)
    return RenderedBody(heading=heading, html=to_html(rest), word_count=len(rest.split()))


def body_word_count(body: str) -> int:
    """render_body's word count without rendering: a page listing many versions counts them."""
    text = body.strip()
    return len((leading_h1(text) or ("", text))[1].split())
