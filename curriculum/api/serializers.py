from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import Alternative, Curriculum, Enrollment, Outcome, OutcomeEvent, Step
from ..selection import POLICIES
from ..selectors import enrollment_step_rows
from ..services import LEGACY_SKIPPED_INEFFECTIVE

# --- Content ---------------------------------------------------------------------------


class AlternativeSerializer(serializers.ModelSerializer):
    plan_id = serializers.CharField(source="code", read_only=True)
    designer_expected_success = serializers.FloatField(source="prior_success_rate", read_only=True)

    class Meta:
        model = Alternative
        fields = [
            "plan_id",
            "order",
            "title",
            "summary",
            "content",
            "match_rules",
            "designer_expected_success",
        ]
        read_only_fields = fields


class StepSerializer(serializers.ModelSerializer):
    alternatives = AlternativeSerializer(many=True, read_only=True)

    class Meta:
        model = Step
        fields = ["order", "title", "goal", "success_criteria", "alternatives"]
        read_only_fields = fields


class CurriculumListSerializer(serializers.ModelSerializer):
    step_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Curriculum
        fields = ["slug", "title", "description", "learner_noun", "published_at", "step_count"]
        read_only_fields = fields


class CurriculumDetailSerializer(serializers.ModelSerializer):
    steps = StepSerializer(many=True, read_only=True)
    trait_schema = serializers.JSONField(read_only=True, help_text="JSON Schema for the enrol traits.")

    class Meta:
        model = Curriculum
        fields = ["slug", "title", "description", "learner_noun", "published_at", "trait_schema", "steps"]
        read_only_fields = fields


# --- Enrollments ----------------------------------------------------------------------


@extend_schema_field({"type": "object", "additionalProperties": {}})
class TraitsField(serializers.JSONField):
    """The learner's traits: an object (checked against the curriculum's trait_schema by the
    service, whose messages name the trait)."""


class EnrollRequestSerializer(serializers.Serializer):
    traits = TraitsField(help_text="The learner's traits, valid against the curriculum's trait_schema.")


class EnrollmentUpdateSerializer(serializers.Serializer):
    traits = TraitsField(
        required=False,
        help_text="The learner's new traits, valid against the curriculum's trait_schema. They "
        "replace the old ones; rankings use them from now on, while outcomes already recorded "
        "keep the segment they were recorded under.",
    )


class EnrollmentStepStateSerializer(serializers.Serializer):
    order = serializers.IntegerField()
    title = serializers.CharField()
    state = serializers.ChoiceField(choices=["not_started", "in_progress", "stopped", "succeeded"])
    plan_id = serializers.CharField(allow_null=True, help_text="The step's current alternative.")
    metadata = serializers.JSONField(help_text='{"selected_alternative_id": "C", "reason": "ineffective"}')
    started_at = serializers.DateTimeField(allow_null=True)
    completed_at = serializers.DateTimeField(allow_null=True)


class EnrollmentSerializer(serializers.ModelSerializer):
    curriculum = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    curriculum_title = serializers.CharField(source="curriculum.title", read_only=True)
    segment = serializers.SerializerMethodField()
    current_step = serializers.IntegerField(
        source="current_step.order", read_only=True, allow_null=True, default=None
    )
    current_plan_id = serializers.SerializerMethodField()
    steps = serializers.SerializerMethodField()

    class Meta:
        model = Enrollment
        fields = [
            "id",
            "curriculum",
            "curriculum_title",
            "traits",
            "segment",
            "state",
            "current_step",
            "current_plan_id",
            "steps",
            "created_at",
            "completed_at",
        ]
        read_only_fields = fields

    def _rows(self, enrollment):
        if not hasattr(enrollment, "_step_rows"):
            enrollment._step_rows = enrollment_step_rows(enrollment=enrollment)
        return enrollment._step_rows

    def get_segment(self, enrollment) -> str:
        return enrollment.curriculum.segment_for(enrollment.traits) or "*"

    def get_current_plan_id(self, enrollment) -> str | None:
        for row in self._rows(enrollment):
            if enrollment.current_step and row["order"] == enrollment.current_step.order:
                return row["plan_id"]
        return None

    @extend_schema_field(EnrollmentStepStateSerializer(many=True))
    def get_steps(self, enrollment):
        return EnrollmentStepStateSerializer(self._rows(enrollment), many=True).data


class RankedAlternativeSerializer(serializers.Serializer):
    plan_id = serializers.CharField(source="alternative.code")
    title = serializers.CharField(source="alternative.title")
    summary = serializers.CharField(source="alternative.summary")
    content = serializers.JSONField(source="alternative.content")
    rank = serializers.IntegerField()
    recommended = serializers.BooleanField()
    expected_success = serializers.FloatField(help_text="Posterior mean success rate for this learner (0-1).")
    segment = serializers.CharField(help_text='The learner\'s trait segment ("*" = all learners).')
    successes = serializers.IntegerField(help_text="Successes in the learner's segment.")
    attempts = serializers.IntegerField(help_text="Counted attempts in the learner's segment.")
    overall_successes = serializers.IntegerField()
    overall_attempts = serializers.IntegerField()
    reason = serializers.CharField(help_text="Why it ranks here, in words.")
    tried_without_success = serializers.BooleanField()
    failed_attempts = serializers.IntegerField()
    excluded = serializers.BooleanField(help_text="The alternative's match rules exclude this learner.")
    is_current = serializers.BooleanField()
    selection_score = serializers.FloatField(
        help_text="What the ranking orders suitable plans by under the curriculum's policy: the "
        "expected success (greedy), plus an optimism bonus (ucb), or a draw from the posterior "
        "(thompson, the same for the same learner and step)."
    )
    exploring = serializers.BooleanField(
        help_text="Suggested to learn whether it works better: ranked above a plan with a higher "
        "expected success because it has little evidence yet."
    )


