"""The SEO data a model writes beside its post: find it, parse it, take it out of the post.

The prompt asks for the post in Markdown and then one fenced ```json block with title,
description, tags and slug. Models do not always comply: some put the block first, some drop the
fence, some use other key names, some add trailing commas, some write no block at all. Everything
here is tolerant of that; a post without usable data is simply a post without data (the format
step falls back to deriving it from the text).

`SeoStreamFilter` does the same on a stream, so the block never reaches the page while the post
grows there; only the current line is held back, and only while it could still open a block.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from django.utils.text import slugify

MAX_DESCRIPTION = 160
MAX_TAGS = 8

_KEYS = {
    "title": "title",
    "seo_title": "title",
    "seotitle": "title",
    "meta_title": "title",
    "description": "description",
    "meta_description": "description",
    "metadescription": "description",
    "summary": "description",
    "tags": "tags",
    "keywords": "tags",
    "slug": "slug",
    "url_slug": "slug",
}
_HINT = re.compile(r'"(?:title|description|meta_?description|tags|keywords|slug)"', re.I)
_FENCE_JSON = re.compile(r"^```+\s*(?:json\w*)\s*$", re.I)
_FENCE = re.compile(r"^```+\s*$")
_TRAILING_COMMA = re.compile(r",(\s*[}\]])")


@dataclass(frozen=True)
class SeoData:
    title: str = ""
    description: str = ""
    tags: tuple[str, ...] = ()
    slug: str = ""

    def as_dict(self) -> dict:
        data = asdict(self)
        data["tags"] = list(self.tags)
        return data


def parse_seo(text: str) -> SeoData | None:
    """SEO data from a JSON object (fenced or not) in `text`; None if there is none."""
    start, end = text.find("{"), text.rfind("}")
    if start < 0 or end <= start:
        return None
    raw = text[start : end + 1]
    data = None
    for candidate in (raw, _TRAILING_COMMA.sub(r"\1", raw)):
        try:
            data = json.loads(candidate)
            break
        except ValueError:
            continue
    if not isinstance(data, dict):
        return None
    found: dict[str, object] = {}
    for key, value in data.items():
        name = _KEYS.get(re.sub(r"[\s-]", "_", str(key).strip().lower()))
        if name and name not in found:
            found[name] = value
    # One known key could be any JSON a tutorial shows; two make it ours.
    if len(found) < 2:
        return None
    title = _one_line(found.get("title")).lstrip("#").strip()
    return SeoData(
        title=title,
        description=clip(_one_line(found.get("description"))),
        tags=_tags(found.get("tags")),
        slug=slugify(_one_line(found.get("slug")))[:100],
    )


def split_seo(text: str) -> tuple[str, SeoData | None]:
    """The post without its SEO block, and the block's data (None without a usable block)."""
    seo_filter = SeoStreamFilter()
    body = seo_filter.feed(text) + seo_filter.finish()
    return body.strip("\n") + ("\n" if body.strip() else ""), seo_filter.seo


def seo_block(seo: SeoData) -> str:
    """The block as BlogTube stores it at the end of a draft, for the format step to find."""
    return "\n\n```json\n" + json.dumps(seo.as_dict(), ensure_ascii=False) + "\n```\n"


def clip(text: str, limit: int = MAX_DESCRIPTION) -> str:
    if len(text) <= limit:
        return text
    return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:.") + "…"


def _one_line(value: object) -> str:
    if value is None or isinstance(value, (dict, list)):
        return ""
    return " ".join(str(value).split())


def _tags(value: object) -> tuple[str, ...]:
    if isinstance(value, str):
        items: list[object] = re.split(r"[,;]", value)
    elif isinstance(value, list):
        items = value
    else:
        return ()
    tags: list[str] = []
    for item in items:
        if isinstance(item, (dict, list)) or item is None:
            continue
        tag = " ".join(str(item).split()).lstrip("#").strip()
        if tag and tag.lower() not in (t.lower() for t in tags):
            tags.append(tag)
    return tuple(tags[:MAX_TAGS])


