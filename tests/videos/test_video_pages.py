"""Every processed video, its transcripts (view and download) and its posts."""

from __future__ import annotations

import io
import itertools
from datetime import date, timedelta

import pytest
import srt
import webvtt
from django.urls import reverse
from django.utils import timezone

from blogtube_site.timecodes import clock
from jobs.models import Job, Post
from tests.fakes.transcripts import short_talk
from tests.jobs.factories import make_job
from videos import transcript_formats
from videos.models import Transcript, Video

pytestmark = pytest.mark.django_db

VIDEO_ID = "dQw4w9WgXcQ"


@pytest.fixture
def video() -> Video:
    title, segments, chapters = short_talk()
    video = Video.objects.create(
        youtube_id=VIDEO_ID,
        url=f"https://www.youtube.com/watch?v={VIDEO_ID}",
        title=title,
        channel="Coffee Corner",
        duration=312,
        thumbnail_url="https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg",
        upload_date=date(2024, 3, 1),
        chapters=chapters,
        fetched_at=timezone.now(),
    )
    Transcript.objects.create(
        video=video,
        language_code="en",
        language="English",
        source=Transcript.Source.YOUTUBE,
        is_generated=True,
        segments=segments,
        text=" ".join(s["text"] for s in segments),
    )
    return video


@pytest.fixture
def upload() -> Transcript:
    """A pasted .txt: no video and no times at all; uploaded with a job of the client's."""
    sentences = ["First we grind the beans.", "Then we boil the water.", "Finally we pour."]
    transcript = Transcript.objects.create(
        language_code="en",
        language="English",
        source=Transcript.Source.UPLOAD,
        file_name="my talk.txt",
        segments=[{"start": 0, "duration": 0, "text": s} for s in sentences],
        text=" ".join(sentences),
    )
    make_job(transcript=transcript, source_url="")
    return transcript


def make_post(video: Video | None, title: str, slug: str, **job_fields) -> Post:
    job = make_job(video=video, status=Job.Status.COMPLETED, **job_fields)
    return Post.objects.create(
        job=job, video=video, title=title, slug=slug, markdown=f"# {title}\n", html="<p>x</p>"
    )


# --- list ---------------------------------------------------------------------


def test_the_list_shows_every_video_with_its_counts(client, video):
    make_post(video, "Better Coffee", "better-coffee")
    response = client.get(reverse("videos:list"))
    assert response.status_code == 200
    html = response.content.decode()
    assert video.title in html and "Coffee Corner" in html and "5:12" in html
    assert reverse("videos:detail", args=[VIDEO_ID]) in html
    assert video.thumbnail_url in html
    row = html.split(video.title)[1].split("</tr>")[0]
    assert 'data-label="Transcripts">1</td>' in row and 'data-label="Posts">1</td>' in row


def test_newest_first_and_pages_of_25(client):
    for n in range(30):
        Video.objects.create(youtube_id=f"vid{n:08d}", url="https://youtu.be/x", title=f"Video {n}")
    html = client.get(reverse("videos:list")).content.decode()
    assert html.index("Video 29") < html.index("Video 28")
    assert "Video 4<" not in html  # on page 2
    assert "Page 1 of 2" in html
    page2 = client.get(reverse("videos:list"), {"page": 2}).content.decode()
    assert "Video 4<" in page2 and "Video 29" not in page2
    # A search's pages keep the search.
    found = client.get(reverse("videos:list"), {"q": "Video"}).content.decode()
    assert 'href="?q=Video&amp;page=2" hx-get="?q=Video&amp;page=2"' in found


def test_search_by_title_or_channel(client, video):
    Video.objects.create(youtube_id="other000001", url="https://youtu.be/x", title="Knitting 101",
                         channel="Yarn People")  # fmt: skip
    by_title = client.get(reverse("videos:list"), {"q": "knit"}).content.decode()
    assert "Knitting 101" in by_title and video.title not in by_title
    by_channel = client.get(reverse("videos:list"), {"q": "coffee corner"}).content.decode()
    assert video.title in by_channel and "Knitting 101" not in by_channel
    assert 'value="coffee corner"' in by_channel  # the box keeps the query


