from __future__ import annotations

from django.contrib import admin
from django.db import models

from videos.models import Transcript, Video


@admin.register(Video)
class VideoAdmin(admin.ModelAdmin):
    # Typed addresses without a scheme are https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "youtube_id", "channel", "duration", "fetched_at")
    search_fields = ("title", "youtube_id", "channel")


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin):
    list_display = ("__str__", "language_code", "source", "is_generated", "word_count", "created")
    list_filter = ("source", "is_generated", "language_code")
    raw_id_fields = ("video",)
