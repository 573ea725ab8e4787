"""Training in the admin: runner profiles, activities, plans (charts, sessions by week) and generation.

A plan's status changes only through the actions (the same services the API uses), and a new plan
is generated, not typed: "Add training plan" opens the generator form.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from config.access import RunnerDataAdmin
from config.charts import progression_chart, radar_chart
from config.errors import DomainError
from config.timezones import local_today

from . import selectors, services
from .generator.inputs import MAX_WEEKS, MIN_WEEKS
from .generator.vdot import format_pace
from .models import (
    Activity,
    ActivityArchiveImport,
    CalendarSubscription,
    GoalType,
    PlannedSession,
    RunnerProfile,
    TrainingPlan,
)
from .workouts import describe_step, session_steps


@admin.register(RunnerProfile)
class RunnerProfileAdmin(RunnerDataAdmin, admin.ModelAdmin):
    list_display = ["user", "experience_level", "recent_weekly_km", "long_run_day", "time_zone", "updated_at"]
    list_filter = ["experience_level"]
    search_fields = ["user__username", "user__email"]
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at"]


@admin.register(Activity)
class ActivityAdmin(RunnerDataAdmin, admin.ModelAdmin):
    list_display = ["started_at", "user", "kind", "distance_km", "duration_s", "avg_heart_rate", "source"]
    list_filter = ["kind", "source"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    date_hierarchy = "started_at"
    readonly_fields = ["source", "fingerprint", "created_at"]
    list_select_related = ["user"]

    @admin.display(description="km", ordering="distance_m")
    def distance_km(self, obj):
        return f"{obj.distance_m / 1000:.2f}"


@admin.register(ActivityArchiveImport)
class ActivityArchiveImportAdmin(admin.ModelAdmin):
    """Archive imports and their reports, read-only: the task writes them, nobody edits them."""

    list_display = ["created_at", "user", "status", "total", "imported", "duplicates", "refused_count"]
    list_filter = ["status"]
    search_fields = ["user__username", "name"]
    date_hierarchy = "created_at"
    list_select_related = ["user"]
    fields = [
        "user",
        "status",
        "name",
        "size_bytes",
        ("total", "processed", "imported", "duplicates"),
        "refused_report",
        "warnings_report",
        "error",
        ("created_at", "started_at", "finished_at"),
    ]
    readonly_fields = [name for entry in fields for name in (entry if isinstance(entry, tuple) else (entry,))]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser

    @admin.display(description="refused")
    def refused_count(self, obj):
        return len(obj.refused or [])

    @admin.display(description="refused files")
    def refused_report(self, obj):
        rows = [(row.get("name", ""), row.get("reason", "")) for row in obj.refused or []]
        if not rows:
            return "-"
        return format_html(
            "<table><tr><th>file</th><th>reason</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
        )

    @admin.display(description="warnings")
    def warnings_report(self, obj):
        rows = [(row.get("name", ""), row.get("message", "")) for row in obj.warnings or []]
        if not rows:
            return "-"
        return format_html(
            "<table><tr><th>file</th><th>warning</th></tr>{}</table>",
            format_html_join("", "<tr><td>{}</td><td>{}</td></tr>", rows),
        )


def _run_service(modeladmin, request, queryset, service, label, **kwargs):
    done = 0
    for plan in queryset:
        try:
            service(user=plan.user, plan=plan, **kwargs)
            done += 1
        except (DomainError, ValidationError) as error:
            text = error.message if isinstance(error, DomainError) else "; ".join(error.messages)
            modeladmin.message_user(request, f"{plan}: {text}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{label} {done} plan(s).", messages.SUCCESS)


@admin.action(description="Activate the selected plans", permissions=["change"])
def activate(modeladmin, request, queryset):
    _run_service(modeladmin, request, queryset, services.plan_activate, "Activated")


@admin.action(description="Pause the selected plans", permissions=["change"])
def pause(modeladmin, request, queryset):
    _run_service(modeladmin, request, queryset, services.plan_pause, "Paused")


@admin.action(description="Abandon the selected plans", permissions=["change"])
def abandon(modeladmin, request, queryset):
    _run_service(modeladmin, request, queryset, services.plan_abandon, "Abandoned")


@admin.action(description="Realign the remaining weeks from today", permissions=["change"])
def realign(modeladmin, request, queryset):
    _run_service(modeladmin, request, queryset, services.plan_realign, "Realigned", reason="manual")


class GeneratePlanForm(forms.Form):
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.filter(runner_profile__isnull=False).order_by("username"),
        help_text="Runners with a runner profile.",
    )
    goal_type = forms.ChoiceField(choices=GoalType.choices)
    duration_weeks = forms.IntegerField(min_value=MIN_WEEKS, max_value=MAX_WEEKS, required=False)
    target_date = forms.DateField(required=False, help_text="Race day (YYYY-MM-DD); or give a duration.")
    target_time_s = forms.IntegerField(min_value=1, required=False, label="Target time (s)")
    target_event = forms.CharField(max_length=200, required=False)
    race_start_time = forms.TimeField(
        required=False, help_text="Local start time of the race (default 09:00)."
    )
    run_walk = forms.BooleanField(required=False, help_text="Every run as run/walk.")
    accept_risk = forms.BooleanField(
        required=False, help_text="Build a goal the feasibility check refuses (confidence at most 30)."
    )

    def clean(self):
        data = super().clean()
        if not self.errors and data.get("duration_weeks") is None and data.get("target_date") is None:
            raise ValidationError("Give a duration in weeks or a target date.")
        return data


@admin.register(TrainingPlan)
class TrainingPlanAdmin(RunnerDataAdmin, admin.ModelAdmin):
    list_display = ["name", "user", "status", "goal_type", "start_date", "end_date", "generator_version"]
    list_filter = ["status", "goal_type"]
    search_fields = ["name", "user__username", "target_event"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    actions = [activate, pause, abandon, realign]
    readonly_fields = [
        "charts",
        "status",
        "activated_at",
        "realigned_at",
        "generated_at",
        "generator_version",
        "created_at",
        "updated_at",
        "sessions_by_week",
    ]
    fieldsets = [
        (None, {"fields": ["charts"]}),
        (
            "Plan",
            {
                "fields": [
                    "name",
                    "user",
                    "status",
                    "goal_type",
                    "target_event",
                    ("target_date", "target_time_s"),
                    ("start_date", "end_date", "duration_weeks"),
                    "time_zone",
                    ("activated_at", "realigned_at"),
                ]
            },
        ),
        ("Sessions by week", {"fields": ["sessions_by_week"], "classes": ["collapse"]}),
        ("Season view", {"fields": ["season_view"]}),
        ("Weeks", {"fields": ["weekly_plan"], "classes": ["collapse"]}),
        ("Runner snapshot", {"fields": ["runner_snapshot"], "classes": ["collapse"]}),
        (
            "Generation",
            {
                "fields": [
                    "template_id",
                    "periodization_model",
                    "phases",
                    "load_parameters",
                    "target_paces",
                    "decisions",
                    "safeguard_applications",
                    ("generated_at", "generator_version"),
                    ("created_at", "updated_at"),
                ],
                "classes": ["collapse"],
            },
        ),
    ]

    @admin.display(description="Progression and runner")
    def charts(self, obj):
        if obj is None or not obj.weekly_plan:
            return "-"
        actual = selectors.plan_actual_km(obj) if obj.pk else {}
        today = local_today(obj.zone).isoformat()
        weeks = [
            {
                "label": f"W{w['week_number']}",
                "volume": w["volume_km"],
                "actual": actual.get(w["week_number"]),
                "so_far": w["week_start_date"] <= today <= w["week_end_date"],
                "intensity": w["intensity_score"],
                "recovery": w["is_recovery_week"],
                "taper": w["phase_name"] == "Taper",
            }
            for w in obj.weekly_plan
        ]
        progression = progression_chart("Weekly km: planned and run; intensity", weeks)
        radar = radar_chart("Runner snapshot", (obj.runner_snapshot or {}).get("profile_radar", []))
        return format_html('<div style="display:flex;gap:16px;flex-wrap:wrap">{}{}</div>', progression, radar)

    @admin.display(description="Sessions")
    def sessions_by_week(self, obj):
        if obj is None or obj.pk is None:
            return "-"
        sessions = list(obj.sessions.order_by("date", "id"))
        weeks: dict[int, list[PlannedSession]] = {}
        for session in sessions:
            weeks.setdefault(session.week_number, []).append(session)
        rows = []
        for number, items in weeks.items():
            rows.append(format_html('<tr><th colspan="6">Week {}</th></tr>', number))
            rows.append(
                format_html_join(
                    "",
                    "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                    (
                        (
                            s.date.strftime("%a %d %b"),
                            s.get_session_type_display() + (" ★" if s.is_key_session else ""),
                            s.title,
                            f"{s.target_distance_km:g} km" if s.target_distance_km else "",
                            f"{format_pace(s.target_pace_s_per_km)}/km" if s.target_pace_s_per_km else "",
                            s.get_status_display(),
                        )
                        for s in items
                    ),
                )
            )
        return format_html('<table class="training-sessions">{}</table>', mark_safe("".join(rows)))

    def get_readonly_fields(self, request, obj=None):
        # The runner and the zone are the sessions' too: they change only by generating a new plan.
        fields = super().get_readonly_fields(request, obj)
        return [*fields, "user", "time_zone"] if obj is not None else fields

    def get_urls(self):
        return [
            path(
                "generate/",
                self.admin_site.admin_view(self.generate_view),
                name="training_trainingplan_generate",
            ),
            *super().get_urls(),
        ]

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        return redirect("admin:training_trainingplan_generate")

    def generate_view(self, request):
        if not self.has_add_permission(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        form = GeneratePlanForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                plan = services.plan_generate(
                    user=data["user"],
                    goal_type=data["goal_type"],
                    duration_weeks=data["duration_weeks"],
                    target_date=data["target_date"],
                    target_time_s=data["target_time_s"],
                    target_event=data["target_event"] or "",
                    race_start_time=data["race_start_time"],
                    run_walk=data["run_walk"],
                    accept_risk=data["accept_risk"],
                )
            except ValidationError as error:
                for field, errors in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            except DomainError as error:
                form.add_error(None, [error.message, *error.extra.get("reasons", [])])
            else:
                self.message_user(request, f"Generated {plan} for {plan.user} (a draft).", messages.SUCCESS)
                return redirect(reverse("admin:training_trainingplan_change", args=[plan.pk]))
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Generate a training plan",
            "form": form,
        }
        return TemplateResponse(request, "admin/training/trainingplan/generate.html", context)


@admin.register(PlannedSession)
class PlannedSessionAdmin(RunnerDataAdmin, admin.ModelAdmin):
    list_display = [
        "date",
        "user",
        "plan",
        "week_number",
        "session_type",
        "title",
        "status",
        "is_key_session",
    ]
    list_filter = ["status", "session_type", "is_key_session"]
    search_fields = ["user__username", "title"]
    raw_id_fields = ["plan", "user", "activity"]
    list_select_related = ["user", "plan"]
    date_hierarchy = "date"
    # Dates, times and status move through the services (signals, calendar, missed sweep); the
    # steps are the generator's (they add up to the distance the FIT export and the calendar use)
    # and the compliance is computed when the session is completed.
    readonly_fields = [
        "plan",
        "user",
        "date",
        "week_number",
        "start_time_local",
        "time_zone",
        "status",
        "completed_at",
        "activity",
        "workout",
        "compliance_summary",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("plan", "user"),
                    ("date", "week_number", "start_time_local", "time_zone"),
                    ("session_type", "is_key_session"),
                    "title",
                    "description",
                    "purpose",
                    ("target_distance_km", "target_duration_s", "target_pace_s_per_km"),
                    "workout",
                ]
            },
        ),
        ("Done", {"fields": [("status", "completed_at"), "activity", "compliance_summary"]}),
        (None, {"fields": [("created_at", "updated_at")]}),
    ]

    def has_add_permission(self, request):
        return False

    @admin.display(description="workout steps")
    def workout(self, obj):
        steps = session_steps(obj) if obj is not None else []
        if not steps:
            return "-"
        items = format_html_join("", "<li>{}</li>", ((describe_step(step),) for step in steps))
        return format_html('<ol class="workout-steps">{}</ol>', items)

    @admin.display(description="compliance")
    def compliance_summary(self, obj):
        compliance = obj.compliance if obj is not None else None
        if not compliance:
            return "-"
        parts = [compliance.get("verdict", "").replace("_", " ")]
        if "distance_pct" in compliance:
            parts.append(f"{compliance['distance_pct']:g}% of the distance")
        if "duration_pct" in compliance:
            parts.append(f"{compliance['duration_pct']:g}% of the time")
        if "pace_s_per_km" in compliance:
            pace = f"pace {format_pace(compliance['pace_s_per_km'])}/km"
            target = compliance.get("pace_target")
            if target:
                pace += f" (target {format_pace(target['min'])}–{format_pace(target['max'])}/km)"
            parts.append(pace)
        return ", ".join(parts)


@admin.register(CalendarSubscription)
class CalendarSubscriptionAdmin(RunnerDataAdmin, admin.ModelAdmin):
    list_display = ["user", "created_at"]
    search_fields = ["user__username"]
    raw_id_fields = ["user"]
    # The token is never stored (only its digest) and never shown here.
    fields = ["user", "created_at"]
    readonly_fields = ["created_at"]
