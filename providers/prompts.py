"""The messages an LLM gets for a post: one call for a transcript that fits, or notes per
chunk, merged notes and a post from the notes for one that does not (see providers.writing).

Every post prompt asks for Markdown first and the SEO data as a fenced JSON block last: the
post streams to the page from the first token, and providers.seo strips the block again.
"""

from __future__ import annotations

import re
import string
from dataclasses import dataclass, field

from blogtube_site.timecodes import clock

STYLES = {
    "article": "a well-structured blog article",
    "tutorial": "a step-by-step tutorial a reader can follow",
    "listicle": "a list-style post with numbered points",
    "summary": "a concise summary post",
    "newsletter": "a newsletter issue: a short greeting, the highlights, and a sign-off",
    "custom": "a blog post following the instructions below",
}
TONES = {
    "neutral": "a neutral, informative",
    "friendly": "a warm, friendly",
    "professional": "a professional, precise",
    "enthusiastic": "an enthusiastic, energetic",
    "conversational": "a relaxed, conversational",
    "authoritative": "a confident, authoritative",
    "humorous": "a light, humorous",
}
# What a custom prompt may refer to, filled in from the video and the job.
PLACEHOLDERS = ("title", "transcript", "language", "length", "chapters", "url", "tone")
# What validate_custom_prompt accepts, as a regular expression an API document can carry:
# text whose braces are doubled ({{, }}) or around a placeholder's bare name.
_BRACES = r"\{\{|\}\}|\{(?:" + "|".join(PLACEHOLDERS) + r")\}"
CUSTOM_PROMPT_PATTERN = rf"^(?:[^{{}}\x00]|{_BRACES})*$"
# The same with something in it besides spaces: what the custom style needs.
CUSTOM_PROMPT_WRITTEN = rf"^\s*(?:[^{{}}\s\x00]|{_BRACES})(?:[^{{}}\x00]|{_BRACES})*$"
LENGTHS = {"short": "about 500 words", "medium": "about 1000 words", "long": "about 1800 words"}

# Names the model reads more reliably than codes; anything else is named by its code.
LANGUAGE_NAMES = {
    "ar": "Arabic", "cs": "Czech", "da": "Danish", "de": "German", "el": "Greek",
    "en": "English", "es": "Spanish", "fi": "Finnish", "fr": "French", "he": "Hebrew",
    "hi": "Hindi", "hu": "Hungarian", "id": "Indonesian", "it": "Italian", "ja": "Japanese",
    "ko": "Korean", "nl": "Dutch", "no": "Norwegian", "pl": "Polish", "pt": "Portuguese",
    "ro": "Romanian", "ru": "Russian", "sv": "Swedish", "th": "Thai", "tr": "Turkish",
    "uk": "Ukrainian", "vi": "Vietnamese", "zh": "Chinese",
}  # fmt: skip

# The post ends with this block; providers.seo finds and removes it.
SEO_INSTRUCTIONS = (
    "After the post, on new lines, add the SEO data as one fenced JSON block and nothing "
    "after it:\n"
    "```json\n"
    '{"title": "...", "description": "...", "tags": ["...", "..."], "slug": "..."}\n'
    "```\n"
    "title: the post's title. description: one sentence of at most 160 characters that makes "
    "a searcher click. tags: 3 to 6 short lower-case topics. slug: lower-case ASCII words "
    "joined by hyphens. Write title, description and tags in the post's language."
)

# Time markers in a transcript (one every few minutes) let headings link to their moment.
MARKER_SECONDS = 180


@dataclass(frozen=True)
class PostRequest:
    title: str
    transcript: str
    segments: list[dict] = field(default_factory=list)
    chapters: list[dict] = field(default_factory=list)
    video_url: str = ""
    video_id: str = ""  # the YouTube id, for links to moments of the video
    language: str = "en"  # the transcript's language
    style: str = "article"
    length: str = "medium"
    custom_prompt: str = ""
    tone: str = "neutral"
    write_language: str = ""  # the post's language; "" writes in the transcript's
    include_toc: bool = False  # added by the format step, never asked of the model
    include_timestamps: bool = True
    include_embed: bool = False  # added by the format step, HTML only

    @property
    def post_language(self) -> str:
        return self.write_language or self.language or "en"

    @property
    def links_timestamps(self) -> bool:
        return self.include_timestamps and bool(self.video_id)


