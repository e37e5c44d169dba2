"""The videos page's search: what it finds, how it counts, and how its pages go."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from jobs.models import Job
from tests.jobs.factories import make_job
from videos import views
from videos.models import Transcript, Video

pytestmark = pytest.mark.django_db


def add_video(youtube_id: str, title: str, channel: str = "", *, age: int = 0) -> Video:
    video = Video.objects.create(
        youtube_id=youtube_id, url=f"https://youtu.be/{youtube_id}", title=title, channel=channel
    )
    # A distinct time each, so "newest first" is one order (age in minutes).
    Video.objects.filter(pk=video.pk).update(created=timezone.now() - timedelta(minutes=age))
    return video


def titles(page_html: str) -> list[str]:
    """The listed videos' titles, in the page's order."""
    rows = re.findall(r'class="video-link"[^>]*>.*?<span>(.*?)</span>', page_html, re.S)
    return [html.unescape(title) for title in rows]


def search(client, q: str, **params) -> str:
    return client.get(reverse("videos:list"), {"q": q, **params}).content.decode()


@pytest.fixture
def shelf() -> dict[str, Video]:
    return {
        "creme": add_video("aaaaaaaaaa1", "Crème Brûlée at Home", "Pâtisserie Paris", age=1),
        "garden": add_video("aaaaaaaaaa2", "Garden Tour", "Green Fingers", age=2),
        "percent": add_video("aaaaaaaaaa3", "100% Sourdough_Starter", "Bread\\Lab", age=3),
        "thousand": add_video("aaaaaaaaaa4", "1000 Loaves", "Tough Start", age=4),
        "untitled": add_video("dQw4w9WgXcQ", "", "", age=5),
    }


@pytest.mark.parametrize(
    ("q", "found"),
    [
        # Any part of a title or a channel, in any case.
        ("GARDEN", ["Garden Tour"]),
        ("arden t", ["Garden Tour"]),
        ("green FINGERS", ["Garden Tour"]),
        ("gr", ["Garden Tour"]),
        # Accented letters as typed; the letters around them in any case.
        ("crème", ["Crème Brûlée at Home"]),
        ("CRèME BRûLéE", ["Crème Brûlée at Home"]),
        ("PâTISSERIE", ["Crème Brûlée at Home"]),
        # What LIKE would read as wildcards or an escape is text like any other.
        ("100%", ["100% Sourdough_Starter"]),
        ("GH_ST", ["100% Sourdough_Starter"]),
        ("bread\\lab", ["100% Sourdough_Starter"]),
        ("tough", ["1000 Loaves"]),
        ("100", ["100% Sourdough_Starter", "1000 Loaves"]),
        # The exact YouTube id, not a part of it.
        ("dQw4w9WgXcQ", ["dQw4w9WgXcQ"]),
        ("dQw4w9", []),
        ("nothing like it", []),
    ],
)
def test_a_search_finds_titles_and_channels_by_any_part_and_videos_by_their_id(
    client, shelf, q, found
):
    page = search(client, q)
    assert titles(page) == found
    n = len(found)
    assert f"{n} video{'s' if n != 1 else ''} matching" in page
    if not found:
        assert "No video matches" in page


def test_a_video_in_the_bin_is_not_found(client, shelf):
    shelf["garden"].move_to_bin(timezone.now(), None)
    assert titles(search(client, "garden")) == []


def test_uploads_are_found_by_file_name_or_language(client):
    notes = Transcript.objects.create(
        language_code="en", language="English", source="upload", file_name="Garden notes.srt"
    )
    german = Transcript.objects.create(
        language_code="de", language="Deutsch", source="upload", file_name="vortrag.txt"
    )
    for transcript in (notes, german):
        make_job(transcript=transcript, source_url="")
    by_name = search(client, "NOTES")
    assert "Garden notes.srt" in by_name and "vortrag.txt" not in by_name
    by_language = search(client, "deutsch")
    assert "vortrag.txt" in by_language and "Garden notes.srt" not in by_language


@pytest.fixture
def twelve_gardens() -> list[str]:
    """Twelve matching videos, newest first, among others that do not match."""
    for n in range(5):
        add_video(f"other{n:06d}", f"Kitchen {n}", age=100 + n)
    return [add_video(f"gard{n:07d}", f"Garden {n}", age=n).title for n in range(12)]


def walk(client, q: str) -> list[tuple[list[str], str]]:
    """Every page of a search from the first by its Next links: each page's titles, and
    what the page says of the count and of its place."""
    pages, params = [], {}
    while True:
        page = search(client, q, **params)
        count = re.search(r"([\d,]+\+? videos?) matching", page)[1]
        place = re.search(r"<span>(Page [^<]*)</span>", page)
        pages.append((titles(page), f"{count}; {place[1] if place else ''}"))
        link = re.search(r'href="\?q=[^"&]*&amp;page=(\d+)"[^>]*>Next', page)
        if not link:
            return pages
        params = {"page": link[1]}
        assert len(pages) < 20


def test_a_search_past_the_count_cap_says_so_and_pages_the_same_videos(
    client, twelve_gardens, monkeypatch
):
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    counted = walk(client, "garden")
    assert [t for page, _ in counted for t in page] == twelve_gardens
    assert [place for _, place in counted] == [
        "12 videos; Page 1 of 3",
        "12 videos; Page 2 of 3",
        "12 videos; Page 3 of 3",
    ]
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 5)
    capped = walk(client, "garden")
    assert [page for page, _ in capped] == [page for page, _ in counted]
    # Counting stops past the cap; the last page knows how many there were.
    assert [place for _, place in capped] == [
        "5+ videos; Page 1 of 1+",
        "5+ videos; Page 2 of 2+",
        "12 videos; Page 3 of 3",
    ]
    # Previous goes back from a page past the cap.
    assert 'href="?q=garden&amp;page=1"' in search(client, "garden", page=2)


@pytest.mark.parametrize("cap", [1_000, 5])
@pytest.mark.parametrize(
    ("page", "shown"), [("2", 2), ("99", 3), ("9" * 30, 3), ("0", 3), ("-9", 3), ("two", 1)]
)
def test_a_page_number_works_as_before_however_many_match(
    client, twelve_gardens, monkeypatch, cap, page, shown
):
    """A link people kept: past the end (videos deleted since) or below 1 it shows the last
    page, not a number at all the first, whether or not the matches were counted."""
    monkeypatch.setattr(views, "PAGE_SIZE", 5)
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", cap)
    found = search(client, "garden", page=page)
    assert titles(found) == twelve_gardens[(shown - 1) * 5 : shown * 5]
    assert f"<span>Page {shown} of " in found


def test_the_whole_list_still_counts_every_video(client, twelve_gardens, monkeypatch):
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", 5)
    assert "17 videos" in client.get(reverse("videos:list")).content.decode()


@pytest.mark.parametrize("cap", [1_000, 5])
@pytest.mark.parametrize("q", ["T", "T1", "nothing"])
def test_a_search_asks_the_same_queries_for_any_number_of_matches(
    client, monkeypatch, django_assert_max_num_queries, cap, q
):
    monkeypatch.setattr(views, "SEARCH_COUNT_CAP", cap)
    for i in range(30):
        video = add_video(f"w{i:010d}", f"T{i}", age=i)
        make_job(video=video, status=Job.Status.COMPLETED)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("videos:list"), {"q": q, "page": 2}).status_code == 200


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's trigram indexes")
def test_postgresql_indexes_the_expressions_the_search_compares():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'videos_video'"
        )
        indexes = dict(cursor.fetchall())
    for column in ("title", "channel"):
        definition = indexes[f"video_{column}_trgm"]
        assert f"upper(({column})::text) gin_trgm_ops" in definition