class SwitchToSerializer(serializers.Serializer):
    plan_id = serializers.CharField(source="alternative.code", help_text="Send it as next_plan_id.")
    title = serializers.CharField(source="alternative.title")
    reason = serializers.CharField(help_text="Why this plan, in words.")


class StepAlternativesSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(source="enrollment.pk")
    step = serializers.IntegerField(source="step.order")
    step_title = serializers.CharField(source="step.title")
    segment = serializers.CharField()
    policy = serializers.ChoiceField(
        choices=list(POLICIES), help_text="The selection policy that ranked the plans."
    )
    current_plan_id = serializers.SerializerMethodField()
    switch_to = SwitchToSerializer(
        allow_null=True,
        help_text="While the learner is on a plan that has not succeeded: the plan to switch to if "
        "it does not work (never the current plan; a valid next_plan_id for SWAPPED). Null when "
        "the step has succeeded, has not started, or no other suitable untried plan is left.",
    )
    alternatives = RankedAlternativeSerializer(many=True)

    def get_current_plan_id(self, obj) -> str | None:
        state = obj.state
        return state.current_alternative.code if state and state.current_alternative else None


# --- Coach status ---------------------------------------------------------------------

OUTCOME_SCHEMA = {
    "oneOf": [
        {
            "type": "string",
            "enum": [choice for choice, _ in Outcome.choices],
            "description": "SUCCESS completes the step; STOPPED keeps it open (a failed attempt); "
            "SWAPPED switches to next_plan_id.",
        },
        {
            "type": "string",
            "enum": [LEGACY_SKIPPED_INEFFECTIVE],
            "deprecated": True,
            "description": "Legacy: SWAPPED to the next plan in designer order with reason 'ineffective'.",
        },
    ]
}


@extend_schema_field(OUTCOME_SCHEMA)
class OutcomeField(serializers.ChoiceField):
    pass


@extend_schema_field(
    {
        "oneOf": [{"type": "string", "enum": [LEGACY_SKIPPED_INEFFECTIVE], "deprecated": True}],
        "deprecated": True,
        "description": "Legacy training status, accepted instead of outcome: SKIPPED_INEFFECTIVE "
        "means SWAPPED to the next plan in designer order with reason 'ineffective'.",
    }
)
class LegacyStatusField(serializers.ChoiceField):
    pass


class CoachStatusRequestSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(min_value=1, help_text="Enrollment id.")
    step = serializers.IntegerField(min_value=1, help_text="Step order (1-based).")
    plan_id = serializers.CharField(max_length=16, help_text='The plan the learner was on, e.g. "A".')
    outcome = OutcomeField(
        choices=[choice for choice, _ in Outcome.choices] + [LEGACY_SKIPPED_INEFFECTIVE], required=False
    )
    status = LegacyStatusField(choices=[LEGACY_SKIPPED_INEFFECTIVE], required=False)
    next_plan_id = serializers.CharField(
        max_length=16,
        required=False,
        allow_null=True,
        allow_blank=True,
        help_text="Required with SWAPPED: another plan of the same step.",
    )
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    client_key = serializers.CharField(
        max_length=64,
        required=False,
        allow_blank=True,
        default="",
        help_text="Optional idempotency key: a retry with the same key returns the recorded result.",
    )

    def validate(self, attrs):
        outcome, status = attrs.get("outcome"), attrs.get("status")
        if not outcome and not status:
            raise serializers.ValidationError({"outcome": ["This field is required."]})
        if outcome and status and outcome != status:
            raise serializers.ValidationError(
                {"status": ["Send either outcome or the legacy status, not both."]}
            )
        attrs["outcome"] = outcome or status
        return attrs


class HistoryEventSerializer(serializers.ModelSerializer):
    step = serializers.IntegerField(source="step.order", read_only=True)
    plan_id = serializers.CharField(source="alternative.code", read_only=True)
    next_plan_id = serializers.CharField(
        source="next_alternative.code", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = OutcomeEvent
        fields = [
            "id",
            "step",
            "plan_id",
            "outcome",
            "next_plan_id",
            "reason",
            "legacy_status",
            "segment",
            "counted",
            "client_key",
            "created_at",
        ]
        read_only_fields = fields


class CoachStatusResultSerializer(serializers.Serializer):
    enrollment = serializers.IntegerField(source="enrollment.pk")
    step = serializers.IntegerField(source="state.step.order")
    state = serializers.CharField(source="state.state", help_text="in_progress, stopped or succeeded")
    plan_id = serializers.CharField(source="state.current_alternative.code", allow_null=True, default=None)
    metadata = serializers.JSONField(source="state.metadata")
    enrollment_state = serializers.CharField(source="enrollment.state")
    current_step = serializers.IntegerField(
        source="enrollment.current_step.order", allow_null=True, default=None
    )
    replayed = serializers.BooleanField(help_text="True when this answers a retry with a known client_key.")
    event = HistoryEventSerializer()
