"""The jobs app's models, one module per idea.

- ``job``: Job, its state machine (every status change a guarded UPDATE) and InvalidTransition
- ``job_run``: JobRun, the part of Job its worker drives (steps, draft, post, events)
- ``history``: the steps a job goes through (STEPS, JobStep) and its event log (JobEvent)
- ``posts``: the post a job writes (Post) and the texts edits replaced (PostVersion)
- ``pictures``: a post's cover and section frames (PostPicture), stored beside its files
- ``batches``: Batch, the jobs made from one playlist or channel
- ``limits``: Limits, an admin's overrides of one person's limits (jobs.limits applies them)
- ``publications``: Publication, where a post was published and how to update it there
- ``search``: JobSearch, the text the jobs list's search reads, indexed by the database
- ``queue``: Dispatch (paused or not) and QueueAction, the queue room's audit log
- ``rollup``: the stats page's per-day sums (StatsDay, StatsGroup, StatsStep, StatsSlowest)
  and what made a day stale (StatsChange)
"""

from __future__ import annotations

from jobs.models.batches import Batch
from jobs.models.history import STEP_NAMES, STEPS, JobEvent, JobStep, draft_until
from jobs.models.job import InvalidTransition, Job
from jobs.models.limits import Limits
from jobs.models.pictures import PostPicture
from jobs.models.posts import Post, PostVersion
from jobs.models.publications import Publication
from jobs.models.queue import Dispatch, QueueAction
from jobs.models.rollup import StatsChange, StatsDay, StatsGroup, StatsSlowest, StatsStep
from jobs.models.search import JobSearch

__all__ = [
    "STEPS",
    "STEP_NAMES",
    "Batch",
    "Dispatch",
    "InvalidTransition",
    "Job",
    "JobEvent",
    "JobSearch",
    "JobStep",
    "Limits",
    "Post",
    "PostPicture",
    "PostVersion",
    "Publication",
    "QueueAction",
    "StatsChange",
    "StatsDay",
    "StatsGroup",
    "StatsSlowest",
    "StatsStep",
    "draft_until",
]
