"""Enrolling in programs and courses: ``enrollments/programs/`` and ``enrollments/courses/``."""

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.response import Response

from config.idempotency import idempotent

from ..models import CourseEnrollment, ProgramEnrollment
from ..selectors import content as content_selectors
from ..services import course_enroll, program_enroll
from .locks import LOCKED_RESPONSE

ENROLLMENT_FIELDS = [
    "id",
    "registration",
    "community",
    "status",
    "completion_percent",
    "enrolled_at",
    "completed_at",
    "certificate_issued_at",
]


class ProgramEnrollmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = ProgramEnrollment
        fields = [*ENROLLMENT_FIELDS, "program", "current_course"]
        read_only_fields = fields


class CourseEnrollmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = CourseEnrollment
        fields = [*ENROLLMENT_FIELDS, "course", "program_enrollment", "current_wod"]
        read_only_fields = fields


class ProgramEnrollRequest(serializers.Serializer):
    program = serializers.IntegerField(min_value=1)


class CourseEnrollRequest(serializers.Serializer):
    course = serializers.IntegerField(min_value=1)


class ProgramEnrollmentView(generics.ListAPIView):
    """The user's program enrollments (GET) and enrolling in a program (POST)."""

    serializer_class = ProgramEnrollmentSerializer
    queryset = ProgramEnrollment.objects.none()

    def get_queryset(self):
        return ProgramEnrollment.objects.filter(
            user=self.request.user, community__memberships__user=self.request.user
        ).order_by("-enrolled_at", "-id")

    @extend_schema(
        request=ProgramEnrollRequest,
        responses={
            201: ProgramEnrollmentSerializer,
            200: OpenApiResponse(
                ProgramEnrollmentSerializer, description="Already enrolled: the enrollment."
            ),
            404: OpenApiResponse(description="No such program in the user's communities."),
        },
        summary="Enroll in a program",
    )
    @idempotent
    def post(self, request):
        data = ProgramEnrollRequest(data=request.data)
        data.is_valid(raise_exception=True)
        program = get_object_or_404(
            content_selectors.programs_for(request.user), pk=data.validated_data["program"]
        )
        enrollment, created = program_enroll(user=request.user, program=program)
        return Response(
            ProgramEnrollmentSerializer(enrollment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class CourseEnrollmentView(generics.ListAPIView):
    """The user's course enrollments (GET) and enrolling in a course (POST; 409 while locked)."""

    serializer_class = CourseEnrollmentSerializer
    queryset = CourseEnrollment.objects.none()

    def get_queryset(self):
        return CourseEnrollment.objects.filter(
            user=self.request.user, community__memberships__user=self.request.user
        ).order_by("-enrolled_at", "-id")

    @extend_schema(
        request=CourseEnrollRequest,
        responses={
            201: CourseEnrollmentSerializer,
            200: OpenApiResponse(CourseEnrollmentSerializer, description="Already enrolled: the enrollment."),
            404: OpenApiResponse(description="No such course in the user's communities."),
            409: LOCKED_RESPONSE,
        },
        summary="Enroll in a course",
    )
    @idempotent
    def post(self, request):
        data = CourseEnrollRequest(data=request.data)
        data.is_valid(raise_exception=True)
        course = get_object_or_404(
            content_selectors.courses_for(request.user), pk=data.validated_data["course"]
        )
        enrollment, created = course_enroll(user=request.user, course=course)
        return Response(
            CourseEnrollmentSerializer(enrollment).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
