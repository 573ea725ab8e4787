"""Everything under ``/api/v1/``: auth, schema and docs, then each app's own routes."""

from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from .auth import AuthTokenView, LogoutAllView, LogoutView
from .ping import PingView

urlpatterns = [
    path("auth/token/", AuthTokenView.as_view(), name="auth-token"),
    path("auth/logout/", LogoutView.as_view(), name="auth-logout"),
    path("auth/logoutall/", LogoutAllView.as_view(), name="auth-logoutall"),
    path("ping/", PingView.as_view(), name="ping"),
    path("schema/", SpectacularAPIView.as_view(permission_classes=[]), name="schema"),
    path(
        "docs/",
        # The split view serves Swagger UI's start-up script as a file (?script=), not inline, so
        # the Content-Security-Policy needs no 'unsafe-inline' for scripts.
        SpectacularSwaggerSplitView.as_view(url_name="api:schema", permission_classes=[]),
        name="docs",
    ),
    path("", include("curriculum.api.urls")),
    path("", include("progress.api.urls")),
    path("", include("scenarios.api.urls")),
    path("", include("notifications.api.urls")),
    path("", include("training.api.urls")),
    # Last: whatever no route above matches is a JSON 404.
    path("", include("config.api.not_found")),
]
