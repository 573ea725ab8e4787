"""Training API serializers: explicit fields; owners, status and timestamps read-only."""

import datetime as dt

from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.schema_fields import SchemaFileJSONField
from config.fields import validate_time_zone

from ..generator.inputs import MAX_WEEKS, MIN_WEEKS
from ..models import (
    Activity,
    ActivityKind,
    ExperienceLevel,
    GoalType,
    PlannedSession,
    PlanStatus,
    RunnerProfile,
    TrainingPlan,
    Weekday,
)
from ..services.plans import REALIGN_REASONS


class TimeZoneField(serializers.CharField):
    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        super().__init__(**kwargs)
        self.validators.append(_time_zone_validator)


def _time_zone_validator(value):
    from django.core.exceptions import ValidationError

    try:
        validate_time_zone(value)
    except ValidationError as error:
        raise serializers.ValidationError(error.messages) from error


# Race names a runner may give instead of metres.
RACE_DISTANCES_M = {"5k": 5000.0, "10k": 10000.0, "half": 21097.5, "marathon": 42195.0}


def metres_number(value: float) -> float | int:
    """``10000`` for a whole number of metres, ``21097.5`` otherwise."""
    return int(value) if float(value).is_integer() else float(value)


class RaceDistanceField(serializers.FloatField):
    """A race distance: metres, decimals allowed (``21097.5``), or a name (``5k``, ``10k``, ``half``,
    ``marathon``); answered as metres."""

    default_error_messages = {
        "invalid": f"Give metres (e.g. 21097.5) or one of {', '.join(RACE_DISTANCES_M)}.",
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", 1500)
        kwargs.setdefault("max_value", 42195)
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("invalid")
        if isinstance(data, str) and data.strip().lower() in RACE_DISTANCES_M:
            return RACE_DISTANCES_M[data.strip().lower()]
        return super().to_internal_value(data)

    def to_representation(self, value):
        return metres_number(value)


class RaceDistanceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = RaceDistanceField

    def map_serializer_field(self, auto_schema, direction):
        field = self.target
        number = {"type": "number", "format": "double", "minimum": field.min_value}
        number["maximum"] = field.max_value
        if direction == "response":
            return {**number, "description": "Metres."}
        return {
            "oneOf": [number, {"type": "string", "enum": list(RACE_DISTANCES_M)}],
            "description": "Metres (decimals allowed: 21097.5 is a half marathon, 42195 a marathon) or "
            f"one of {', '.join(RACE_DISTANCES_M)}.",
        }


class RecentRaceSerializer(serializers.Serializer):
    distance_m = RaceDistanceField()
    time_s = serializers.IntegerField(min_value=200, max_value=8 * 3600)
    date = serializers.DateField(required=False, allow_null=True)

    def validate(self, attrs):
        from ..generator.vdot import vdot_from_race

        vdot = vdot_from_race(attrs["distance_m"], attrs["time_s"])
        if not 15 <= vdot <= 90:
            raise serializers.ValidationError({"time_s": ["No runner races that distance in that time."]})
        if attrs.get("date") and attrs["date"] > dt.date.today() + dt.timedelta(days=1):
            raise serializers.ValidationError({"date": ["The race date is in the future."]})
        return attrs


class RunnerProfileSerializer(serializers.ModelSerializer):
    recent_race = RecentRaceSerializer(allow_null=True, required=False)
    available_days = serializers.ListField(
        child=serializers.ChoiceField(choices=Weekday.choices), allow_empty=True, max_length=7
    )
    cross_training_days = serializers.ListField(
        child=serializers.ChoiceField(choices=Weekday.choices),
        allow_empty=True,
        max_length=7,
        required=False,
        help_text="Days the runner can cycle, swim or use an elliptical instead of running (weekday codes); "
        "a plan with few running days puts its cross-training there.",
    )
    experience_level = serializers.ChoiceField(choices=ExperienceLevel.choices)
    time_zone = TimeZoneField(required=False)
    preferred_start_time = serializers.TimeField(format="%H:%M", required=False, allow_null=True)
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="null until the profile is first saved (defaults shown)."
    )

    class Meta:
        model = RunnerProfile
        fields = [
            "experience_level",
            "recent_weekly_km",
            "longest_recent_run_km",
            "recent_race",
            "available_days",
            "cross_training_days",
            "long_run_day",
            "min_rest_days",
            "injury_notes",
            "preferred_start_time",
            "time_zone",
            "updated_at",
        ]
        read_only_fields = ["updated_at"]

    def to_representation(self, instance):
        data = super().to_representation(instance)
        race = instance.recent_race
        data["recent_race"] = (
            {
                "distance_m": metres_number(race["distance_m"]),
                "time_s": race["time_s"],
                "date": race["date"].isoformat() if race["date"] else None,
            }
            if race
            else None
        )
        return data

    def to_service_kwargs(self) -> dict:
        values = dict(self.validated_data)
        if "recent_race" in values:
            race = values.pop("recent_race")
            values["recent_race_distance_m"] = race["distance_m"] if race else None
            values["recent_race_time_s"] = race["time_s"] if race else None
            values["recent_race_date"] = race.get("date") if race else None
        return values


