"""GET /api/v1/jobs?q=: a search paged by next_cursor gives every match once, newest first,
of the jobs the caller may see, whether the word is rare (the matches' ids read from the
index once and sorted) or common (past the search's cap: jobs read in order, each checked);
and a searched page asks a bounded number of queries, reading the search index once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from jobs import listing
from jobs.models import Job
from tests.jobs.factories import make_job

pytestmark = pytest.mark.django_db

STATUSES = ["queued", "failed", "completed"]
# The search's cap as it is (these few matches are under it), and small enough that they
# are a common word's: both ways of reading a search.
CAPS = [pytest.param(None, id="few"), pytest.param(5, id="many")]


@pytest.fixture
def cap(request, monkeypatch) -> None:
    if request.param is not None:
        monkeypatch.setattr(listing, "SEARCH_COUNT_CAP", request.param)


@pytest.fixture
def history(user, bob) -> list[Job]:
    """Alice's 30 jobs, 24 of them about sourdough, four at a time made in the same minute
    (ties the order breaks by id); Bob's sourdough and Alice's binned one, which she never
    sees."""
    base = timezone.now() - dt.timedelta(days=1)
    jobs = []
    for i in range(30):
        topic = "compost" if i % 5 == 0 else "sourdough"
        job = make_job(source_url=f"https://example.com/{topic}-{i}")
        Job.objects.filter(pk=job.pk).update(
            created=base + dt.timedelta(minutes=i // 4), status=STATUSES[i % 3]
        )
        jobs.append(job)
    for i in range(6):
        theirs = make_job(owner=bob, source_url=f"https://example.com/sourdough-bob-{i}")
        Job.objects.filter(pk=theirs.pk).update(created=base + dt.timedelta(minutes=i))
    binned = make_job(source_url="https://example.com/sourdough-binned")
    Job.objects.filter(pk=binned.pk).update(deleted_at=timezone.now(), status="failed")
    return jobs


def expected(**where) -> list[str]:
    """The live jobs about sourdough (``where`` as well), newest first, as the database
    orders them: what every page of the search, in turn, should hold."""
    jobs = Job.objects.filter(source_url__contains="sourdough", deleted_at__isnull=True)
    return [
        str(pk)
        for pk in jobs.filter(**where).order_by("-created", "-id").values_list("pk", flat=True)
    ]


def walk(api, params: dict) -> list[list[str]]:
    """Every page from the first, following next_cursor."""
    pages, cursor = [], None
    while True:
        response = api.get("/api/v1/jobs", {**params, **({"cursor": cursor} if cursor else {})})
        assert response.status_code == 200, response.content
        body = response.json()
        pages.append([job["id"] for job in body["items"]])
        cursor = body["next_cursor"]
        if cursor is None:
            return pages
        assert len(pages) < 20


def flat(pages: list[list[str]]) -> list[str]:
    return [pk for page in pages for pk in page]


@pytest.mark.parametrize("cap", CAPS, indirect=True)
def test_a_search_pages_every_match_once_newest_first(api, history, user, cap):
    pages = walk(api, {"q": "SOURDOUGH", "limit": 7})
    assert [len(page) for page in pages] == [7, 7, 7, 3]
    assert flat(pages) == expected(owner=user)


@pytest.mark.parametrize("cap", CAPS, indirect=True)
def test_a_search_with_a_status_pages_only_that_status(api, history, user, cap):
    pages = walk(api, {"q": "sourdough", "status": "failed", "limit": 3})
    assert flat(pages) == expected(owner=user, status="failed")
    assert [len(page) for page in pages] == [3, 3, 2]


@pytest.mark.parametrize("cap", CAPS, indirect=True)
def test_staff_search_everyones_jobs_but_never_the_binned(staff_api, history, cap):
    assert flat(walk(staff_api, {"q": "sourdough", "limit": 10})) == expected()
    assert len(expected()) == 30


@pytest.mark.parametrize("cap", CAPS, indirect=True)
def test_a_search_goes_on_after_the_job_it_stopped_at_no_longer_matches(api, history, user, cap):
    first, second, *_ = walk(api, {"q": "sourdough", "limit": 7})
    cursor = api.get("/api/v1/jobs", {"q": "sourdough", "limit": 7}).json()["next_cursor"]
    # By the time the next page is asked for, the last job of the first no longer matches,
    # and one of the second no longer does either.
    gone = [first[-1], second[2]]
    Job.objects.filter(pk__in=gone).update(source_url="https://example.com/elsewhere")
    Job.objects.filter(pk__in=gone).reindex()
    body = api.get("/api/v1/jobs", {"q": "sourdough", "limit": 7, "cursor": cursor}).json()
    page = [job["id"] for job in body["items"]]
    assert page == [pk for pk in expected(owner=user) if pk not in first][:7]
    assert page[:6] == [pk for pk in second if pk != second[2]]
    assert body["next_cursor"] is not None


def test_a_job_binned_while_its_page_is_read_leaves_the_next_cursor(
    api, history, user, monkeypatch
):
    everything = expected(owner=user)
    read = listing.by_pk

    def binned_meanwhile(rows, ids):
        # Between the matches' ids sorted and their rows read, the page's last job is binned.
        Job.objects.filter(pk=ids[-1]).update(deleted_at=timezone.now())
        return read(rows, ids)

    monkeypatch.setattr(listing, "by_pk", binned_meanwhile)
    body = api.get("/api/v1/jobs", {"q": "sourdough", "limit": 7}).json()
    monkeypatch.setattr(listing, "by_pk", read)
    assert [job["id"] for job in body["items"]] == everything[:6]
    rest = api.get("/api/v1/jobs", {"q": "sourdough", "cursor": body["next_cursor"]}).json()
    assert [job["id"] for job in rest["items"]] == everything[7:]


@pytest.mark.parametrize("cap", CAPS, indirect=True)
def test_the_last_page_of_a_search_has_no_next_cursor(api, history, user, cap):
    everything = expected(owner=user)
    body = api.get("/api/v1/jobs", {"q": "sourdough", "limit": len(everything)}).json()
    assert [job["id"] for job in body["items"]] == everything
    assert body["next_cursor"] is None
    assert api.get("/api/v1/jobs", {"q": "nothing-like-it"}).json() == {
        "items": [],
        "next_cursor": None,
    }


def test_a_bad_cursor_is_refused_before_any_search(api, history, django_assert_max_num_queries):
    with django_assert_max_num_queries(8) as captured:
        response = api.get("/api/v1/jobs", {"q": "sourdough", "cursor": "garbage"})
    assert not [q for q in captured.captured_queries if "jobs_jobsearch" in q["sql"]]
    assert response.status_code == 422
    assert list(response.json()["detail"]["fields"]) == ["cursor"]


@pytest.mark.parametrize("cap", CAPS, indirect=True)
def test_a_searched_page_asks_a_bounded_number_of_queries(
    api, history, cap, django_assert_max_num_queries
):
    cursor = api.get("/api/v1/jobs", {"q": "sourdough", "limit": 5}).json()["next_cursor"]
    # The token (and, once a minute, its last use), the matches' ids, then their order and
    # the page's rows, or for a common word the jobs read in order.
    with django_assert_max_num_queries(5):
        response = api.get("/api/v1/jobs", {"q": "sourdough", "limit": 5, "cursor": cursor})
    assert response.status_code == 200 and len(response.json()["items"]) == 5


def test_a_searched_page_reads_the_search_index_once(api, history, django_assert_max_num_queries):
    cursor = api.get("/api/v1/jobs", {"q": "sourdough", "limit": 5}).json()["next_cursor"]
    with django_assert_max_num_queries(5) as captured:
        response = api.get("/api/v1/jobs", {"q": "sourdough", "limit": 5, "cursor": cursor})
    assert response.status_code == 200 and len(response.json()["items"]) == 5
    # Counting the matches first (to choose how to read them) and then reading the page read
    # the index twice.
    searches = [q["sql"] for q in captured.captured_queries if "jobs_jobsearch" in q["sql"]]
    assert len(searches) == 1, searches
