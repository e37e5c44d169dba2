"""Where a post's pictures go in its Markdown: which sections start at a known moment of the
video, and the text with a cover in its front matter and a frame under each such heading.

Pure text, no files: jobs.pictures fetches the pictures and Post.set_pictures stores them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import yaml

from blogtube_site.timecodes import clock
from jobs.formatting import strip_timestamps

# A link to a moment, as writers end headings with: [1:02](https://youtu.be/ID?t=62).
_MOMENT = re.compile(
    r"\[(\d{1,2}(?::\d{2}){1,2})\]\(https?://(?:youtu\.be|(?:www\.)?youtube\.com)/[^)\s]{0,200}\)"
)
_H2 = re.compile(r"^##[ \t]+(\S[^\n]{0,500})$")
_LINK = re.compile(r"\[([^\[\]]{0,300})\]\([^()\s]{0,500}\)")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
MAX_SECTION_PICTURES = 30


@dataclass(frozen=True)
class Section:
    line: int  # the heading's line in the body
    heading: str  # as a reader sees it: no link to a moment, no Markdown
    seconds: float | None  # where it starts in the video; None when nothing says


def seconds_of(timecode: str) -> float:
    total = 0
    for part in timecode.split(":"):
        total = total * 60 + int(part)
    return float(total)


def plain(heading: str) -> str:
    text = strip_timestamps("## " + heading)[3:]
    text = _LINK.sub(r"\1", text)
    text = re.sub(r"[*_`#]", "", text)
    return " ".join(text.split())


def _key(text: str) -> str:
    return re.sub(r"\W+", " ", text.casefold()).strip()


def _headings(body: str) -> list[tuple[int, str]]:
    """(line, heading text) of each '## ' heading outside code blocks."""
    found, fenced = [], False
    for number, line in enumerate(body.split("\n")):
        if _FENCE.match(line):
            fenced = not fenced
        elif not fenced and (match := _H2.match(line)):
            found.append((number, match.group(1).rstrip().rstrip("#").rstrip()))
    return found


def _moment(heading: str) -> float | None:
    match = _MOMENT.search(heading)
    return seconds_of(match.group(1)) if match else None


def sections(body: str, draft: str = "", chapters: list[dict] | None = None) -> list[Section]:
    """The body's sections and where each starts: its heading's link to a moment; else the
    same heading's in the model's draft (the post may have dropped the links); else the
    chapter of that title."""
    from_draft: dict[str, float] = {}
    for _, heading in _headings(draft):
        moment = _moment(heading)
        if moment is not None:
            from_draft.setdefault(_key(plain(heading)), moment)
    from_chapters: dict[str, float] = {}
    for chapter in chapters or []:
        title = _key(str(chapter.get("title") or ""))
        if title:
            from_chapters.setdefault(title, float(chapter.get("start") or 0))
    found = []
    for line, heading in _headings(body):
        text = plain(heading)
        moment = _moment(heading)
        if moment is None:
            moment = from_draft.get(_key(text), from_chapters.get(_key(text)))
        found.append(Section(line, text, moment))
    return found


def alt_text(heading: str, seconds: float) -> str:
    return f"{heading} (the video at {clock(seconds)})"[:300]


def _escape_alt(text: str) -> str:
    text = " ".join(text.split())
    return text.replace("\\", "\\\\").replace("[", "\\[").replace("]", "\\]")


@dataclass(frozen=True)
class Placed:
    section: Section
    path: str  # relative to the Markdown file
    alt: str


def with_pictures(front: dict, body: str, cover: str | None, placed: list[Placed]) -> str:
    """The post's Markdown with ``image: <cover>`` in its front matter and each picture
    right under its heading; a heading that has its picture already keeps it alone."""
    lines = body.split("\n")
    for item in sorted(placed, key=lambda p: p.section.line, reverse=True):
        at = item.section.line + 1
        following = next((line for line in lines[at:] if line.strip()), "")
        if following.startswith("![") and f"]({item.path})" in following:
            continue
        image = f"![{_escape_alt(item.alt)}]({item.path})"
        blank_after = at < len(lines) and not lines[at].strip()
        lines[at:at] = ["", image] if blank_after else ["", image, ""]
    new_front: dict = {}
    for key, value in front.items():
        if key != "image":
            new_front[key] = value
        if key == "tags" and cover:
            new_front["image"] = cover
    if cover and "image" not in new_front:
        new_front["image"] = cover
    text = "\n".join(lines).strip("\n") + "\n"
    if not new_front:
        return text
    dumped = yaml.safe_dump(new_front, sort_keys=False, allow_unicode=True, width=1000)
    return f"---\n{dumped}---\n\n{text}"
