from django.contrib import admin, messages
from django.contrib.auth import get_permission_codename

from config.content_io import ContentImportExportMixin
from config.outbox import run_on_commit
from config.revision_admin import ContentVersionAdmin
from config.scheduling_admin import ScheduledListMixin

from . import services
from .models import Scenario, ScenarioMetadata, UserScenarioProgress
from .resources import ScenarioResource
from .selectors import scenario_list_count_invalidate

METRIC_FIELDS = (
    "saved_count",
    "times_used",
    "attempts",
    "ratings_count",
    "average_rating",
    "bayesian_score",
    "completion_rate",
    "average_time_spent_s",
    "trending_score",
)


def _metric(field, label):
    @admin.display(description=label, ordering=f"metadata__{field}")
    def show(obj):
        metadata = getattr(obj, "metadata", None)
        value = getattr(metadata, field, None) if metadata else None
        return round(value, 2) if isinstance(value, float) else value

    show.__name__ = f"metric_{field}"
    return show


class ScenarioMetadataInline(admin.StackedInline):
    model = ScenarioMetadata
    can_delete = False
    extra = 0
    max_num = 0
    fields = METRIC_FIELDS + ("updated_at",)
    readonly_fields = fields
    verbose_name_plural = "metrics (read-only; counted from user progress)"

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Scenario)
class ScenarioAdmin(ContentImportExportMixin, ScheduledListMixin, ContentVersionAdmin):
    list_display = (
        "title",
        "role",
        "difficulty",
        "cefr_level",
        "visibility",
        "is_active",
        _metric("saved_count", "saved"),
        _metric("times_used", "completions"),
        _metric("average_rating", "rating"),
        _metric("ratings_count", "ratings"),
        "created_at",
    )
    list_filter = ("role", "difficulty", "cefr_level", "visibility", "is_active")
    list_select_related = ("metadata",)
    search_fields = ("title", "description", "slug")
    raw_id_fields = ("created_by",)
    readonly_fields = ("created_at", "updated_at")
    inlines = [ScenarioMetadataInline]
    resource_classes = [ScenarioResource]
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "title",
                    "slug",
                    "description",
                    "role",
                    "difficulty",
                    "is_active",
                    ("publish_at", "unpublish_at"),
                    "visibility",
                    "created_by",
                )
            },
        ),
        ("Conversation", {"fields": ("instructions", "context", "persona", "comfort_indicators")}),
        (
            "Learning",
            {
                "fields": (
                    "expected_outcome",
                    "learning_goal",
                    "learning_objectives",
                    "difficulty_rating",
                    "cefr_level",
                    "cefr_recommendation",
                )
            },
        ),
        ("Timestamps", {"fields": ("created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        services.scenario_metadata_ensure(scenario=obj)
        run_on_commit(scenario_list_count_invalidate)

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        run_on_commit(scenario_list_count_invalidate)

    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        run_on_commit(scenario_list_count_invalidate)


@admin.register(ScenarioMetadata)
class ScenarioMetadataAdmin(admin.ModelAdmin):
    list_display = ("scenario", *METRIC_FIELDS, "updated_at")
    list_select_related = ("scenario",)
    search_fields = ("scenario__title",)
    ordering = ("-saved_count",)
    actions = ["recount"]
    readonly_fields = (
        "scenario",
        "ratings_sum",
        "time_spent_total_s",
        *METRIC_FIELDS,
        "created_at",
        "updated_at",
    )
    fields = readonly_fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_recount_permission(self, request):
        """Recounting writes the counters: it needs the change permission, although the
        page itself stays read-only."""
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{get_permission_codename('change', opts)}")

    @admin.action(description="Recount from user progress", permissions=["recount"])
    def recount(self, request, queryset):
        result = services.scenario_metadata_reconcile(
            scenario_ids=list(queryset.values_list("scenario_id", flat=True))
        )
        level = messages.WARNING if result.corrected else messages.SUCCESS
        self.message_user(
            request, f"Recounted {result.checked} scenario(s); corrected {result.corrected}.", level
        )


@admin.register(UserScenarioProgress)
class UserScenarioProgressAdmin(admin.ModelAdmin):
    """Read-only, for support: progress changes only through the app's operations."""

    list_display = (
        "user",
        "scenario",
        "is_saved",
        "times_attempted",
        "times_completed",
        "rating",
        "variant_id",
        "updated_at",
    )
    list_filter = ("is_saved", "rating")
    list_select_related = ("user", "scenario")
    search_fields = ("user__username", "scenario__title")
    raw_id_fields = ("user", "scenario")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
