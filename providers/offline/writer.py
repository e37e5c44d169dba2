"""The post itself: write() runs the pipeline and lays the chosen sentences out as Markdown
(title, intro, sections with timestamp links, key takeaways, note), or a dialogue's scenes, and
names the post's tags; write_post() is its Markdown; stream_post() yields it in pieces.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from providers.offline.captions import (
    clean_captions,
    is_punctuated,
    split_caption_run_ons,
    split_punctuated,
)
from providers.offline.dialogue import build_scenes, is_dialogue, scene_text, speakers_of
from providers.offline.dialogue import intro as dialogue_intro
from providers.offline.headings import derive_title, post_tags, section_headings, talk_phrases
from providers.offline.ranking import Vocabulary, extract_terms, tokenize
from providers.offline.sections import PLANS, Plan, Section, build_sections
from providers.offline.selection import pick_body, pick_intro, pick_takeaway
from providers.offline.sentences import BOILERPLATE, Sentence, build_sentences
from providers.offline.titles import clean_title
from providers.offline.vocabulary import EN_STOPWORDS
from providers.prompts import moment

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
# Words of the closing note that tell nothing about the video: never a tag of the post.
NOTE_WORDS = frozenset({"written", "writer", "offline", "transcript", "blogtube"})
_AND = {"en": "and", "es": "y", "fr": "et", "de": "und", "pt": "e", "it": "e"}
_SOURCES = {
    "en": ("the transcript of [the video]({url})", "the transcript"),
    "es": ("la transcripción de [el vídeo]({url})", "la transcripción"),
    "fr": ("la transcription de [la vidéo]({url})", "la transcription"),
    "de": ("dem Transkript [des Videos]({url})", "dem Transkript"),
    "pt": ("a transcrição [do vídeo]({url})", "a transcrição"),
    "it": ("la trascrizione [del video]({url})", "la trascrizione"),
}


@dataclass(frozen=True)
class OfflinePost:
    markdown: str
    tags: list[str] = field(default_factory=list)


def write_post(**kwargs: Any) -> str:
    """The post's Markdown alone (see write())."""
    return write(**kwargs).markdown


def write(
    *,
    title: str,
    segments: list[dict],
    chapters: list[dict] | None = None,
    video_url: str = "",
    video_id: str = "",
    language: str = "en",
    length: str = "medium",
) -> OfflinePost:
    """A Markdown blog post built only from sentences of the transcript, and its tags.

    Segments are the transcript clean-up's (videos.transcript_cleanup): markup and sound cues
    gone, each turn of speech with its speaker where the captions named one. A talk, lecture,
    tutorial or interview becomes sections of its central sentences; a dialogue (a film, an
    episode) a summary scene by scene. video_url is linked in the closing note; with a YouTube
    video_id, section headings link to the moment their section starts. Raises ValueError when
    the segments hold no spoken text at all.
    """
    plan = PLANS.get((length or "").lower(), PLANS["medium"])
    lang = (language or "en").lower().split("-")[0].split("_")[0]
    english_speech = lang == "en"

    captions = clean_captions(segments, english_speech)
    if not captions:
        raise ValueError("the transcript has no text to write a post from")
    punctuated = is_punctuated(text for _, _, text in captions)
    if punctuated:
        raw = split_punctuated(captions)
    else:
        raw = split_caption_run_ons(captions, english_speech)

    sentences = build_sentences(raw, punctuated=punctuated, english=english_speech)
    if not sentences:
        raise ValueError("the transcript has no text to write a post from")
    vocab = Vocabulary.build(sentences, english_hint=english_speech, language=lang)
    if vocab.stopwords is not EN_STOPWORDS:
        # Trust the caller's language code only when the words are not plainly English.
        vocab.conjunction = _AND.get(lang, "and")
        vocab.language = lang

    post_title = clean_title(title)
    labels = _LABELS.get(lang, _LABELS["en"])
    note = _note(lang, video_url)

    if sum(s.eligible for s in sentences) < 3:
        whole = [Section(sentences=sentences, start=0.0)]
        return OfflinePost(
            _tiny_post(post_title or derive_title(whole, vocab), sentences, note),
            post_tags(whole, vocab),
        )

    if is_dialogue(sentences, segments):
        return _conversation(sentences, segments, vocab, plan, lang, post_title, note, video_id)

    sections = build_sections(sentences, chapters, plan)
    has_times = any(s.start > 0 for s in sentences)
    headings = section_headings(sections, vocab)
    phrases = talk_phrases(sections, vocab)  # for the title and the tags: YAKE reads once
    post_title = post_title or derive_title(sections, vocab, phrases)

    title_terms = set(extract_terms(tokenize(post_title), vocab.stopwords, {})[0])
    used: set[str] = set()
    intro = pick_intro(sentences, sections, plan, used, title_terms)
    bodies = [pick_body(sec, plan, used) for sec in sections]
    takeaways = [pick_takeaway(sec, body, used) for sec, body in zip(sections, bodies, strict=True)]

    # One untitled section needs no heading: it would only repeat the title.
    untitled = len(sections) == 1 and not sections[0].title
    parts = [f"# {post_title}", _paragraph(intro)] if intro else [f"# {post_title}"]
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
    return OfflinePost("\n\n".join(parts) + "\n", post_tags(sections, vocab, phrases=phrases))


