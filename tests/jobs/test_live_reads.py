"""What a push for a streaming job reads: its new events, the job with what the page shows,
and its steps; never the draft so far nor the transcript (a long video's is megabytes), which
would be read again for every event of every streaming job."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from jobs import live
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
