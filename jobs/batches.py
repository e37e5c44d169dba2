"""Playlists and channels as batches: one job per video, followed as one.

A pasted playlist or channel address is first expanded into a preview (its
title and the videos a batch would get, up to the person's batch size: jobs.limits);
creating the batch expands it again, which the videos app answers from its cache.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from django.db import transaction

from jobs import limits, services
from jobs.models import Batch, Job
from videos import services as videos


@dataclass(frozen=True)
class BatchPreview:
    kind: str  # a Batch.Kind
    url: str  # the playlist's or channel's own address
    source_id: str
    title: str
    channel: str
    entries: list[videos.PlaylistEntry]
    truncated: bool  # it has more videos than the limit let in
    limit: int

    @property
    def is_channel(self) -> bool:
        return self.kind == Batch.Kind.CHANNEL

    @property
    def kind_label(self) -> str:
        return Batch.Kind(self.kind).label


def kind_of(url: str) -> str | None:
    """Batch.Kind.PLAYLIST or CHANNEL when ``url`` names one, else None."""
    if videos.parse_channel_url(url):
        return Batch.Kind.CHANNEL
    if videos.playlist_id(url):
        return Batch.Kind.PLAYLIST
    return None


def expand(url: str, user: Any) -> BatchPreview:
    """What a batch of ``user``'s made from ``url`` would hold; raises the BlogTubeError to
    show instead."""
    limit = limits.batch_size(user)
    kind = kind_of(url)
    if kind == Batch.Kind.CHANNEL:
        info = videos.expand_channel(url, limit=limit)
        source_url = videos.parse_channel_url(url) or url
    elif kind == Batch.Kind.PLAYLIST:
        info = videos.expand_playlist(url, limit=limit)
        source_url = videos.PLAYLIST_URL.format(playlist_id=info.playlist_id)
    else:
        raise videos.InvalidURL(
            "This address is neither a playlist nor a channel.",
            suggestions=[
                "A playlist: https://www.youtube.com/playlist?list=…",
                "A channel: https://www.youtube.com/@handle",
            ],
        )
    if not info.entries:
        channel = kind == Batch.Kind.CHANNEL
        error = videos.ChannelUnavailable if channel else videos.PlaylistUnavailable
        raise error(f"This {Batch.Kind(kind).label.lower()} has no videos that can be read.")
    return BatchPreview(
        kind=kind,
        url=source_url,
        source_id=info.playlist_id,
        title=info.title,
        channel=info.channel,
        entries=info.entries,
        truncated=info.truncated,
        limit=limit,
    )


def create_batch(request: services.JobRequest, url: str) -> Batch:
    """The Batch and one queued job per video, in the playlist's (or channel's) order."""
    preview = expand(url, request.owner)
    with transaction.atomic():
        # The whole batch fits, or no job of it is made; it counts once a minute.
        limits.check_can_create(request.owner, len(preview.entries))
        batch = Batch.objects.create(
            owner=request.owner,
            kind=preview.kind,
            source_url=preview.url[:500],
            source_id=preview.source_id[:100],
            title=preview.title[:300],
            channel=preview.channel[:200],
            truncated=preview.truncated,
        )
        for entry in preview.entries:
            url = videos.WATCH_URL.format(video_id=entry.video_id)
            job = services.create_job(
                replace(request, url=url, transcript_file=None), per_minute=False
            )
            video = videos.video_from_listing(entry)
            Job.objects.filter(pk=job.pk).update(video=video, batch=batch)
        # Titled by the listing: found and sorted by it before a worker reads the video.
        batch.jobs.all().reindex()
    return batch
