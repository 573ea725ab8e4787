"""The admin side of content revisions: History newest first with the user, a diff of two
revisions (JSON fields key by key), "Revert" refused with the reason when a rule forbids it, and
a revision with the user and a comment for every save and admin action."""

import json

from django.contrib import messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.urls import reverse
from reversion.models import Version
from reversion.revisions import is_active, set_comment
from reversion_compare.admin import CompareVersionAdmin

from .revisions import register_content_models, revert_refusals

MISSING = object()


def flatten_json(value, prefix: str = "") -> dict:
    """``{"a": {"b": [1, 2]}}`` as ``{"a.b[0]": 1, "a.b[1]": 2}``; empty containers kept as leaves."""
    if isinstance(value, dict) and value:
        flat = {}
        for key, item in value.items():
            flat.update(flatten_json(item, f"{prefix}.{key}" if prefix else str(key)))
        return flat
    if isinstance(value, list) and value:
        flat = {}
        for index, item in enumerate(value):
            flat.update(flatten_json(item, f"{prefix}[{index}]"))
        return flat
    return {prefix or "(value)": value}


def _shown(value) -> str:
    if value is MISSING:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def json_changes(old, new) -> list[dict]:
    """The keys whose values differ between two JSON values, in a stable order."""
    before, after = flatten_json(_loaded(old)), flatten_json(_loaded(new))
    rows = []
    for key in sorted(set(before) | set(after)):
        a, b = before.get(key, MISSING), after.get(key, MISSING)
        if a == b:
            continue
        kind = "added" if a is MISSING else "removed" if b is MISSING else "changed"
        rows.append({"key": key, "kind": kind, "old": _shown(a), "new": _shown(b)})
    return rows


def _loaded(value):
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


class ContentVersionAdmin(CompareVersionAdmin):
    """Mix in first on a content model's admin (``class XAdmin(ContentVersionAdmin, ...)``)."""

    history_latest_first = True

    def __init__(self, *args, **kwargs):
        # The admin is set up before the apps are ready: register every content model with its
        # declared children first, or django-reversion would register inline models without them.
        register_content_models()
        super().__init__(*args, **kwargs)

    def compare_JSONField(self, obj_compare):
        rows = json_changes(obj_compare.value1, obj_compare.value2)
        return render_to_string("admin/revisions/json_diff.html", {"rows": rows})

    def response_action(self, request, queryset):
        if is_active():
            action = request.POST.get("action", "")
            set_comment(f"Admin action “{action}” on {queryset.count()} selected")
        return super().response_action(request, queryset)

    def revision_view(self, request, object_id, version_id, extra_context=None):
        version = get_object_or_404(Version, pk=version_id, object_id=unquote(object_id))
        if not self.has_change_permission(request):
            raise PermissionDenied
        reasons = revert_refusals(version.revision)
        if reasons:
            messages.error(request, "This revision cannot be restored: " + "; ".join(reasons) + ".")
            opts = self.model._meta
            return redirect(
                reverse(
                    f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_history",
                    args=[quote(unquote(object_id))],
                )
            )
        return super().revision_view(request, object_id, version_id, extra_context)
