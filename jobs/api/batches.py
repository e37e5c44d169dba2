"""The JSON API's batches (/api/v1/batches/...): one job per video of a playlist or channel,
as the New post form makes them when "one job per video" is ticked."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import replace
from typing import Any

from django.http import HttpRequest
from django.shortcuts import get_object_or_404
from ninja import Router, Schema, Status
from pydantic import Field

from blogtube_site.api_errors import FieldErrors
from jobs import batches
from jobs.api.bodies import CUSTOM_PROMPT, ERRORS, JobIn, body_of, form_input, refuse
from jobs.forms import JobForm
from jobs.models import Batch
from videos import services as videos

router = Router(tags=["batches"])


class BatchOut(Schema):
    id: uuid.UUID
    kind: str
    source_url: str
    title: str
    channel: str
    truncated: bool
    total: int
    progress: int
    counts: dict[str, int]
    job_ids: list[uuid.UUID]
    created: dt.datetime


class BatchIn(JobIn):
    url: str = Field(description="A playlist's or a channel's URL")  # type: ignore[assignment]


def batch_out(batch: Batch) -> dict[str, Any]:
    return {
        "id": batch.pk,
        "kind": batch.kind,
        "source_url": batch.source_url,
        "title": batch.title,
        "channel": batch.channel,
        "truncated": batch.truncated,
        "total": batch.total,
        "progress": batch.progress,
        "counts": {status: n for status, _, n in batch.counts},
        "job_ids": list(
            batch.jobs.not_deleted().order_by("created", "id").values_list("pk", flat=True)
        ),
        "created": batch.created,
    }


@router.post(
    "",
    response={201: BatchOut, **ERRORS},
    openapi_extra=body_of(
        JobForm,
        leave_out=("per_video", "transcript_file"),
        required=("url",),
        patterns={
            "url": f"{videos.PLAYLIST_URL_PATTERN}|{videos.CHANNEL_URL_PATTERN}",
            "custom_prompt": CUSTOM_PROMPT,
        },
    ),
    summary="One job per video of a playlist or channel",
)
def create_batch(request: HttpRequest) -> Status:
    """The New post form's options, for every video of a playlist or channel (``url``)."""
    data, _ = form_input(request, BatchIn)
    data = {**{key: data.get(key) for key in data}, "per_video": True}
    form = JobForm(data)
    if not form.is_valid():
        raise refuse(form)
    if not form.wants_playlist():
        raise FieldErrors({"url": ["This is not a playlist's or a channel's URL."]})
    job_request = replace(form.to_request(), owner=request.user)
    batch = batches.create_batch(job_request, form.cleaned_data["url"])
    return Status(201, batch_out(batch))


@router.get("/{uuid:batch_id}", response={200: BatchOut, **ERRORS}, summary="A batch")
def get_batch(request: HttpRequest, batch_id: uuid.UUID) -> dict[str, Any]:
    return batch_out(get_object_or_404(Batch.objects.visible_to(request.user), pk=batch_id))