def test_an_htmx_search_returns_only_the_results(client, video):
    response = client.get(reverse("videos:list"), {"q": "coffee"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="video-results">')
    assert "<html" not in html and 'role="search"' not in html
    assert video.title in html


def test_the_search_form_works_with_and_without_htmx(client, video):
    html = client.get(reverse("videos:list")).content.decode()
    assert 'method="get"' in html and 'hx-get="/videos/"' in html and 'hx-push-url="true"' in html
    assert '<label for="id_q">' in html


def test_uploaded_transcripts_without_a_video_are_listed(client, upload):
    post = make_post(None, "Coffee Notes", "coffee-notes", transcript=upload)
    html = client.get(reverse("videos:list")).content.decode()
    assert "Uploaded transcripts" in html and "my talk.txt" in html
    for fmt in ("txt", "srt", "vtt"):
        assert reverse("videos:transcript", args=[upload.pk, fmt]) in html
    assert reverse("jobs:post", args=[post.slug]) in html


def test_an_empty_list_says_what_to_do(client):
    html = client.get(reverse("videos:list")).content.decode()
    assert "No videos yet" in html and reverse("jobs:home") in html


# --- detail -------------------------------------------------------------------


def test_the_video_page_shows_facts_chapters_transcripts_and_posts(client, video):
    post = make_post(video, "Better Coffee", "better-coffee")
    response = client.get(reverse("videos:detail", args=[VIDEO_ID]))
    assert response.status_code == 200
    html = response.content.decode()
    assert video.title in html and "Coffee Corner" in html and "5:12" in html
    assert "1 March 2024" in html
    assert f"https://youtu.be/{VIDEO_ID}" in html
    second = int(video.chapters[1]["start"])
    assert f"https://youtu.be/{VIDEO_ID}?t={second}" in html and video.chapters[1]["title"] in html
    assert "English" in html and "YouTube captions" in html and "auto-generated" in html
    assert "<details" in html and "<summary>View" in html
    assert "Hi everyone, and welcome back." in html  # the text, inside the details
    transcript = video.transcripts.get()
    for fmt in ("txt", "srt", "vtt"):
        assert reverse("videos:transcript", args=[transcript.pk, fmt]) in html
    assert reverse("jobs:post", args=[post.slug]) in html and "Better Coffee" in html
    assert "status-completed" in html


def test_an_unknown_video_is_a_404(client):
    assert client.get(reverse("videos:detail", args=["nope0000000"])).status_code == 404


def test_a_video_without_info_or_transcripts_still_has_a_page(client):
    Video.objects.create(youtube_id="bare0000000", url="https://youtu.be/bare0000000")
    html = client.get(reverse("videos:detail", args=["bare0000000"])).content.decode()
    assert "No transcript stored" in html and "No post from this video yet" in html


# --- downloads ------------------------------------------------------------------


def download(client, transcript: Transcript, fmt: str):
    response = client.get(reverse("videos:transcript", args=[transcript.pk, fmt]))
    assert response.status_code == 200
    return response, response.content.decode()


def test_srt_download_parses_back_with_every_cue(client, video):
    transcript = video.transcripts.get()
    response, body = download(client, transcript, "srt")
    assert response["Content-Disposition"] == f'attachment; filename="{VIDEO_ID}.en.srt"'
    subtitles = list(srt.parse(body))
    assert len(subtitles) == len(transcript.segments)
    first = transcript.segments[0]
    assert subtitles[0].content == first["text"]
    assert subtitles[0].start.total_seconds() == pytest.approx(first["start"])


def test_vtt_download_parses_back_with_every_cue(client, video):
    transcript = video.transcripts.get()
    response, body = download(client, transcript, "vtt")
    assert response["Content-Type"].startswith("text/vtt")
    assert body.startswith("WEBVTT\n")
    captions = webvtt.from_buffer(io.StringIO(body)).captions
    assert len(captions) == len(transcript.segments)
    assert captions[1].start == "00:00:" + f"{transcript.segments[1]['start']:06.3f}"


def test_txt_download_is_paragraphs_of_the_text(client, video):
    transcript = video.transcripts.get()
    response, body = download(client, transcript, "txt")
    assert response["Content-Type"] == "text/plain; charset=utf-8"
    assert response["Content-Disposition"] == f'attachment; filename="{VIDEO_ID}.en.txt"'
    paragraphs = body.strip().split("\n\n")
    assert len(paragraphs) > 1
    assert " ".join(" ".join(paragraphs).split()) == " ".join(transcript.text.split())


def test_untimed_uploads_get_increasing_times(client, upload):
    response, body = download(client, upload, "srt")
    assert response["Content-Disposition"] == 'attachment; filename="my-talk.en.srt"'
    subtitles = list(srt.parse(body))
    assert len(subtitles) == 3
    for before, after in itertools.pairwise(subtitles):
        assert before.start < before.end <= after.start
    _, vtt = download(client, upload, "vtt")
    captions = webvtt.from_buffer(io.StringIO(vtt)).captions
    assert len(captions) == 3
    assert all(c.start_time.in_milliseconds() < c.end_time.in_milliseconds() for c in captions)
    assert captions[2].start_time.in_milliseconds() > 0


def test_cue_text_that_looks_like_markup_or_a_time_line_stays_text():
    segments = [{"start": 1, "duration": 2, "text": "a --> b <i>&</i>"}]
    vtt = transcript_formats.to_vtt(segments)
    (caption,) = webvtt.from_buffer(io.StringIO(vtt)).captions
    assert caption.raw_text == "a → b &lt;i&gt;&amp;&lt;/i&gt;"
    (subtitle,) = srt.parse(transcript_formats.to_srt(segments))
    assert subtitle.content == "a → b <i>&</i>"


def test_overlapping_and_zero_length_youtube_cues_stay_valid():
    segments = [
        {"start": 0.0, "duration": 5.0, "text": "one"},
        {"start": 2.0, "duration": 0.0, "text": "two"},
        {"start": 4.0, "duration": 3.0, "text": "three"},
        {"start": 7.0, "duration": 1.5, "text": ""},
    ]
    cues = transcript_formats.cues(segments)
    assert [c.text for c in cues] == ["one", "two", "three"]
    assert cues[1].start == 2.0 and cues[1].end == 4.0  # runs until the next one starts
    assert len(list(srt.parse(transcript_formats.to_srt(segments)))) == 3


def test_a_transcript_with_text_but_no_segments_still_downloads(client):
    transcript = Transcript.objects.create(
        language_code="de", source=Transcript.Source.UPLOAD, file_name="notes.srt",
        segments=[], text="Erster Satz. Zweiter Satz.",
    )  # fmt: skip
    make_job(transcript=transcript, source_url="")
    response, body = download(client, transcript, "vtt")
    assert len(webvtt.from_buffer(io.StringIO(body)).captions) == 2
    assert response["Content-Disposition"] == 'attachment; filename="notes.de.vtt"'


def test_downloads_404_for_other_formats_and_unknown_transcripts(client, video):
    transcript = video.transcripts.get()
    assert client.get(reverse("videos:transcript", args=[transcript.pk, "pdf"])).status_code == 404
    assert client.get(reverse("videos:transcript", args=[999999, "srt"])).status_code == 404


def test_long_timestamps_use_hours():
    segments = [{"start": 3 * 3600 + 61.5, "duration": 2, "text": "late"}]
    assert "03:01:01.500 --> 03:01:03.500" in transcript_formats.to_vtt(segments)
    assert clock(3 * 3600 + 61.5) == "3:01:01"
    (subtitle,) = srt.parse(transcript_formats.to_srt(segments))
    assert subtitle.start == timedelta(hours=3, seconds=61.5)
