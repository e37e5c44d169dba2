"""The transcript clean-up every writer reads through, on real caption files from other
projects' test suites (tests/fixtures/transcripts/README.md says where each comes from)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from providers.offline import write_post
from videos import subtitles
from videos.services import clean_transcript, parse_transcript_file

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "transcripts"
ALL_FILES = sorted(p.name for p in FIXTURES.iterdir() if p.suffix in (".srt", ".vtt", ".xml"))
LANGUAGES = {
    "pysrt_utf-8_excerpt.srt": "fr",
    "webvtt_styles2.srt": "fr",
    "webvtt_netflix_chicas_del_cable_excerpt.vtt": "es",
}
# What a reader would see as caption markup or noise, not speech.
LEFTOVERS = re.compile(
    r"\\[Nnh]|\{\\|</?(?:i|b|u|s|c|v|font)\b|&(?:amp|lt|gt|nbsp);|\[[^\]]*\]|[♪♫]"
    r"|\(\s*clock ticking\s*\)|>>|\b(?:MAN|MAN 2):",
    re.I,
)


def segments_of(name: str) -> list[dict]:
    content = (FIXTURES / name).read_bytes()
    if name.endswith(".xml"):
        return subtitles.parse(content, "srv1")
    return parse_transcript_file(name, content).segments


def cleaned(name: str):
    return clean_transcript(segments_of(name), LANGUAGES.get(name, "en"))


def texts(name: str) -> list[str]:
    return [seg["text"] for seg in cleaned(name).segments]


def _shouts(text: str) -> bool:
    letters = [ch for ch in text if ch.isalpha()]
    return len(text.split()) >= 2 and len(letters) >= 6 and all(ch.isupper() for ch in letters)


@pytest.mark.parametrize("name", ALL_FILES)
def test_no_markup_sound_or_shouting_is_left_in_any_real_file(name: str) -> None:
    result = cleaned(name)

    assert result.segments, name
    for seg in result.segments:
        assert not LEFTOVERS.search(seg["text"]), seg["text"]
        assert not _shouts(seg["text"]), seg["text"]
        assert seg["text"] == seg["text"].strip() and "  " not in seg["text"]
    assert not LEFTOVERS.search(result.text.replace("Man 2:", "").replace("Man:", ""))


def test_ass_hard_spaces_line_breaks_and_overrides_become_plain_text() -> None:
    lines = texts("pysrt_capability_tester.srt")

    assert any(
        "The line will never break automatically right before or after a hard space." in t
        for t in lines
    )
    assert any("This text should be at the top and horizontally centered" in t for t in lines)
    # A "<" that opens no tag is text: "2<3,5>1,4<6" is what the caption says.
    assert any("2<3,5>1,4<6" in t for t in lines)


def test_sound_cues_and_songs_go_and_speaker_labels_become_speakers() -> None:
    result = cleaned("pycaption_sample.srt")

    assert result.speakers == ["Man", "Man 2"]
    said = [(seg["speaker"], seg["text"]) for seg in result.segments]
    assert said[0] == ("Man", "When we think")
    assert ("Man 2", "E equals m c-squared is not about an old Einstein.") in said
    joined = " ".join(text for _, text in said).lower()
    assert "clock ticking" not in joined
    assert "say bow, wow" not in joined  # sung, not said
    assert "laughing" not in joined
    # A model reads who speaks where it changes.
    assert "Man 2: E equals m c-squared" in result.text


def test_webvtt_voice_spans_name_their_speakers() -> None:
    result = cleaned("flutter_video_player_voices.vtt")

    assert result.speakers == ["Roger Bingham", "Neil deGrasse Tyson"]
    neil = [s["text"] for s in result.segments if s["speaker"] == "Neil deGrasse Tyson"]
    assert neil == ["Didn't we talk about enough in that conversation?"]  # not "Laughs"


def test_bracketed_names_are_speakers_and_bracketed_sounds_are_gone() -> None:
    result = cleaned("webvtt_netflix_chicas_del_cable_excerpt.vtt")

    assert result.speakers == ["Alba", "Pedro", "Beltrán"]
    joined = " ".join(s["text"] for s in result.segments)
    for sound in ("ríen emocionadas", "truenos", "dos disparos", "tema musical", "llora"):
        assert sound not in joined
    # "- Déjala.\n- Tú no te metas." is two people: two turns.
    two = ("Déjala.", "Tú no te metas. ¡No te metas!")
    turns = [s for s in result.segments if s["text"] in two]
    assert [t["turn"] for t in turns] == [True, True]
    # A speaker repeating her own words is speech, not a rolling caption.
    assert "Si eras mujer, en 1928" in joined


def test_capitals_become_sentence_case_keeping_names_initials_and_acronyms() -> None:
    film = texts("pysrt_utf-8_excerpt.srt")
    assert "Ce film relate des événements qui ont existé." in film
    assert "L'equipe du journal de Channel 4" in film  # "Channel" as the captions write it
    assert any(t.startswith("J.T. de Channel 4") for t in film)
    assert any(t.startswith("Presentateur vedette La légende de Ron Burgundy") for t in film)
    assert not any("AllSubs" in t for t in film)  # the downloader's credit is not the film

    news = texts("pycaption_numeric.srt")
    assert news[:2] == ["To find him. If", "you have any information"]
    assert "STD out" in news
    assert "I'm not going to watch this." in texts("pycaption_sample_2.vtt")


def test_rolling_auto_captions_keep_each_stretch_of_words_once() -> None:
    rolling = [
        "so today we are going",
        "we are going to talk about",
        "to talk about sourdough starters",
        "about sourdough starters and why",
        "and why they need feeding",
    ]
    segments = [{"start": i * 2.0, "duration": 3.0, "text": t} for i, t in enumerate(rolling)]

    text = " ".join(s["text"] for s in clean_transcript(segments, "en").segments)

    assert text == (
        "so today we are going to talk about sourdough starters and why they need feeding"
    )
    assert texts("webvtt_youtube_dl.vtt") == ["yeah", "what", "this will happen is I'm telling"]


def test_youtube_speaker_changes_and_dashes_mark_turns() -> None:
    segments = [
        {"start": 0, "duration": 3, "text": ">> ANNA: Welcome back to the show."},
        {"start": 3, "duration": 3, "text": "Today we talk about bees."},
        {"start": 6, "duration": 3, "text": ">> Thanks for having me."},
        {"start": 9, "duration": 3, "text": "-Are you ready? -Always."},
    ]
    result = clean_transcript(segments, "en")

    said = [(s["speaker"], s["turn"], s["text"]) for s in result.segments]
    assert said == [
        ("Anna", True, "Welcome back to the show."),
        ("Anna", False, "Today we talk about bees."),
        ("", True, "Thanks for having me."),
        ("", True, "Are you ready?"),
        ("", True, "Always."),
    ]


def test_a_label_said_once_in_mixed_case_is_not_taken_for_a_speaker() -> None:
    segments = [{"start": 0, "duration": 3, "text": "Note: the oven must be hot."}]

    result = clean_transcript(segments, "en")

    assert result.segments[0]["text"] == "Note: the oven must be hot."
    assert result.speakers == []


def test_the_offline_post_of_noisy_human_captions_keeps_only_what_was_said() -> None:
    lines = [
        ">> HOST: So, um, the grinder is the the most important tool you will buy for coffee.",
        "[Applause] You know, a burr grinder gives you an even grind, uh, every single time.",
        "- The water should be hot, like, just off the boil, for the best extraction.",
        "A kitchen scale, sort of, keeps the ratio of coffee to water the same each day.",
    ] * 2
    segments = [{"start": i * 5.0, "duration": 5.0, "text": t} for i, t in enumerate(lines)]
    post = write_post(title="Coffee basics", segments=clean_transcript(segments, "en").segments)

    body = post.lower()
    for noise in (">>", "host:", "[applause]", " um", " uh", "the the", "you know", "sort of"):
        assert noise not in body, noise
    assert "like," not in body
    assert "The grinder is the most important tool you will buy for coffee." in post


def test_a_short_line_that_ends_on_a_sound_word_is_still_speech() -> None:
    segments = [
        {"start": 0, "duration": 2, "text": "Nice sound."},
        {"start": 2, "duration": 2, "text": "(LAUGHS)"},
        {"start": 4, "duration": 2, "text": "Laughs"},
    ]

    assert [s["text"] for s in clean_transcript(segments, "en").segments] == ["Nice sound."]