class SeoStreamFilter:
    """Passes a streamed post through, minus its SEO block; `seo` holds the data at the end.

    A block before any text, or with only blank lines after it, is taken. A block in the
    middle of the post (a tutorial's JSON example) is given back in place once text follows.
    """

    def __init__(self) -> None:
        self.seo: SeoData | None = None
        self._line = ""  # the current line, held while it could still open a block
        self._passing = False  # the current line is known to be text: stream it through
        self._block: list[str] | None = None
        self._fenced = False
        self._fence_wait: str | None = None  # a bare ``` line: a block if "{" follows
        self._held: str | None = None  # a finished block that may turn out to be the last
        self._held_seo: SeoData | None = None
        self._held_tail = ""
        self._body_started = False

    def feed(self, text: str) -> str:
        out: list[str] = []
        while text:
            newline = text.find("\n")
            piece, text = (text, "") if newline < 0 else (text[: newline + 1], text[newline + 1 :])
            if self._passing:
                out.append(piece)
                self._passing = not piece.endswith("\n")
                continue
            self._line += piece
            if self._line.endswith("\n"):
                line, self._line = self._line, ""
                out.append(self._on_line(line))
            elif self._block is None and self._fence_wait is None and not _may_open(self._line):
                out.append(self._emit(self._line))
                self._line = ""
                self._passing = True
        return "".join(out)

    def finish(self) -> str:
        out = ""
        if self._line:
            line, self._line = self._line, ""
            out += self._on_line(line)
        if self._fence_wait is not None:
            out += self._emit(self._fence_wait)
            self._fence_wait = None
        if self._block is not None:
            # Unclosed: the data may still be whole (a missing fence); if not, it is text.
            text, self._block = "".join(self._block), None
            data = parse_seo(text)
            if data is not None:
                out += self._flush_held()
                self.seo = data
            else:
                out += self._emit(text)
        if self._held is not None:
            self.seo = self._held_seo
            self._held = None
        return out

    def _on_line(self, line: str) -> str:
        if self._block is not None:
            self._block.append(line)
            return self._close_block() if self._closes(line) else ""
        if self._fence_wait is not None:
            fence, self._fence_wait = self._fence_wait, None
            if line.lstrip().startswith("{"):
                self._block, self._fenced = [fence, line], True
                return ""
            return self._emit(fence) + self._on_line(line)
        stripped = line.strip()
        if self._held is not None and not stripped:
            self._held_tail += line
            return ""
        if _FENCE_JSON.match(stripped):
            self._block, self._fenced = [line], True
            return ""
        if _FENCE.match(stripped):
            self._fence_wait = line
            return ""
        if stripped.startswith("{") and _HINT.search(stripped):
            self._block, self._fenced = [line], False
            return self._close_block() if self._closes(line) else ""
        return self._emit(line)

    def _closes(self, line: str) -> bool:
        assert self._block is not None
        if self._fenced:
            return len(self._block) > 1 and bool(_FENCE.match(line.strip()))
        try:
            json.JSONDecoder().raw_decode("".join(self._block).strip())
        except ValueError:
            return False
        return True

    def _close_block(self) -> str:
        assert self._block is not None
        text, self._block = "".join(self._block), None
        data = parse_seo(text)
        if data is None:
            return self._emit(text)
        if not self._body_started:
            self.seo = data
            return ""
        out = self._flush_held()
        self._held, self._held_seo, self._held_tail = text, data, ""
        return out

    def _flush_held(self) -> str:
        if self._held is None:
            return ""
        out = self._held + self._held_tail
        self._held, self._held_seo, self._held_tail = None, None, ""
        return out

    def _emit(self, text: str) -> str:
        out = self._flush_held() + text
        if text.strip():
            self._body_started = True
        return out


def _may_open(partial: str) -> bool:
    """Whether a line that has begun like this could still turn out to open a block."""
    start = partial.lstrip()
    return start == "" or "```".startswith(start) or start.startswith(("```", "{"))
