"""The admin's "Recent changes": the latest revisions across all content (who, what, when, a
link to the diff), filterable by app and user; for operators, content designers and superusers."""

from django.contrib import admin
from django.contrib.admin.utils import quote
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.template.response import TemplateResponse
from django.urls import NoReverseMatch, reverse

from .permissions import CONTENT_DESIGNERS, OPERATORS
from .revisions import previous_version, recent_changes, revision_models

PAGE_SIZE = 50


def may_see_recent_changes(user) -> bool:
    return (
        user.is_active
        and user.is_staff
        and (user.is_superuser or user.groups.filter(name__in=[CONTENT_DESIGNERS, OPERATORS]).exists())
    )


def _links(version):
    opts = version._model._meta
    site = admin.site.name
    try:
        change = reverse(f"{site}:{opts.app_label}_{opts.model_name}_change", args=[quote(version.object_id)])
        history = reverse(
            f"{site}:{opts.app_label}_{opts.model_name}_history", args=[quote(version.object_id)]
        )
        compare = reverse(
            f"{site}:{opts.app_label}_{opts.model_name}_compare", args=[quote(version.object_id)]
        )
    except NoReverseMatch:
        return None, None, None
    before = previous_version(version)
    diff = f"{compare}?version_id1={before.pk}&version_id2={version.pk}" if before else None
    return change, history, diff


def recent_changes_view(request):
    if not may_see_recent_changes(request.user):
        raise PermissionDenied
    app_label = request.GET.get("app", "")
    user_id = request.GET.get("user", "")
    user_id = int(user_id) if user_id.isdigit() else None
    page = Paginator(recent_changes(app_label=app_label, user_id=user_id), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    rows = []
    for version in page:
        change, history, diff = _links(version)
        rows.append(
            {
                "version": version,
                "revision": version.revision,
                "model": version._model._meta.verbose_name,
                "app": version.content_type.app_label,
                "change_url": change,
                "history_url": history,
                "diff_url": diff,
            }
        )
    apps = sorted({model._meta.app_label for model in revision_models()})
    editors = get_user_model().objects.filter(revision__isnull=False).distinct().order_by("username")
    context = {
        **admin.site.each_context(request),
        "title": "Recent changes",
        "rows": rows,
        "page": page,
        "apps": apps,
        "editors": editors,
        "app": app_label,
        "user_id": user_id,
    }
    return TemplateResponse(request, "admin/recent_changes.html", context)
