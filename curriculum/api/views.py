"""Curriculum API: curricula, enrolment, per-step ranked alternatives, coach status, history."""

from django.db.models import Count
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.operations import NOT_FOUND, Operation, OperationView
from config.idempotency import idempotent

from .. import selectors, services, shapes
from ..models import Enrollment, OutcomeEvent
from .serializers import (
    CoachStatusRequestSerializer,
    CoachStatusResultSerializer,
    CurriculumDetailSerializer,
    CurriculumListSerializer,
    EnrollmentSerializer,
    EnrollmentUpdateSerializer,
    EnrollRequestSerializer,
    HistoryEventSerializer,
    StepAlternativesSerializer,
)

BAD_INPUT = OpenApiResponse(description="Bad input: field errors.")
CONFLICT = OpenApiResponse(
    description="The step's state forbids it (step not open, not the current plan, "
    "enrollment completed, client_key reused); `code` says which."
)


class CurriculumListView(generics.ListAPIView):
    """Published curricula."""

    serializer_class = CurriculumListSerializer

    def get_queryset(self):
        return (
            selectors.curricula_visible(user=self.request.user)
            .annotate(step_count=Count("steps"))
            .order_by("title", "id")
        )


class CurriculumDetailView(generics.RetrieveAPIView):
    """A curriculum with its steps and their offered alternatives, and the learner trait schema."""

    serializer_class = CurriculumDetailSerializer
    lookup_field = "slug"

    def get_queryset(self):
        return selectors.curriculum_with_content(user=self.request.user)


class EnrollmentOperationView(OperationView):
    # An enrollment's change: it answers the enrollment with its state per step.

    object_name = "enrollment"
    output = EnrollmentSerializer
    bad_input = BAD_INPUT

    def present(self, operation, enrollment):
        user = self.request.user
        enrollment = get_object_or_404(selectors.enrollment_with_states(user=user), pk=enrollment.pk)
        return super().present(operation, enrollment)


class CurriculumEnrollView(EnrollmentOperationView):
    scope = staticmethod(lambda user: selectors.curricula_visible(user=user))
    lookup_url_kwarg = lookup_field = "slug"
    object_name = "curriculum"
    post = Operation(
        services.enrollment_get_or_create,
        input=EnrollRequestSerializer,
        status=status.HTTP_201_CREATED,
        created=True,
        responses={200: EnrollmentSerializer},
        idempotent=True,
        summary="Enroll in a curriculum (201), or get the active enrollment back (200)",
    )


class MyEnrollmentListView(generics.ListAPIView):
    """My curriculum enrollments, newest first."""

    serializer_class = EnrollmentSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Enrollment.objects.none()
        return selectors.enrollment_with_states(user=self.request.user)


class EnrollmentDetailView(EnrollmentOperationView, generics.RetrieveAPIView):
    """An enrollment: its state per step, the current step and its current alternative."""

    serializer_class = EnrollmentSerializer
    scope = staticmethod(lambda user: selectors.enrollments_for(user=user))

    def get_queryset(self):
        return selectors.enrollment_with_states(user=self.request.user)

    patch = Operation(
        services.enrollment_traits_update,
        input=EnrollmentUpdateSerializer,
        partial=True,
        summary="Change the learner's traits: re-validated, and plans are ranked with them from now on",
        description="`traits` replaces the learner's traits as a whole; a body without it changes nothing.",
        errors={
            400: OpenApiResponse(
                description="Bad input: `traits` not an object, or not valid against the "
                "curriculum's trait schema (the messages name the trait)."
            ),
            409: OpenApiResponse(description="The enrollment is completed (`enrollment_completed`)."),
        },
    )


class StepAlternativesView(APIView):
    @extend_schema(
        responses={200: StepAlternativesSerializer, 404: NOT_FOUND},
        summary="Every alternative of a step ranked for this learner (smart plan selection)",
    )
    def get(self, request, pk, order):
        result = selectors.step_alternatives_for(user=request.user, enrollment_id=pk, order=order)
        return Response(shapes.step_alternatives_data(result))


class CoachStatusView(APIView):
    @extend_schema(
        request=CoachStatusRequestSerializer,
        responses={
            201: CoachStatusResultSerializer,
            200: OpenApiResponse(CoachStatusResultSerializer, description="A retry with a known client_key."),
            400: BAD_INPUT,
            404: NOT_FOUND,
            409: CONFLICT,
        },
        summary="Report the outcome of a plan: SUCCESS, STOPPED or SWAPPED (with next_plan_id)",
    )
    @idempotent
    def post(self, request):
        serializer = CoachStatusRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        result = services.coach_status_record(
            user=request.user,
            enrollment=data["enrollment"],  # looked up among the user's own, under its lock
            step_order=data["step"],
            plan_id=data["plan_id"],
            outcome=data["outcome"],
            next_plan_id=data.get("next_plan_id") or None,
            reason=data.get("reason", ""),
            client_key=data.get("client_key", ""),
        )
        return Response(
            shapes.coach_status_data(result),
            status=status.HTTP_200_OK if result.replayed else status.HTTP_201_CREATED,
        )


class CoachStatusSlashView(CoachStatusView):
    """``/coach/status/``: the same endpoint with a trailing slash (not listed in the schema)."""

    @extend_schema(exclude=True)
    def post(self, request):
        return super().post(request)


class EnrollmentHistoryView(generics.ListAPIView):
    """Every attempt and swap of an enrollment, oldest first."""

    serializer_class = HistoryEventSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return OutcomeEvent.objects.none()
        enrollment = get_object_or_404(
            selectors.enrollments_for(user=self.request.user), pk=self.kwargs["pk"]
        )
        return selectors.enrollment_history(enrollment=enrollment)
