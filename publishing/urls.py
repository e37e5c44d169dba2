from __future__ import annotations

from django.urls import path

from publishing import views

app_name = "publishing"
urlpatterns = [
    path("", views.destination_list, name="list"),
    path("<int:pk>/check/", views.check, name="check"),
    path("<int:pk>/delete/", views.delete, name="delete"),
]