class ActivitySerializer(serializers.ModelSerializer):
    time_zone = TimeZoneField(required=False)
    pace_s_per_km = serializers.IntegerField(read_only=True, allow_null=True)
    planned_session_id = serializers.SerializerMethodField()

    class Meta:
        model = Activity
        fields = [
            "id",
            "kind",
            "started_at",
            "duration_s",
            "distance_m",
            "pace_s_per_km",
            "avg_heart_rate",
            "max_heart_rate",
            "elevation_gain_m",
            "avg_cadence",
            "perceived_effort",
            "source",
            "time_zone",
            "notes",
            "planned_session_id",
            "created_at",
        ]
        read_only_fields = [
            "id",
            "source",
            "avg_cadence",
            "created_at",
            "pace_s_per_km",
            "planned_session_id",
        ]
        extra_kwargs = {"duration_s": {"min_value": 1}, "distance_m": {"min_value": 0}}

    def get_planned_session_id(self, obj) -> int | None:
        sessions = list(obj.planned_sessions.all())  # prefetched by the views
        return sessions[0].pk if sessions else None


class ActivityCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices, default=ActivityKind.RUN)
    started_at = serializers.DateTimeField()
    duration_s = serializers.IntegerField(min_value=1, max_value=7 * 24 * 3600)
    distance_m = serializers.IntegerField(min_value=0, max_value=1_000_000)
    avg_heart_rate = serializers.IntegerField(min_value=25, max_value=250, required=False, allow_null=True)
    max_heart_rate = serializers.IntegerField(min_value=25, max_value=250, required=False, allow_null=True)
    elevation_gain_m = serializers.IntegerField(min_value=0, max_value=20000, required=False, allow_null=True)
    perceived_effort = serializers.IntegerField(min_value=1, max_value=10, required=False, allow_null=True)
    time_zone = TimeZoneField(required=False)
    notes = serializers.CharField(required=False, allow_blank=True, max_length=5000)


class ActivityImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text="A GPX, TCX or FIT file.")


class ActivityImportResultSerializer(serializers.Serializer):
    created = serializers.BooleanField(help_text="False when this file was imported before.")
    activity = ActivitySerializer()
    warnings = serializers.ListField(
        child=serializers.CharField(),
        help_text="What was skipped inside the file (e.g. a FIT message of an undefined local type).",
    )


class VdotQuerySerializer(serializers.Serializer):
    distance_m = RaceDistanceField()
    time_s = serializers.IntegerField(min_value=200, max_value=8 * 3600)


class EasyPaceSerializer(serializers.Serializer):
    min_s_per_km = serializers.IntegerField()
    max_s_per_km = serializers.IntegerField()


class PacesSerializer(serializers.Serializer):
    easy = EasyPaceSerializer()
    marathon_s_per_km = serializers.IntegerField()
    threshold_s_per_km = serializers.IntegerField()
    interval_s_per_km = serializers.IntegerField()
    repetition_s_per_km = serializers.IntegerField()