def validate_custom_prompt(prompt: str) -> None:
    """Raise ValueError naming the first placeholder a custom prompt may not use."""
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(prompt)
            if name is not None
        ]
    except ValueError as exc:
        raise ValueError(f"The prompt has an unmatched brace: {exc}.") from None
    allowed = ", ".join("{" + p + "}" for p in PLACEHOLDERS)
    for name, spec, conversion in fields:
        if name not in PLACEHOLDERS:
            raise ValueError(f"Unknown placeholder {{{name}}}. You can use {allowed}.")
        if spec or conversion:
            # "{title:d}" fails when the post is written, "{title:>200000000}" makes the
            # prompt 200 MB: only the bare name is a placeholder.
            written = "{" + name + (f"!{conversion}" if conversion else "")
            written += (f":{spec}" if spec else "") + "}"
            raise ValueError(
                f"Write the placeholder {written} as {{{name}}}: a placeholder takes no "
                "format, and {{ or }} write a brace itself."
            )


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{(\w+)\}")


def fill_placeholders(prompt: str, values: dict[str, str]) -> str:
    """str.format_map for the prompts validate_custom_prompt accepts, and for any other
    (one saved before it refused "{title:>200000000}") the rest stays as it was written:
    the worker never fails on, or grows, a prompt."""

    def fill(match: re.Match[str]) -> str:
        whole = match.group()
        if whole in ("{{", "}}"):
            return whole[0]
        return values.get(match.group(1), whole)

    return _PLACEHOLDER.sub(fill, prompt)


def moment_link(video_id: str, seconds: float) -> str:
    return f"https://youtu.be/{video_id}?t={int(seconds)}"


def moment(video_id: str, seconds: float) -> str:
    """A Markdown link to a moment of the video, as headings carry it: [1:02:03](url)."""
    return f"[{clock(seconds)}]({moment_link(video_id, seconds)})"


def language_name(code: str) -> str:
    base = (code or "en").split("-")[0].split("_")[0].lower()
    name = LANGUAGE_NAMES.get(base)
    return name if name else f"the language with code '{code}'"


def transcript_text(request: PostRequest) -> str:
    """The transcript as the model reads it: with time links every few minutes if wanted."""
    if not request.links_timestamps or not _timed(request.segments):
        return request.transcript
    return with_markers(request.segments, request.video_id)


def with_markers(segments: list[dict], video_id: str, every: float = MARKER_SECONDS) -> str:
    parts: list[str] = []
    next_marker = None
    speaker = None
    for segment in segments:
        text = str(segment.get("text", "")).strip()
        if not text:
            continue
        start = float(segment.get("start") or 0)
        if next_marker is None or start >= next_marker:
            parts.append(f"\n{moment(video_id, start)} ")
            next_marker = start + every
        # The transcript clean-up names who speaks; a model is told where that changes.
        said_by = str(segment.get("speaker") or "")
        if said_by and said_by != speaker:
            parts.append(f"\n{said_by}: ")
        if said_by or segment.get("turn"):
            speaker = said_by
        parts.append(text + " ")
    return "".join(parts).strip()


def _timed(segments: list[dict]) -> bool:
    return len(segments) > 1 and any(float(s.get("start") or 0) > 0 for s in segments)


# --- the post: one call, or the last call of the long-video path ----------------------------


def post_system_prompt(request: PostRequest, *, from_notes: bool = False) -> str:
    style = STYLES.get(request.style, STYLES["article"])
    length = LENGTHS.get(request.length, LENGTHS["medium"])
    tone = TONES.get(request.tone, TONES["neutral"])
    source = "notes taken from a long video, part by part" if from_notes else "video transcripts"
    lines = [
        f"You are an expert blog writer. You turn {source} into {style} of {length}, "
        f"in {tone} tone, written in {language_name(request.post_language)}.",
    ]
    if request.post_language.split("-")[0] != (request.language or "en").split("-")[0]:
        lines.append(
            f"The source is in {language_name(request.language)}: write the whole post, "
            f"headings included, in {language_name(request.post_language)}."
        )
    lines.append(
        "Write in Markdown. Start with one line '# <title>', then an engaging introduction, "
        "sections with '## ' headings, and end with a short conclusion section. Keep the "
        "speaker's facts; drop filler, sponsor reads and calls to subscribe. Do not add a "
        "table of contents."
    )
    if request.links_timestamps:
        lines.append(
            "End each '## ' heading with the link to the moment its topic starts in the video, "
            "copied from the time links in the source, like "
            f"'## Heading ({moment(request.video_id, 754)})'."
        )
    if from_notes:
        lines.append(
            "The notes cover the whole video in order. Write one coherent post, not a list of "
            "parts: cover every part and every chapter, and never mention notes or parts."
        )
    lines.append(SEO_INSTRUCTIONS)
    return "\n\n".join(lines)


