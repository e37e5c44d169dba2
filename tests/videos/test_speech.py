"""Speech-to-text: the last source, for videos without captions.

faster-whisper is an optional extra and no test may download a model, so
most tests put a stand-in ``faster_whisper`` module in ``sys.modules`` (the
code imports it by name, as it would the real one) while yt-dlp really
downloads the audio from the fake YouTube. The tests that need the real
library and a model on this machine skip, and say why, when there is none.
"""

from __future__ import annotations

import io
import math
import shutil
import struct
import subprocess
import sys
import types
import wave
from pathlib import Path
from typing import Any

import pytest

from videos import services, speech
from videos.errors import TranscriptsDisabled
from videos.models import Transcript

pytestmark = pytest.mark.django_db

VID = "dQw4w9WgXcQ"
SENTENCE = "The quick brown fox jumps over the lazy dog."


def tone_wav(seconds: float = 2.0, hz: float = 440.0, rate: int = 16000) -> bytes:
    """A sine tone: audio with no speech in it, made with nothing installed."""
    frames = b"".join(
        struct.pack("<h", int(8000 * math.sin(2 * math.pi * hz * i / rate)))
        for i in range(int(seconds * rate))
    )
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(frames)
    return buffer.getvalue()


@pytest.fixture(autouse=True)
def fresh_models():
    speech._model.cache_clear()
    yield
    speech._model.cache_clear()


@pytest.fixture
def audio_from_fake(monkeypatch):
    # The fake serves a plain audio URL to the web client; real YouTube needs
    # yt-dlp's default clients (and a PO token or JS challenge) for it.
    monkeypatch.setattr(
        speech,
        "AUDIO_EXTRACTOR_ARGS",
        {
            "youtube": {
                "player_client": ["web"],
                "player_skip": ["js", "configs"],
                "formats": ["missing_pot"],
            }
        },
    )


class StandInWhisper:
    """The part of faster_whisper that videos.speech uses."""

    def __init__(self, pieces: list[tuple[float, float, str]], *, duration: float, language: str):
        self.pieces = pieces
        self.duration = duration
        self.language = language
        self.loaded: list[tuple[str, dict[str, Any]]] = []
        self.heard: list[tuple[bytes, dict[str, Any]]] = []
        self.load_error: Exception | None = None

    def module(self) -> types.ModuleType:
        outer = self

        class WhisperModel:
            def __init__(self, name: str, **kwargs: Any) -> None:
                if outer.load_error:
                    raise outer.load_error
                outer.loaded.append((name, kwargs))

            def transcribe(self, path: str, **kwargs: Any):
                outer.heard.append((Path(path).read_bytes(), {"path": path, **kwargs}))
                info = types.SimpleNamespace(duration=outer.duration, language=outer.language)
                pieces = (
                    types.SimpleNamespace(start=start, end=end, text=text)
                    for start, end, text in outer.pieces
                )
                return pieces, info

        module = types.ModuleType("faster_whisper")
        module.WhisperModel = WhisperModel
        return module


@pytest.fixture
def whisper(monkeypatch) -> StandInWhisper:
    stand_in = StandInWhisper(
        [(i * 3.0, i * 3.0 + 3.0, f" Line {i + 1} of the talk.") for i in range(10)],
        duration=30.0,
        language="en",
    )
    monkeypatch.setitem(sys.modules, "faster_whisper", stand_in.module())
    return stand_in


@pytest.fixture
def not_installed(monkeypatch):
    # None in sys.modules makes "import faster_whisper" raise ImportError.
    monkeypatch.setitem(sys.modules, "faster_whisper", None)


class Events(list):
    def __call__(self, message: str, level: str, **data: Any) -> None:
        self.append((message, level, data))

    @property
    def messages(self) -> list[str]:
        return [m for m, _, _ in self]


# -- not installed, turned off -----------------------------------------------------


