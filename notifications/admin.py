import datetime as dt
import json

from django.contrib import admin, messages
from django.utils.html import format_html

from config.access import RunnerDataAdmin
from config.admin import ReadOnlyModelAdmin
from config.content_io import ContentImportExportMixin
from config.revision_admin import ContentVersionAdmin
from config.timezones import local_today

from .copy_preview import CopyPreviewAdminMixin
from .models import (
    BehaviorProfile,
    Device,
    KindRollout,
    Notification,
    NotificationPreferences,
    NotificationTemplate,
    SendVolumeAnomaly,
    WeatherSnapshot,
)
from .resources import NotificationTemplateResource
from .selectors import preview_day
from .timing import minute_to_time


def pretty_json(value) -> str:
    return format_html(
        '<pre style="white-space: pre-wrap; margin: 0">{}</pre>',
        json.dumps(value, indent=2, ensure_ascii=False),
    )


def dry_run_lines(user, day: dt.date) -> list[str]:
    """One line per notification the user's active plan would send on ``day`` (writes nothing)."""
    from .selectors import preferences_get

    zone = preferences_get(user=user).zone
    lines = []
    for row in preview_day(user=user, day=day):
        status = "" if row.status == "scheduled" else f" [{row.status}]"
        local = row.send_at.astimezone(zone)
        lines.append(f"{row.kind} at {local:%H:%M %Z} ({row.send_at:%H:%M} UTC): {row.reason}{status}")
    return lines


@admin.action(description="What would be sent to these users tomorrow (dry run, writes nothing)")
def dry_run_tomorrow(modeladmin, request, queryset):
    for prefs in queryset.select_related("user")[:20]:
        tomorrow = local_today(prefs.zone) + dt.timedelta(days=1)
        lines = dry_run_lines(prefs.user, tomorrow)
        summary = "; ".join(lines) if lines else "nothing (no active plan, or a quiet day)"
        modeladmin.message_user(request, f"{prefs.user.username}, {tomorrow}: {summary}", messages.INFO)


@admin.register(NotificationPreferences)
class NotificationPreferencesAdmin(RunnerDataAdmin, admin.ModelAdmin):
    list_display = (
        "user",
        "time_zone",
        "tone",
        "quiet_hours_start",
        "quiet_hours_end",
        "daily_budget",
        "snoozed_until",
    )
    list_filter = ("tone",)
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    actions = [dry_run_tomorrow]


@admin.register(Device)
class DeviceAdmin(RunnerDataAdmin, admin.ModelAdmin):
    list_display = ("user", "platform", "active", "created_at")
    list_filter = ("platform", "active")
    search_fields = ("user__username",)
    raw_id_fields = ("user",)
    readonly_fields = ("created_at", "updated_at")


@admin.register(Notification)
class NotificationAdmin(RunnerDataAdmin, ReadOnlyModelAdmin):
    """The outbox and audit log: every notification with its decision trace."""

    list_display = ("id", "user", "kind", "status", "send_at", "local_date", "attempts", "sent_at", "outcome")
    list_filter = ("status", "kind", "channel", "tone", ("send_at", admin.DateFieldListFilter))
    search_fields = ("user__username", "dedupe_key")
    date_hierarchy = "send_at"
    list_select_related = ("user",)
    fields = (
        "user",
        "kind",
        "status",
        "plan",
        "session",
        "dedupe_key",
        "send_at",
        "local_date",
        "claimed_until",
        "attempts",
        "tone",
        "channel",
        "provider_id",
        "sent_at",
        "opened_at",
        "clicked_at",
        "outcome",
        "error",
        "render_error",
        "decision_trace",
        "rendered_payload",
        "created_at",
        "updated_at",
    )
    readonly_fields = fields

    @admin.display(description="decision trace")
    def decision_trace(self, obj):
        return pretty_json(obj.decision)

    @admin.display(description="rendered payload")
    def rendered_payload(self, obj):
        return pretty_json(obj.payload)


@admin.register(NotificationTemplate)
class NotificationTemplateAdmin(ContentImportExportMixin, CopyPreviewAdminMixin, ContentVersionAdmin):
    list_display = ("kind", "tone", "title", "active", "updated_at")
    list_filter = ("kind", "tone", "active")
    search_fields = ("title", "body")
    readonly_fields = ("updated_at",)
    resource_classes = [NotificationTemplateResource]


@admin.register(BehaviorProfile)
class BehaviorProfileAdmin(RunnerDataAdmin, ReadOnlyModelAdmin):
    list_display = ("user", "plan", "window", "confidence", "sample_count", "used_fallback", "recomputed_at")
    list_filter = ("used_fallback", "fallback")
    search_fields = ("user__username",)
    list_select_related = ("user", "plan")
    fields = (
        "user",
        "plan",
        "window",
        "window_start_min",
        "window_end_min",
        "circular_mean_min",
        "resultant_length",
        "confidence",
        "sample_count",
        "used_fallback",
        "fallback",
        "habits_shown",
        "weekday_patterns_shown",
        "deviation_flags",
        "recomputed_at",
    )
    readonly_fields = fields

    @admin.display(description="prime window (local)")
    def window(self, obj):
        return f"{minute_to_time(obj.window_start_min):%H:%M}–{minute_to_time(obj.window_end_min):%H:%M}"

    @admin.display(description="habits")
    def habits_shown(self, obj):
        return pretty_json(obj.habits)

    @admin.display(description="weekday patterns")
    def weekday_patterns_shown(self, obj):
        return pretty_json(obj.weekday_patterns)


@admin.register(WeatherSnapshot)
class WeatherSnapshotAdmin(ReadOnlyModelAdmin):
    list_display = ("location", "provider", "fetched_at")
    fields = ("provider", "location", "fetched_at", "forecast")
    readonly_fields = fields


@admin.register(KindRollout)
class KindRolloutAdmin(admin.ModelAdmin):
    list_display = ("kind", "percentage", "updated_at")
    readonly_fields = ("updated_at",)


@admin.register(SendVolumeAnomaly)
class SendVolumeAnomalyAdmin(ReadOnlyModelAdmin):
    """Hours whose sends of a kind exceeded NOTIFICATIONS_ANOMALY_RATIO × the trailing same-hour median."""

    list_display = ("hour", "kind", "sends", "trailing_median", "ratio", "detected_at")
    list_filter = ("kind",)
    date_hierarchy = "hour"
