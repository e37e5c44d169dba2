from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from blogtube_site import accounts, api, favicon, health, tokens

urlpatterns = [
    path("admin/", admin.site.urls),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("setup/<str:token>/", accounts.setup, name="setup"),
    path("favicon.ico", favicon.favicon, name="favicon"),
    path("health/live", health.live, name="health-live"),
    path("health/ready", health.ready, name="health-ready"),
    path("accounts/tokens/", tokens.token_list, name="api-tokens"),
    path("accounts/tokens/<int:pk>/revoke/", tokens.revoke, name="api-token-revoke"),
    path("api/", api.urls()),
    path("videos/", include("videos.urls")),
    path("providers/", include("providers.urls")),
    path("destinations/", include("publishing.urls")),
    path("", include("jobs.urls")),
]

# The 500 page shows the request's id, which Django's own handler would not pass.
handler500 = "blogtube_site.error_pages.server_error"
