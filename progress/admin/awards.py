"""Admin for achievements, milestones, certificates and learning analytics.

Achievements and course milestones are content (edited by content designers); awards,
certificates and analytics rows are read-only. Each community's analytics trends are charted
server-side as inline SVG under *Learning analytics → Trends*.
"""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from config.admin import ReadOnlyModelAdmin
from config.charts import bar_chart, line_chart
from config.outbox import enqueue_on_commit
from config.revision_admin import ContentVersionAdmin

from ..models import (
    Achievement,
    AnalyticsPeriod,
    Certificate,
    Community,
    CourseMilestone,
    LearningAnalytics,
    UserAchievement,
    UserCourseMilestone,
)
from ..selectors.analytics import community_trends


@admin.register(Achievement)
class AchievementAdmin(ContentVersionAdmin):
    list_display = [
        "name",
        "community",
        "achievement_type",
        "points",
        "is_active",
        "earned_count",
        "badge_preview",
    ]
    list_filter = ["community", "achievement_type", "is_active"]
    search_fields = ["name", "description"]
    list_select_related = ["community"]
    readonly_fields = ["badge_preview", "created_at", "updated_at"]
    actions = ["reevaluate"]
    fields = [
        "community",
        "name",
        "description",
        "achievement_type",
        "criteria",
        "criteria_narrative",
        "points",
        "badge",
        "badge_preview",
        "is_active",
        "created_at",
        "updated_at",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(_earned=Count("awards", filter=Q(awards__earned_at__isnull=False)))
        )

    @admin.display(description="earned", ordering="_earned")
    def earned_count(self, obj):
        return obj._earned

    @admin.action(description="Evaluate for every member now (counts past progress)")
    def reevaluate(self, request, queryset):
        ids = list(queryset.filter(is_active=True).values_list("pk", flat=True))
        enqueue_on_commit("progress.tasks.reevaluate_achievements", ids)
        self.message_user(
            request,
            f"Evaluating {len(ids)} active achievement(s) for every member in the background; "
            "newly earned awards appear as the task runs.",
        )

    @admin.display(description="badge")
    def badge_preview(self, obj):
        if not obj.badge:
            return "-"
        return format_html('<img src="{}" alt="" style="height:48px">', obj.badge.url)


@admin.register(UserAchievement)
class UserAchievementAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "achievement", "community", "earned_at", "points", "evaluated_at"]
    list_filter = ["community", ("earned_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "achievement__name"]
    list_select_related = ["user", "achievement", "community"]


@admin.register(CourseMilestone)
class CourseMilestoneAdmin(ContentVersionAdmin):
    list_display = [
        "title",
        "course",
        "milestone_type",
        "order_index",
        "required_for_completion",
        "points_awarded",
    ]
    list_filter = ["milestone_type", "required_for_completion", "course__community"]
    search_fields = ["title", "course__title"]
    autocomplete_fields = ["course", "wod", "block"]
    list_select_related = ["course"]


@admin.register(UserCourseMilestone)
class UserCourseMilestoneAdmin(ReadOnlyModelAdmin):
    list_display = ["user", "milestone", "course", "achieved_at", "score", "points"]
    list_filter = ["community"]
    search_fields = ["user__username", "milestone__title"]
    list_select_related = ["user", "milestone", "course"]


@admin.register(Certificate)
class CertificateAdmin(ReadOnlyModelAdmin):
    list_display = ["course_title", "learner_name", "community_name", "issued_at", "verify_link"]
    list_filter = ["community"]
    search_fields = ["learner_name", "course_title", "verification_id", "user__username"]

    @admin.display(description="verify")
    def verify_link(self, obj):
        url = reverse("api:progress-certificate-verify", args=[obj.verification_id])
        return format_html('<a href="{}?format=html" target="_blank">printable page</a>', url)


@admin.register(LearningAnalytics)
class LearningAnalyticsAdmin(ReadOnlyModelAdmin):
    list_display = [
        "user",
        "community",
        "period",
        "period_start",
        "active_days",
        "blocks_completed",
        "engagement_score",
        "streak_days",
    ]
    list_filter = ["period", "community"]
    search_fields = ["user__username"]
    date_hierarchy = "period_start"
    list_select_related = ["user", "community"]
    change_list_template = "admin/progress/learninganalytics/change_list.html"

    def get_urls(self):
        view = self.admin_site.admin_view
        return [
            path("trends/", view(self.trends_index), name="progress_learninganalytics_trends_index"),
            path(
                "trends/<int:community_id>/", view(self.trends_view), name="progress_learninganalytics_trends"
            ),
            *super().get_urls(),
        ]

    def get_queryset(self, request):
        # Staff see the rows of the communities they instruct or administer.
        return (
            super()
            .get_queryset(request)
            .filter(community__in=Community.objects.analytics_visible_to(request.user))
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "trends_url": reverse("admin:progress_learninganalytics_trends_index"),
        }
        return super().changelist_view(request, extra_context)

    def trends_index(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "title": "Learning trends by community",
            "opts": self.model._meta,
            "communities": Community.objects.analytics_visible_to(request.user).order_by("name"),
        }
        return TemplateResponse(request, "admin/progress/learninganalytics/trends_index.html", context)

    def trends_view(self, request, community_id: int):
        if not self.has_view_permission(request):
            raise PermissionDenied
        community = get_object_or_404(Community.objects.analytics_visible_to(request.user), pk=community_id)
        period = request.GET.get("period", AnalyticsPeriod.WEEKLY)
        if period not in AnalyticsPeriod.values:
            period = AnalyticsPeriod.WEEKLY
        series = community_trends(community.pk, period=period, periods=12)
        labels = [
            row["period_start"].strftime("%d %b" if period != AnalyticsPeriod.MONTHLY else "%b %Y")
            for row in series
        ]
        charts = [
            bar_chart(
                "Active learners", list(zip(labels, [r["active_learners"] for r in series], strict=True))
            ),
            line_chart("Active hours", list(zip(labels, [r["active_hours"] for r in series], strict=True))),
            bar_chart(
                "Blocks completed",
                list(zip(labels, [r["blocks_completed"] or 0 for r in series], strict=True)),
                color="#5b8c3a",
            ),
            line_chart(
                "Average engagement (0-100)",
                list(zip(labels, [r["avg_engagement"] for r in series], strict=True)),
                color="#8e44ad",
            ),
        ]
        context = {
            **self.admin_site.each_context(request),
            "title": f"Learning trends: {community.name}",
            "opts": self.model._meta,
            "community": community,
            "period": period,
            "periods": AnalyticsPeriod.choices,
            "series": series,
            "charts": charts,
        }
        return TemplateResponse(request, "admin/progress/learninganalytics/trends.html", context)
