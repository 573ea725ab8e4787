from datetime import datetime
from types import SimpleNamespace

from django.utils import timezone
from django.utils.functional import cached_property
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from ..models import CefrLevel, Difficulty, Role, Scenario, ScenarioMetadata, UserScenarioProgress, Visibility
from ..scoring import trending_now
from ..selectors import METADATA_COLUMNS, PROGRESS_COLUMNS, SORTS
from ..services import MAX_NOTES_LENGTH, MAX_TIME_SPENT_S, SCENARIO_CONTENT_FIELDS


class ScenarioListQuerySerializer(serializers.Serializer):
    sort = serializers.ChoiceField(choices=list(SORTS), required=False, default="trending")
    role = serializers.ChoiceField(choices=Role.choices, required=False)
    difficulty = serializers.ChoiceField(choices=Difficulty.choices, required=False)
    cefr = serializers.ChoiceField(choices=CefrLevel.choices, required=False)
    q = serializers.CharField(required=False, max_length=100, help_text="Text in the title or description.")


_DATETIME = serializers.DateTimeField()


def plain_representation(obj, names, computed=None):
    """Fields read straight off a model instance or a ``values()`` row (what ModelSerializer
    gives for plain columns, choices and JSON), without DRF's per-field machinery, which
    dominates list latency."""
    computed = computed or {}
    read = obj.__getitem__ if isinstance(obj, dict) else obj.__getattribute__
    data = {}
    for name in names:
        if name in computed:
            data[name] = computed[name](obj)
            continue
        value = read(name)
        data[name] = _DATETIME.to_representation(value) if isinstance(value, datetime) else value
    return data


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
        fields = [
            "saved_count",
            "times_used",
            "attempts",
            "average_rating",
            "ratings_count",
            "bayesian_score",
            "completion_rate",
            "average_time_spent_s",
            "trending",
        ]
        read_only_fields = fields

    def to_representation(self, obj):
        # Hand-written for speed: lists serialize 50 of these per request.
        return {
            "saved_count": obj.saved_count,
            "times_used": obj.times_used,
            "attempts": obj.attempts,
            "average_rating": obj.average_rating,
            "ratings_count": obj.ratings_count,
            "bayesian_score": self.get_bayesian_score(obj),
            "completion_rate": obj.completion_rate,
            "average_time_spent_s": obj.average_time_spent_s,
            "trending": self.get_trending(obj),
        }

    @extend_schema_field(serializers.FloatField(allow_null=True))
    def get_bayesian_score(self, obj) -> float | None:
        return obj.bayesian_score if obj.ratings_count else None

    @extend_schema_field(serializers.FloatField())
    def get_trending(self, obj) -> float:
        now = self.context.get("now") or timezone.now()
        return round(trending_now(obj.trending_score, now=now), 3)


EMPTY_METADATA = {
    "saved_count": 0,
    "times_used": 0,
    "attempts": 0,
    "average_rating": None,
    "ratings_count": 0,
    "bayesian_score": None,
    "completion_rate": None,
    "average_time_spent_s": None,
    "trending": 0.0,
}


class ProgressSerializer(serializers.ModelSerializer):
    updated_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="null while the user has never touched the scenario."
    )

    class Meta:
        model = UserScenarioProgress
        fields = [column for column in PROGRESS_COLUMNS if column != "scenario_id"]
        read_only_fields = fields

    def to_representation(self, obj):
        return plain_representation(obj, self.Meta.fields)


class ScenarioSummarySerializer(serializers.ModelSerializer):
    metadata = serializers.SerializerMethodField()
    my_progress = serializers.SerializerMethodField(
        help_text="The requesting user's progress; null when they never touched the scenario."
    )
    is_built_in = serializers.BooleanField(read_only=True)

    class Meta:
        model = Scenario
        fields = [
            "id",
            "slug",
            "title",
            "description",
            "role",
            "difficulty",
            "difficulty_rating",
            "cefr_level",
            "visibility",
            "is_built_in",
            "created_at",
            "metadata",
            "my_progress",
        ]
        read_only_fields = fields

    def to_representation(self, obj):
        """From a Scenario with its metadata, or from a row of ``selectors.scenario_list_rows``."""
        computed = {"metadata": self.get_metadata, "my_progress": self.get_my_progress}
        if isinstance(obj, dict):
            computed["is_built_in"] = lambda row: row["created_by_id"] is None
        return plain_representation(obj, self.Meta.fields, computed)

    # One nested serializer per list, not per row: building a serializer's fields is the
    # expensive part of DRF, and a list serializer reuses this child for every row.
    @cached_property
    def _metadata_serializer(self):
        return MetadataSerializer(context=self.context)

    @cached_property
    def _progress_serializer(self):
        return ProgressSerializer(context=self.context)

    @extend_schema_field(MetadataSerializer)
    def get_metadata(self, obj):
        if isinstance(obj, dict):
            metadata = SimpleNamespace(**{name: obj[f"metadata__{name}"] for name in METADATA_COLUMNS})
        else:
            metadata = getattr(obj, "metadata", None)  # missing row: RelatedObjectDoesNotExist
        if metadata is None:
            return dict(EMPTY_METADATA)
        return self._metadata_serializer.to_representation(metadata)

    @extend_schema_field(ProgressSerializer(allow_null=True))
    def get_my_progress(self, obj):
        if isinstance(obj, dict) and "my_progress__id" in obj:  # joined in (scenario_list_rows)
            if obj["my_progress__id"] is None:
                return None
            progress = {name: obj[f"my_progress__{name}"] for name in ProgressSerializer.Meta.fields}
            return self._progress_serializer.to_representation(progress)
        progress_map = self.context.get("progress_by_scenario")
        if progress_map is None:
            return None
        progress = progress_map.get(obj["id"] if isinstance(obj, dict) else obj.pk)
        return self._progress_serializer.to_representation(progress) if progress else None


class ScenarioDetailSerializer(ScenarioSummarySerializer):
    class Meta(ScenarioSummarySerializer.Meta):
        fields = [
            *ScenarioSummarySerializer.Meta.fields,
            "instructions",
            "context",
            "expected_outcome",
            "learning_goal",
            "learning_objectives",
            "persona",
            "comfort_indicators",
            "cefr_recommendation",
            "is_active",
            "updated_at",
        ]
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


class AttemptSerializer(serializers.Serializer):
    variant_id = serializers.CharField(
        required=False, allow_blank=True, max_length=64, help_text="Experiment variant shown."
    )


class CompletionSerializer(serializers.Serializer):
    time_spent_s = serializers.IntegerField(min_value=0, max_value=MAX_TIME_SPENT_S)


class RatingSerializer(serializers.Serializer):
    rating = serializers.IntegerField(min_value=1, max_value=5)


class NotesSerializer(serializers.Serializer):
    notes = serializers.CharField(allow_blank=True, max_length=MAX_NOTES_LENGTH, trim_whitespace=False)


class MyScenariosQuerySerializer(serializers.Serializer):
    saved = serializers.BooleanField(required=False, allow_null=True, default=None)


class SavedScenarioCardSerializer(ScenarioSummarySerializer):
    class Meta(ScenarioSummarySerializer.Meta):
        fields = [f for f in ScenarioSummarySerializer.Meta.fields if f != "my_progress"]
        read_only_fields = fields


class MyScenarioSerializer(serializers.ModelSerializer):
    scenario = SavedScenarioCardSerializer(read_only=True)

    class Meta:
        model = UserScenarioProgress
        fields = [*ProgressSerializer.Meta.fields, "scenario"]
        read_only_fields = fields
