from __future__ import annotations

from django.contrib import admin, messages
from django.contrib.admin.actions import delete_selected as confirm_and_delete
from django.contrib.admin.utils import model_ngettext
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model
from django.db import models
from django.http import HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext, gettext_lazy

from blogtube_site.errors import BlogTubeError
from jobs import queue_room, services
from jobs.models import (
    InvalidTransition,
    Job,
    JobEvent,
    JobStep,
    Limits,
    Post,
    PostPicture,
    Publication,
    QueueAction,
)
from jobs.retention import Policy
from videos import services as videos


class JobStepInline(admin.TabularInline):
    model = JobStep
    extra = 0
    can_delete = False
    readonly_fields = ("step", "status", "percent", "message", "started", "finished")


class PublicationInline(admin.TabularInline):
    model = Publication
    extra = 0
    can_delete = False
    fields = ("destination_name", "publish", "state", "url", "remote_status", "last_pushed")
    readonly_fields = fields


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = (
        "title", "owner", "status", "progress", "provider", "model", "attempts", "created",
    )  # fmt: skip
    list_filter = ("status", "provider", "owner", "created", "deleted_at")
    search_fields = ("video__title", "source_url", "id")
    # Status changes only through the actions below: the state machine records each one.
    readonly_fields = (
        "id", "status", "created", "started", "finished", "updated", "tokens_in", "tokens_out",
    )  # fmt: skip
    raw_id_fields = ("video", "transcript")
    inlines = [JobStepInline, PublicationInline]
    actions = ["delete_selected", "cancel_jobs", "retry_jobs"]

    def changelist_view(self, request, extra_context=None):
        # What the hourly clean-up keeps, next to the jobs it applies to.
        extra_context = {**(extra_context or {}), "retention": Policy.current()}
        return super().changelist_view(request, extra_context)

    def save_model(self, request, obj: Job, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Its provider or video may have changed: what the list sorts and searches by follows.
        obj.reindex()

    def delete_model(self, request, obj: Job) -> None:
        if not obj.delete_unless_running():
            self.message_user(request, "A running job is not deleted.", messages.WARNING)

    def response_delete(self, request, obj_display, obj_id):
        # Django would say the job "was deleted successfully" even when delete_model kept it.
        if Job.objects.filter(pk=obj_id).exists():
            return HttpResponseRedirect(reverse("admin:jobs_job_change", args=[obj_id]))
        return super().response_delete(request, obj_display, obj_id)

    @admin.action(
        permissions=["delete"], description=gettext_lazy("Delete selected %(verbose_name_plural)s")
    )
    def delete_selected(self, request, queryset):
        """Django's own action (its confirmation page, its refusals), except that once confirmed
        it reports and logs only the jobs it deleted: Django's counts the running ones too."""
        if not request.POST.get("post"):
            return confirm_and_delete(self, request, queryset)
        *_, perms_needed, protected = self.get_deleted_objects(queryset, request)
        if perms_needed or protected:
            return confirm_and_delete(self, request, queryset)
        jobs = list(queryset)
        deleted = [job for job in jobs if job.delete_unless_running()]
        if deleted:
            # After the DELETE, not before as Django does: only now is it known what went.
            self.log_deletions(request, deleted)
            count = {"count": len(deleted), "items": model_ngettext(self.opts, len(deleted))}
            text = gettext("Successfully deleted %(count)d %(items)s.") % count
            self.message_user(request, text, messages.SUCCESS)
        kept = len(jobs) - len(deleted)
        if kept:
            self.message_user(request, f"{kept} running job(s) not deleted.", messages.WARNING)
        return None

    @admin.action(description="Cancel selected jobs")
    def cancel_jobs(self, request, queryset) -> None:
        self.message_user(request, services.cancel_all(queryset), messages.INFO)

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


class PostPictureInline(admin.TabularInline):
    """What the Pictures step stored; the files go with the job, so nothing is edited here."""

    model = PostPicture
    extra = 0
    can_delete = False
    fields = readonly_fields = ("kind", "name", "alt", "section", "seconds", "width", "height")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Post)
class PostAdmin(admin.ModelAdmin):
    list_display = ("title", "word_count", "created")
    search_fields = ("title", "markdown")
    raw_id_fields = ("job", "video")
    inlines = [PostPictureInline]


class LimitsInline(admin.StackedInline):
    """A person's own limits, on their user page: empty fields keep the site's defaults."""

    model = Limits
    can_delete = False
    verbose_name_plural = "limits (empty: the site's default; 0: no limit)"


# Django's own user admin, with the person's limits under it.
User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    inlines = [*auth_admin.UserAdmin.inlines, LimitsInline]


@admin.register(QueueAction)
class QueueActionAdmin(admin.ModelAdmin):
    """The queue room's audit log: written by the buttons and the command, never by hand."""

    list_display = ("at", "actor", "kind", "jobs")
    list_filter = ("kind",)
    readonly_fields = ("at", "user", "actor", "kind", "jobs")

    def changelist_view(self, request, extra_context=None):
        # Admin's queue room: the figures and the levers above the log they write to.
        extra_context = {**(extra_context or {}), "q": queue_room.status()}
        return super().changelist_view(request, extra_context)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(videos.Video)
class VideoAdmin(admin.ModelAdmin):
    """Here, not in videos/admin.py: deleting a video deletes the jobs on it, for good (as
    the API's DELETE), refused while one of them is queued or running."""

    # Typed addresses without a scheme are https, as Django 6 will assume.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ("title", "youtube_id", "channel", "duration", "fetched_at", "deleted_at")
    list_filter = ("deleted_at",)
    search_fields = ("title", "youtube_id", "channel")
    readonly_fields = ("deleted_at", "deleted_by")

    def get_deleted_objects(self, objs, request):
        # Django's confirmation lists what cascades; the jobs go too, by delete_video.
        to_delete, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        jobs = Job.objects.filter(video__in=list(objs))
        if n := jobs.count():
            to_delete.append(f"{n} job{'s' if n != 1 else ''} made from it, with posts and files")
            counts[Job._meta.verbose_name_plural] = n
        return to_delete, counts, perms_needed, protected

    def delete_model(self, request, obj) -> None:
        try:
            services.delete_video(obj, by=request.user)
        except BlogTubeError as error:
            self.message_user(request, error.message, messages.WARNING)

    def response_delete(self, request, obj_display, obj_id):
        # Django would say it "was deleted successfully" even when delete_model kept it.
        if videos.Video.objects.filter(pk=obj_id).exists():
            return HttpResponseRedirect(reverse("admin:videos_video_change", args=[obj_id]))
        return super().response_delete(request, obj_display, obj_id)

    def delete_queryset(self, request, queryset) -> None:
        kept = []
        for video in queryset:
            try:
                services.delete_video(video, by=request.user)
            except BlogTubeError:
                kept.append(str(video))
        if kept:
            self.message_user(
                request,
                f"Kept, a job on each is queued or running: {', '.join(kept)}.",
                messages.WARNING,
            )
