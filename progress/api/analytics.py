"""Learning analytics.

* ``analytics/me/?period=weekly[&date=YYYY-MM-DD]``: the user's rows in each of their
  communities, with their percentile there, and a completion forecast per active program and
  course enrollment;
* ``analytics/communities/{id}/?period=weekly[&periods=12]``: the community's trends, for its
  instructors and admins (a learner of the community gets 403, anyone else 404).
"""

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.params import QueryIntegerField

from ..models import AnalyticsPeriod
from ..selectors.analytics import community_for_analytics, community_trends, my_analytics


class PeriodQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=AnalyticsPeriod.choices, default=AnalyticsPeriod.WEEKLY)
    date = serializers.DateField(
        required=False, help_text="Any day of the period. Default: the latest computed."
    )


class TrendsQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=AnalyticsPeriod.choices, default=AnalyticsPeriod.WEEKLY)
    periods = QueryIntegerField(min_value=1, max_value=104, default=12, help_text="How many periods back.")


class CommunityRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class MyRowSerializer(serializers.Serializer):
    community = CommunityRefSerializer()
    active_seconds = serializers.FloatField()
    active_hours = serializers.FloatField()
    events_count = serializers.IntegerField()
    active_days = serializers.IntegerField()
    blocks_completed = serializers.IntegerField()
    blocks_mastered = serializers.IntegerField()
    wods_completed = serializers.IntegerField()
    courses_completed = serializers.IntegerField()
    learning_velocity = serializers.FloatField(help_text="Blocks completed per day of the period.")
    engagement_score = serializers.FloatField(help_text="0-100.")
    streak_days = serializers.IntegerField()
    percentile = serializers.FloatField(
        help_text="Percentile rank of the engagement score in the community (0-100)."
    )
    learners = serializers.IntegerField(help_text="Members the percentile compares with.")
    computed_at = serializers.DateTimeField()


class ForecastSerializer(serializers.Serializer):
    type = serializers.ChoiceField(
        choices=[("program", "Program"), ("course", "Course")], help_text="What is enrolled in."
    )
    id = serializers.IntegerField(help_text="The program's or course's id.")
    title = serializers.CharField()
    program = serializers.IntegerField(allow_null=True, help_text="Set for a program enrollment.")
    course = serializers.IntegerField(allow_null=True, help_text="Set for a course enrollment.")
    course_title = serializers.CharField(allow_null=True)
    completion_percent = serializers.FloatField()
    required_total = serializers.IntegerField()
    required_done = serializers.IntegerField()
    remaining_blocks = serializers.IntegerField()
    velocity_blocks_per_day = serializers.FloatField()
    predicted_completion_date = serializers.DateField(
        allow_null=True, help_text="Null when the learner completed nothing recently."
    )


class MyAnalyticsSerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=AnalyticsPeriod.choices)
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    communities = MyRowSerializer(many=True)
    forecasts = ForecastSerializer(many=True)


class TrendPointSerializer(serializers.Serializer):
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    learners = serializers.IntegerField()
    active_learners = serializers.IntegerField()
    active_hours = serializers.FloatField()
    blocks_completed = serializers.IntegerField()
    wods_completed = serializers.IntegerField()
    courses_completed = serializers.IntegerField()
    avg_engagement = serializers.FloatField()
    avg_velocity = serializers.FloatField()
    avg_streak = serializers.FloatField()


class CommunityAnalyticsSerializer(serializers.Serializer):
    community = CommunityRefSerializer()
    period = serializers.ChoiceField(choices=AnalyticsPeriod.choices)
    series = TrendPointSerializer(many=True)


class MyAnalyticsView(APIView):
    @extend_schema(
        parameters=[PeriodQuerySerializer],
        responses={
            200: MyAnalyticsSerializer,
            400: OpenApiResponse(description="Unknown period or bad date."),
        },
        summary="The user's learning analytics, percentile and completion forecasts",
    )
    def get(self, request):
        query = PeriodQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period, day = query.validated_data["period"], query.validated_data.get("date")
        data = my_analytics(request.user, period=period, day=day)
        return Response(MyAnalyticsSerializer(data).data)


class CommunityAnalyticsView(APIView):
    @extend_schema(
        parameters=[TrendsQuerySerializer],
        responses={
            200: CommunityAnalyticsSerializer,
            400: OpenApiResponse(description="Unknown period or bad count."),
            403: OpenApiResponse(
                description="A learner of the community: only instructors and admins see it."
            ),
            404: OpenApiResponse(description="Not one of the user's communities."),
        },
        summary="A community's learning trends (its instructors and admins)",
    )
    def get(self, request, pk: int):
        community = community_for_analytics(request.user, pk)
        query = TrendsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        period = query.validated_data["period"]
        series = community_trends(pk, period=period, periods=query.validated_data["periods"])
        data = {"community": {"id": community.pk, "name": community.name}, "period": period, "series": series}
        return Response(CommunityAnalyticsSerializer(data).data)
