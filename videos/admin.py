from __future__ import annotations

from django.contrib import admin

from videos.models import Transcript

# Video's admin is jobs/admin.py's: deleting a video deletes the jobs on it.


@admin.register(Transcript)
class TranscriptAdmin(admin.ModelAdmin):
    list_display = ("__str__", "language_code", "source", "is_generated", "word_count", "created")
    list_filter = ("source", "is_generated", "language_code")
    raw_id_fields = ("video",)
