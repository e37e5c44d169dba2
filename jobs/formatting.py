"""A post from the model's text: Markdown with SEO front matter, sanitized HTML (a fragment, or
a standalone page), plain text and JSON; optionally a table of contents, timestamps and the
video's player.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field
from html import escape, unescape
from html.parser import HTMLParser

import markdown as md
import nh3
import yaml
from django.template.loader import render_to_string
from django.utils.text import slugify

from blogtube_site.links import LINK_SCHEMES, is_relative, web_url
from jobs import markdown_bounds
from providers import services as providers
from videos import services as videos

# Pure parsing, no models: the SEO block the writer leaves at the end of a draft.

# Model output is untrusted: only these reach a page.
ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "li", "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead",
    "tr", "ul", "del", "sup", "sub",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "th": {"align"},
                      "td": {"align"}}  # fmt: skip

_WORD = re.compile(r"[^\W\d_][\w'-]{3,}", re.UNICODE)
_COMMON = frozenset(
    [
        "about",
        "above",
        "after",
        "again",
        "against",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "could",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "from",
        "further",
        "have",
        "having",
        "here",
        "into",
        "just",
        "more",
        "most",
        "much",
        "must",
        "only",
        "other",
        "over",
        "same",
        "should",
        "some",
        "such",
        "than",
        "that",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "under",
        "until",
        "very",
        "what",
        "when",
        "where",
        "which",
        "while",
        "will",
        "with",
        "would",
        "your",
        "yours",
        "also",
        "like",
        "know",
        "really",
        "going",
        "want",
        "thing",
        "things",
        "well",
        "right",
        "okay",
        "yeah",
        "gonna",
        "lot",
        "little",
        "make",
        "made",
        "need",
        "used",
        "using",
        "video",
        "post",
    ]
).union(providers.NOTE_WORDS)


@dataclass(frozen=True)
class PostMeta:
    fallback_title: str
    source_url: str
    video_id: str
    language: str
    provider: str
    model: str
    date: str


@dataclass(frozen=True)
class FormattedPost:
    title: str
    slug: str
    description: str
    tags: list[str]
    body: str  # Markdown without front matter (with the table of contents if asked for)
    markdown: str  # with front matter
    html: str  # sanitized fragment (with the video embed if asked for)
    word_count: int
    source: dict = field(default_factory=dict)  # where the post came from, as in front matter

    def page(self, *, cover: str = "") -> str:
        """A standalone HTML document; ``cover``: its cover picture's address, if any."""
        return standalone_html(
            self.title,
            self.description,
            self.html,
            language=self.source.get("language", ""),
            cover=cover,
        )

    def text(self) -> str:
        """Plain text: the title, underlined headings, bullets, no markup."""
        return to_plain_text(self.title, self.body)

    def as_dict(self) -> dict:
        return {
            "title": self.title,
            "description": self.description,
            "tags": list(self.tags),
            "slug": self.slug,
            "word_count": self.word_count,
            "body_markdown": self.body,
            "body_html": self.html,
            "source": dict(self.source),
        }

    def json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2) + "\n"

    def render(self, output_format: str) -> str:
        """The post as one of OUTPUT_FORMATS."""
        renderers = {
            "markdown": lambda: self.markdown,
            "html": self.page,
            "text": self.text,
            "json": self.json,
        }
        if output_format not in renderers:
            raise ValueError(f"Unknown output format {output_format!r}.")
        return renderers[output_format]()


# name -> (file extension, content type)
OUTPUT_FORMATS = {
    "markdown": ("md", "text/markdown; charset=utf-8"),
    "html": ("html", "text/html; charset=utf-8"),
    "text": ("txt", "text/plain; charset=utf-8"),
    "json": ("json", "application/json"),
}


_BLANK_LINES = re.compile(r"\A(?:[ \t]*\n)+")


