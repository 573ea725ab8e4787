from functools import partial
from zoneinfo import ZoneInfo

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.operations import Operation, OperationView
from config.idempotency import idempotent

from .. import selectors, services
from ..models import Notification
from .serializers import (
    DeviceSerializer,
    NotificationSerializer,
    PreferencesSerializer,
    PreferencesUpdateSerializer,
    ScheduledNotificationSerializer,
    SnoozeSerializer,
)

NOT_FOUND = OpenApiResponse(description="No such notification among yours.")


def preferences_data(user, prefs=None):
    prefs = prefs or selectors.preferences_get(user=user)
    active = selectors.has_active_plan(user=user)
    return PreferencesSerializer(
        {
            "time_zone": prefs.time_zone,
            "quiet_hours_start": prefs.quiet_hours_start,
            "quiet_hours_end": prefs.quiet_hours_end,
            "evening_brief_time": prefs.evening_brief_time,
            "morning_hype_lead_min": prefs.morning_hype_lead_min,
            "tone": prefs.tone,
            "categories": selectors.categories_of(prefs),
            "locked_categories": selectors.locked_categories(active_plan=active),
            "snoozed_until": prefs.snoozed_until,
            "daily_budget": prefs.daily_budget,
            "weather_location": prefs.weather_location,
        }
    ).data


class PreferencesView(APIView):
    @extend_schema(responses={200: PreferencesSerializer}, summary="My notification preferences")
    def get(self, request):
        return Response(preferences_data(request.user))

    @extend_schema(
        request=PreferencesUpdateSerializer,
        responses={
            200: PreferencesSerializer,
            400: OpenApiResponse(
                description="Unknown time zone, tone, kind or field, a malformed time (HH:MM), or switching "
                "off evening_brief, morning_hype or missed_follow_up while a plan is active (the message "
                "says why)."
            ),
        },
        summary="Change my notification preferences",
    )
    def patch(self, request):
        serializer = PreferencesUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prefs = services.preferences_update(user=request.user, **serializer.validated_data)
        return Response(preferences_data(request.user, prefs))


class SnoozeView(APIView):
    @extend_schema(
        request=SnoozeSerializer,
        responses={
            200: PreferencesSerializer,
            400: OpenApiResponse(description="until is in the past or more than 24 hours ahead."),
        },
        summary="Snooze every notification until a time (at most 24 hours)",
    )
    @idempotent
    def post(self, request):
        serializer = SnoozeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        prefs = services.snooze_set(user=request.user, until=serializer.validated_data["until"])
        return Response(preferences_data(request.user, prefs))


class DeviceCreateView(APIView):
    @extend_schema(
        request=DeviceSerializer,
        responses={
            201: DeviceSerializer,
            200: OpenApiResponse(DeviceSerializer, description="The token was already registered."),
            400: OpenApiResponse(description="Unknown platform or missing token."),
            409: OpenApiResponse(
                description="`device_token_taken`: the token is registered to another account, which "
                "keeps it (an app forgets its token with `DELETE /devices/{id}/` when signing out); or an "
                "`Idempotency-Key` conflict."
            ),
        },
        summary="Register a push token",
    )
    @idempotent
    def post(self, request):
        serializer = DeviceSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        device, created = services.device_register(user=request.user, **serializer.validated_data)
        return Response(
            DeviceSerializer(device).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


class DeviceDeleteView(APIView):
    @extend_schema(
        request=None,
        responses={204: None, 404: OpenApiResponse(description="No such device among yours.")},
        summary="Forget a push token",
    )
    def delete(self, request, pk):
        services.device_delete(user=request.user, device_id=pk)
        return Response(status=status.HTTP_204_NO_CONTENT)


class InboxView(generics.ListAPIView):
    serializer_class = NotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes to the user

    def get_queryset(self):
        return selectors.inbox(user=self.request.user)

    @extend_schema(summary="My sent notifications, newest first")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class ScheduledView(generics.ListAPIView):
    serializer_class = ScheduledNotificationSerializer
    queryset = Notification.objects.none()  # for the schema; get_queryset scopes to the user

    def get_queryset(self):
        return selectors.scheduled(user=self.request.user)

    def get_serializer_context(self):
        prefs = selectors.preferences_get(user=self.request.user)
        return {**super().get_serializer_context(), "zone": ZoneInfo(prefs.time_zone)}

    @extend_schema(summary="My upcoming notifications: kind, send_at (UTC), send_at_local, session, reason")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class NotificationEventView(OperationView):
    # A sent notification was opened or its action tapped: the service finds it among the user's.

    object_name = "notification"
    output = NotificationSerializer
    bad_input = None
    not_found = NOT_FOUND


def mark(event: str) -> Operation:
    return Operation(partial(services.notification_mark, event=event), summary=None, idempotent=True)


class NotificationOpenedView(NotificationEventView):
    post = mark("opened")


class NotificationClickedView(NotificationEventView):
    post = mark("clicked")
