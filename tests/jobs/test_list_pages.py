"""The jobs list's pages at any depth: Next and Previous walk every job once in the order
chosen, each page in a bounded number of queries; the other lists ask a fixed number too."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from jobs import listing
from jobs.models import Batch, Job
from providers.models import Provider
from tests.accounts import signed_in_user
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = pytest.mark.django_db

TITLES = ["banana", "Apple", "cherry", "apple", "Banana", "date", "Éclair"]


@pytest.fixture
def sixty_jobs(offline_provider):
    """60 jobs: titles that repeat and differ only in case, the same creation time for
    several (ties the order must still break), progress and status that repeat."""
    openai = Provider.objects.get(slug="openai")
    base = timezone.now() - dt.timedelta(days=1)
    jobs = []
    for i in range(60):
        video = Video.objects.create(
            youtube_id=f"v{i:010d}", url=f"https://youtu.be/v{i:010d}", title=TITLES[i % 7]
        )
        job = make_job(provider=openai if i % 3 else offline_provider, video=video)
        Job.objects.filter(pk=job.pk).update(
            created=base + dt.timedelta(minutes=i // 4),  # four at a time share a minute
            progress=(i * 37) % 101,
            status=["queued", "failed", "completed"][i % 3],
        )
        jobs.append(job)
    return jobs


def walk(client, params: dict) -> list[list[str]]:
    """Every page from the first, following the Next links."""
    pages, query = [], dict(params)
    while True:
        html = client.get(reverse("jobs:list"), query).content.decode()
        pages.append(re.findall(r'id="job-row-([0-9a-f-]+)"', html))
        link = re.search(r'href="\?[^"]*&amp;after=([\w-]+)"', html)
        if not link:
            return pages
        query = {**params, "after": link[1]}
        assert len(pages) < 10


@pytest.mark.parametrize(
    "sort",
    [
        "-created",
        "created",
        "title",
        "-title",
        "status",
        "-status",
        "progress",
        "-progress",
        "provider",
        "-provider",
    ],
)
def test_next_walks_every_job_once_in_the_chosen_order(client, sixty_jobs, sort):
    pages = walk(client, {"sort": sort})
    assert [len(p) for p in pages] == [25, 25, 10]
    seen = [pk for page in pages for pk in page]
    expected = [
        str(pk)
        for pk in listing.Filters(sort=sort).apply(Job.objects.all()).values_list("pk", flat=True)
    ]
    assert seen == expected


def test_titles_sort_as_people_read_them_ignoring_case(client, sixty_jobs):
    pages = walk(client, {"sort": "title"})
    titles = [Job.objects.get(pk=pk).title for pk in pages[0]]
    assert [t.casefold() for t in titles] == sorted(t.casefold() for t in titles)
    assert titles[0].casefold() == "apple"


def test_previous_comes_back_to_the_same_pages(client, sixty_jobs):
    params = {"sort": "title", "status": "completed"}
    first = client.get(reverse("jobs:list"), params).content.decode()
    after = re.search(r"after=([\w-]+)", first)
    assert after is None  # 20 completed jobs: one page
    params = {"sort": "-progress"}
    pages = walk(client, params)
    html = client.get(reverse("jobs:list"), {**params, "after": _next(client, params)}).content
    # From the second page, Previous shows the first page again, whole.
    before = re.search(r'href="\?[^"]*&amp;before=([\w-]+)"', html.decode())[1]
    html = client.get(reverse("jobs:list"), {**params, "before": before}).content.decode()
    assert re.findall(r'id="job-row-([0-9a-f-]+)"', html) == pages[0]
    assert "← Previous" not in html


def _next(client, params) -> str:
    html = client.get(reverse("jobs:list"), params).content.decode()
    return re.search(r"after=([\w-]+)", html)[1]


def test_a_new_job_between_two_clicks_neither_repeats_nor_hides_one(client, sixty_jobs):
    cursor = _next(client, {})
    first = walk(client, {})[0]
    make_job()  # newest of all: it belongs on page one, which is behind us
    html = client.get(reverse("jobs:list"), {"after": cursor}).content.decode()
    second = re.findall(r'id="job-row-([0-9a-f-]+)"', html)
    assert not set(first) & set(second)
    assert len(second) == 25


@pytest.mark.parametrize(
    "cursor",
    [
        "garbage",
        "",
        "W10",
        "WyJ4Il0",
        "e30",
        "W1tbW1tbW1tbW1tdXV1dXV1dXV1d",
        "☃",
        "a" * 5000,
        "WyIyMDI2LTAxLTAxVDAwOjAwOjAwIiwgIjEyMyJd",
    ],
)
def test_a_cursor_it_did_not_make_shows_the_first_page(client, sixty_jobs, cursor):
    for param in ("after", "before"):
        response = client.get(reverse("jobs:list"), {param: cursor})
        assert response.status_code == 200
        rows = re.findall(r'id="job-row-([0-9a-f-]+)"', response.content.decode())
        assert rows == walk(client, {})[0]


def test_a_cursor_for_another_order_is_refused_not_misread(client, sixty_jobs):
    by_title = _next(client, {"sort": "title"})
    html = client.get(reverse("jobs:list"), {"sort": "-created", "after": by_title}).content
    assert re.findall(r'id="job-row-([0-9a-f-]+)"', html.decode()) == walk(client, {})[0]


def test_the_count_stops_at_the_cap(client, sixty_jobs, monkeypatch):
    assert "60 jobs" in client.get(reverse("jobs:list")).content.decode()
    monkeypatch.setattr(listing, "COUNT_CAP", 50)
    assert "50+ jobs" in client.get(reverse("jobs:list")).content.decode()
    assert "8 jobs" in client.get(reverse("jobs:list"), {"q": "éclair"}).content.decode()
    # A search stops counting sooner.
    monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", 5)
    assert "5+ jobs" in client.get(reverse("jobs:list"), {"q": "éclair"}).content.decode()
    assert "50+ jobs" in client.get(reverse("jobs:list")).content.decode()


@pytest.mark.parametrize(
    "params",
    [
        {},
        {"status": "failed"},
        {"provider": "openai"},
        {"q": "banana"},
        {"q": "ba"},  # too short for the trigram index: read without it
        {"sort": "title"},
        {"sort": "-progress", "status": "completed"},
        {"sort": "provider"},
        {"sort": "-status", "status": "completed"},
        {"sort": "created", "provider": "offline", "q": "apple"},
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["page", "htmx swap"])
def test_every_list_page_asks_at_most_eight_queries(
    client, sixty_jobs, params, htmx, django_assert_max_num_queries
):
    batch = Batch.objects.create(owner=sixty_jobs[0].owner, kind="playlist", source_url="x")
    Job.objects.filter(pk__in=[j.pk for j in sixty_jobs[:30]]).update(batch=batch)
    cursor = listing.encode(sixty_jobs[10], listing.Filters.from_query(params).keys)
    headers = {"HX-Request": "true"} if htmx else {}
    # Session, user, count, rows (video, provider, batch, post in one join), the providers
    # offered to filter by, three batches and their totals; where local model servers are
    # looked for (off in tests), one cache read more.
    with django_assert_max_num_queries(8):
        response = client.get(reverse("jobs:list"), params, headers=headers)
    assert 'id="job-row-' in response.content.decode()
    for cursors in ({"after": cursor}, {"before": cursor}):
        with django_assert_max_num_queries(8):
            response = client.get(reverse("jobs:list"), {**params, **cursors}, headers=headers)
        assert response.status_code == 200


def test_sorted_by_provider_jobs_follow_its_name_even_renamed(client, sixty_jobs, offline_provider):
    def first_page() -> list[str]:
        html = client.get(reverse("jobs:list"), {"sort": "provider"}).content.decode()
        rows = re.findall(r'id="job-row-([0-9a-f-]+)"', html)
        return [Job.objects.get(pk=pk).provider.slug for pk in rows]

    # "Offline (no AI, no key)" before "OpenAI": 20 jobs of one, then the other's.
    assert first_page() == ["offline"] * 20 + ["openai"] * 5
    offline_provider.name = "Zero-cost writer"
    offline_provider.save()
    assert first_page() == ["openai"] * 25
    # A fallback provider that wrote a job: the job sorts under it.
    job = Job.objects.filter(provider=offline_provider).first()
    Job.objects.filter(pk=job.pk).update(status="running", heartbeat=timezone.now())
    job.refresh_from_db()
    job.record_writer(Provider.objects.get(slug="openai"), "gpt-4o-mini")
    assert Job.objects.filter(sort_provider="openai").count() == 41


def test_the_batches_page_asks_the_same_queries_for_one_batch_or_many(
    client, offline_provider, django_assert_max_num_queries
):
    owner = signed_in_user()
    for i in range(30):
        batch = Batch.objects.create(owner=owner, kind="playlist", source_url=f"https://x/{i}")
        for _ in range(i % 3):
            make_job(batch=batch, status="completed", progress=100)
        make_job(batch=batch, progress=i)
    with django_assert_max_num_queries(6):
        html = client.get(reverse("jobs:batches")).content.decode()
    # Each batch shows its own figures, though all were read in one query.
    assert html.count('class="batch-item"') == 25
    assert html.count("all ") == 0
    newest = Batch.objects.order_by("-created").first()  # i = 29: 2 completed, 1 at 29%
    summary = html.split(f'id="batch-{newest.pk}"')[1].split("</div>\n</div>")[0]
    assert "2 completed" in summary and "1 queued" in summary and "of 3 jobs" in summary
    assert 'value="76"' in summary  # (100 + 100 + 29) // 3


def test_the_videos_page_asks_the_same_queries_for_any_number_of_videos(
    client, offline_provider, django_assert_max_num_queries
):
    for i in range(30):
        video = Video.objects.create(
            youtube_id=f"w{i:010d}", url="https://youtu.be/x", title=f"T{i}"
        )
        make_job(video=video)
    with django_assert_max_num_queries(10):
        assert client.get(reverse("videos:list")).status_code == 200


@pytest.mark.parametrize("sort", ["-created", "title", "-progress"])
def test_a_common_word_finds_and_pages_the_same_jobs_as_a_rare_one(
    client, sixty_jobs, monkeypatch, sort
):
    params = {"q": "ana", "sort": sort}
    few = walk(client, params)
    # Past the search's count cap the list reads jobs in order and keeps the matching ones.
    monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", 5)
    many = walk(client, params)
    assert many == few
    assert sum(len(p) for p in few) == 17  # the bananas and Bananas


def pages_with_links(client, params: dict) -> list[tuple[list[str], str]]:
    """Every page from the first by its Next link: each page's rows and its HTML."""
    pages, query = [], dict(params)
    while True:
        html = client.get(reverse("jobs:list"), query).content.decode()
        pages.append((re.findall(r'id="job-row-([0-9a-f-]+)"', html), html))
        link = re.search(r'href="\?[^"]*&amp;after=([\w-]+)"', html)
        if not link:
            return pages
        query = {**params, "after": link[1]}
        assert len(pages) < 10


