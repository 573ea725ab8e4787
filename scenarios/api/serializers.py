from types import SimpleNamespace

from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from config.api.representation import representation
from config.api.schema_fields import RuleCharField, RuleIntegerField

from ..models import CefrLevel, Difficulty, Role, Scenario, ScenarioMetadata, UserScenarioProgress, Visibility
from ..scoring import trending_now
from ..selectors import DETAIL_ONLY_FIELDS, METADATA_COLUMNS, PROGRESS_COLUMNS, SCENARIO_COLUMNS, SORTS
from ..services import (
    MAX_NOTES_LENGTH,
    MAX_RATING,
    MAX_TIME_SPENT_S,
    MAX_VARIANT_ID_LENGTH,
    MIN_RATING,
    SCENARIO_CONTENT_FIELDS,
)


class ScenarioListQuerySerializer(serializers.Serializer):
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="trending")
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, required=False)
    cefr = serializers.ChoiceField(choices=CefrLevel.choices, required=False)
    q = serializers.CharField(required=False, max_length=100, help_text="Text in the title or description.")


# The values each list parameter accepts (the choices of ScenarioListQuerySerializer's fields).
_LIST_CHOICES = {
    name: frozenset(field.choices)
    for name, field in ScenarioListQuerySerializer().fields.items()
    if isinstance(field, serializers.ChoiceField)
}
_LIST_DEFAULT_SORT = ScenarioListQuerySerializer().fields["sort"].default


def scenario_list_query(query_params) -> dict:
    """``ScenarioListQuerySerializer``'s validated data for ``query_params``.

    A list request names a sort and filters among fixed choices; when each it names is one of
    them (and no text search is asked), that is the validated data, without building a serializer
    per request. Anything else goes through the serializer, which raises its field errors (400).
    """
    if "q" not in query_params:
        validated = {"sort": query_params.get("sort", _LIST_DEFAULT_SORT)}
        for name in _LIST_CHOICES:
            if name in query_params:
                validated[name] = query_params[name]
        if all(value in _LIST_CHOICES[name] for name, value in validated.items()):
            return validated
    query = ScenarioListQuerySerializer(data=query_params)
    query.is_valid(raise_exception=True)
    return dict(query.validated_data)


class MetadataSerializer(serializers.ModelSerializer):
    average_rating = serializers.FloatField(
        read_only=True, allow_null=True, help_text="null without ratings."
    )
    completion_rate = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Completions per attempt; null before the first attempt."
    )
    average_time_spent_s = serializers.FloatField(
        read_only=True, allow_null=True, help_text="Seconds per completion; null before the first completion."
    )
    bayesian_score = serializers.SerializerMethodField(
        help_text="The top-rated ranking key: (C·m + sum) / (m + count); null without ratings."
    )
    trending = serializers.SerializerMethodField(
        help_text="Attempts and completions decayed to now (recent events count about 1 each)."
    )

    class Meta:
        model = ScenarioMetadata
        # The stored columns, the trending score decayed to now.
        fields = [*(column for column in METADATA_COLUMNS if column != "trending_score"), "trending"]
        read_only_fields = fields

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_bayesian_score(self, obj) -> float | None:
        return obj.bayesian_score if obj.ratings_count else None

    @extend_schema_field(serializers.FloatField())
    def get_trending(self, obj) -> float:
        now = self.context.get("now") or timezone.now()
        return round(trending_now(obj.trending_score, now=now), 3)


class ProgressSerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="null while the user has never touched the scenario."
    )

    class Meta:
        model = UserScenarioProgress
        fields = [column for column in PROGRESS_COLUMNS if column != "scenario_id"]
        read_only_fields = fields


# The metadata of a scenario whose row is missing: what a new row holds.
NO_METADATA = SimpleNamespace(
    saved_count=0,
    times_used=0,
    attempts=0,
    average_rating=None,
    ratings_count=0,
    bayesian_score=None,
    completion_rate=None,
    average_time_spent_s=None,
    trending_score=0.0,
)


