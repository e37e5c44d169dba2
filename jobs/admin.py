from __future__ import annotations

from django.contrib import admin, messages

from jobs import services
from jobs.models import InvalidTransition, Job, JobEvent, JobStep, Post


class JobStepInline(admin.TabularInline):
    model = JobStep
    extra = 0
    can_delete = False
    readonly_fields = ("step", "status", "percent", "message", "started", "finished")


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("title", "status", "progress", "provider", "model", "attempts", "created")
    list_filter = ("status", "provider", "created")
    search_fields = ("video__title", "source_url", "id")
    # Status changes only through the actions below: the state machine records each one.
    readonly_fields = (
        "id", "status", "created", "started", "finished", "updated", "tokens_in", "tokens_out",
    )  # fmt: skip
    raw_id_fields = ("video", "transcript")
    inlines = [JobStepInline]
    actions = ["cancel_jobs", "retry_jobs"]

    def delete_model(self, request, obj: Job) -> None:
        if not obj.delete_unless_running():
            self.message_user(request, "A running job is not deleted.", messages.WARNING)

    def delete_queryset(self, request, queryset) -> None:
        kept = sum(not job.delete_unless_running() for job in queryset)
        if kept:
            self.message_user(request, f"{kept} running job(s) not deleted.", messages.WARNING)

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request, queryset) -> None:
        self._apply(request, queryset, services.cancel, "cancelled")

    @admin.action(description="Retry selected failed or cancelled jobs")
    def retry_jobs(self, request, queryset) -> None:
        self._apply(request, queryset, services.retry, "queued again")

    def _apply(self, request, queryset, action, verb: str) -> None:
        done = skipped = 0
        for job in queryset:
            try:
                action(job)
                done += 1
            except InvalidTransition:
                skipped += 1
        self.message_user(request, f"{done} job(s) {verb}; {skipped} skipped.", messages.INFO)


@admin.register(JobStep)
class JobStepAdmin(admin.ModelAdmin):
    list_display = ("job", "step", "status", "percent", "started", "finished")
    list_filter = ("status", "step")
    raw_id_fields = ("job",)


@admin.register(JobEvent)
class JobEventAdmin(admin.ModelAdmin):
    list_display = ("id", "job", "kind", "level", "message", "created")
    list_filter = ("kind", "level")
    raw_id_fields = ("job",)


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "word_count", "created")
    search_fields = ("title", "markdown")
    raw_id_fields = ("job", "video")