@pytest.mark.parametrize("sort", ["-created", "title", "-progress", "provider", "-status"])
def test_a_search_pages_every_match_once_forward_and_back(client, sixty_jobs, sort):
    params = {"q": "YOUTU.BE/DQW", "sort": sort}  # every job's address
    pages = pages_with_links(client, params)
    assert [len(rows) for rows, _ in pages] == [25, 25, 10]
    expected = listing.Filters(sort=sort).apply(Job.objects.all()).values_list("pk", flat=True)
    assert [pk for rows, _ in pages for pk in rows] == [str(pk) for pk in expected]
    assert "60 jobs" in pages[0][1]
    for (earlier, _), (_, html) in itertools.pairwise(pages):
        before = re.search(r'href="\?[^"]*&amp;before=([\w-]+)"', html)[1]
        back = client.get(reverse("jobs:list"), {**params, "before": before}).content.decode()
        assert re.findall(r'id="job-row-([0-9a-f-]+)"', back) == earlier


def test_a_search_goes_on_after_the_job_it_stopped_at_no_longer_matches(client, sixty_jobs):
    params = {"q": "youtu.be/dQw"}
    first, second, _ = (rows for rows, _ in pages_with_links(client, params))
    html = client.get(reverse("jobs:list"), params).content.decode()
    after = re.search(r'href="\?[^"]*&amp;after=([\w-]+)"', html)[1]
    # The last job of page one no longer matches by the time Next is clicked.
    Job.objects.filter(pk=first[-1]).update(source_url="https://example.com/elsewhere")
    Job.objects.filter(pk=first[-1]).reindex()
    html = client.get(reverse("jobs:list"), {**params, "after": after}).content.decode()
    assert re.findall(r'id="job-row-([0-9a-f-]+)"', html) == second
    assert "59 jobs" in html


def test_a_common_word_is_found_in_any_case_as_a_rare_one(client, sixty_jobs, monkeypatch):
    # "Éclair" searched as "éclair": the full-text index folds its case, and so must the
    # rows read one by one past the cap (SQLite's LIKE folds ASCII letters only).
    few = walk(client, {"q": "éclair"})
    assert sum(len(p) for p in few) == 8
    monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", 5)
    assert walk(client, {"q": "éclair"}) == few