class PredictionsSerializer(serializers.Serializer):
    def get_fields(self):
        return {key: serializers.IntegerField() for key in ("5000", "10000", "21097.5", "42195")}

    def to_representation(self, instance):
        # The keys are distances: "21097.5" is one key, not a dotted source.
        return {key: field.to_representation(instance[key]) for key, field in self.fields.items()}


class VdotResultSerializer(serializers.Serializer):
    vdot = serializers.FloatField()
    paces = PacesSerializer()
    predictions_s = PredictionsSerializer()


class PlanCreateSerializer(serializers.Serializer):
    goal_type = serializers.ChoiceField(choices=GoalType.choices)
    target_date = serializers.DateField(required=False, allow_null=True)
    duration_weeks = serializers.IntegerField(
        min_value=MIN_WEEKS, max_value=MAX_WEEKS, required=False, allow_null=True
    )
    target_time_s = serializers.IntegerField(min_value=1, max_value=8 * 3600, required=False, allow_null=True)
    target_event = serializers.CharField(required=False, allow_blank=True, max_length=200, default="")
    race_start_time = serializers.TimeField(
        required=False,
        allow_null=True,
        input_formats=["%H:%M", "%H:%M:%S"],
        help_text="Local start time of the race (default 09:00); training sessions keep the profile's time.",
    )
    accept_risk = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Build a plan the feasibility check refuses: confidence at most 30, the gap listed as "
        "a risk.",
    )
    run_walk = serializers.BooleanField(
        required=False, default=False, help_text="Every run as run/walk (900 m running, 100 m walking)."
    )

    def validate(self, attrs):
        if attrs.get("target_date") is None and attrs.get("duration_weeks") is None:
            raise serializers.ValidationError(
                {"duration_weeks": ["Give a target date or a duration in weeks."]}
            )
        return attrs


class GoalNotFeasibleSerializer(serializers.Serializer):
    """422 from plan generation: the goal does not fit; each option is a request body accepted as it is."""

    code = serializers.ChoiceField(choices=["goal_not_feasible"])
    detail = serializers.CharField()
    reasons = serializers.ListField(child=serializers.CharField())
    options = PlanCreateSerializer(many=True)


class PlanListQuerySerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PlanStatus.choices, required=False)


class PlanDetailQuerySerializer(serializers.Serializer):
    zoom = serializers.ChoiceField(
        choices=["season", "week", "day", "full"],
        default="season",
        required=False,
        help_text="season: the season view; week: adds each week's chart numbers; day: one day's sessions "
        "(with their steps and why each is there) and its week; full: every field.",
    )
    date = serializers.DateField(
        required=False, help_text="zoom=day (required there): a day of the plan, YYYY-MM-DD."
    )

    def validate(self, attrs):
        if attrs.get("zoom") == "day" and attrs.get("date") is None:
            raise serializers.ValidationError({"date": ["Give the day (YYYY-MM-DD) with zoom=day."]})
        return attrs


