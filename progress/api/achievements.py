"""``achievements/``: the user's earned and in-progress achievements, and earned ones as Open
Badges 3.0 credentials (``achievements/{id}/badge/``)."""

from django.http import Http404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import Achievement, AchievementType, CriterionType
from ..selectors.achievements import achievement_progress, achievements_for, earned_award, progress_percent
from ..selectors.badges import open_badge_credential


class CriterionProgressSerializer(serializers.Serializer):
    type = serializers.CharField(help_text="Criterion type: " + ", ".join(CriterionType.values) + ".")
    label = serializers.CharField(help_text="The criterion in words, e.g. 'Get 5 blocks completed'.")
    current = serializers.IntegerField()
    target = serializers.IntegerField()
    met = serializers.BooleanField()
    summary = serializers.CharField(help_text="'3 of 5'.")


class AchievementSerializer(serializers.ModelSerializer):
    kind = serializers.ChoiceField(source="achievement_type", choices=AchievementType.choices, read_only=True)
    badge_image = serializers.SerializerMethodField()
    earned = serializers.SerializerMethodField()
    earned_at = serializers.SerializerMethodField()
    progress = serializers.SerializerMethodField()
    percent = serializers.SerializerMethodField()

    class Meta:
        model = Achievement
        fields = [
            "id",
            "community",
            "name",
            "description",
            "kind",
            "points",
            "badge_image",
            "earned",
            "earned_at",
            "percent",
            "progress",
        ]
        read_only_fields = fields

    def _award(self, obj):
        awards = getattr(obj, "my_awards", [])
        return awards[0] if awards else None

    def get_badge_image(self, obj) -> str | None:
        if not obj.badge:
            return None
        request = self.context.get("request")
        return request.build_absolute_uri(obj.badge.url) if request else obj.badge.url

    def get_earned(self, obj) -> bool:
        award = self._award(obj)
        return bool(award and award.earned_at)

    def get_earned_at(self, obj) -> str | None:
        award = self._award(obj)
        return award.earned_at.isoformat() if award and award.earned_at else None

    @extend_schema_field(CriterionProgressSerializer(many=True))
    def get_progress(self, obj):
        if not hasattr(obj, "_progress_view"):
            obj._progress_view = achievement_progress(obj, self._award(obj))
        return obj._progress_view

    def get_percent(self, obj) -> float:
        return progress_percent(self.get_progress(obj))


class AchievementListView(generics.ListAPIView):
    """Active achievements of the user's communities with the user's progress on each."""

    serializer_class = AchievementSerializer
    queryset = Achievement.objects.none()

    def get_queryset(self):
        status = self.request.query_params.get("status")
        if status not in (None, "", "earned", "in_progress"):
            raise serializers.ValidationError({"status": ["Use earned or in_progress."]})
        return achievements_for(self.request.user, status=status or None)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                str,
                enum=["earned", "in_progress"],
                required=False,
                description="Only earned ones, or only the ones still in progress.",
            )
        ],
        summary="The user's achievements, earned and in progress",
        description=(
            "Every active achievement of the user's communities. `progress` has one entry per "
            'criterion (`current` of `target`, e.g. "3 of 5"); `earned_at` is set once every '
            "criterion is met. Progress moves when learning events that can affect it are recorded."
        ),
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class AchievementBadgeView(APIView):
    @extend_schema(
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT, description="A JSON-LD OpenBadgeCredential (Open Badges 3.0)."
            ),
            404: OpenApiResponse(description="Not an achievement the user has earned in their communities."),
        },
        summary="Export an earned achievement as an Open Badges 3.0 credential",
    )
    def get(self, request, pk: int):
        award = earned_award(request.user, pk)
        if award is None:
            raise Http404
        badge = award.achievement.badge
        image_url = request.build_absolute_uri(badge.url) if badge else None
        return Response(open_badge_credential(award, image_url=image_url))