def test_not_installed_says_how_to_install(not_installed, settings):
    settings.WHISPER_ENABLED = True
    assert speech.unavailable_reason() == (
        "Speech-to-text is not installed: pip install -r requirements-whisper.txt"
    )
    with pytest.raises(speech.SpeechUnavailable) as info:
        speech.transcribe_video(VID)
    assert info.value.code == "SPEECH_UNAVAILABLE"
    assert info.value.message == speech.NOT_INSTALLED


def test_turned_off_even_when_installed(whisper, settings):
    settings.WHISPER_ENABLED = False
    assert speech.unavailable_reason() == "Speech-to-text is turned off (WHISPER_ENABLED=false)."


def test_video_without_captions_and_without_whisper_suggests_installing_it(
    fake_youtube, not_installed
):
    fake_youtube.add(VID, scenario="transcripts_disabled")
    events = Events()
    with pytest.raises(TranscriptsDisabled) as info:
        services.get_transcript(services.video_placeholder(VID), ["en"], on_event=events)
    assert events.messages[-1] == (
        "Speech-to-text skipped (the video has no captions): "
        "Speech-to-text is not installed: pip install -r requirements-whisper.txt"
    )
    assert events[-1][1] == "warning"
    assert (
        "Install speech-to-text to transcribe the audio: "
        "pip install -r requirements-whisper.txt." in info.value.suggestions
    )
    assert any("upload" in s.lower() for s in info.value.suggestions)


def test_forced_speech_without_whisper_asks_youtube_nothing(fake_youtube, not_installed):
    fake_youtube.add(VID)
    with pytest.raises(speech.SpeechUnavailable):
        services.get_transcript(services.video_placeholder(VID), ["en"], force_speech=True)
    assert fake_youtube.requests == []


# -- transcribing --------------------------------------------------------------------


def test_progress_is_percent_of_the_audio(whisper, settings, tmp_path):
    settings.WHISPER_MODEL = "small"
    audio = tmp_path / "talk.wav"
    audio.write_bytes(tone_wav())
    seen: list[tuple[int, float, float]] = []

    data = speech.transcribe(audio, on_progress=lambda *p: seen.append(p))

    assert [p for p, _, _ in seen] == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert seen[0] == (10, 3.0, 30.0)
    assert data.source == "whisper"
    assert (data.language_code, data.language, data.is_generated) == ("en", "English", True)
    assert data.segments[0] == {"start": 0.0, "duration": 3.0, "text": "Line 1 of the talk."}
    assert len(data.segments) == 10
    # Silence and music skipped, the model from settings, on the CPU.
    assert whisper.heard[0][1]["vad_filter"] is True
    assert whisper.loaded == [("small", {"device": "cpu", "compute_type": "int8"})]


def test_no_speech_in_a_tone(whisper, tmp_path):
    whisper.pieces = []  # what Whisper's voice filter leaves of a tone
    audio = tmp_path / "tone.wav"
    audio.write_bytes(tone_wav())
    with pytest.raises(speech.NoSpeech) as info:
        speech.transcribe(audio)
    assert info.value.message == (
        "No speech was heard in this video's audio, so there is nothing to transcribe."
    )


def test_a_model_that_will_not_load_says_which(whisper, settings, tmp_path):
    settings.WHISPER_MODEL = "large-v3"
    whisper.load_error = OSError("no such model in the cache and no network")
    with pytest.raises(speech.SpeechFailed) as info:
        speech.transcribe(tmp_path / "x.wav")
    assert info.value.message == 'The Whisper model "large-v3" could not be loaded.'
    assert "no network" in info.value.detail


