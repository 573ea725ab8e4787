from django.conf import settings
from django.contrib import admin
from django.urls import include, path

from .recent_changes import recent_changes_view
from .views import healthz, metrics

admin.site.site_header = settings.ADMIN_SITE_HEADER
admin.site.site_title = settings.ADMIN_SITE_HEADER
admin.site.index_title = "Content and operations"

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics, name="metrics"),
    path("admin/recent-changes/", admin.site.admin_view(recent_changes_view), name="recent-changes"),
    path("admin/", admin.site.urls),
    path("api/v1/", include(("config.api.urls", "api"), namespace="api")),
]
handler500 = "config.views.server_error"
if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