def leading_h1(text: str) -> tuple[str, str] | None:
    """The text of the "# Heading" on the first line that is not blank, and the text after
    that line; None when that line is not an H1.

    Not a regular expression: one took minutes on "# a", 5,000 spaces and a "b"."""
    start = len(text) - len(text.lstrip())
    line, _, rest = text[start:].partition("\n")
    if not line.startswith("#") or line[1:2] not in (" ", "\t"):
        return None
    heading = line[1:].strip()
    # A closing run of "#" is not part of the heading ("# Title ##").
    heading = heading.rstrip("#").rstrip() or heading
    return heading, _BLANK_LINES.sub("", rest)


def split_title(body: str, fallback: str) -> tuple[str, str]:
    """The first H1 is the title; it leaves the body so it is not shown twice."""
    found = leading_h1(body)
    if found:
        return found[0], found[1]
    return (fallback or "Untitled post").strip(), body


def describe(body: str, limit: int = 160) -> str:
    for block in re.split(r"\n\s*\n", body):
        text = block.strip()
        if text and not text.startswith(("#", "-", "*", ">", "|", "```")):
            text = re.sub(r"[*_`\[\]]|\(https?://[^)]*\)", "", text)
            text = " ".join(text.split())
            if len(text) <= limit:
                return text
            return text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:") + "…"
    return ""


_LINK_TARGET = re.compile(r"\]\([^)]*\)|https?://\S+")


def pick_tags(body: str, count: int = 5, language: str = "") -> list[str]:
    """The post's commonest words, for a post whose writer named no tags: never a stop word of
    its language ("avec", "esta"), nor a piece of a link ("https", "youtu")."""
    stop = _COMMON | providers.stop_words(language)
    text = _LINK_TARGET.sub(" ", body)
    words = Counter(w.lower() for w in _WORD.findall(text) if w.lower() not in stop)
    return [w for w, _ in words.most_common(count)]


def _keep_attribute(tag: str, attribute: str, value: str) -> str | None:
    # The sanitizer's scheme check reads "java<TAB>script:" as a relative path; a browser
    # drops the tab and runs it. Judge the URL as the browser will.
    if tag == "a" and attribute == "href" and not (web_url(value) or is_relative(value)):
        return None
    # A remote image loads when the page opens: a model (or the transcript it read) could
    # plant a tracker. Relative ones stay, for pictures stored beside the post; the <img>
    # left without src shows its alt text, so the sentence around it still reads.
    if tag == "img" and attribute == "src" and not is_relative(value):
        return None
    return value


def to_html(body: str) -> str:
    raw = md.markdown(markdown_bounds.bounded(body), extensions=["extra", "sane_lists"])
    return nh3.clean(
        raw,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        attribute_filter=_keep_attribute,
        url_schemes=set(LINK_SCHEMES),
        link_rel="noopener",
    )


def standalone_html(
    title: str, description: str, fragment: str, *, language: str = "", cover: str = ""
) -> str:
    return render_to_string(
        "jobs/post_standalone.html",
        # The post's language, so screen readers and translators read it right.
        {
            "title": title,
            "description": description,
            "fragment": fragment,
            "language": language or "en",
            "cover": cover if is_relative(cover) else "",
        },
    )


def format_post(
    text: str,
    meta: PostMeta,
    *,
    seo: providers.SeoData | None = None,
    toc: bool = False,
    timestamps: bool = True,
    embed: bool = False,
) -> FormattedPost:
    """The model's text as a post. SEO data comes from `seo`, else from the block the writer
    left at the end of the text, else is derived from the text (first paragraph, frequent words).

    toc: a list of the sections after the introduction. timestamps: keep the links to moments
    of the video in headings. embed: the video player above the post, in the HTML only.
    """
    text, found = providers.split_seo(text)
    seo = seo or found or providers.SeoData()
    heading, body = split_title(text.strip(), meta.fallback_title)
    title = seo.title or heading
    if not timestamps:
        body = strip_timestamps(body)
    description = seo.description or describe(body)
    tags = list(seo.tags) or pick_tags(body, language=meta.language)
    source = {
        "source_url": meta.source_url,
        "video_id": meta.video_id,
        "language": meta.language,
        "provider": meta.provider,
        "model": meta.model,
        "date": meta.date,
    }
    front = {"title": title, "description": description, "tags": tags, **source}
    front_matter = yaml.safe_dump(front, sort_keys=False, allow_unicode=True, width=1000)
    word_count = len(body.split())
    if toc:
        body = with_toc(body)
    html = finish_html(to_html(body), toc=toc, embed=embed, video_id=meta.video_id, title=title)
    full = f"---\n{front_matter}---\n\n# {title}\n\n{body.strip()}\n"
    return FormattedPost(
        title=title,
        slug=seo.slug or slugify(title)[:100] or "post",
        description=description,
        tags=tags,
        body=body,
        markdown=full,
        html=html,
        word_count=word_count,
        source=source,
    )


