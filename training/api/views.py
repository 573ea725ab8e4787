"""Training API: runner profile, activities, VDOT tool, plans, planned sessions and calendars.

Every queryset is the requesting user's own, so another runner's plan, session or activity is a 404.
"""

from django.db.models import Prefetch
from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.operations import BAD_INPUT, NOT_FOUND, Operation, OperationView
from config.idempotency import idempotent

from .. import selectors, services
from ..calendar import build_calendar
from ..fit_workout import workout_file
from ..importers import max_file_bytes
from ..models import Activity, PlannedSession, TrainingPlan
from ..services.profiles import runner_profile_get
from . import serializers as s
from .uploads import BoundedUploadView

CONFLICT = OpenApiResponse(description="The object's state forbids it; `code` says which state.")


# --- runner profile -------------------------------------------------------------------------


class RunnerProfileView(APIView):
    @extend_schema(
        responses={200: s.RunnerProfileSerializer}, summary="Your runner profile (defaults until saved)"
    )
    def get(self, request):
        return Response(s.RunnerProfileSerializer(runner_profile_get(user=request.user)).data)

    @extend_schema(
        request=s.RunnerProfileSerializer,
        responses={200: s.RunnerProfileSerializer, 400: BAD_INPUT},
        summary="Create or replace your runner profile",
    )
    def put(self, request):
        serializer = s.RunnerProfileSerializer(
            instance=runner_profile_get(user=request.user), data=request.data
        )
        serializer.is_valid(raise_exception=True)
        profile = services.runner_profile_update(user=request.user, **serializer.to_service_kwargs())
        return Response(s.RunnerProfileSerializer(profile).data)


# --- activities -----------------------------------------------------------------------------


def activities_queryset(user):
    return selectors.activities_of(user=user).prefetch_related(
        Prefetch("planned_sessions", queryset=PlannedSession.objects.only("id", "activity_id"))
    )


class ActivityListCreateView(generics.GenericAPIView):
    serializer_class = s.ActivitySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return activities_queryset(self.request.user)

    @extend_schema(responses={200: s.ActivitySerializer(many=True)}, summary="Your activities, newest first")
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(s.ActivitySerializer(page, many=True).data)

    @extend_schema(
        request=s.ActivityCreateSerializer,
        responses={201: s.ActivitySerializer, 400: BAD_INPUT},
        summary="Record a run or ruck; it completes the session planned that day",
    )
    @idempotent
    def post(self, request):
        serializer = s.ActivityCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        activity = services.activity_record(user=request.user, source="api", **serializer.validated_data)
        activity = activities_queryset(request.user).get(pk=activity.pk)
        return Response(s.ActivitySerializer(activity).data, status=status.HTTP_201_CREATED)


