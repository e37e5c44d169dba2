"""Input that once crashed a page or the worker: each is now refused where it enters, with
the field's own error, and never a server error."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from jobs.formatting import format_post
from jobs.forms import JobForm
from jobs.models import Job, Post
from providers.models import Provider
from tests.jobs.conftest import META, POST_FROM_MODEL
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

ODD_NUMBERS = ["²", "1" * 5000, "-1", "1e3", "٣"]


def new_post(client, **fields):
    data = {"url": "", "language": "en", "provider": Provider.objects.get(slug="offline").pk,
            "style": "article", "length": "medium", "output_format": "markdown"}  # fmt: skip
    data.update(fields)
    return client.post(reverse("jobs:create"), data)


def field_errors(response) -> dict:
    return response.context["form"].errors


@pytest.fixture
def post() -> Post:
    job = make_job(status=Job.Status.COMPLETED)
    post = job.store_post(format_post(POST_FROM_MODEL, META))
    post.edit(post.markdown + "\nA last word.\n")  # so it has an earlier version
    return post


def edit(client, post: Post, markdown: str):
    return client.post(reverse("jobs:post-edit", args=[post.slug]), {"markdown": markdown})


# --- The New post form -----------------------------------------------------------------


@pytest.mark.parametrize("provider", ["nope", "²", "1" * 5000])
def test_an_unknown_provider_in_an_otherwise_invalid_form_is_refused(client, provider):
    response = new_post(client, provider=provider, style="bogus")
    assert response.status_code == 400
    errors = field_errors(response)
    assert f"Unknown provider “{provider}”" in errors["provider"][0]
    assert "Unknown style “bogus”" in errors["style"][0]


@pytest.mark.parametrize("prompt", ["{title:d}", "{title!r}", "{title:>200000000}", "{tone!s:x}"])
def test_a_placeholder_with_a_format_is_refused_in_the_prompt_field(client, prompt):
    upload = SimpleUploadedFile("talk.txt", b"Coffee is brewed with hot water.")
    response = new_post(client, style="custom", custom_prompt=prompt, transcript_file=upload)
    assert response.status_code == 400
    (error,) = field_errors(response)["custom_prompt"]
    assert f"Write the placeholder {prompt} as {{" in error
    assert not Job.objects.exists()


def test_bare_placeholders_and_doubled_braces_are_still_a_prompt(client, sync_tasks):
    upload = SimpleUploadedFile("talk.txt", b"Coffee is brewed with hot water.")
    prompt = "Write about {title} in {language}, {{literally}}."
    response = new_post(client, style="custom", custom_prompt=prompt, transcript_file=upload)
    assert response.status_code == 302
    assert Job.objects.get().options["custom_prompt"] == prompt


@pytest.mark.parametrize("content", [b"...", b"1:23\n4:56 !!!\n", b"12 34 56"])
def test_a_text_file_without_words_is_refused_at_upload(client, content):
    response = new_post(client, transcript_file=SimpleUploadedFile("talk.txt", content))
    assert response.status_code == 400
    assert "has no words" in field_errors(response)["transcript_file"][0]
    assert not Job.objects.exists()


def test_a_file_over_the_limit_is_refused_before_it_is_read():
    class Unread(io.BytesIO):
        def read(self, *args):
            raise AssertionError("a file over the limit was read")

    upload = SimpleUploadedFile("talk.srt", b"1")
    upload.file, upload.size = Unread(), 6 * 1024 * 1024
    form = JobForm(
        {"language": "en", "style": "article", "length": "medium"},
        {"transcript_file": upload},
    )
    assert not form.is_valid()
    assert form.errors["transcript_file"] == [
        '"talk.srt" is 6.0 MB; the limit is 5 MB. Upload only the transcript, not a video or '
        "archive."
    ]


def test_a_json_file_nested_without_end_is_refused_at_upload(client):
    upload = SimpleUploadedFile("talk.json", b"[" * 100_000)
    response = new_post(client, transcript_file=upload)
    assert response.status_code == 400
    assert "nest hundreds of levels deep" in field_errors(response)["transcript_file"][0]


# --- Query strings and other forms -----------------------------------------------------


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_the_cost_estimate_ignores_numbers_it_cannot_read(client, value):
    for params in ({"chars": value}, {"provider": value}, {"chars": "5000", "provider": value}):
        assert client.get(reverse("jobs:estimate"), params).status_code == 200


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_the_model_field_ignores_a_provider_it_cannot_read(client, value):
    response = client.get(reverse("providers:model-options"), {"provider": value})
    assert response.status_code == 200
    assert response.context["provider"] is None


def test_bulk_actions_skip_ids_that_are_not_job_ids(client):
    job = make_job()
    data = {"action": "cancel", "ids": ["not-a-uuid", "²", str(job.pk)]}
    response = client.post(reverse("jobs:bulk"), data)
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == Job.Status.CANCELLED
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["1 job cancelled."]


@pytest.mark.parametrize(
    "next_url", ["list", "jobs:list", "https://evil.example/", "//evil.example/", "/\\evil", ""]
)
def test_bulk_actions_return_only_to_a_page_of_this_site(client, next_url):
    response = client.post(reverse("jobs:bulk"), {"action": "cancel", "next": next_url})
    assert response.status_code == 302
    assert response["Location"] == reverse("jobs:list")


def test_bulk_actions_return_to_the_page_they_came_from(client):
    response = client.post(reverse("jobs:bulk"), {"action": "cancel", "next": "/jobs/?page=2"})
    assert response["Location"] == "/jobs/?page=2"


@pytest.mark.parametrize("provider", ["nope", "²", "1" * 5000])
def test_reprocess_with_an_unknown_provider_says_so(client, done_job, provider):
    url = reverse("jobs:reprocess", args=[done_job.pk])
    response = client.post(url, {"provider": provider})
    assert response.status_code == 302
    messages = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(f"Unknown provider “{provider}”" in m for m in messages)
    assert Job.objects.count() == 1


@pytest.mark.parametrize("value", ODD_NUMBERS)
def test_a_post_shows_its_current_text_for_a_version_it_cannot_read(client, post, value):
    response = client.get(reverse("jobs:post", args=[post.slug]), {"version": value})
    assert response.status_code == 200
    assert response.context["shown"] is None


@pytest.mark.parametrize("value", ["abc", "²", "1" * 5000, ""])
def test_restoring_a_version_that_is_not_a_number_is_not_found(client, post, value):
    response = client.post(reverse("jobs:post-edit", args=[post.slug]), {"restore": value})
    assert response.status_code == 404


@pytest.mark.parametrize(
    "url, data",
    [
        ("/jobs/", {"q": "bread\x00"}),
        ("/videos/", {"q": "\x00"}),
        ("/videos/abc%00/", {}),
        ("/jobs/estimate/", {"model": "gpt\x00", "chars": "100"}),
    ],
)
def test_a_nul_character_anywhere_in_a_request_is_refused(client, url, data):
    # PostgreSQL cannot compare text with NUL in it: on it each of these was a 500.
    response = client.get(url, data)
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_post_with_a_nul_character_is_not_saved(client, post):
    response = edit(client, post, "# Title\n\nA \x00 here.\n")
    assert response.status_code == 400
    post.refresh_from_db()
    assert "\x00" not in post.markdown


# --- Front matter ----------------------------------------------------------------------


def test_a_date_that_does_not_exist_is_a_form_error(client, post):
    response = edit(client, post, "---\ntitle: Bread\ndate: 2024-13-45\n---\n\nSome text.\n")
    assert response.status_code == 400
    assert "“2024-13-45” on line 3 is not a real date" in response.context["error"]
    post.refresh_from_db()
    assert post.title == "Sourdough Bread for Beginners"


ALIAS_BOMB = (
    "---\na: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
    "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
    "model: [*d,*d,*d,*d,*d,*d,*d,*d,*d]\n---\n\nText.\n"
)


def test_yaml_anchors_and_aliases_are_refused(client, post):
    response = edit(client, post, ALIAS_BOMB)
    assert response.status_code == 400
    assert "YAML anchor (&name)" in response.context["error"]


def test_a_stored_alias_bomb_shows_as_a_post_without_front_matter(client, post):
    Post.objects.filter(pk=post.pk).update(markdown=ALIAS_BOMB)
    response = client.get(reverse("jobs:post", args=[post.slug]))
    assert response.status_code == 200
    assert b"&#x27;x&#x27;, &#x27;x&#x27;" not in response.content
    assert len(response.content) < 100_000  # the model field alone would be 2.6 MB


def test_a_stored_date_that_does_not_exist_shows_the_post(client, post):
    markdown = "---\ntitle: Bread\ndate: 2024-13-45\n---\n\nSome text.\n"
    Post.objects.filter(pk=post.pk).update(markdown=markdown)
    response = client.get(reverse("jobs:post", args=[post.slug]))
    assert response.status_code == 200
    assert response.context["date"] == post.created.date()  # the post's own, not the typo


@pytest.mark.parametrize(
    "front, says",
    [
        ("title: " + "[" * 50 + "x" + "]" * 50, "nests lists or maps more than 10 deep"),
        ("title: x\nviews: " + "9" * 5000, "cannot be read"),
        ("description: " + "x" * 20_000, "the limit is 10,000"),
    ],
)
def test_front_matter_that_is_too_big_or_too_deep_is_refused(client, post, front, says):
    response = edit(client, post, f"---\n{front}\n---\n\nSome text.\n")
    assert response.status_code == 400
    assert says in response.context["error"]


# --- Markdown --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "body, says",
    [
        ("- " * 5000 + "x", "Line 3 nests lists or quotes more than 24 deep"),
        ("> " * 5000 + "x", "Line 3 nests lists or quotes more than 24 deep"),
        ("ok\n\n" + "[" * 4000 + "x" + "]" * 4000, "Line 5 leaves more than 8 “[” open"),
        ("[x](" * 2000, "more than 8 “(” open"),
        ("<a " * 2000, "more than 8 “<” open"),
        ("word " * 30_000, "the limit is 100,000"),
    ],
)
def test_markdown_too_deep_or_too_big_is_refused_in_the_editor(client, post, body, says):
    response = edit(client, post, f"# Title\n\n{body}\n")
    assert response.status_code == 400
    assert says in response.context["error"]
    post.refresh_from_db()
    assert post.title == "Sourdough Bread for Beginners"


def test_the_live_preview_says_what_is_too_deep(client, post):
    markdown = "# Title\n\n" + "- " * 5000 + "x\n"
    response = client.post(reverse("jobs:post-preview", args=[post.slug]), {"markdown": markdown})
    assert response.status_code == 200
    assert "nests lists or quotes more than 24 deep" in response.content.decode()


def test_nested_lists_within_the_limit_still_render():
    post = format_post("# T\n\n" + "- " * 10 + "deep\n", META)
    assert post.html.count("<ul>") == 10


def test_a_models_too_deep_text_is_flattened_and_its_extra_brackets_shown_as_text():
    text = "# T\n\n" + "- " * 5000 + "deep\n\n" + "[" * 3000 + "x" + "]" * 3000 + "\n"
    post = format_post(text, META)
    assert post.html.count("<ul>") == 24
    assert "deep" in post.html
    assert "[" * 2000 in post.html and "]" * 2000 in post.html


# --- Headings ----------------------------------------------------------------------------
# Each of these once took from seconds to hours, in the edit form or on a model's text.


def test_a_title_with_a_long_run_of_spaces_is_still_the_title(client, post):
    response = edit(client, post, "# Bread" + " " * 20_000 + "baking ##\n\nSome text.\n")
    assert response.status_code == 302
    post.refresh_from_db()
    assert post.title.startswith("Bread   ") and post.html == "<p>Some text.</p>"


def test_the_contents_list_of_headings_with_long_runs_of_spaces():
    text = "# T\n\nIntro.\n\n## Bread" + " " * 30_000 + "baking ##\n\nA.\n\n## Salt\n\nB.\n"
    post = format_post(text, META, toc=True)
    assert "- [Salt](#salt)" in post.body
    assert "](#bread" in post.body


def test_timestamps_are_taken_out_of_headings_with_long_runs_of_spaces():
    moment = "[1:02](https://youtu.be/dQw4w9WgXcQ?t=62)"
    text = f"# T\n\n## Bread{' ' * 20_000}{moment}\n\nA {moment} b.\n"
    post = format_post(text, META, timestamps=False)
    assert "youtu.be" not in post.body
    assert "A 1:02 b." in post.body


# --- The CLI ---------------------------------------------------------------------------


@pytest.mark.parametrize("out", ["missing-folder/post.md", "."])
def test_the_cli_refuses_an_out_path_it_cannot_write_before_the_job_runs(tmp_path, out):
    with pytest.raises(CommandError, match="Cannot write the post to"):
        call_command("blogtube", "--transcript-file", "x.srt", "--out", str(tmp_path / out))
    assert not Job.objects.exists()


def test_the_cli_says_when_it_cannot_read_the_transcript_file(tmp_path, monkeypatch):
    unreadable = tmp_path / "talk.srt"
    unreadable.write_text("1\n00:00:01,000 --> 00:00:02,000\nHello.\n")

    def refuse(path):
        raise PermissionError(13, "Permission denied")  # as for another user's file

    monkeypatch.setattr(Path, "read_bytes", refuse)
    with pytest.raises(CommandError, match=r"Cannot read .*talk\.srt: Permission denied\."):
        call_command("blogtube", "--transcript-file", str(unreadable))
