"""The post itself: write_post() runs the pipeline and lays the chosen sentences out as
Markdown (title, intro, sections with timestamp links, key takeaways, note);
stream_post() yields it in pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import parse_qs, urlparse

from providers.offline.captions import (
    _clean_captions,
    _is_punctuated,
    _split_caption_run_ons,
    _split_punctuated,
)
from providers.offline.headings import _derive_title, _headings
from providers.offline.ranking import _terms, _tokens, _Vocabulary
from providers.offline.sections import _PLANS, _Section, _sections
from providers.offline.selection import _pick_body, _pick_intro, _pick_takeaway
from providers.offline.sentences import _BOILERPLATE, _build_sentences, _Sentence
from providers.offline.titles import _clean_title
from providers.offline.vocabulary import _EN_STOPWORDS

# Post furniture in the languages BlogTube offers most; anything else gets English.
_LABELS: dict[str, tuple[str, str]] = {
    "en": (
        "Key takeaways",
        "This post was written extractively by BlogTube's offline writer from {source} "
        "(no AI model): every sentence above was said in the video, lightly cleaned up.",
    ),
    "es": (
        "Ideas clave",
        "Esta entrada la escribió de forma extractiva el redactor sin conexión de BlogTube a "
        "partir de {source} (sin modelo de IA): cada frase se dijo en el vídeo.",
    ),
    "fr": (
        "À retenir",
        "Cet article a été rédigé de façon extractive par le rédacteur hors ligne de BlogTube "
        "à partir de {source} (sans modèle d'IA) : chaque phrase a été prononcée dans la vidéo.",
    ),
    "de": (
        "Das Wichtigste",
        "Dieser Beitrag wurde extraktiv vom Offline-Schreiber von BlogTube aus {source} erstellt "
        "(kein KI-Modell): Jeder Satz wurde im Video gesagt.",
    ),
    "pt": (
        "Pontos principais",
        "Este post foi escrito de forma extrativa pelo redator offline do BlogTube a partir de "
        "{source} (sem modelo de IA): cada frase foi dita no vídeo.",
    ),
    "it": (
        "Punti chiave",
        "Questo articolo è stato scritto in modo estrattivo dal redattore offline di BlogTube a "
        "partire da {source} (nessun modello di IA): ogni frase è stata detta nel video.",
    ),
}
_AND = {"en": "and", "es": "y", "fr": "et", "de": "und", "pt": "e", "it": "e"}
_SOURCES = {
    "en": ("the transcript of [the video]({url})", "the transcript"),
    "es": ("la transcripción de [el vídeo]({url})", "la transcripción"),
    "fr": ("la transcription de [la vidéo]({url})", "la transcription"),
    "de": ("dem Transkript [des Videos]({url})", "dem Transkript"),
    "pt": ("a transcrição [do vídeo]({url})", "a transcrição"),
    "it": ("la trascrizione [del video]({url})", "la trascrizione"),
}
_YOUTUBE_ID = re.compile(r"[A-Za-z0-9_-]{11}")


def write_post(
    *,
    title: str,
    segments: list[dict],
    chapters: list[dict] | None = None,
    video_url: str = "",
    language: str = "en",
    length: str = "medium",
) -> str:
    """Return a Markdown blog post built only from sentences of the transcript.

    Raises ValueError when the segments hold no spoken text at all.
    """
    plan = _PLANS.get((length or "").lower(), _PLANS["medium"])
    lang = (language or "en").lower().split("-")[0].split("_")[0]
    english_speech = lang == "en"

    captions = _clean_captions(segments, english_speech)
    if not captions:
        raise ValueError("the transcript has no text to write a post from")
    punctuated = _is_punctuated(text for _, _, text in captions)
    if punctuated:
        raw = _split_punctuated(captions)
    else:
        raw = _split_caption_run_ons(captions, english_speech)

    sentences = _build_sentences(raw, punctuated=punctuated, english=english_speech)
    if not sentences:
        raise ValueError("the transcript has no text to write a post from")
    vocab = _Vocabulary.build(sentences, english_hint=english_speech)
    if vocab.stopwords is not _EN_STOPWORDS:
        # Trust the caller's language code only when the words are not plainly English.
        vocab.conjunction = _AND.get(lang, "and")
        vocab.language = lang

    clean_title = _clean_title(title)
    labels = _LABELS.get(lang, _LABELS["en"])
    note = _note(lang, video_url)

    if sum(s.eligible for s in sentences) < 3:
        whole = [_Section(sentences=sentences, start=0.0)]
        return _tiny_post(clean_title or _derive_title(whole, vocab), sentences, note)

    sections = _sections(sentences, chapters, plan)
    video_id = _youtube_id(video_url)
    has_times = any(s.start > 0 for s in sentences)
    headings = _headings(sections, vocab)
    clean_title = clean_title or _derive_title(sections, vocab)

    title_terms = set(_terms(_tokens(clean_title), vocab.stopwords, {})[0])
    used: set[str] = set()
    intro = _pick_intro(sentences, sections, plan, used, title_terms)
    bodies = [_pick_body(sec, plan, used) for sec in sections]
    takeaways = [
        _pick_takeaway(sec, body, used) for sec, body in zip(sections, bodies, strict=True)
    ]

    # One untitled section needs no heading: it would only repeat the title.
    untitled = len(sections) == 1 and not sections[0].title
    parts = [f"# {clean_title}", _paragraph(intro)] if intro else [f"# {clean_title}"]
    bullets = []
    for sec, heading, body, takeaway in zip(sections, headings, bodies, takeaways, strict=True):
        if not body:
            continue
        if not untitled:
            link = _timestamp_link(video_id, sec.start) if has_times else ""
            parts.append(f"## {heading}{link}")
        parts.extend(_paragraph(p) for p in _paragraphs(body))
        if takeaway:
            bullets.append(f"- {takeaway}" if untitled else f"- **{heading}:** {takeaway}")
    if bullets:
        parts.append(f"## {labels[0]}")
        parts.append("\n".join(bullets))
    parts.append(f"*{note}*")
    return "\n\n".join(parts) + "\n"


def stream_post(
    *,
    title: str,
    segments: list[dict],
    chapters: list[dict] | None = None,
    video_url: str = "",
    language: str = "en",
    length: str = "medium",
    chunk_chars: int = 40,
) -> Iterator[str]:
    """Yield the same text as write_post() in small pieces, as a streaming model would.

    The post is built before the first piece is yielded, so a bad transcript raises ValueError
    at the call, not half way through a stream.
    """
    text = write_post(
        title=title,
        segments=segments,
        chapters=chapters,
        video_url=video_url,
        language=language,
        length=length,
    )
    return _pieces(text, max(1, int(chunk_chars)))


def _pieces(text: str, size: int) -> Iterator[str]:
    for i in range(0, len(text), size):
        yield text[i : i + size]


def _paragraphs(body: list[_Sentence]) -> list[list[_Sentence]]:
    if len(body) <= 3:
        return [body]
    # Two paragraphs, split where the speaker moved on furthest between chosen sentences.
    cut = max(range(2, len(body) - 1), key=lambda i: (body[i].index - body[i - 1].index, -i))
    return [body[:cut], body[cut:]]


def _paragraph(sentences: list[_Sentence]) -> str:
    return " ".join(s.text for s in sentences)


def _youtube_id(url: str) -> str | None:
    try:
        parsed = urlparse((url or "").strip())
    except ValueError:
        return None
    host = (parsed.hostname or "").lower()
    for prefix in ("www.", "m.", "music."):
        host = host.removeprefix(prefix)
    candidate = ""
    if host == "youtu.be":
        candidate = parsed.path.strip("/").split("/")[0]
    elif host in ("youtube.com", "youtube-nocookie.com"):
        parts = parsed.path.strip("/").split("/")
        if parts[0] == "watch":
            candidate = parse_qs(parsed.query).get("v", [""])[0]
        elif len(parts) >= 2 and parts[0] in ("shorts", "embed", "live", "v"):
            candidate = parts[1]
    return candidate if _YOUTUBE_ID.fullmatch(candidate) else None


def _timestamp_link(video_id: str | None, seconds: float) -> str:
    if not video_id:
        return ""
    whole = int(seconds)
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    clock = f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"
    return f" ([{clock}](https://youtu.be/{video_id}?t={whole}))"


def _note(lang: str, video_url: str) -> str:
    template = _LABELS.get(lang, _LABELS["en"])[1]
    with_url, without = _SOURCES.get(lang, _SOURCES["en"]) if lang in _LABELS else _SOURCES["en"]
    url = (video_url or "").strip()
    safe = url.startswith(("http://", "https://")) and not re.search(r"[\s()\[\]]", url)
    return template.format(source=with_url.format(url=url) if safe else without)


def _tiny_post(title: str, sentences: list[_Sentence], note: str) -> str:
    seen: set[str] = set()
    kept = []
    for s in sentences:
        if s.key and s.key not in seen and not _BOILERPLATE.search(s.text):
            seen.add(s.key)
            kept.append(s.text)
    if not kept:
        kept = list(dict.fromkeys(s.text for s in sentences))  # greetings beat an empty post
    parts = [f"# {title}"]
    if kept:
        parts.append(" ".join(kept[:12]))
    parts.append(f"*{note}*")
    return "\n\n".join(parts) + "\n"
