"""Pictures from the video, end to end: the New post form, the worker, yt-dlp reading the
storyboard from fake YouTube's player response, the sheets and thumbnail from its
i.ytimg.com, and the post's Markdown, HTML, pages and downloads."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from jobs import services
from jobs.models import Job, JobStep, PostPicture
from jobs.retention import remove_orphan_files
from tests.fakes.youtube import FakeStoryboard
from tests.fakes.youtube.catalogue import THUMBNAIL_COLOUR
from tests.jobs.conftest import VIDEO_ID
from videos import pictures as video_pictures
from videos.services import Picture

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("sync_tasks")]

# 300 s at a frame every 5 s: 60 frames, 25 a sheet (5x5), so exactly 0.2 frames a second.
DURATION = 300
STARTER, BAKING = 135, 200  # frames 27 (sheet 1, row 0, column 2) and 40 (sheet 1, row 3)
POST = (
    "# Sourdough at Home\n\n"
    "Baking sourdough is easier than it looks.\n\n"
    f"## The starter ([2:15](https://youtu.be/{VIDEO_ID}?t={STARTER}))\n\n"
    "Feed the starter twice a day until it doubles.\n\n"
    f"## Baking ([3:20](https://youtu.be/{VIDEO_ID}?t={BAKING}))\n\n"
    "Bake at 250 degrees with steam for the first twenty minutes.\n\n"
    "## Wrapping up\n\n"
    "That is all it takes.\n"
)


@pytest.fixture
def video(fake_youtube):
    return fake_youtube.add(
        VIDEO_ID,
        title="Sourdough at Home",
        duration=DURATION,
        chapters=[(0, "Intro"), (STARTER, "The starter"), (BAKING, "Baking")],
    )


@pytest.fixture
def write(client, django_capture_on_commit_callbacks, fake_llm, llm_provider):
    """Submit the New post form for the video with the model answering ``reply``."""

    def send(reply: str = POST, **fields) -> Job:
        fake_llm.configure(reply=reply)
        data = {"url": f"https://www.youtube.com/watch?v={VIDEO_ID}", "language": "en",
                "provider": llm_provider.pk, **fields}  # fmt: skip
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(reverse("jobs:create"), data)
        assert response.status_code == 302, response.content.decode()[:2000]
        job = Job.objects.get(pk=response.url.rstrip("/").rsplit("/", 1)[-1])
        assert job.status == Job.Status.COMPLETED, (job.error_code, job.error_message)
        return job

    return send


def colour_of(path_or_bytes) -> tuple[int, int, int]:
    source = path_or_bytes if not isinstance(path_or_bytes, bytes) else io.BytesIO(path_or_bytes)
    with Image.open(source) as image:
        return image.convert("RGB").getpixel((image.width // 2, image.height // 2))


def near(actual: tuple[int, ...], expected: tuple[int, ...]) -> bool:
    # JPEG moves a flat colour by a few steps, never to a neighbouring frame's.
    return all(abs(a - e) <= 12 for a, e in zip(actual, expected, strict=True))


def log_of(job: Job) -> list[str]:
    return list(job.events.values_list("message", flat=True))


def pictures_step(job: Job) -> JobStep:
    return job.steps.get(step="pictures")


def test_the_cover_is_the_thumbnail_and_each_timed_section_gets_its_own_frame(
    write, video, fake_youtube, media_root
):
    job = write()
    post = job.post
    cover, starter, baking = post.pictures.all()

    assert (cover.kind, cover.name, cover.seconds) == ("cover", "cover.jpg", None)
    assert near(colour_of(cover.path), THUMBNAIL_COLOUR)
    # The frame nearest each section's start, cut from the right tile of the right sheet.
    assert (starter.section, starter.seconds, baking.section) == ("The starter", 135, "Baking")
    assert near(colour_of(starter.path), FakeStoryboard.colour(27))
    assert near(colour_of(baking.path), FakeStoryboard.colour(40))
    assert (starter.width, starter.height) == (160, 90)
    assert starter.alt == "The starter (the video at 2:15)"
    assert starter.path == media_root / "posts" / post.slug / "01-the-starter.jpg"

    # Nothing of the video itself was downloaded, and the one sheet both frames are on once.
    assert not [r for r in fake_youtube.requests if "googlevideo" in r.host]
    assert fake_youtube.count(host="i.ytimg.com", path=f"/sb/{VIDEO_ID}/storyboard3_L1/") == 1
    assert pictures_step(job).message == "Pictures: a cover, 2 frames"
    assert "Frame 2 of 2" in log_of(job)


def test_the_markdown_names_them_by_relative_paths_and_the_cover_in_front_matter(write, video):
    post = write().post
    slug = post.slug
    front, _, body = post.markdown.partition("\n---\n")
    assert f"\nimage: {slug}/cover.jpg" in front
    # Right under each heading (which keeps its link to the moment).
    assert (
        f"?t={STARTER}))\n\n![The starter (the video at 2:15)]({slug}/01-the-starter.jpg)\n\n"
        "Feed the starter" in body
    )
    assert f"?t={BAKING}))\n\n![Baking (the video at 3:20)]({slug}/02-baking.jpg)\n\nBake" in body
    assert "## Wrapping up\n\nThat is all" in body  # no start in the video: no frame
    assert f'<img alt="The starter (the video at 2:15)" src="{slug}/01-the-starter.jpg">' in (
        post.html
    )
    # The saved files sit where those paths say.
    saved = post.file_paths()[0].parent
    assert (saved / f"{slug}.md").read_text() == post.markdown
    assert (saved / slug / "01-the-starter.jpg").is_file()


def test_a_heading_without_a_link_takes_its_chapters_start(write, video):
    reply = POST.replace(f" ([2:15](https://youtu.be/{VIDEO_ID}?t={STARTER}))", "")
    post = write(reply, timestamps="false").post
    starter = post.pictures.get(section="The starter")
    assert starter.seconds == STARTER
    assert near(colour_of(starter.path), FakeStoryboard.colour(27))
    # Links to moments were turned off: gone from the post, not from where its frames come from.
    assert "youtu.be" not in post.markdown
    assert post.pictures.filter(section="Baking").exists()


def test_turned_off_the_post_has_no_pictures_and_nothing_is_fetched(write, video, fake_youtube):
    job = write(pictures="false")
    assert job.options["pictures"] is False
    assert not job.post.pictures.exists()
    assert "image:" not in job.post.markdown and "![" not in job.post.markdown
    assert fake_youtube.count(host="i.ytimg.com") == 0
    step = pictures_step(job)
    assert (step.status, step.message) == (JobStep.Status.SKIPPED, "Turned off")


def test_a_video_without_storyboards_gets_its_cover_and_the_log_says_why_no_frames(write, video):
    video.storyboard = None
    job = write()
    assert [p.kind for p in job.post.pictures.all()] == ["cover"]
    assert "This video has no storyboard images, so the post has no frames from it." in (
        log_of(job)
    )
    assert pictures_step(job).message == "Pictures: a cover, 0 frames"


def test_a_missing_thumbnail_is_a_warning_and_the_frames_still_come(write, video):
    video.thumbnail = False
    job = write()
    assert [p.kind for p in job.post.pictures.all()] == ["section", "section"]
    assert "image:" not in job.post.markdown
    warning = job.events.get(level="warning")
    assert warning.message == "No cover image: A picture from the video could not be downloaded."


def bomb() -> bytes:
    """A PNG of a few dozen bytes that says it is 40,000 x 40,000 pixels."""
    out = io.BytesIO()
    Image.new("RGB", (1, 1)).save(out, "PNG")
    data = bytearray(out.getvalue())
    struct.pack_into(">II", data, 16, 40_000, 40_000)  # IHDR's width and height
    struct.pack_into(">I", data, 29, zlib.crc32(bytes(data[12:29])))
    return bytes(data)


@pytest.mark.parametrize(
    "body",
    [b"<html>not a picture</html>", bomb(), b"\xff\xd8" + b"0" * video_pictures.MAX_IMAGE_BYTES],
    ids=["not-an-image", "decompression-bomb", "too-large"],
)
def test_hostile_sheets_cost_only_their_frames(write, video, body):
    video.storyboard = FakeStoryboard(body=body)
    job = write()
    assert job.status == Job.Status.COMPLETED
    assert [p.kind for p in job.post.pictures.all()] == ["cover"]
    warning = job.events.get(level="warning")
    assert warning.message.startswith("2 of 2 frames could not be had (“The starter”: ")


def test_an_uploaded_transcript_without_a_video_gets_no_pictures_and_no_word_of_them(
    client, django_capture_on_commit_callbacks, fake_youtube, offline_provider
):
    srt = b"1\n00:00:01,000 --> 00:00:04,000\nTomatoes need sun.\n\n2\n00:00:05,000 --> " + (
        b"00:00:09,000\nWater them in the morning and feed them every two weeks.\n"
    )
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            reverse("jobs:create"),
            {"url": "", "provider": offline_provider.pk,
             "transcript_file": SimpleUploadedFile("tomatoes.srt", srt)},
        )  # fmt: skip
    job = Job.objects.get()
    assert job.status == Job.Status.COMPLETED
    assert not job.post.pictures.exists() and "image:" not in job.post.markdown
    assert "picture" not in job.post.markdown.lower() and "<img" not in job.post.html
    # Skipped quietly in the timeline, as the video's other steps are: no warning, no request.
    assert pictures_step(job).status == JobStep.Status.SKIPPED
    assert not job.events.filter(level="warning").exists()
    assert fake_youtube.requests == []


def test_the_zip_holds_the_post_and_its_pictures_where_the_markdown_says(client, write, video):
    job = write()
    post = job.post
    response = client.get(reverse("jobs:download", args=[job.pk, "zip"]))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"] == f'attachment; filename="{post.slug}.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    slug = post.slug
    assert sorted(archive.namelist()) == sorted(
        [f"{slug}.md", f"{slug}.html", f"{slug}/cover.jpg", f"{slug}/01-the-starter.jpg",
         f"{slug}/02-baking.jpg"]
    )  # fmt: skip
    assert archive.read(f"{slug}.md").decode() == post.markdown
    assert near(colour_of(archive.read(f"{slug}/02-baking.jpg")), FakeStoryboard.colour(40))
    # The page links it, and the API serves the same.
    assert (
        reverse("jobs:download", args=[job.pk, "zip"])
        in client.get(reverse("jobs:post", args=[slug])).content.decode()
    )
    api = client.get(f"/api/v1/jobs/{job.pk}/post/zip")
    assert api["Content-Type"] == "application/zip"
    assert zipfile.ZipFile(io.BytesIO(api.content)).namelist() == archive.namelist()


def test_the_html_download_carries_its_pictures_inside(client, write, video):
    job = write()
    html = client.get(reverse("jobs:download", args=[job.pk, "html"])).content.decode()
    assert html.count('src="data:image/jpeg;base64,') == 3  # the cover and two frames
    assert f'src="{job.post.slug}/' not in html
    assert "img-src 'self' data:" in html


def test_the_post_page_shows_them_to_whoever_may_see_the_post(client, write, video):
    post = write().post
    page = client.get(reverse("jobs:post", args=[post.slug])).content.decode()
    starter = post.pictures.get(section="The starter")
    assert f'src="/posts/{post.slug}/pictures/01-the-starter.jpg"' in page
    assert f'src="/posts/{post.slug}/pictures/cover.jpg"' in page
    shown = client.get(starter.get_absolute_url())
    assert shown["Content-Type"] == "image/jpeg"
    assert b"".join(shown.streaming_content) == starter.path.read_bytes()
    assert client.get(f"/posts/{post.slug}/pictures/passwd").status_code == 404


def test_the_api_lists_the_pictures(client, write, video):
    job = write()
    body = client.get(f"/api/v1/jobs/{job.pk}/post").json()
    slug = job.post.slug
    assert body["pictures"][:2] == [
        {"kind": "cover", "path": f"{slug}/cover.jpg", "alt": "Sourdough at Home",
         "section": "", "seconds": None, "width": 320, "height": 180},
        {"kind": "section", "path": f"{slug}/01-the-starter.jpg",
         "alt": "The starter (the video at 2:15)", "section": "The starter", "seconds": 135.0,
         "width": 160, "height": 90},
    ]  # fmt: skip


def test_deleting_the_job_removes_its_pictures(write, video, media_root):
    job = write()
    folder = media_root / "posts" / job.post.slug
    assert folder.is_dir()
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("django.db.transaction.on_commit", lambda fn, **kw: fn())
        assert job.delete_unless_running()
    assert not folder.exists()
    assert not PostPicture.objects.exists()


def test_the_clean_up_removes_a_picture_folder_no_post_owns(media_root, db):
    orphan = media_root / "posts" / "gone-post"
    orphan.mkdir(parents=True)
    (orphan / "cover.jpg").write_bytes(b"jpg")
    import os

    os.utime(orphan / "cover.jpg", (0, 0))
    assert remove_orphan_files(100) == 1
    assert not orphan.exists()


def test_the_api_turns_them_off_as_the_form_does(
    client, django_capture_on_commit_callbacks, video, fake_llm, llm_provider, fake_youtube
):
    fake_llm.configure(reply=POST)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/jobs",
            {"url": f"https://youtu.be/{VIDEO_ID}", "provider": "fake", "pictures": False},
            content_type="application/json",
        )
    assert response.status_code == 201, response.content
    assert response.json()["options"]["pictures"] is False
    job = Job.objects.get()
    assert job.status == Job.Status.COMPLETED
    assert not job.post.pictures.exists()
    assert fake_youtube.count(host="i.ytimg.com") == 0


def test_storing_pictures_again_keeps_the_files_it_writes_anew(
    write, video, django_capture_on_commit_callbacks
):
    post = write().post
    cover, starter, _ = post.pictures.all()
    again = Picture(cover.path.read_bytes(), cover.width, cover.height)
    with django_capture_on_commit_callbacks(execute=True):
        post.set_pictures(again, [], cover_alt="Cover")
    assert cover.path.read_bytes() == again.data
    assert not starter.path.exists()  # an earlier run's frame this run did not make
    assert [p.name for p in post.pictures.all()] == ["cover.jpg"]
    assert post.markdown.count(f"image: {post.slug}/cover.jpg") == 1


def test_services_give_a_publisher_the_pictures_and_their_files(write, video):
    post = write().post
    pictures = services.post_pictures(post)
    assert [p.kind for p in pictures] == ["cover", "section", "section"]
    assert services.post_cover(post) == pictures[0]
    assert all(p.path.is_file() and f"]({p.relative_path})" in post.markdown for p in pictures[1:])
    content, content_type, name = services.post_download(post, "zip")
    assert zipfile.ZipFile(io.BytesIO(content)).namelist()[0] == f"{post.slug}.md"
    assert (content_type, name) == ("application/zip", f"{post.slug}.zip")
