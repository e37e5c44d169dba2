from __future__ import annotations

from django.urls import path

from jobs.views import batches, jobs, metrics, posts, publish, queue, stats, videos

app_name = "jobs"
urlpatterns = [
    path("", jobs.home, name="home"),
    path("jobs/", jobs.job_list, name="list"),
    path("jobs/new/", jobs.create, name="create"),
    path("jobs/preview/", jobs.preview, name="preview"),
    path("jobs/estimate/", jobs.estimate, name="estimate"),
    path("jobs/bulk/", jobs.bulk, name="bulk"),
    path("jobs/deleted/", jobs.deleted, name="deleted"),
    path("jobs/<uuid:job_id>/", jobs.detail, name="detail"),
    path("jobs/<uuid:job_id>/live/", jobs.live, name="live"),
    path("jobs/<uuid:job_id>/cancel/", jobs.cancel, name="cancel"),
    path("jobs/<uuid:job_id>/retry/", jobs.retry, name="retry"),
    path("jobs/<uuid:job_id>/reprocess/", jobs.reprocess, name="reprocess"),
    path("jobs/<uuid:job_id>/delete/", jobs.delete, name="delete"),
    path("jobs/<uuid:job_id>/restore/", jobs.restore, name="restore"),
    path("jobs/<uuid:job_id>/post.<str:fmt>", jobs.download, name="download"),
    path("jobs/<uuid:job_id>/publish/", publish.publish, name="publish"),
    path("jobs/<uuid:job_id>/export/<int:destination_id>.zip", publish.export, name="export"),
    path("batches/", batches.batch_list, name="batches"),
    path("batches/<uuid:batch_id>/", batches.batch_detail, name="batch"),
    path("posts/<slug:slug>/", posts.detail, name="post"),
    path("posts/<slug:slug>/edit/", posts.edit, name="post-edit"),
    path("posts/<slug:slug>/preview/", posts.preview, name="post-preview"),
    path("posts/<slug:slug>/pictures/<str:name>", posts.picture, name="post-picture"),
    path("stats/", stats.stats, name="stats"),
    # Under the videos app's prefix: a video's page offers them, jobs does them.
    path("videos/<str:youtube_id>/delete/", videos.delete, name="video-delete"),
    path("videos/<str:youtube_id>/restore/", videos.restore, name="video-restore"),
    path("metrics", metrics.view, name="metrics"),
    path("queue/", queue.room, name="queue"),
    *(
        path(f"queue/{action}/", queue.act, {"action": action}, name=f"queue-{action}")
        for action in queue.ACTIONS
    ),
]