# --- Options: timestamps, table of contents, video embed ---------------------------------


def finish_html(html: str, *, toc: bool, embed: bool, video_id: str, title: str) -> str:
    """The sanitized fragment with what the job's options add: ids for the table of
    contents to link to, and the video player above the post."""
    if toc:
        html = with_heading_ids(html)
    if embed and _VIDEO_ID.match(video_id or ""):
        # After sanitizing: the sanitizer rightly removes any iframe the model writes.
        html = video_embed(video_id, title) + html
    return html


# "## Heading ([1:02](https://youtu.be/ID?t=62))", the form the writers give headings.
# Linear time on any line: a match starts only where a run of spaces does, nothing gives
# back what it took (*+), and a link's URL is short. "## a", 3,000 spaces and "b" took 28 s.
_HEADING_MOMENT = re.compile(
    r"(?<!\s)\s*+[(\[]?\[\d{1,2}(?::\d{2}){1,2}\]\(https?://(?:youtu\.be|(?:www\.)?youtube\.com)/"
    r"[^)\s]{0,200}\)[)\]]?(?=\s*+#*+\s*+$)",
    re.MULTILINE,
)
_INLINE_MOMENT = re.compile(
    r"\[(\d{1,2}(?::\d{2}){1,2})\]\(https?://(?:youtu\.be|(?:www\.)?youtube\.com)/"
    r"[^)\s]{0,200}\)"
)
_H2_LINE = re.compile(r"^##[ \t]+(\S[^\n]*)$", re.MULTILINE)
_H2_TAG = re.compile(r"<h2>(.*?)</h2>", re.DOTALL)
_VIDEO_ID = re.compile(r"^[\w-]{11}$")


def strip_timestamps(body: str) -> str:
    """The body without links to moments of the video: none in headings, plain times in text."""
    lines = []
    for line in body.split("\n"):
        if line.startswith("#"):
            line = _HEADING_MOMENT.sub("", line)
        lines.append(_INLINE_MOMENT.sub(r"\1", line))
    return "\n".join(lines)


def anchor(text: str, taken: set[str] | None = None) -> str:
    """A heading's id the way GitHub makes it, so the Markdown's links work there too."""
    # Bounded parts: "[" after "[" with no "]" made this quadratic.
    plain = re.sub(r"\[([^\[\]]{0,500})\]\([^()\s]{0,500}\)", r"\1", text)
    plain = re.sub(r"[*_`]", "", plain).strip().lower()
    slug = re.sub(r"[^\w\- ]", "", plain).replace(" ", "-") or "section"
    if taken is not None:
        candidate, n = slug, 1
        while candidate in taken:
            candidate = f"{slug}-{n}"
            n += 1
        taken.add(candidate)
        slug = candidate
    return slug