def _conversation(
    sentences: list[Sentence],
    segments: list[dict],
    vocab: Vocabulary,
    plan: Plan,
    lang: str,
    post_title: str,
    note: str,
    video_id: str,
) -> OfflinePost:
    """A dialogue's post: what it is, then a summary scene by scene (see dialogue.py)."""
    said_by = speakers_of(sentences, segments)
    used: set[str] = set()
    scenes = build_scenes(sentences, said_by, vocab, plan, lang, used)
    sections = [scene.section for scene in scenes]
    phrases = talk_phrases(sections, vocab)
    post_title = post_title or derive_title(sections, vocab, phrases)
    speakers = list(dict.fromkeys(name for name in said_by if name))
    has_times = any(s.start > 0 for s in sentences)
    by_index = {s.index: name for s, name in zip(sentences, said_by, strict=True)}
    parts = [f"# {post_title}", dialogue_intro(sentences, speakers, lang)]
    for scene in scenes:
        link = _timestamp_link(video_id, scene.section.start) if has_times else ""
        parts.append(f"## {scene.heading}{link}")
        parts.extend(scene_text(scene, by_index, lang))
    parts.append(f"*{note}*")
    return OfflinePost("\n\n".join(parts) + "\n", post_tags(sections, vocab, phrases=phrases))


def stream_post(post: str, *, chunk_chars: int = 40) -> Iterator[str]:
    """A post from write_post() in small pieces, as a streaming model yields its text.

    Taking the written text, not a transcript, means a bad transcript has already raised
    ValueError at write_post(), not half way through a stream.
    """
    size = max(1, int(chunk_chars))
    for i in range(0, len(post), size):
        yield post[i : i + size]


def _paragraphs(body: list[Sentence]) -> list[list[Sentence]]:
    if len(body) <= 3:
        return [body]
    # Two paragraphs, split where the speaker moved on furthest between chosen sentences.
    cut = max(range(2, len(body) - 1), key=lambda i: (body[i].index - body[i - 1].index, -i))
    return [body[:cut], body[cut:]]


def _paragraph(sentences: list[Sentence]) -> str:
    return " ".join(s.text for s in sentences)


def _timestamp_link(video_id: str, seconds: float) -> str:
    return f" ({moment(video_id, seconds)})" if video_id else ""


def _note(lang: str, video_url: str) -> str:
    template = _LABELS.get(lang, _LABELS["en"])[1]
    with_url, without = _SOURCES.get(lang, _SOURCES["en"]) if lang in _LABELS else _SOURCES["en"]
    url = (video_url or "").strip()
    safe = url.startswith(("http://", "https://")) and not re.search(r"[\s()\[\]]", url)
    return template.format(source=with_url.format(url=url) if safe else without)


def _tiny_post(title: str, sentences: list[Sentence], note: str) -> str:
    seen: set[str] = set()
    kept = []
    for s in sentences:
        if s.key and s.key not in seen and not BOILERPLATE.search(s.text):
            seen.add(s.key)
            kept.append(s.text)
    if not kept:
        kept = list(dict.fromkeys(s.text for s in sentences))  # greetings beat an empty post
    parts = [f"# {title}"]
    if kept:
        parts.append(" ".join(kept[:12]))
    parts.append(f"*{note}*")
    return "\n\n".join(parts) + "\n"
