"""What the model is asked: style, tone, length, language, SEO data, timestamps."""

from __future__ import annotations

import re

import pytest

from providers.prompts import (
    STYLES,
    TONES,
    PostRequest,
    build_chunk_messages,
    build_combine_messages,
    build_messages,
    validate_custom_prompt,
)
from tests.providers.post_requests import post_request


def _system(request: PostRequest) -> str:
    return build_messages(request)[0]["content"]


def test_a_request_needs_only_a_title_and_a_transcript() -> None:
    messages = build_messages(PostRequest(title="Coffee", transcript="Grind fresh beans."))
    assert [m["role"] for m in messages] == ["system", "user"]
    assert "Grind fresh beans." in messages[1]["content"]
    assert "youtu.be" not in messages[1]["content"]


@pytest.mark.parametrize("style", [s for s in STYLES if s != "custom"])
def test_each_style_tone_and_length_reaches_the_system_prompt(style: str) -> None:
    system = _system(post_request(style=style, tone="enthusiastic", length="long"))
    assert STYLES[style] in system
    assert "enthusiastic" in system
    assert "about 1800 words" in system


def test_every_tone_reads_differently() -> None:
    prompts = {_system(post_request(tone=tone)) for tone in TONES}
    assert len(prompts) == len(TONES)
    assert _system(post_request(tone="no such tone")) == _system(post_request(tone="neutral"))


def test_the_model_is_asked_for_seo_data_as_a_json_block_after_the_post() -> None:
    system = _system(post_request())
    assert "```json" in system
    for key in ('"title"', '"description"', '"tags"', '"slug"'):
        assert key in system
    assert "160 characters" in system
    # The post comes first, so it streams to the page from the first token.
    assert system.index("# <title>") < system.index("```json")


def test_the_post_can_be_written_in_another_language_than_the_transcript() -> None:
    system = _system(post_request(language="de", write_language="en"))
    assert "written in English" in system
    assert "The source is in German" in system

    same = _system(post_request(language="de"))
    assert "written in German" in same
    assert "The source is in" not in same


def test_headings_are_asked_to_link_their_moment_in_the_video() -> None:
    messages = build_messages(post_request())
    assert "https://youtu.be/dQw4w9WgXcQ?t=754" in messages[0]["content"]
    user = messages[1]["content"]
    assert "[0:00](https://youtu.be/dQw4w9WgXcQ?t=0) Grinding" in user  # the chapter list
    # Time links inside the transcript, every three minutes or so.
    assert re.search(r"\[3:0\d\]\(https://youtu\.be/dQw4w9WgXcQ\?t=18\d\) ", user)

    plain = build_messages(post_request(include_timestamps=False))
    assert "youtu.be" not in plain[0]["content"] + plain[1]["content"]
    assert "- 0:00 Grinding" in plain[1]["content"]


def test_custom_prompt_placeholders_are_validated() -> None:
    validate_custom_prompt("Write about {title} in a {tone} tone:\n{transcript}")
    with pytest.raises(ValueError, match=r"Unknown placeholder \{audience\}"):
        validate_custom_prompt("Write for {audience}")
    with pytest.raises(ValueError, match="unmatched brace"):
        validate_custom_prompt("Write {title")


def test_a_custom_prompt_places_the_transcript_itself() -> None:
    request = post_request(style="custom", custom_prompt="Poem about {title}:\n{transcript}")
    user = build_messages(request)[1]["content"]
    assert user.startswith("Poem about How to Brew")
    assert "burr grinder" in user and "Transcript:" not in user

    request = post_request(style="custom", custom_prompt="Make it funny, {language}.")
    user = build_messages(request)[1]["content"]
    assert user.startswith("Instructions: Make it funny, en.")
    assert "Transcript:\n" in user


@pytest.mark.parametrize(
    "prompt, written",
    [
        ("In {language}: {{braces}} {{{tone}}}.", "In en: {braces} {neutral}."),
        # Saved before the form refused them: kept as written, not a failed job.
        ("About {title:>200000000} {title!r} {0}", "About {title:>200000000} {title!r} {0}"),
    ],
)
def test_a_custom_prompts_placeholders_are_filled_as_str_format_would(prompt, written) -> None:
    request = post_request(style="custom", custom_prompt=prompt)
    assert build_messages(request)[1]["content"].startswith(f"Instructions: {written}")


def test_chunk_and_combine_prompts_carry_the_video_and_the_part() -> None:
    request = post_request()
    chunk = build_chunk_messages(
        request,
        "some words",
        part=2,
        parts=5,
        start=75.0,
        end=150.0,
        chapters=request.chapters[1:2],
        words=200,
    )
    assert "at most 200 words" in chunk[0]["content"]
    assert "Part 2 of 5, from 1:15 to 2:30." in chunk[1]["content"]
    assert "Water" in chunk[1]["content"] and "Grinding" not in chunk[1]["content"]

    combine = build_combine_messages(request, "## Part 1\n\n### Grinding\n- grind fresh")
    assert "every chapter" in combine[0]["content"]
    assert "```json" in combine[0]["content"]
    assert "### Grinding" in combine[1]["content"]