class ScenarioSummarySerializer(serializers.ModelSerializer):
    metadata = serializers.SerializerMethodField()
    my_progress = serializers.SerializerMethodField(
        help_text="The requesting user's progress; null when they never touched the scenario."
    )
    is_built_in = serializers.BooleanField(read_only=True)

    class Meta:
        model = Scenario
        # The list page's columns, whether it is built in instead of its creator.
        fields = [
            *(column for column in SCENARIO_COLUMNS if column not in ("created_by_id", "created_at")),
            "is_built_in",
            "created_at",
            "metadata",
            "my_progress",
        ]
        read_only_fields = fields

    @extend_schema_field(MetadataSerializer)
    def get_metadata(self, obj):
        metadata = getattr(obj, "metadata", None)  # missing row: RelatedObjectDoesNotExist
        return representation(MetadataSerializer)(metadata or NO_METADATA, self.context)

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_my_progress(self, obj):
        # The context maps scenario ids to the user's progress; a list row carries its own.
        by_scenario = self.context.get("progress_by_scenario")
        progress = getattr(obj, "my_progress", None) if by_scenario is None else by_scenario.get(obj.pk)
        return representation(ProgressSerializer)(progress, self.context) if progress is not None else None


class ScenarioDetailSerializer(ScenarioSummarySerializer):
    class Meta(ScenarioSummarySerializer.Meta):
        fields = [*ScenarioSummarySerializer.Meta.fields, *DETAIL_ONLY_FIELDS, "is_active", "updated_at"]
        read_only_fields = fields


class SimilarScenarioSerializer(ScenarioSummarySerializer):
    co_saves = serializers.IntegerField(read_only=True, help_text="Users who saved both.")

    class Meta(ScenarioSummarySerializer.Meta):
        fields = [*ScenarioSummarySerializer.Meta.fields, "co_saves"]
        read_only_fields = fields


class ScenarioCreateSerializer(serializers.ModelSerializer):
    visibility = serializers.ChoiceField(choices=Visibility.choices, default=Visibility.PRIVATE)

    class Meta:
        model = Scenario
        fields = [*SCENARIO_CONTENT_FIELDS, "visibility"]


class ScenarioStateSerializer(serializers.Serializer):
    """What an operation changed: the scenario's metadata and the user's progress."""

    scenario_id = serializers.IntegerField()
    metadata = MetadataSerializer()
    my_progress = ProgressSerializer()


# The operations' inputs check their shape; the bounds are the services' rules
# (scenarios/services.py), documented here.


class AttemptSerializer(serializers.Serializer):
    variant_id = RuleCharField(
        required=False,
        allow_blank=True,
        help_text="Experiment variant shown.",
        rule={"maxLength": MAX_VARIANT_ID_LENGTH},
    )


class CompletionSerializer(serializers.Serializer):
    time_spent_s = RuleIntegerField(rule={"maximum": MAX_TIME_SPENT_S, "minimum": 0})


class RatingSerializer(serializers.Serializer):
    rating = RuleIntegerField(rule={"maximum": MAX_RATING, "minimum": MIN_RATING})


class NotesSerializer(serializers.Serializer):
    notes = RuleCharField(allow_blank=True, trim_whitespace=False, rule={"maxLength": MAX_NOTES_LENGTH})


class MyScenariosQuerySerializer(serializers.Serializer):
    saved = serializers.BooleanField(required=False, allow_null=True, default=None)


class SavedScenarioCardSerializer(ScenarioSummarySerializer):
    class Meta(ScenarioSummarySerializer.Meta):
        fields = [name for name in ScenarioSummarySerializer.Meta.fields if name != "my_progress"]
        read_only_fields = fields


class MyScenarioSerializer(serializers.ModelSerializer):
    scenario = SavedScenarioCardSerializer(read_only=True)

    class Meta:
        model = UserScenarioProgress
        fields = [*ProgressSerializer.Meta.fields, "scenario"]
        read_only_fields = fields