def with_toc(body: str) -> str:
    """A "Contents" list of the '## ' sections, put before the first of them."""
    headings = [m for m in _H2_LINE.finditer(body) if not _in_code(body, m.start())]
    if len(headings) < 2:
        return body
    taken: set[str] = set()
    items = []
    for match in headings:
        # The heading without its closing "#"s ("## Title ##").
        heading = match.group(1).rstrip().rstrip("#").rstrip() or match.group(1).rstrip()
        label = _HEADING_MOMENT.sub("", heading).strip()
        items.append(f"- [{label}](#{anchor(heading, taken)})")
    first = headings[0].start()
    toc = "**Contents**\n\n" + "\n".join(items) + "\n\n"
    return body[:first] + toc + body[first:]


def with_heading_ids(fragment: str) -> str:
    """Ids on the <h2> of sanitized HTML, matching the links with_toc made."""
    taken: set[str] = set()

    def add_id(match: re.Match[str]) -> str:
        text = unescape(re.sub(r"<[^>]+>", "", match.group(1)))
        return f'<h2 id="{anchor(text, taken)}">{match.group(1)}</h2>'

    return _H2_TAG.sub(add_id, fragment)


def video_embed(video_id: str, title: str) -> str:
    src = f"https://www.youtube-nocookie.com/embed/{video_id}"
    watch = videos.WATCH_URL.format(video_id=video_id)
    return (
        '<figure class="video-embed"><iframe width="560" height="315" '
        f'src="{src}" title="{escape(title)}" loading="lazy" '
        'allow="accelerometer; clipboard-write; encrypted-media; gyroscope; picture-in-picture" '
        'referrerpolicy="strict-origin-when-cross-origin" allowfullscreen></iframe>'
        f'<figcaption><a href="{watch}" rel="noopener">'
        "Watch the video</a></figcaption></figure>\n"
    )


def _in_code(body: str, position: int) -> bool:
    return body.count("```", 0, position) % 2 == 1


# --- Plain text -------------------------------------------------------------------------


def to_plain_text(title: str, body: str) -> str:
    """Readable text without markup, from the same HTML the pages show."""
    parser = _TextRenderer()
    parser.feed(to_html(body))
    parser.close()
    text = "\n".join(line.rstrip() for line in "".join(parser.out).split("\n"))
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return f"{title}\n{'=' * min(len(title), 72)}\n\n{text}\n"


class _TextRenderer(HTMLParser):
    _BLOCKS = frozenset({"p", "ul", "ol", "pre", "blockquote", "table", "hr", "figure"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.out: list[str] = []
        self._lists: list[list[int]] = []  # per open list: [is_ordered, counter]
        self._heading: list[str] | None = None
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
            self._heading = []
        elif tag in ("ul", "ol"):
            self._lists.append([tag == "ol", 0])
            self.out.append("\n")
        elif tag == "li":
            depth = max(len(self._lists) - 1, 0)
            bullet = "- "
            if self._lists and self._lists[-1][0]:
                self._lists[-1][1] += 1
                bullet = f"{self._lists[-1][1]}. "
            self.out.append("\n" + "  " * depth + bullet)
        elif tag == "br":
            self.out.append("\n")
        elif tag == "pre":
            self._pre += 1
            self.out.append("\n\n")
        elif tag in ("td", "th"):
            self.out.append(" | ")
        elif tag == "tr":
            self.out.append("\n")
        elif tag in self._BLOCKS:
            self.out.append("\n\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in ("h1", "h2", "h3", "h4", "h5", "h6") and self._heading is not None:
            text = " ".join("".join(self._heading).split())
            self._heading = None
            rule = {"h1": "=", "h2": "-"}.get(tag)
            underline = f"\n{rule * min(len(text), 72)}" if rule else ""
            self.out.append(f"\n\n{text}{underline}\n\n")
        elif tag in ("ul", "ol") and self._lists:
            self._lists.pop()
            self.out.append("\n\n")
        elif tag == "pre":
            self._pre -= 1
            self.out.append("\n\n")
        elif tag in self._BLOCKS:
            self.out.append("\n\n")

    def handle_data(self, data: str) -> None:
        if self._heading is not None:
            self._heading.append(data)
        elif self._pre:
            self.out.append(data)
        else:
            self.out.append(re.sub(r"\s+", " ", data))
