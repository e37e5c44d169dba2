"""What a push for a streaming job reads: its new events, the job with what the page shows,
and its steps; never the draft so far nor the transcript (a long video's is megabytes), which
would be read again for every event of every streaming job."""

from __future__ import annotations

import time

import pytest
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from jobs import fanout, live
from tests.jobs.factories import make_job
from videos.models import Transcript, Video


def test_a_push_for_a_job_with_a_long_transcript_reads_neither_it_nor_the_draft(db):
    video = Video.objects.create(youtube_id="ccccccccccc", url="https://youtu.be/ccccccccccc")
    transcript = Transcript.objects.create(
        video=video,
        language_code="en",
        source="youtube",
        text="word " * 50_000,
        segments=[{"start": n, "duration": 1, "text": "word"} for n in range(3_000)],
    )
    job = make_job(video=video, transcript=transcript)
    job.claim()
    job.start_step("generate")
    job.append_draft("draft so far " * 1_000)
    after = live.latest_job_event_id(str(job.pk))
    job.append_draft("the newest words")

    with CaptureQueriesContext(connection) as queries:
        update = live.changes_since(str(job.pk), after)

    assert update is not None and "the newest words" in update.html
    assert "draft so far" not in update.html
    assert len(queries) <= 3
    read = " ".join(query["sql"] for query in queries)
    assert "videos_transcript" not in read
    assert '"jobs_job"."draft"' not in read


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_sockets_reads_keep_their_connection_instead_of_connecting_for_every_event(settings):
    job = make_job()
    read = fanout._kept(lambda: live.changes_since(str(job.pk), 0))
    settings.BLOGTUBE_LIVE_CONN_SECONDS = 60
    try:
        read()
        kept = connection.connection
        close_old_connections()  # what channels does around every database call
        read()
        assert kept is not None and connection.connection is kept
    finally:
        settings.BLOGTUBE_LIVE_CONN_SECONDS = 0
        connection.close_at = time.monotonic()  # as it was: closed at the next check
