"""The admin side of scheduled publishing: a "scheduled" column in the designer's time zone."""

from zoneinfo import ZoneInfo

from django.contrib import admin
from django.utils import timezone
from django.utils.formats import date_format


def designer_zone(user):
    """The designer's own time zone (their notification preferences), else the site's."""
    zone = getattr(getattr(user, "notification_preferences", None), "time_zone", "") or ""
    try:
        return ZoneInfo(zone) if zone else timezone.get_current_timezone()
    except (ValueError, KeyError):
        return timezone.get_current_timezone()


class ScheduledListMixin:
    """Adds ``scheduled`` to ``list_display``: "scheduled for …" / "until …" in the designer's zone."""

    def get_list_display(self, request):
        return [*super().get_list_display(request), "scheduled"]

    def changelist_view(self, request, extra_context=None):
        with timezone.override(designer_zone(request.user)):
            response = super().changelist_view(request, extra_context)
            if hasattr(response, "render"):
                response.render()  # while the designer's zone is active
            return response

    @admin.display(description="scheduled", ordering="publish_at")
    def scheduled(self, obj):
        parts = []
        if obj.publish_at:
            parts.append(f"scheduled for {_local(obj.publish_at)}")
        if obj.unpublish_at:
            parts.append(f"until {_local(obj.unpublish_at)}")
        return "; ".join(parts) or "-"


def _local(value) -> str:
    local = timezone.localtime(value)
    return f"{date_format(local, 'DATETIME_FORMAT')} ({local.tzname()})"
