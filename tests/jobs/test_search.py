"""Searching the jobs list: by any part of the video's or post's title, the file's name or
the URL, through the database's index, whatever a person types."""

from __future__ import annotations

import importlib

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from jobs.formatting import FormattedPost
from jobs.models import Job, JobSearch
from tests.jobs.factories import make_job
from videos.models import Video

pytestmark = pytest.mark.django_db


def found(client, q: str, **params) -> set[str]:
    response = client.get(reverse("jobs:list"), {"q": q, **params})
    assert response.status_code == 200
    html = response.content.decode()
    return {str(pk) for pk in Job.objects.values_list("pk", flat=True) if f"job-row-{pk}" in html}


def api_found(client, q: str) -> set[str]:
    response = client.get("/api/v1/jobs", {"q": q})
    assert response.status_code == 200
    return {item["id"] for item in response.json()["items"]}


@pytest.fixture
def library(offline_provider):
    video = Video.objects.create(
        youtube_id="aaaaaaaaaaa",
        url="https://youtu.be/aaaaaaaaaaa",
        title="Baking Sourdough at home",
    )
    return {
        "bread": make_job(video=video, source_url=video.url),
        "upload": make_job(source_url="", transcript_file_name="Café-notes_2024.srt"),
        "url": make_job(source_url="https://youtu.be/dQw4w9WgXcQ"),
    }


@pytest.mark.parametrize(
    "q, expected",
    [
        ("sourdough", {"bread"}),  # a word, in another case
        ("SOURD", {"bread"}),  # a part of a word
        ("ugh at ho", {"bread"}),  # across words
        ("café-notes", {"upload"}),  # the file name, with its accent and dash
        ("dQw4w9", {"url"}),  # the URL
        ("youtu.be", {"bread", "url"}),
        ("ba", {"bread"}),  # shorter than the index's trigrams
        ("nothing like it", set()),
    ],
)
def test_search_finds_any_part_of_what_a_job_is_called(client, library, q, expected):
    assert found(client, q) == {str(library[k].pk) for k in expected}
    assert api_found(client, q) == {str(library[k].pk) for k in expected}


@pytest.mark.parametrize(
    "q",
    [
        '"',
        '""',
        "sourdough\"'",
        "sour* OR home",
        "NEAR(sour home)",
        "-sourdough",
        "title:sourdough",
        "%",
        "_x",
        "\\",
        "sour%dough",
        "'; DROP TABLE jobs_job; --",
        "(",
        "^sour",
        "🥖" * 50,
        "x" * 200,
    ],
)
def test_hostile_searches_match_literally_and_never_fail(client, library, q):
    assert found(client, q) == set()
    assert api_found(client, q) == set()
    assert Job.objects.count() == 3


def test_percent_and_underscore_are_literal_characters(client, offline_provider):
    odd = make_job(source_url="https://example.com/100%_real")
    make_job(source_url="https://example.com/1000-real")
    assert found(client, "100%_") == {str(odd.pk)}


def test_the_post_title_is_found_once_the_post_is_written_and_again_after_an_edit(client, library):
    job = library["url"]
    job.store_post(
        FormattedPost(
            title="Never gonna give you up",
            slug="never",
            description="",
            tags=[],
            body="Text.\n",
            markdown="# Never gonna give you up\n\nText.\n",
            html="<h1>Never gonna give you up</h1><p>Text.</p>",
            word_count=2,
        )
    )
    assert found(client, "gonna give") == {str(job.pk)}
    job.post.edit("# Rickrolled forever\n\nNew text.\n")
    assert found(client, "rickrolled") == {str(job.pk)}
    assert found(client, "gonna give") == set()


def test_a_video_title_read_later_is_found_for_every_job_of_the_video(client, offline_provider):
    video = Video.objects.create(youtube_id="bbbbbbbbbbb", url="https://youtu.be/bbbbbbbbbbb")
    first, second = make_job(video=video), make_job(video=video)
    assert found(client, "knitting") == set()
    Video.objects.filter(pk=video.pk).update(title="Knitting socks")
    Job.objects.filter(video=video).reindex()  # what the pipeline's fetch_info does
    assert found(client, "knitting") == {str(first.pk), str(second.pk)}
    assert found(client, "KNITTING", sort="title") == {str(first.pk), str(second.pk)}


def test_a_deleted_job_leaves_the_index(client, library):
    library["bread"].delete_unless_running()
    assert found(client, "sourdough") == set()
    assert not JobSearch.objects.filter(job_id=library["bread"].pk).exists()


def test_search_combines_with_filters_and_sees_only_ones_own_jobs(client, library):
    from tests.accounts import make_user

    make_job(source_url="https://youtu.be/aaaaaaaaaaa", owner=make_user("mallory"))
    assert found(client, "aaaaaaaaaaa") == {str(library["bread"].pk)}
    assert found(client, "youtu.be", status="failed") == set()


def test_the_migration_fills_titles_and_search_text_for_jobs_made_before_it(library):
    Job.objects.update(sort_title="")
    JobSearch.objects.all().delete()
    migration = importlib.import_module("jobs.migrations.0019_search_index")
    migration.fill(apps, None)
    bread = Job.objects.get(pk=library["bread"].pk)
    assert bread.sort_title == "baking sourdough at home"
    assert JobSearch.objects.matching("Sourdough").get().job_id == bread.pk
    assert JobSearch.objects.count() == 3


def test_texts_stored_before_they_were_folded_are_folded_by_the_migration(client, library):
    upload = library["upload"]
    JobSearch.objects.filter(job=upload).update(text="Café-NOTES_2024.srt")
    migration = importlib.import_module("jobs.migrations.0022_search_folded")
    migration.fold_texts(apps, None)
    assert JobSearch.objects.get(job=upload).text == "café-notes_2024.srt"
    assert found(client, "CAFÉ-Notes") == {str(upload.pk)}


def test_the_live_jobs_ids_have_an_index_of_their_own():
    # What a search's matches are looked up through (Job.Meta): on PostgreSQL, without it, a
    # phrase the planner took for common was joined by hashing every job's row.
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(cursor, Job._meta.db_table)
    assert constraints["job_live_id"]["columns"] == ["id"]
    assert constraints["job_live_id"]["index"]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_database_that_had_the_index_before_it_was_declared_migrates():
    # SQLite databases made before migration 0023 have job_live_id from jobs.apps: migrating
    # them must not fail on the name.
    call_command("migrate", "jobs", "0022", verbosity=0)
    with connection.cursor() as cursor:
        cursor.execute("CREATE INDEX job_live_id ON jobs_job (id) WHERE deleted_at IS NULL")
    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        assert "job_live_id" in connection.introspection.get_constraints(cursor, "jobs_job")