class PlanSummarySerializer(serializers.ModelSerializer):
    race_start_time = serializers.TimeField(format="%H:%M", read_only=True, allow_null=True)

    class Meta:
        model = TrainingPlan
        fields = [
            "id",
            "name",
            "goal_type",
            "target_event",
            "target_date",
            "target_time_s",
            "race_start_time",
            "start_date",
            "end_date",
            "duration_weeks",
            "status",
            "time_zone",
            "activated_at",
            "realigned_at",
            "generator_version",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class PlannedSessionSerializer(serializers.ModelSerializer):
    type = serializers.CharField(source="session_type", read_only=True)
    start_time_local = serializers.TimeField(format="%H:%M", allow_null=True, read_only=True)
    start_at = serializers.SerializerMethodField()
    purpose = serializers.CharField(read_only=True, help_text="Why this session is in the plan.")
    steps = SchemaFileJSONField(
        "training",
        "session_steps",
        item_component="WorkoutStep",
        read_only=True,
        help_text="The workout as a watch runs it, in order; run steps add up to the session's distance "
        "(cross-training steps are timed). Empty on rest days.",
    )
    compliance = SchemaFileJSONField(
        "training",
        "session_compliance",
        component="SessionCompliance",
        read_only=True,
        allow_null=True,
        help_text="How the run that completed the session compared with the plan (null until then).",
    )

    class Meta:
        model = PlannedSession
        fields = [
            "id",
            "plan_id",
            "date",
            "week_number",
            "type",
            "title",
            "description",
            "purpose",
            "target_distance_km",
            "target_duration_s",
            "target_pace_s_per_km",
            "is_key_session",
            "steps",
            "status",
            "compliance",
            "start_time_local",
            "start_at",
            "time_zone",
            "completed_at",
            "activity_id",
            "updated_at",
        ]
        read_only_fields = fields

    def get_start_at(self, obj) -> dt.datetime | None:
        return obj.start_at()


class PlanDaySerializer(serializers.Serializer):
    date = serializers.DateField()
    sessions = serializers.SerializerMethodField(help_text="The day's sessions (a rest day: its rest row).")

    @extend_schema_field(PlannedSessionSerializer(many=True))
    def get_sessions(self, obj) -> list:
        return PlannedSessionSerializer(obj["sessions"], many=True).data


class PlanDetailSerializer(PlanSummarySerializer):
    """``zoom=season``: the season view; ``week`` adds the weeks' chart numbers; ``day`` one day's
    sessions and its week (the plan's summary fields, ``day`` and ``week`` only); ``full`` every field.

    The documents below are present or not depending on ``zoom``, so none is required.
    """

    season_view = serializers.JSONField(required=False, help_text="The season view (every zoom).")
    runner_snapshot = serializers.JSONField(required=False, help_text="Radar axes and fitness (every zoom).")
    periodization_model = serializers.CharField(required=False)
    phases = serializers.JSONField(required=False)
    load_parameters = serializers.JSONField(required=False, help_text="zoom=full.")
    target_paces = serializers.JSONField(required=False)
    weekly_plan = serializers.JSONField(
        required=False, help_text="zoom=week: chart numbers; zoom=full: every field."
    )
    decisions = serializers.JSONField(required=False, help_text="zoom=full.")
    safeguard_applications = serializers.JSONField(required=False, help_text="zoom=full.")
    day = PlanDaySerializer(required=False, help_text="zoom=day: the day and its sessions.")
    week = SchemaFileJSONField(
        "training",
        "weekly_plan",
        item_only=True,
        component="PlanWeek",
        required=False,
        allow_null=True,
        help_text="zoom=day: the week of the weekly plan whose dates contain the day, with every field "
        "(null if the plan lists no week for it).",
    )

    class Meta(PlanSummarySerializer.Meta):
        fields = [
            *PlanSummarySerializer.Meta.fields,
            "day",
            "week",
            "season_view",
            "runner_snapshot",
            "periodization_model",
            "phases",
            "load_parameters",
            "target_paces",
            "weekly_plan",
            "decisions",
            "safeguard_applications",
        ]
        read_only_fields = fields

    WEEK_FIELDS = (
        "week_number",
        "week_start_date",
        "week_end_date",
        "phase_name",
        "phase_week_number",
        "volume_km",
        "intensity_score",
        "is_recovery_week",
        "week_label",
        "key_sessions",
        "easy_runs",
        "rest_days",
        "week_focus",
    )

    def to_representation(self, instance):
        zoom = self.context.get("zoom", "season")
        if zoom == "day":
            data = PlanSummarySerializer(instance).data
            data["day"] = PlanDaySerializer(self.context["day"]).data
            data["week"] = self.context.get("week")
            return data
        data = super().to_representation(instance)
        data.pop("day", None)
        data.pop("week", None)
        if zoom == "season":
            for name in ("weekly_plan", "decisions", "safeguard_applications"):
                data.pop(name)
        elif zoom == "week":
            data["weekly_plan"] = [
                {key: week[key] for key in self.WEEK_FIELDS if key in week} for week in instance.weekly_plan
            ]
            data.pop("safeguard_applications")
        return data


class ProgressionPointSerializer(serializers.Serializer):
    week = serializers.IntegerField()
    volume = serializers.FloatField(help_text="Planned km of the week.")
    actual = serializers.FloatField(
        allow_null=True,
        help_text="Km actually run in the week: every run recorded that week (matched to a session or not) "
        "and any other activity that completed one of the plan's sessions; skipped and missed sessions add "
        "nothing. The current week so far; null for a week that has not begun.",
    )
    intensity = serializers.IntegerField()
    recovery = serializers.BooleanField()
    label = serializers.CharField()


class RadarAxisSerializer(serializers.Serializer):
    label = serializers.CharField()
    value = serializers.IntegerField()
    uncertain = serializers.BooleanField()


class RadarSerializer(serializers.Serializer):
    axes = RadarAxisSerializer(many=True)


class DecisionSerializer(serializers.Serializer):
    category = serializers.CharField()
    decision = serializers.CharField()
    reasoning = serializers.CharField()
    alternatives = serializers.ListField(child=serializers.CharField(), required=False)
    knowledge_base_refs = serializers.ListField(child=serializers.CharField(), required=False)


class SafeguardApplicationSerializer(serializers.Serializer):
    safeguard_id = serializers.CharField()
    applied = serializers.BooleanField()
    week_number = serializers.IntegerField(required=False)
    original_value = serializers.FloatField(required=False)
    adjusted_value = serializers.FloatField(required=False)
    reason = serializers.CharField(required=False)


class DecisionsSerializer(serializers.Serializer):
    decisions = DecisionSerializer(many=True)
    safeguard_applications = SafeguardApplicationSerializer(many=True)


class SessionWeekQuerySerializer(serializers.Serializer):
    week = serializers.IntegerField(min_value=1, max_value=MAX_WEEKS, required=False)


class RealignSerializer(serializers.Serializer):
    reason = serializers.ChoiceField(choices=REALIGN_REASONS, default="manual")


class SessionMoveResultSerializer(PlannedSessionSerializer):
    warnings = serializers.SerializerMethodField(
        help_text="Why the new day may be a poor one (two hard sessions on consecutive days), each naming "
        "both sessions; empty when there is nothing to say. The move is made either way."
    )

    class Meta(PlannedSessionSerializer.Meta):
        fields = [*PlannedSessionSerializer.Meta.fields, "warnings"]
        read_only_fields = fields

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_warnings(self, obj) -> list[str]:
        return list(getattr(obj, "warnings", []))


class SessionMoveSerializer(serializers.Serializer):
    date = serializers.DateField(required=False)
    start_time_local = serializers.TimeField(
        required=False, allow_null=True, input_formats=["%H:%M", "%H:%M:%S"]
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"date": ["Give a date and/or a start_time_local."]})
        return attrs


class SessionActualsSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ActivityKind.choices, default=ActivityKind.RUN)
    started_at = serializers.DateTimeField(required=False)
    duration_s = serializers.IntegerField(min_value=1, max_value=7 * 24 * 3600)
    distance_m = serializers.IntegerField(min_value=0, max_value=1_000_000)
    avg_heart_rate = serializers.IntegerField(min_value=25, max_value=250, required=False, allow_null=True)
    perceived_effort = serializers.IntegerField(min_value=1, max_value=10, required=False, allow_null=True)


class SessionCompleteSerializer(serializers.Serializer):
    activity_id = serializers.IntegerField(required=False, min_value=1)
    actuals = SessionActualsSerializer(required=False)

    def validate(self, attrs):
        if ("activity_id" in attrs) == ("actuals" in attrs):
            raise serializers.ValidationError(
                {"non_field_errors": ["Give activity_id or actuals (one of them)."]}
            )
        return attrs


class SessionSkipSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, max_length=500, default="")


class CalendarSubscriptionSerializer(serializers.Serializer):
    url = serializers.CharField(help_text="Private: anyone with this URL sees your sessions.")
    webcal_url = serializers.CharField()
    created_at = serializers.DateTimeField()
