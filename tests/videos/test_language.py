"""Language detection of uploaded transcripts (py3langid, offline)."""

from __future__ import annotations

import pytest

from videos import services
from videos.language import UNKNOWN, detect_language, language_name

GERMAN = (
    "Heute backen wir zusammen ein Sauerteigbrot. Zuerst zeige ich euch, wie der Starter "
    "funktioniert und warum er ein paar Tage braucht, bis er richtig aktiv ist."
)
ENGLISH = (
    "Today we are baking a sourdough loaf together. First I will show you how the starter "
    "works and why it needs a few days before it is really active."
)
FRENCH = (
    "Aujourd'hui, nous faisons ensemble un pain au levain. D'abord, je vous montre comment "
    "fonctionne le levain et pourquoi il lui faut quelques jours avant d'être vraiment actif."
)


@pytest.mark.parametrize(("text", "code"), [(GERMAN, "de"), (ENGLISH, "en"), (FRENCH, "fr")])
def test_detects_the_language_of_a_paragraph(text, code):
    detected, confidence = detect_language(text)
    assert detected == code
    assert confidence > 0.9


@pytest.mark.parametrize("text", ["", "OK", "[Music]", "12:30 — 14:45 ... !!!"])
def test_too_little_text_is_undetermined(text):
    assert detect_language(text) == (UNKNOWN, 0.0)


def test_language_names():
    assert language_name("de") == "German"
    assert language_name("pt-BR") == "Brazilian Portuguese"
    assert language_name("fr-CA") == "French"
    assert language_name("und") == "Unknown"
    assert language_name("xx") == "xx"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("text", "code", "name"), [(GERMAN, "de", "German"), (FRENCH, "fr", "French")]
)
def test_upload_without_a_language_gets_the_detected_one(text, code, name):
    transcript = services.transcript_from_upload("talk.txt", text.encode(), language="")
    assert (transcript.language_code, transcript.language) == (code, name)


@pytest.mark.django_db
def test_upload_keeps_the_language_the_person_gave():
    transcript = services.transcript_from_upload("talk.txt", GERMAN.encode(), language="en")
    # Said English, wrote German: the person may know better (a mixed talk, say).
    assert (transcript.language_code, transcript.language) == ("en", "English")


@pytest.mark.django_db
def test_upload_too_short_to_tell_is_undetermined():
    transcript = services.transcript_from_upload("talk.txt", b"Yes. No. OK.", language="")
    assert (transcript.language_code, transcript.language) == ("und", "Unknown")
