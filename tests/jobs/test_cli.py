"""`manage.py blogtube`: the pipeline in the foreground."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from jobs.models import Job
from tests.accounts import make_user
from tests.jobs.conftest import POST_FROM_MODEL, VIDEO_URL

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.usefixtures("operator"),
]


def test_it_writes_a_post_from_a_transcript_file(tmp_path, compost_srt, capsys):
    out = tmp_path / "post.md"
    call_command("blogtube", "--transcript-file", str(compost_srt), "--out", str(out))
    text = out.read_text()
    assert text.startswith("---\ntitle: ")
    assert "damp as a wrung-out sponge" in text
    progress = capsys.readouterr().err
    assert "[8/9] Saved" in progress and "Completed" in progress
    assert "[9/9] Not published anywhere" in progress
    steps = re.findall(r"^\[(\d)/9\] ", progress, re.M)
    assert steps == sorted(steps) and set(steps) == set("123456789")  # every step, in order
    assert "[4/9] Read compost-basics.srt: en, Uploaded file" in progress
    assert Job.objects.get().language == "en"  # without --language; `--language auto` detects


def test_it_writes_a_post_from_a_video_with_an_llm(youtube_video, fake_llm, llm_provider, capsys):
    fake_llm.configure(reply=POST_FROM_MODEL)
    call_command("blogtube", VIDEO_URL, "--provider", "fake", "--format", "html")
    html = capsys.readouterr().out
    assert "<title>Sourdough Bread for Beginners</title>" in html
    assert "<h2>Baking</h2>" in html


def test_the_pictures_go_beside_the_file_it_writes(
    tmp_path, youtube_video, fake_llm, llm_provider, capsys
):
    moment = f"([1:00](https://youtu.be/{youtube_video.video_id}?t=60))"
    fake_llm.configure(reply=POST_FROM_MODEL.replace("## Baking", f"## Baking {moment}"))
    out = tmp_path / "bread.md"
    call_command("blogtube", VIDEO_URL, "--provider", "fake", "--out", str(out))
    slug = Job.objects.get().post.slug
    assert sorted(p.name for p in (tmp_path / slug).iterdir()) == ["01-baking.jpg", "cover.jpg"]
    assert f"]({slug}/01-baking.jpg)" in out.read_text()
    assert f"2 pictures in {tmp_path / slug}/" in capsys.readouterr().err


def test_a_failure_is_explained(youtube_video, fake_llm, llm_provider):
    fake_llm.configure(fail_status=401)
    with pytest.raises(CommandError) as raised:
        call_command("blogtube", VIDEO_URL, "--provider", "fake")
    assert "[PROVIDER_AUTH]" in str(raised.value)


def test_a_transient_failure_waits_and_goes_on(
    settings, youtube_video, fake_llm, llm_provider, capsys
):
    settings.BLOGTUBE_RETRY_SECONDS = 0  # no real wait in a test
    # Every try of the first attempt (the client's own retries included) finds it down.
    fake_llm.configure(reply=POST_FROM_MODEL, fail_status=503, fail_times=3)
    call_command("blogtube", VIDEO_URL, "--provider", "fake")
    captured = capsys.readouterr()
    assert "Retrying at" in captured.err
    assert captured.err.rstrip().endswith("Completed")
    assert "Sourdough Bread for Beginners" in captured.out
    # Each line of the log once: the second run, which resumes at the writing step, does not
    # print the first run's lines again.
    lines = captured.err.splitlines()
    done_before = [line for line in lines if re.match(r"\[[1-4]/9\] ", line)]
    assert done_before and all(lines.count(line) == 1 for line in done_before), lines
    assert sum("Retrying at" in line for line in lines) == 1


def test_a_bad_url_exits_non_zero_with_the_reason(command_line):
    status, _, err = command_line("blogtube", "https://vimeo.com/12345")
    assert status == 1
    assert "vimeo.com is not a YouTube address" in err
    assert "[INVALID_URL]" in err


def test_the_job_is_the_first_staff_accounts_or_the_named_ones(compost_srt, operator, capsys):
    call_command("blogtube", "--transcript-file", str(compost_srt))
    assert Job.objects.get().owner == operator

    alice = make_user("alice")
    call_command("blogtube", "--transcript-file", str(compost_srt), "--user", "alice")
    assert Job.objects.latest("created").owner == alice

    with pytest.raises(CommandError, match="No active account is called 'nobody'"):
        call_command("blogtube", "--transcript-file", str(compost_srt), "--user", "nobody")


def test_without_a_staff_account_it_says_how_to_make_one(compost_srt, command_line):
    get_user_model().objects.all().delete()
    status, _, err = command_line("blogtube", "--transcript-file", str(compost_srt))
    assert status == 1
    assert "Create an account first: `make run` prints a link" in err
    assert "createsuperuser" in err
    assert not Job.objects.exists()
