from __future__ import annotations

from django.urls import path

from providers import views

app_name = "providers"
urlpatterns = [
    path("", views.provider_list, name="list"),
    path("models/", views.model_options, name="model-options"),
    path("<slug:slug>/test/", views.test, name="test"),
]
