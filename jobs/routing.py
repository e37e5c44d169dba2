from __future__ import annotations

from django.urls import path

from jobs.consumers import DashboardConsumer, JobConsumer

websocket_urlpatterns = [
    path("ws/jobs/<uuid:job_id>/", JobConsumer.as_asgi()),
    path("ws/dashboard/", DashboardConsumer.as_asgi()),
]
