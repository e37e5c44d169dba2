from __future__ import annotations

from django.urls import path

from videos import views

app_name = "videos"
urlpatterns = [
    path("", views.video_list, name="list"),
    path("<str:youtube_id>/", views.detail, name="detail"),
    path("transcripts/<int:pk>.<str:fmt>", views.transcript_download, name="transcript"),
]
