"""Communities and learning content, scoped to the learner's communities.

Another community's program, course or WOD is a 404. ``?mission_id=`` is accepted wherever
``?wod_id=`` is (older clients called WODs missions).
"""

import django_filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from config.api.params import IdFilter

from ..models import BLOCK_RULES, CompletionRule, Course, Difficulty, Program, Wod
from ..selectors import content as selectors


class CommunitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    slug = serializers.SlugField(read_only=True)
    description = serializers.CharField(read_only=True)
    role = serializers.SerializerMethodField()

    def get_role(self, obj) -> str | None:
        return self.context.get("roles", {}).get(obj.pk)


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    """The communities the user is a member of, with their role in each."""

    serializer_class = CommunitySerializer

    def get_queryset(self):
        return selectors.communities_for(self.request.user)

    def get_serializer_context(self):
        return {
            **super().get_serializer_context(),
            "roles": selectors.memberships_by_community(self.request.user),
        }


CONTENT_FIELDS = ["id", "community", "title", "description", "difficulty", "updated_at"]


class OrderedChildSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)


class PrerequisiteSerializer(serializers.Serializer):
    node_type = serializers.CharField(read_only=True)
    node_id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    min_percent = serializers.IntegerField(read_only=True, allow_null=True)
    require_mastered = serializers.BooleanField(read_only=True)


def prerequisites_of(obj) -> list[dict]:
    rules = []
    for rule in obj.prerequisites.all():
        required = rule.required_course or rule.required_wod
        rules.append(
            {
                "node_type": "course" if rule.required_course_id else "wod",
                "node_id": required.pk,
                "title": required.title,
                "min_percent": None if rule.require_mastered else rule.min_percent,
                "require_mastered": rule.require_mastered,
            }
        )
    return rules


class ProgramSerializer(serializers.ModelSerializer):
    class Meta:
        model = Program
        fields = [*CONTENT_FIELDS, "estimated_duration_hours", "certification_available"]
        read_only_fields = fields


class ProgramDetailSerializer(ProgramSerializer):
    courses = serializers.SerializerMethodField()

    class Meta(ProgramSerializer.Meta):
        fields = [*ProgramSerializer.Meta.fields, "courses"]
        read_only_fields = fields

    @extend_schema_field(OrderedChildSerializer(many=True))
    def get_courses(self, obj):
        return [
            {"id": link.course_id, "title": link.course.title, "order": link.order}
            for link in obj.published_links
        ]


class CourseSerializer(serializers.ModelSerializer):
    class Meta:
        model = Course
        fields = [
            *CONTENT_FIELDS,
            "estimated_duration_minutes",
            "certification_available",
            "prerequisite_mode",
        ]
        read_only_fields = fields


class CourseDetailSerializer(CourseSerializer):
    wods = serializers.SerializerMethodField()
    prerequisites = serializers.SerializerMethodField()

    class Meta(CourseSerializer.Meta):
        fields = [*CourseSerializer.Meta.fields, "wods", "prerequisites"]
        read_only_fields = fields

    @extend_schema_field(OrderedChildSerializer(many=True))
    def get_wods(self, obj):
        return [
            {"id": link.wod_id, "title": link.wod.title, "order": link.order} for link in obj.published_links
        ]

    @extend_schema_field(PrerequisiteSerializer(many=True))
    def get_prerequisites(self, obj):
        return prerequisites_of(obj)


class WodSerializer(serializers.ModelSerializer):
    categories = serializers.ListField(child=serializers.CharField(), read_only=True)

    class Meta:
        model = Wod
        fields = [*CONTENT_FIELDS, "duration_minutes", "categories", "prerequisite_mode"]
        read_only_fields = fields


class BlockSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    type = serializers.CharField(source="block_type", read_only=True)
    title = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)
    content = serializers.JSONField(read_only=True)
    required = serializers.BooleanField(read_only=True)
    completable = serializers.SerializerMethodField()
    completion_rule = serializers.CharField(read_only=True)

    def get_completable(self, obj) -> bool:
        return BLOCK_RULES[obj.block_type] != CompletionRule.NONE


class PageSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    title = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)
    blocks = BlockSerializer(many=True, read_only=True, source="published_blocks")


class WodDetailSerializer(WodSerializer):
    pages = PageSerializer(many=True, read_only=True, source="published_pages")
    prerequisites = serializers.SerializerMethodField()

    class Meta(WodSerializer.Meta):
        fields = [*WodSerializer.Meta.fields, "pages", "prerequisites"]
        read_only_fields = fields

    @extend_schema_field(PrerequisiteSerializer(many=True))
    def get_prerequisites(self, obj):
        return prerequisites_of(obj)


class ProgramFilter(django_filters.FilterSet):
    community = IdFilter(field_name="community_id")
    difficulty = django_filters.ChoiceFilter(choices=Difficulty.choices)

    class Meta:
        model = Program
        fields = ["community", "difficulty"]


class CourseFilter(ProgramFilter):
    program = IdFilter(field_name="programs", distinct=True)

    class Meta:
        model = Course
        fields = ["community", "difficulty", "program"]


class WodFilter(ProgramFilter):
    course = IdFilter(field_name="courses", distinct=True)
    category = django_filters.CharFilter(
        field_name="categories", lookup_expr="contains", method="filter_category"
    )
    wod_id = IdFilter(field_name="id", label="WOD id")
    mission_id = IdFilter(field_name="id", label="WOD id (legacy name)")

    class Meta:
        model = Wod
        fields = ["community", "difficulty", "course", "category", "wod_id", "mission_id"]

    def filter_category(self, queryset, name, value):
        return queryset.filter(categories__contains=[value])


class ProgramViewSet(viewsets.ReadOnlyModelViewSet):
    """Published programs of the user's communities; the detail lists its courses in order."""

    filterset_class = ProgramFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.programs_with_courses_for(self.request.user)
        return selectors.programs_for(self.request.user)

    def get_serializer_class(self):
        return ProgramDetailSerializer if self.action == "retrieve" else ProgramSerializer


class CourseViewSet(viewsets.ReadOnlyModelViewSet):
    """Published courses of the user's communities; the detail lists its WODs in order and its
    prerequisite rules."""

    filterset_class = CourseFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.courses_with_wods_for(self.request.user)
        return selectors.courses_for(self.request.user)

    def get_serializer_class(self):
        return CourseDetailSerializer if self.action == "retrieve" else CourseSerializer


class WodViewSet(viewsets.ReadOnlyModelViewSet):
    """Published WODs of the user's communities; the detail includes its pages and their
    blocks (type, content, required or optional, completable)."""

    filterset_class = WodFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.wods_with_pages_for(self.request.user)
        return selectors.wods_for(self.request.user)

    def get_serializer_class(self):
        return WodDetailSerializer if self.action == "retrieve" else WodSerializer
