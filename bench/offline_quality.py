"""Score the offline writer's posts as a reader would, on a fixed set of transcripts.

Run from the repository root: ``.venv/bin/python bench/offline_quality.py``. No network, no
database: each transcript takes the path a job takes (the upload parser, the transcript clean-up
every writer reads through, the offline writer, the format step that picks the tags), and the
post is then counted for what a reader would notice:

- bad tags: tags that are stop words of the post's language (or of English), "avec", "esta",
  or pieces of a link ("https", "youtu", the video's id);
- markup: caption markup or noise left in the text: ``\\N``, ``{\\an8}``, ``<i>``, ``[Music]``,
  ``( clock ticking )``, ``>>``, ``MAN 2:``, music notes;
- repeats: sentences said twice in the post;
- caps: sentences in capitals;
- bad heads: headings made of stop words, "X and Y" keyword pairs, or repeated (a video's own
  chapter titles are not judged);
- collage: the share of the post's sentences under eight words, which is what a post made of
  strung-together quotes of a dialogue looks like ("Je veux devenir son ami.").

The transcripts are the real caption files under tests/fixtures/transcripts/ (taken from other
projects' test suites: see its README) and the test suite's own talks. Zero is best everywhere.
"""

from __future__ import annotations

import os
import re
import sys
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "blogtube_site.settings")

import django  # noqa: E402

django.setup()

from stop_words import get_stop_words  # noqa: E402

from jobs.formatting import PostMeta, format_post  # noqa: E402
from providers.kinds.offline import OfflineKind  # noqa: E402
from providers.prompts import PostRequest  # noqa: E402
from tests.fakes import transcripts as talks  # noqa: E402
from videos import subtitles  # noqa: E402
from videos.services import parse_transcript_file  # noqa: E402

try:
    from videos.services import clean_transcript
except ImportError:  # the commit before the clean-up existed: the "before" table
    clean_transcript = None

FIXTURES = ROOT / "tests" / "fixtures" / "transcripts"
FILES = {
    # file name: the language its captions are in
    "pysrt_utf-8_excerpt.srt": "fr",
    "webvtt_netflix_chicas_del_cable_excerpt.vtt": "es",
    "pysrt_capability_tester.srt": "en",
    "pycaption_sample.srt": "en",
    "pycaption_sample_2.vtt": "en",
    "pycaption_numeric.srt": "en",
    "pycaption_word_girl.vtt": "en",
    "webvtt_styles2.srt": "fr",
    "webvtt_youtube_dl.vtt": "en",
    "webvtt_cue_tags.vtt": "en",
    "flutter_video_player_voices.vtt": "en",
    "srt_monsters.srt": "en",
    "youtube_transcript_api_transcript.xml": "en",
}

_MARKUP = re.compile(
    r"\\[Nnh]|\{\\[^}]*\}|</?[a-zA-Z][^>]{0,60}>|&(?:lt|gt|amp|nbsp);|\[[^\]\n]{1,40}\]"
    r"(?!\()|\(\s*[a-z][^)]{0,40}\s*\)|>>|[♪♫♬]|\b[A-Z]{2,}(?: \d+)?:(?=\s)",
)
_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+")
_PAIR = re.compile(r"^(\S+) (?:and|y|et|und|e) (\S+)$", re.I)
_WORDS = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?")


def _case_files() -> list[tuple[str, str, str, list[dict], list[dict]]]:
    """(name, language, title, segments, chapters) for every transcript scored."""
    cases = []
    for name, language in FILES.items():
        content = (FIXTURES / name).read_bytes()
        if name.endswith(".xml"):
            segments = subtitles.parse(content, "srv1")
        else:
            segments = parse_transcript_file(name, content).segments
        cases.append((name, language, "", segments, []))
    for builder in (talks.short_talk, talks.auto_captions_talk):
        title, segments, chapters = builder()
        cases.append((builder.__name__, "en", title, segments, chapters))
        cases.append((builder.__name__ + " (no chapters)", "en", "", segments, []))
    for name, srt, language in (
        ("GERMAN_SRT", talks.GERMAN_SRT, "de"),
        ("COMPOST_SRT", talks.COMPOST_SRT, "en"),
    ):
        segments = parse_transcript_file("talk.srt", srt.encode()).segments
        cases.append((name, language, "", segments, []))
    return cases


def write(language: str, title: str, segments: list[dict], chapters: list[dict]) -> str:
    """The post a job on the offline writer saves, as Markdown with front matter."""
    text = "\n".join(str(s["text"]) for s in segments)
    if clean_transcript is not None:
        cleaned = clean_transcript(segments, language)
        segments, text = cleaned.segments, cleaned.text
    request = PostRequest(
        title=title,
        transcript=text,
        segments=segments,
        chapters=chapters,
        language=language,
        video_url="https://www.youtube.com/watch?v=dQw4w9WgXcQ",
        video_id="dQw4w9WgXcQ",
    )
    draft = "".join(chunk.text for chunk in OfflineKind().write(request))
    meta = PostMeta(title or "Untitled", "", "dQw4w9WgXcQ", language, "offline", "", "")
    return format_post(draft, meta).markdown


