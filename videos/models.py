from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from blogtube_site.timecodes import clock


class VideoQuerySet(models.QuerySet):
    def listed(self) -> VideoQuerySet:
        """Videos out of the bin: what the pages and the API show."""
        return self.filter(deleted_at__isnull=True)


class Video(models.Model):
    youtube_id = models.CharField(max_length=11, unique=True)
    url = models.URLField()
    title = models.CharField(max_length=300, blank=True)
    channel = models.CharField(max_length=200, blank=True)
    duration = models.PositiveIntegerField(null=True, blank=True, help_text="Seconds")
    thumbnail_url = models.URLField(max_length=500, blank=True)
    upload_date = models.DateField(null=True, blank=True)
    description = models.TextField(blank=True)
    chapters = models.JSONField(default=list, blank=True)
    fetched_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    # Set: in the bin (deleted on the dashboard), hidden until restored, asked for again
    # (a new job or preview of it) or purged with everything it owns.
    deleted_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deleted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    objects = VideoQuerySet.as_manager()

    class Meta:
        ordering = ["-created"]
        # The videos page, newest first, read in index order.
        indexes = [models.Index(fields=["created"], name="video_created")]

    def __str__(self) -> str:
        return self.title or self.youtube_id

    def get_absolute_url(self) -> str:
        return reverse("videos:detail", args=[self.youtube_id])

    def move_to_bin(self, when: datetime.datetime, by: Any) -> bool:
        """Hide the video; False when it is in the bin already."""
        moved = Video.objects.filter(pk=self.pk, deleted_at__isnull=True).update(
            deleted_at=when, deleted_by=by
        )
        if moved:
            self.deleted_at, self.deleted_by = when, by
        return bool(moved)

    def take_out_of_bin(self) -> datetime.datetime | None:
        """Show the video again; when it had been put in the bin, None if it was not there."""
        binned = Video.objects.filter(pk=self.pk).values_list("deleted_at", flat=True).first()
        if binned is None:
            return None
        Video.objects.filter(pk=self.pk, deleted_at=binned).update(deleted_at=None, deleted_by=None)
        self.deleted_at = self.deleted_by = None
        return binned

    @property
    def duration_display(self) -> str:
        if self.duration is None:
            return ""
        return clock(self.duration)

    def public_fields(self) -> dict[str, object]:
        """What a script may read of a video (the JSON API's shape): public YouTube data."""
        return {
            "video_id": self.youtube_id,
            "url": self.url,
            "title": self.title,
            "channel": self.channel,
            "duration": self.duration,
            "thumbnail_url": self.thumbnail_url,
            "upload_date": self.upload_date,
        }

    def name_from_listing(self, title: str, duration: int | None) -> bool:
        """Take a playlist's or channel's word for the title and length of a video no one has
        named yet. The UPDATE only fills an empty title, so a listing read at the same time as
        a worker fetches the video never overwrites what the fetch stored."""
        title = title[:300]
        unnamed = Video.objects.filter(pk=self.pk, title="")
        if not title or not unnamed.update(title=title, duration=duration):
            return False
        self.title, self.duration = title, duration
        return True


class Transcript(models.Model):
    class Source(models.TextChoices):
        YOUTUBE = "youtube", "YouTube captions"
        YTDLP = "ytdlp", "yt-dlp subtitles"
        WHISPER = "whisper", "Speech-to-text (Whisper)"
        UPLOAD = "upload", "Uploaded file"

    # Null for an uploaded transcript with no video behind it.
    video = models.ForeignKey(
        Video, null=True, blank=True, on_delete=models.CASCADE, related_name="transcripts"
    )
    language_code = models.CharField(max_length=20)
    language = models.CharField(max_length=100, blank=True)
    source = models.CharField(max_length=10, choices=Source.choices)
    is_generated = models.BooleanField(default=False)
    file_name = models.CharField(max_length=255, blank=True)
    segments = models.JSONField(default=list)
    text = models.TextField()
    char_count = models.PositiveIntegerField(default=0)
    word_count = models.PositiveIntegerField(default=0)
    created = models.DateTimeField(auto_now_add=True)
    # When YouTube last gave us this text: captions get corrected, so after
    # YOUTUBE_CACHE_SECONDS it is asked for again.
    fetched_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created"]
        # The videos page's uploaded transcripts, newest first.
        indexes = [
            models.Index(
                fields=["created"],
                name="transcript_upload_created",
                condition=models.Q(video__isnull=True),
            )
        ]
        constraints = [
            # Stored once per video and language; uploads are kept apart.
            models.UniqueConstraint(
                fields=["video", "language_code", "source"],
                condition=~models.Q(source="upload"),
                name="one_transcript_per_video_language_source",
            )
        ]

    def __str__(self) -> str:
        who = self.video or self.file_name or "upload"
        return f"{who} [{self.language_code}]"

    def save(self, *args, **kwargs) -> None:
        self.char_count = len(self.text)
        self.word_count = len(self.text.split())
        super().save(*args, **kwargs)
