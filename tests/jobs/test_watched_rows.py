"""What a page tells its dashboard socket it shows: read safely, whatever is sent."""

from __future__ import annotations

import json
import uuid

import pytest

from jobs.live import MAX_WATCHED, Watched

JOB, BATCH = uuid.uuid4(), uuid.uuid4()


def test_job_rows_and_batch_summaries_are_read_by_their_element_ids():
    watched = Watched.from_message(json.dumps({"watch": [f"job-row-{JOB}", f"batch-{BATCH}"]}))
    assert watched == Watched(jobs=frozenset({str(JOB)}), batches=frozenset({str(BATCH)}))


@pytest.mark.parametrize(
    "text",
    [None, "", "not json", "[]", '{"watch": "job-row-1"}', "[" * 100_000, '{"other": []}'],
)
def test_anything_else_is_not_a_watch_message(text):
    assert Watched.from_message(text) is None


def test_ids_that_are_not_rows_are_left_out_and_the_list_is_bounded():
    ids = [f"job-row-{uuid.uuid4()}" for _ in range(MAX_WATCHED + 50)]
    text = json.dumps({"watch": [1, None, "job-row-../../etc", "toasts", *ids]})
    watched = Watched.from_message(text)
    assert len(watched.jobs) == MAX_WATCHED - 4 and not watched.batches
