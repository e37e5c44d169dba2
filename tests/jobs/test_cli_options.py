"""`manage.py blogtube` takes the same writing and transcript options as the New post form."""

from __future__ import annotations

import json

import pytest
from django.core.management import CommandError, call_command

from jobs import services
from jobs.models import Job
from tests.fakes.transcripts import GERMAN_SRT
from tests.jobs.conftest import POST_FROM_MODEL, VIDEO_URL
from tests.jobs.factories import make_price
from videos import youtube

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("operator"),
]


def test_writing_flags_reach_the_job_and_its_post(tmp_path):
    transcript = tmp_path / "kompost.srt"
    transcript.write_text(GERMAN_SRT)
    out = tmp_path / "post.txt"
    call_command(
        "blogtube",
        "--transcript-file", str(transcript),
        "--language", "auto",
        "--style", "newsletter",
        "--tone", "friendly",
        "--length", "short",
        "--write-language", "en",
        "--toc", "--no-timestamps", "--embed", "--no-pictures",
        "--format", "text",
        "--out", str(out),
    )  # fmt: skip

    job = Job.objects.get()
    assert job.status == Job.Status.COMPLETED
    options = {k: job.options[k] for k in ("style", "tone", "length", "write_language")}
    assert options == {
        "style": "newsletter",
        "tone": "friendly",
        "length": "short",
        "write_language": "en",
    }
    assert (job.options["toc"], job.options["timestamps"], job.options["embed"]) == (
        True,
        False,
        True,
    )
    assert (job.options["force_speech"], job.options["translate_to"]) == (False, "")
    assert job.options["pictures"] is False
    # --language auto: the file's language was detected.
    assert job.language == "" and job.transcript.language_code == "de"
    assert job.output_format == "text"
    text = out.read_text()
    assert text == job.post.render("text")
    assert not text.startswith("---") and "title:" not in text and "**" not in text


def test_speech_and_translation_flags_reach_the_job(monkeypatch):
    seen = {}

    def fake_run(job_id: str) -> None:
        job = Job.objects.get(pk=job_id)
        seen.update(job.options)
        job.request_cancel()

    monkeypatch.setattr("jobs.management.commands.blogtube.run_job", fake_run)
    with pytest.raises(CommandError, match="Cancelled"):
        call_command("blogtube", VIDEO_URL, "--speech", "--translate-to", "es")
    assert seen["force_speech"] is True and seen["translate_to"] == "es"
    assert seen["timestamps"] is True and seen["toc"] is False  # the defaults


def test_format_json_prints_parseable_json(compost_srt, capsys):
    call_command("blogtube", "--transcript-file", str(compost_srt), "--format", "json")

    data = json.loads(capsys.readouterr().out)
    assert data["title"] and data["slug"] == Job.objects.get().post.slug
    assert "damp as a wrung-out sponge" in data["body_markdown"]
    assert data["source"]["provider"] == "offline"


def test_format_html_is_the_standalone_page(compost_srt, capsys):
    call_command("blogtube", "--transcript-file", str(compost_srt), "--format", "html")
    assert capsys.readouterr().out.lstrip().startswith("<!doctype html>")


def test_the_estimate_is_printed_before_the_job_runs(compost_srt, capsys):
    call_command("blogtube", "--transcript-file", str(compost_srt))
    progress = capsys.readouterr().err
    assert "Estimated cost: free (offline writer)" in progress
    assert progress.index("Estimated cost") < progress.index("[1/9]")


def test_the_estimate_prices_the_model_from_the_videos_length(
    youtube_video, fake_llm, llm_provider, capsys, monkeypatch
):
    make_price("fake-model", "1", "2")
    fake_llm.configure(reply=POST_FROM_MODEL)
    fetched: list[str] = []
    real_fetch = youtube.fetch_video_info
    monkeypatch.setattr(
        youtube,
        "fetch_video_info",
        lambda video_id: fetched.append(video_id) or real_fetch(video_id),
    )
    call_command("blogtube", VIDEO_URL, "--provider", "fake")

    progress = capsys.readouterr().err
    expected = services.cost_estimate(llm_provider, "fake-model", youtube_video.duration * 15)
    assert expected.startswith("Estimated cost with fake-model: about $0.00")
    assert expected in progress
    assert progress.index(expected) < progress.index("[1/9]")
    # The estimate asked for the video's length; the job's own step re-used the answer.
    assert fetched == [youtube_video.video_id]


@pytest.mark.parametrize(
    "args, says",
    [
        (["--tone", "sarcastic"], "argument --tone: Unknown tone “sarcastic”. Choose one of: "),
        (["--format", "docx"], "argument --format: Unknown format “docx”. Choose one of: mark"),
        (["--write-language", "German!"], "“German!” is not a language code such as en, de"),
        (["--translate-to", "x"], "argument --translate-to: “x” is not a language code"),
        (["--provider", "nope"], "Unknown provider “nope”. Choose one of: offline"),
    ],
)
def test_bad_values_exit_2_with_the_reason(command_line, args, says):
    status, _, err = command_line("blogtube", VIDEO_URL, *args)
    assert status == 2
    assert says in err


def test_a_provider_without_its_key_is_refused_before_any_job(settings):
    settings.OPENAI_API_KEY = ""
    with pytest.raises(CommandError, match=r"argument --provider: .*OPENAI_API_KEY"):
        call_command("blogtube", VIDEO_URL, "--provider", "openai")
    assert not Job.objects.exists()


@pytest.mark.parametrize("flag", [["--speech"], ["--translate-to", "de"]])
def test_youtube_only_flags_are_refused_with_a_transcript_file(compost_srt, flag):
    with pytest.raises(CommandError) as refused:
        call_command("blogtube", "--transcript-file", str(compost_srt), *flag)
    assert str(refused.value) == (
        f"Error: argument {flag[0]}: Only for YouTube videos: a file is used as it is."
    )