def _stopwords(language: str) -> frozenset[str]:
    words = set(get_stop_words("en"))
    if language != "en":
        words |= set(get_stop_words(language))
    return frozenset(words)


def score(post: str, language: str, chapters: list[dict] | None = None) -> dict[str, float]:
    _, front, body = post.split("---\n", 2)
    stop = _stopwords(language)
    tags = re.findall(r"^- (.+)$", front.split("tags:", 1)[1].split("\n", 1)[1], re.M)
    tags = [t.strip("'\"") for t in tags if not t.startswith(" ")]
    # A piece of a link ("https", "youtu", the video id) that the text itself never says.
    links = set(re.findall(r"\w+", " ".join(re.findall(r"\]\(([^)]*)\)", body)).lower()))
    said = set(_WORDS.findall(_LINK.sub(r"\1", body).lower()))
    stop_tags = sum(
        1 for t in tags if _is_stop(t, stop) or (t.lower() in links and t.lower() not in said)
    )

    lines = [ln for ln in body.splitlines() if ln.strip()]
    headings = [_LINK.sub("", ln[3:]).strip(" ()") for ln in lines if ln.startswith("## ")]
    headings = [h for h in headings if h]
    prose = [
        _LINK.sub(r"\1", re.sub(r"^- \*\*[^*]+:\*\* |^- ", "", ln))
        for ln in lines
        if not ln.startswith("#") and not (ln.startswith("*") and ln.endswith("*"))
    ]
    sentences = [s for p in prose for s in _SENTENCE.split(p) if s.strip()]
    keys = [" ".join(_WORDS.findall(s.lower())) for s in sentences]
    keys = [k for k in keys if k]
    repeated = len(keys) - len(set(keys))
    caps = sum(1 for s in sentences if _shouting(s))
    markup = sum(len(_MARKUP.findall(p)) for p in prose) + sum(
        len(_MARKUP.findall(h)) for h in headings
    )
    # A chapter title is the uploader's own words: only the writer's headings are judged.
    given = {str(c.get("title", "")).lower() for c in chapters or []}
    bad_heads = sum(
        1
        for i, h in enumerate(headings)
        if h.lower() not in given
        and (_is_stop(h, stop) or _PAIR.match(h) or h.lower() in (x.lower() for x in headings[:i]))
    )
    short = sum(1 for s in sentences if len(_WORDS.findall(s)) < 8)
    return {
        "words": len(body.split()),
        "tags": len(tags),
        "stop_tags": stop_tags,
        "markup": markup,
        "repeats": repeated,
        "caps": caps,
        "headings": len(headings),
        "bad_heads": bad_heads,
        "collage": short / len(sentences) if sentences else 0.0,
        "short": short,
        "sentences": len(sentences),
    }


def _is_stop(phrase: str, stop: frozenset[str]) -> bool:
    words = [w.replace("’", "'") for w in _WORDS.findall(phrase.lower())]
    return bool(words) and all(w in stop or any(p in stop for p in w.split("'")) for w in words)


def _shouting(sentence: str) -> bool:
    letters = [ch for ch in sentence if ch.isalpha()]
    words = _WORDS.findall(sentence)
    return len(words) >= 2 and len(letters) >= 6 and all(ch.isupper() for ch in letters)


def main(out: Callable[[str], None] = print) -> None:
    header = (
        f"{'transcript':46} {'lang':4} {'words':>5} {'bad tags':>9} {'markup':>6} "
        f"{'repeats':>7} {'caps':>4} {'bad heads':>9} {'collage':>7} {'seconds':>7}"
    )
    out(header)
    out("-" * len(header))
    totals = dict.fromkeys(("stop_tags", "markup", "repeats", "caps", "bad_heads"), 0.0)
    short = sentences = 0
    for name, language, title, segments, chapters in _case_files():
        started = time.perf_counter()
        try:
            post = write(language, title, segments, chapters)
        except ValueError as exc:
            out(f"{name:46} {language:4} no post: {exc}")
            continue
        seconds = time.perf_counter() - started
        s = score(post, language, chapters)
        for key in totals:
            totals[key] += s[key]
        short += s["short"]
        sentences += s["sentences"]
        out(
            f"{name:46} {language:4} {s['words']:>5} {s['stop_tags']:>4}/{s['tags']:<4} "
            f"{s['markup']:>6} {s['repeats']:>7} {s['caps']:>4} "
            f"{s['bad_heads']:>4}/{s['headings']:<4} {s['collage']:>7.0%} {seconds:>7.2f}"
        )
    out("-" * len(header))
    collage = short / sentences if sentences else 0.0
    out(
        f"{'total (collage: of all sentences)':46} {'':4} {'':>5} {int(totals['stop_tags']):>9} "
        f"{int(totals['markup']):>6} {int(totals['repeats']):>7} {int(totals['caps']):>4} "
        f"{int(totals['bad_heads']):>9} {collage:>7.0%}"
    )


if __name__ == "__main__":
    main()