def build_messages(request: PostRequest) -> list[dict[str, str]]:
    """The one call that writes a post from a transcript that fits the model's context."""
    return _post_messages(request, transcript_text(request), from_notes=False)


def build_combine_messages(request: PostRequest, notes: str) -> list[dict[str, str]]:
    """The last call of the long-video path: the post from every part's notes."""
    return _post_messages(request, notes, from_notes=True)


def _post_messages(request: PostRequest, source: str, *, from_notes: bool) -> list[dict]:
    length = LENGTHS.get(request.length, LENGTHS["medium"])
    label = "Notes, part by part" if from_notes else "Transcript"
    parts = _video_context(request)
    if request.style == "custom" and request.custom_prompt:
        values = {
            "title": request.title,
            "transcript": source,
            "language": request.post_language,
            "length": length,
            "chapters": "\n".join(c.get("title", "") for c in request.chapters),
            "url": request.video_url,
            "tone": request.tone,
        }
        instructions = fill_placeholders(request.custom_prompt, values)
        if "{transcript}" in request.custom_prompt:
            parts = [instructions]  # the person placed the transcript themselves
        else:
            parts.insert(0, "Instructions: " + instructions)
            parts.append(f"{label}:\n{source}")
    else:
        parts.append(f"{label}:\n{source}")
    system = post_system_prompt(request, from_notes=from_notes)
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(parts)}]


def _video_context(request: PostRequest) -> list[str]:
    parts = []
    if request.title:
        parts.append(f"Video title: {request.title}")
    if request.video_url:
        parts.append(f"Video URL: {request.video_url}")
    if request.chapters:
        parts.append("Chapters (keep them as sections):\n" + chapter_lines(request))
    return parts


def chapter_lines(request: PostRequest, chapters: list[dict] | None = None) -> str:
    lines = []
    for chapter in request.chapters if chapters is None else chapters:
        start = float(chapter.get("start") or 0)
        when = moment(request.video_id, start) if request.links_timestamps else clock(start)
        lines.append(f"- {when} {chapter.get('title', '')}")
    return "\n".join(lines)


# --- the long-video path: notes per chunk, and merging notes ---------------------------------

NOTES_MARK = "You take notes on one part of a long video"
MERGE_MARK = "You merge notes on consecutive parts of a long video"


def build_chunk_messages(
    request: PostRequest,
    text: str,
    *,
    part: int,
    parts: int,
    start: float | None,
    end: float | None,
    chapters: list[dict],
    words: int,
) -> list[dict[str, str]]:
    """Notes on one chunk of a transcript too long for one call, for the post written later."""
    system = (
        f"{NOTES_MARK}, for a writer who will turn the notes of all parts into one blog post. "
        f"Write at most {words} words of Markdown notes in "
        f"{language_name(request.post_language)}: a '### ' heading per chapter or topic "
        "(use the chapter titles given), then bullet points with the key facts, numbers, "
        "names, steps and examples, in the order they come. No introduction, no conclusion, "
        "no filler, nothing about sponsors or subscribing."
    )
    if request.links_timestamps:
        system += (
            " End each heading with the time link where its topic starts, copied from the "
            "transcript or the chapter list."
        )
    user = []
    if request.title:
        user.append(f"Video title: {request.title}")
    where = f"Part {part} of {parts}"
    if start is not None and end is not None:
        where += f", from {clock(start)} to {clock(end)}"
    user.append(where + ".")
    if chapters:
        user.append("Chapters in this part:\n" + chapter_lines(request, chapters))
    user.append("Transcript of this part:\n" + text)
    return [{"role": "system", "content": system}, {"role": "user", "content": "\n\n".join(user)}]


def build_merge_messages(request: PostRequest, notes: str, *, words: int) -> list[dict[str, str]]:
    """Shorter notes from the notes of several consecutive parts (when all would not fit)."""
    system = (
        f"{MERGE_MARK}. Condense them into at most {words} words of Markdown notes in "
        f"{language_name(request.post_language)}, in the same order. Keep every '### ' heading "
        "with its time link, and under each the most important facts, numbers and steps."
    )
    user = (f"Video title: {request.title}\n\n" if request.title else "") + "Notes:\n" + notes
    return [{"role": "system", "content": system}, {"role": "user", "content": user}]
