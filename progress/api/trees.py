"""A learner's progress trees and the next thing to do."""

from django.http import HttpResponse
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.params import MAX_ID, QueryIntegerField

from ..models import BlockState, NodeType
from ..selectors.next import next_item
from ..selectors.tree import progress_tree_json
from .locks import UnmetRuleSerializer


class NodeSerializer(serializers.Serializer):
    """Fields every node of a progress tree carries."""

    id = serializers.IntegerField()
    type = serializers.ChoiceField(choices=NodeType.choices)
    title = serializers.CharField()
    percent = serializers.FloatField()
    state = serializers.ChoiceField(choices=BlockState.choices)
    time_spent_s = serializers.FloatField()
    locked = serializers.BooleanField()
    required_total = serializers.IntegerField()
    required_done = serializers.IntegerField()
    mastered = serializers.IntegerField()
    optional_done = serializers.IntegerField()
    completed_at = serializers.DateTimeField(allow_null=True)
    last_activity_at = serializers.DateTimeField(allow_null=True)


class PageNodeSerializer(NodeSerializer):
    pass


class WodNodeSerializer(NodeSerializer):
    unmet = UnmetRuleSerializer(many=True)
    pages = PageNodeSerializer(many=True)


class CourseNodeSerializer(NodeSerializer):
    unmet = UnmetRuleSerializer(many=True)
    wods = WodNodeSerializer(many=True)


class ProgramNodeSerializer(NodeSerializer):
    courses = CourseNodeSerializer(many=True)


def tree_response(request, node_type, pk):
    body = progress_tree_json(user=request.user, node_type=node_type, node_id=pk)
    return HttpResponse(body, content_type="application/json")


NOT_FOUND = OpenApiResponse(description="Not a published node of the user's communities.")


class ProgramProgressView(APIView):
    @extend_schema(
        responses={200: ProgramNodeSerializer, 404: NOT_FOUND},
        summary="The user's progress tree of a program: courses > WODs > pages",
    )
    def get(self, request, pk: int):
        return tree_response(request, NodeType.PROGRAM, pk)


class CourseProgressView(APIView):
    @extend_schema(
        responses={200: CourseNodeSerializer, 404: NOT_FOUND},
        summary="The user's progress tree of a course: WODs > pages",
    )
    def get(self, request, pk: int):
        return tree_response(request, NodeType.COURSE, pk)


class WodProgressView(APIView):
    @extend_schema(
        responses={200: WodNodeSerializer, 404: NOT_FOUND},
        summary="The user's progress of a WOD (mission) and its pages",
    )
    def get(self, request, pk: int):
        return tree_response(request, NodeType.WOD, pk)


class RefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()


class NextBlockSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    type = serializers.CharField()
    title = serializers.CharField()
    required = serializers.BooleanField()


class NextSerializer(serializers.Serializer):
    program = RefSerializer(allow_null=True)
    course = RefSerializer(allow_null=True)
    wod = RefSerializer(allow_null=True)
    page = RefSerializer(allow_null=True)
    block = NextBlockSerializer(allow_null=True)
    wod_percent = serializers.FloatField(allow_null=True)


class NextQuerySerializer(serializers.Serializer):
    program = QueryIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Only within this program."
    )
    course = QueryIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Only within this course."
    )
    wod_id = QueryIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Only within this WOD."
    )
    mission_id = QueryIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Legacy name of wod_id."
    )


class NextView(APIView):
    @extend_schema(
        parameters=[NextQuerySerializer],
        responses={200: NextSerializer, 404: NOT_FOUND},
        summary="The next unlocked thing to do (all null when nothing is left)",
    )
    def get(self, request):
        query = NextQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        return Response(
            next_item(
                user=request.user,
                program_id=params.get("program"),
                course_id=params.get("course"),
                wod_id=params.get("wod_id") or params.get("mission_id"),
            )
        )