class ActivityDetailView(generics.RetrieveAPIView):
    serializer_class = s.ActivitySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Activity.objects.none()
        return activities_queryset(self.request.user)

    @extend_schema(responses={200: s.ActivitySerializer, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ActivityImportView(BoundedUploadView, APIView):
    parser_classes = [MultiPartParser, FormParser]

    def upload_limit(self) -> int:
        return max_file_bytes()

    @extend_schema(
        request={"multipart/form-data": s.ActivityImportSerializer},
        responses={
            201: s.ActivityImportResultSerializer,
            200: OpenApiResponse(
                s.ActivityImportResultSerializer, description="This file was imported before."
            ),
            400: OpenApiResponse(
                description="Missing, corrupt, truncated or unsupported file; `file` says why."
            ),
            413: OpenApiResponse(
                description="The upload is larger than `ACTIVITY_IMPORT_MAX_BYTES` (checked from "
                "`Content-Length` before the body is read, and again while it streams): "
                '`{"detail", "code": "file_too_large"}`.'
            ),
        },
        summary="Import a GPX, TCX or FIT file; the same file is recorded once",
    )
    @idempotent
    def post(self, request):
        result = services.activity_import_file(
            user=request.user, file=self.bounded_file(request, s.ActivityImportSerializer)
        )
        activity = activities_queryset(request.user).get(pk=result.activity.pk)
        return Response(
            {
                "created": result.created,
                "activity": s.ActivitySerializer(activity).data,
                "warnings": list(result.warnings),
            },
            status=status.HTTP_201_CREATED if result.created else status.HTTP_200_OK,
        )


# --- tools ----------------------------------------------------------------------------------


class VdotToolView(APIView):
    @extend_schema(
        parameters=[s.VdotQuerySerializer],
        responses={
            200: s.VdotResultSerializer,
            400: OpenApiResponse(
                description="Bad input, or a distance and time no runner races (a VDOT outside 15-90): "
                "`time_s` says so."
            ),
        },
        summary="VDOT, training paces and race predictions from a race",
    )
    def get(self, request):
        query = s.VdotQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(s.VdotResultSerializer(selectors.vdot_from_result(**query.validated_data)).data)


# --- plans ----------------------------------------------------------------------------------


def light_plans(user):
    """The user's plans without their large documents (a status change or a list reads none)."""
    return selectors.plans_of(user=user).defer(*selectors.PLAN_LIST_DEFER)


def plan_for(request, pk) -> TrainingPlan:
    return get_object_or_404(light_plans(request.user), pk=pk)


class PlanListCreateView(generics.GenericAPIView):
    serializer_class = s.PlanSummarySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return TrainingPlan.objects.none()
        return selectors.plan_list(user=self.request.user)

    @extend_schema(
        parameters=[s.PlanListQuerySerializer],
        responses={200: s.PlanSummarySerializer(many=True), 400: BAD_INPUT},
        summary="Your training plans, newest first",
    )
    def get(self, request):
        query = s.PlanListQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.plan_list(user=request.user, **query.validated_data))
        return self.get_paginated_response(s.PlanSummarySerializer(page, many=True).data)

    @extend_schema(
        request=s.PlanCreateSerializer,
        responses={
            201: s.PlanDetailSerializer,
            400: BAD_INPUT,
            422: OpenApiResponse(
                s.GoalNotFeasibleSerializer,
                description="The goal does not fit (`code` goal_not_feasible): `reasons` say why, each of "
                "`options` is a request body that would be accepted as it is; "
                'or resend with "accept_risk": true.',
            ),
        },
        summary="Generate a plan (a draft) from your profile, activities and goal",
    )
    @idempotent
    def post(self, request):
        serializer = s.PlanCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        plan = services.plan_generate(user=request.user, **serializer.validated_data)
        return Response(
            s.PlanDetailSerializer(plan, context={"zoom": "full"}).data, status=status.HTTP_201_CREATED
        )


class PlanDetailView(APIView):
    @extend_schema(
        parameters=[s.PlanDetailQuerySerializer],
        responses={200: s.PlanDetailSerializer, 400: BAD_INPUT, 404: NOT_FOUND},
        summary="A plan at one zoom level: season, week, day or full",
        description="`zoom=day&date=YYYY-MM-DD` answers the plan's summary fields, `day` (the date and its "
        "sessions with their steps and purpose) and `week` (the week of the weekly plan containing the day); "
        "a missing date, or one outside the plan, is a 400 on `date`.",
    )
    def get(self, request, pk):
        query = s.PlanDetailQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        if query.validated_data["zoom"] == "day":
            day = selectors.plan_day_json(user=request.user, plan_id=pk, date=query.validated_data["date"])
            return Response(day)
        body = selectors.plan_detail_json(user=request.user, plan_id=pk, zoom=query.validated_data["zoom"])
        return HttpResponse(body, content_type="application/json")


class PlanProgressionView(APIView):
    @extend_schema(
        responses={200: s.ProgressionPointSerializer(many=True), 404: NOT_FOUND},
        summary="Weekly volume planned and actually run, and intensity, for the progression chart",
    )
    def get(self, request, pk):
        plan = get_object_or_404(
            selectors.plans_of(user=request.user).only("id", "user_id", "time_zone", "weekly_plan"), pk=pk
        )
        return Response(selectors.plan_progression(plan))


class PlanRadarView(APIView):
    @extend_schema(
        responses={200: s.RadarSerializer, 404: NOT_FOUND}, summary="The runner snapshot's radar axes"
    )
    def get(self, request, pk):
        plan = get_object_or_404(selectors.plans_of(user=request.user).only("id", "runner_snapshot"), pk=pk)
        return Response(selectors.plan_radar(plan))


class PlanDecisionsView(APIView):
    @extend_schema(
        responses={200: s.DecisionsSerializer, 404: NOT_FOUND},
        summary="The generator's decisions and safeguard applications",
    )
    def get(self, request, pk):
        plan = get_object_or_404(
            selectors.plans_of(user=request.user).only("id", "decisions", "safeguard_applications"), pk=pk
        )
        return Response({"decisions": plan.decisions, "safeguard_applications": plan.safeguard_applications})


class PlanSessionsView(generics.GenericAPIView):
    serializer_class = s.PlannedSessionSerializer
    pagination_class = None

    def get_queryset(self):
        return PlannedSession.objects.none()

    @extend_schema(
        parameters=[s.SessionWeekQuerySerializer],
        responses={200: s.PlannedSessionSerializer(many=True), 400: BAD_INPUT, 404: NOT_FOUND},
        summary="A plan's sessions, all or one week's (?week=N)",
    )
    def get(self, request, pk):
        query = s.SessionWeekQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        plan = plan_for(request, pk)
        sessions = selectors.plan_sessions(plan=plan, week=query.validated_data.get("week"))
        return Response(s.PlannedSessionSerializer(sessions, many=True).data)


class PlanTransitionView(OperationView):
    # A plan's status change: the plan's summary answers it; 409 when its state forbids it.

    scope = staticmethod(light_plans)
    object_name = "plan"
    output = s.PlanSummarySerializer
    errors = {409: CONFLICT}


def _transition(service, summary: str) -> Operation:
    return Operation(service, summary=summary, idempotent=True)


class PlanActivateView(PlanTransitionView):
    post = _transition(services.plan_activate, "Make the plan active (409 if another one is)")


class PlanPauseView(PlanTransitionView):
    post = _transition(services.plan_pause, "Pause the active plan")


class PlanAbandonView(PlanTransitionView):
    post = _transition(services.plan_abandon, "Abandon the plan")


class PlanCompleteView(PlanTransitionView):
    post = _transition(services.plan_complete, "Mark the plan completed")


class PlanRealignView(PlanTransitionView):
    scope = staticmethod(lambda user: selectors.plans_of(user=user))
    post = Operation(
        services.plan_realign,
        input=s.RealignSerializer,
        idempotent=True,
        summary="Regenerate the remaining weeks from today (illness, injury, missed sessions)",
    )


ICS_RESPONSE = OpenApiResponse(OpenApiTypes.BINARY, description="An RFC 5545 calendar (text/calendar).")


def ics_response(body: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response


class PlanCalendarView(APIView):
    @extend_schema(
        responses={(200, "text/calendar"): ICS_RESPONSE, 404: NOT_FOUND}, summary="The plan as a calendar"
    )
    def get(self, request, pk):
        plan = plan_for(request, pk)
        sessions = selectors.calendar_sessions(user=request.user, plan=plan)
        return ics_response(
            build_calendar(sessions, name=plan.name, host=request.get_host()), f"plan-{plan.pk}.ics"
        )


# --- planned sessions -----------------------------------------------------------------------


def sessions_of(user):
    return selectors.sessions_of(user=user)


class SessionOperationView(OperationView):
    # An operation on one of the user's planned sessions.

    scope = staticmethod(sessions_of)
    object_name = "session"
    output = s.PlannedSessionSerializer
    errors = {409: CONFLICT}


class PlanSessionDetailView(SessionOperationView):
    @extend_schema(responses={200: s.PlannedSessionSerializer, 404: NOT_FOUND})
    def get(self, request, pk):
        return Response(s.PlannedSessionSerializer(get_object_or_404(sessions_of(request.user), pk=pk)).data)

    patch = Operation(
        services.session_move,
        input=s.SessionMoveSerializer,
        output=s.SessionMoveResultSerializer,
        summary="Move a planned session within its week and/or change its start time",
        description="Every day of a plan holds one session, a rest day a rest session: a run moved onto a "
        "rest day swaps with it, and moving a rest session onto a planned run swaps them too. A move that "
        "puts two hard sessions (tempo, intervals, repetition, goal pace, hills, long run, race) on "
        "consecutive days is made, and `warnings` says so.",
        errors={
            400: OpenApiResponse(
                description="Bad input; `date` also when the day is outside the session's week, in the "
                "past, or already holds another run (planned, completed or missed): move that one first "
                "or pick a rest day."
            ),
            409: OpenApiResponse(
                description="`session_completed`, `session_missed` or `session_skipped`: only a planned "
                "session moves; `plan_completed` or `plan_abandoned`: the plan is over."
            ),
        },
    )


FIT_CONTENT_TYPE = "application/vnd.ant.fit"


class PlanSessionWorkoutView(APIView):
    @extend_schema(
        responses={
            (200, FIT_CONTENT_TYPE): OpenApiResponse(
                OpenApiTypes.BINARY,
                description="A FIT workout file (attachment): one workout step per step, repeat groups "
                "as repeat steps, distances as distance durations, pace ranges as custom speed targets.",
            ),
            404: NOT_FOUND,
            409: OpenApiResponse(
                description="`rest_day` or `cross_training`: the session is not a run, so it has no "
                "running workout; `no_workout`: it has neither a distance nor a duration."
            ),
        },
        summary="The session as a FIT workout file for a watch",
    )
    def get(self, request, pk):
        session = get_object_or_404(sessions_of(request.user), pk=pk)
        response = HttpResponse(workout_file(session), content_type=FIT_CONTENT_TYPE)
        response["Content-Disposition"] = (
            f'attachment; filename="workout-{session.date.isoformat()}-{session.session_type}.fit"'
        )
        return response


class PlanSessionCompleteView(SessionOperationView):
    post = Operation(
        services.session_complete,
        input=s.SessionCompleteSerializer,
        idempotent=True,
        summary="Complete a session with one of your activities or the actuals",
    )


class PlanSessionSkipView(SessionOperationView):
    post = Operation(
        services.session_skip,
        input=s.SessionSkipSerializer,
        idempotent=True,
        summary="Skip a planned session",
    )


# --- calendar subscription ------------------------------------------------------------------


def subscription_payload(request, subscription) -> dict:
    url = request.build_absolute_uri(reverse("api:training-calendar-feed", args=[subscription.token]))
    return {
        "url": url,
        "webcal_url": "webcal://" + url.split("://", 1)[1],
        "created_at": subscription.created_at,
    }


class CalendarSubscriptionView(APIView):
    @extend_schema(
        request=None,
        responses={200: s.CalendarSubscriptionSerializer},
        summary="Your private calendar feed URL (created on first call)",
    )
    def get(self, request):
        subscription = services.calendar_subscription_get_or_create(user=request.user)
        return Response(subscription_payload(request, subscription))

    @extend_schema(
        request=None,
        responses={201: s.CalendarSubscriptionSerializer},
        summary="A new feed URL; the old one stops working",
    )
    def post(self, request):
        subscription = services.calendar_subscription_rotate(user=request.user)
        return Response(subscription_payload(request, subscription), status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={204: OpenApiResponse(description="The feed URL is revoked.")})
    def delete(self, request):
        services.calendar_subscription_revoke(user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


class CalendarFeedView(APIView):
    """The subscription feed: the token in the path is the credential (calendar apps send no headers)."""

    authentication_classes = []
    permission_classes = [AllowAny]

    @extend_schema(
        auth=[],
        parameters=[OpenApiParameter("token", str, OpenApiParameter.PATH)],
        responses={
            (200, "text/calendar"): ICS_RESPONSE,
            404: OpenApiResponse(description="Unknown or revoked token."),
        },
        summary="Subscribed calendar feed of your active plan's sessions",
    )
    def get(self, request, token):
        from ..models import CalendarSubscription

        subscription = get_object_or_404(CalendarSubscription.objects.for_token(token).select_related("user"))
        sessions = selectors.calendar_sessions(user=subscription.user)
        return ics_response(
            build_calendar(sessions, name="Training", host=request.get_host()), "training.ics"
        )
