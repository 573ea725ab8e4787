"""Enrolling in programs and courses: ``enrollments/programs/`` and ``enrollments/courses/``."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import generics, serializers, status

from config.api.operations import Operation, OperationView

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


class EnrollView(OperationView, generics.ListAPIView):
    # The user's enrollments of one kind (GET) and enrolling in one more (POST): the body names
    # the program or course (``lookup_input``), looked up among the user's communities' (404
    # otherwise).

    bad_input = None
    not_found = None

    def get_queryset(self):
        model = self.serializer_class.Meta.model
        if getattr(self, "swagger_fake_view", False):
            return model.objects.none()
        return model.objects.filter(
            user=self.request.user, community__memberships__user=self.request.user
        ).order_by("-enrolled_at", "-id")


def enroll(service, input, output, *, noun: str, errors=None) -> Operation:
    return Operation(
        service,
        input=input,
        output=output,
        status=status.HTTP_201_CREATED,
        created=True,
        responses={200: OpenApiResponse(output, description="Already enrolled: the enrollment.")},
        errors={
            404: OpenApiResponse(description=f"No such {noun} in the user's communities."),
            **(errors or {}),
        },
        idempotent=True,
        summary=f"Enroll in a {noun}",
    )


class ProgramEnrollmentView(EnrollView):
    """The user's program enrollments (GET) and enrolling in a program (POST)."""

    serializer_class = ProgramEnrollmentSerializer
    scope = staticmethod(content_selectors.programs_for)
    lookup_input = object_name = "program"
    post = enroll(program_enroll, ProgramEnrollRequest, ProgramEnrollmentSerializer, noun="program")


class CourseEnrollmentView(EnrollView):
    """The user's course enrollments (GET) and enrolling in a course (POST; 409 while locked)."""

    serializer_class = CourseEnrollmentSerializer
    scope = staticmethod(content_selectors.courses_for)
    lookup_input = object_name = "course"
    post = enroll(
        course_enroll,
        CourseEnrollRequest,
        CourseEnrollmentSerializer,
        noun="course",
        errors={409: LOCKED_RESPONSE},
    )