def test_video_without_captions_is_transcribed_from_its_audio(
    fake_youtube, whisper, audio_from_fake
):
    audio = tone_wav(1.0)
    fake_youtube.add(VID, scenario="transcripts_disabled", audio=audio)
    video = services.video_placeholder(VID)
    events = Events()

    transcript, reused = services.get_transcript(video, ["en"], on_event=events)

    assert (transcript.source, reused) == ("whisper", False)
    assert transcript.get_source_display() == "Speech-to-text (Whisper)"
    assert transcript.text.splitlines()[0] == "Line 1 of the talk."
    # Whisper got exactly the bytes YouTube served, from a folder now gone.
    heard, options = whisper.heard[0]
    assert heard == audio
    assert not Path(options["path"]).exists()
    assert events.messages[2:5] == [
        "yt-dlp subtitles: YouTube lists no subtitles or automatic captions for this video "
        "(TRANSCRIPTS_DISABLED)",
        "Trying speech-to-text (the video has no captions)…",
        "Downloading the audio…",
    ]
    progress = [d["percent"] for _, _, d in events if "percent" in d]
    assert progress == [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]
    assert "Speech-to-text: 50% of the audio (0:15 of 0:30)" in events.messages
    assert events.messages[-1] == "Transcript from speech-to-text: en, auto-generated, 50 words"

    # Stored: asked again, in any language, nothing goes to YouTube or Whisper.
    fake_youtube.reset_requests()
    again, reused = services.get_transcript(video, ["de"])
    assert (again.pk, reused) == (transcript.pk, True)
    assert fake_youtube.requests == []
    assert len(whisper.heard) == 1


def test_forced_speech_skips_the_captions(fake_youtube, whisper, audio_from_fake):
    fake_youtube.add(VID, audio=tone_wav(0.5))
    transcript, _ = services.get_transcript(
        services.video_placeholder(VID), ["en"], force_speech=True
    )
    assert transcript.source == "whisper"
    assert fake_youtube.count(path="/api/timedtext") == 0
    assert fake_youtube.count(client="requests") == 0
    assert Transcript.objects.filter(source="youtube").count() == 0


# -- the real thing, when this machine has it -------------------------------------------


def _real_whisper_or_skip() -> str:
    try:
        import faster_whisper  # noqa: F401
    except ImportError:
        pytest.skip("faster-whisper is not installed (pip install -r requirements-whisper.txt)")
    path = speech.local_model_path()
    if path is None:
        pytest.skip(
            "no Whisper model on this machine: set WHISPER_MODEL to a model folder or put the "
            "model in the Hugging Face cache (tests never download one)"
        )
    return path


def test_real_whisper_hears_synthesized_speech(tmp_path):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng) to make speech")
    model = _real_whisper_or_skip()
    audio = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(audio), SENTENCE], check=True)
    data = speech.transcribe(audio, model_name=model)
    words = data.text.lower()
    assert data.language_code == "en"
    assert sum(w in words for w in ("quick", "brown", "fox", "lazy", "dog")) >= 3


def test_real_whisper_hears_no_speech_in_a_tone(tmp_path):
    model = _real_whisper_or_skip()
    audio = tmp_path / "tone.wav"
    audio.write_bytes(tone_wav(3.0))
    with pytest.raises(speech.NoSpeech):
        speech.transcribe(audio, model_name=model)


def test_real_whisper_transcribes_a_video_without_captions(
    fake_youtube, audio_from_fake, settings, tmp_path
):
    if not shutil.which("espeak-ng"):
        pytest.skip("espeak-ng is not installed (apt-get install espeak-ng) to make speech")
    settings.WHISPER_MODEL = _real_whisper_or_skip()
    settings.WHISPER_ENABLED = True
    audio = tmp_path / "speech.wav"
    subprocess.run(["espeak-ng", "-s", "140", "-w", str(audio), SENTENCE], check=True)
    fake_youtube.add(VID, scenario="transcripts_disabled", audio=audio.read_bytes())
    events = Events()

    transcript, _ = services.get_transcript(
        services.video_placeholder(VID), ["en"], on_event=events
    )

    assert transcript.source == "whisper"
    assert "fox" in transcript.text.lower()
    assert [d["percent"] for _, _, d in events if "percent" in d][-1] == 100
