"""``POST progress/events/``: one learning event, or a batch of up to 500."""

from datetime import UTC

from django.conf import settings
from django.utils.dateparse import parse_datetime
from django.utils.timezone import is_aware, make_aware
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response
from rest_framework.views import APIView

from config.idempotency import idempotent

from ..models import BlockState, ProgressVerb
from ..services import LockedError, events_ingest
from .locks import LOCKED_RESPONSE, locked_response

VERBS = frozenset(ProgressVerb.values)


class EventSerializer(serializers.Serializer):
    """One learning event (documents the payload; ``parse_event`` validates it)."""

    block = serializers.IntegerField(min_value=1)
    event = serializers.ChoiceField(choices=ProgressVerb.choices)
    time_spent_s = serializers.FloatField(min_value=0, max_value=86400, default=0)
    score = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    progress = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    occurred_at = serializers.DateTimeField()
    idempotency_key = serializers.CharField(max_length=100)
    wod_id = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Optional check."
    )
    mission_id = serializers.IntegerField(
        min_value=1, required=False, allow_null=True, help_text="Legacy name of wod_id."
    )
    difficulty_rating = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    confidence_level = serializers.IntegerField(min_value=1, max_value=5, required=False, allow_null=True)
    interaction_data = serializers.DictField(required=False, allow_null=True)

    def validate(self, attrs):
        wod_id, mission_id = attrs.pop("wod_id", None), attrs.pop("mission_id", None)
        if wod_id and mission_id and wod_id != mission_id:
            raise serializers.ValidationError({"mission_id": ["mission_id and wod_id name different WODs."]})
        attrs["wod"] = wod_id or mission_id
        return attrs


def _number(value, *, low, high):
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        raise ValueError("A valid number is required.")
    try:
        number = float(value)
    except ValueError:
        raise ValueError("A valid number is required.") from None
    if number != number or number in (float("inf"), float("-inf")):
        raise ValueError("A valid number is required.")
    if number < low:
        raise ValueError(f"Ensure this value is greater than or equal to {low}.")
    if number > high:
        raise ValueError(f"Ensure this value is less than or equal to {high}.")
    return number


def _integer(value, *, low, high=None):
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise ValueError("A valid integer is required.")
    try:
        number = int(value)
    except ValueError:
        raise ValueError("A valid integer is required.") from None
    if number < low:
        raise ValueError(f"Ensure this value is greater than or equal to {low}.")
    if high is not None and number > high:
        raise ValueError(f"Ensure this value is less than or equal to {high}.")
    return number


def parse_event(raw) -> tuple[dict | None, dict]:
    """Validate one event like ``EventSerializer`` would, without its per-field machinery
    (a request carries up to 500 events). Returns (values, errors)."""
    if not isinstance(raw, dict):
        return None, {"non_field_errors": ["Expected an object."]}
    errors: dict[str, list[str]] = {}
    values: dict = {}

    def check(name, parse, *, required=False, default=None, nullable=True):
        if name not in raw or (raw[name] is None and nullable and not required):
            if required:
                errors[name] = ["This field is required."]
            values[name] = default
            return
        if raw[name] is None:
            errors[name] = ["This field may not be null."]
            return
        try:
            values[name] = parse(raw[name])
        except ValueError as exc:
            errors[name] = [str(exc)]

    def verb(value):
        if value not in VERBS:
            raise ValueError(f'"{value}" is not a valid choice.')
        return value

    def when(value):
        parsed = parse_datetime(value) if isinstance(value, str) else None
        if parsed is None:
            raise ValueError("Datetime has wrong format. Use ISO 8601, e.g. 2026-01-31T12:00:00Z.")
        return parsed if is_aware(parsed) else make_aware(parsed, UTC)

    def key(value):
        if not isinstance(value, str) or not value.strip():
            raise ValueError("This field may not be blank.")
        if len(value) > 100:
            raise ValueError("Ensure this field has no more than 100 characters.")
        return value

    def data(value):
        if not isinstance(value, dict):
            raise ValueError("Expected a dictionary of items.")
        return value

    check("block", lambda v: _integer(v, low=1), required=True)
    check("event", verb, required=True)
    check("time_spent_s", lambda v: _number(v, low=0, high=86400), default=0)
    check("score", lambda v: _number(v, low=0, high=1))
    check("progress", lambda v: _number(v, low=0, high=1))
    check("occurred_at", when, required=True)
    check("idempotency_key", key, required=True)
    check("wod_id", lambda v: _integer(v, low=1))
    check("mission_id", lambda v: _integer(v, low=1))
    check("difficulty_rating", lambda v: _integer(v, low=1, high=5))
    check("confidence_level", lambda v: _integer(v, low=1, high=5))
    check("interaction_data", data)
    if errors:
        return None, errors
    wod_id, mission_id = values.pop("wod_id"), values.pop("mission_id")
    if wod_id and mission_id and wod_id != mission_id:
        return None, {"mission_id": ["mission_id and wod_id name different WODs."]}
    values["wod"] = wod_id or mission_id
    return values, {}


class EventBatchSerializer(serializers.Serializer):
    events = EventSerializer(many=True, min_length=1, max_length=settings.PROGRESS_EVENTS_MAX_BATCH)


class EventOutcomeSerializer(serializers.Serializer):
    idempotency_key = serializers.CharField()
    block = serializers.IntegerField(allow_null=True)
    state = serializers.ChoiceField(choices=BlockState.choices)
    replayed = serializers.BooleanField()


class NodeIdsSerializer(serializers.Serializer):
    page = serializers.ListField(child=serializers.IntegerField(), required=False)
    wod = serializers.ListField(child=serializers.IntegerField(), required=False)
    course = serializers.ListField(child=serializers.IntegerField(), required=False)
    program = serializers.ListField(child=serializers.IntegerField(), required=False)


class EarnedAchievementSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    points = serializers.IntegerField()


class EarnedMilestoneSerializer(serializers.Serializer):
    milestone = serializers.IntegerField()
    course = serializers.IntegerField()
    points = serializers.IntegerField()


class IssuedCertificateSerializer(serializers.Serializer):
    verification_id = serializers.UUIDField()
    course = serializers.IntegerField()
    course_title = serializers.CharField()


class EarnedSerializer(serializers.Serializer):
    achievements = EarnedAchievementSerializer(many=True)
    milestones = EarnedMilestoneSerializer(many=True)
    certificates = IssuedCertificateSerializer(many=True)


def earned_with(result) -> dict:
    """What this batch earned: achievements, course milestones and certificates."""
    awards = getattr(result, "awards", None)
    if awards is None:
        return {"achievements": [], "milestones": [], "certificates": []}
    return {
        "achievements": [
            {"id": o.achievement.pk, "name": o.achievement.name, "points": o.achievement.points}
            for o in awards.earned
        ],
        "milestones": [
            {"milestone": m.milestone_id, "course": m.course_id, "points": m.points}
            for m in awards.milestones
        ],
        "certificates": [
            {"verification_id": c.verification_id, "course": c.course_id, "course_title": c.course_title}
            for c in awards.certificates
        ],
    }


class IngestResponseSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    replayed = serializers.IntegerField()
    results = EventOutcomeSerializer(many=True)
    changed_blocks = serializers.ListField(child=serializers.IntegerField())
    completed = NodeIdsSerializer(help_text="Nodes that became completed with these events.")
    mastered = NodeIdsSerializer(help_text="Nodes that became mastered with these events.")
    earned = EarnedSerializer(help_text="Achievements, milestones and certificates these events earned.")


EventRequest = PolymorphicProxySerializer(
    component_name="ProgressEventRequest",
    serializers=[EventSerializer, EventBatchSerializer],
    resource_type_field_name=None,
)


class ProgressEventsView(APIView):
    @staticmethod
    def parse_batch(raw) -> list[dict]:
        limit = settings.PROGRESS_EVENTS_MAX_BATCH
        if not isinstance(raw, list):
            raise ValidationError({"events": ["Expected a list of events."]})
        if not raw:
            raise ValidationError({"events": ["Send at least one event."]})
        if len(raw) > limit:
            raise ValidationError({"events": [f"Ensure this field has no more than {limit} elements."]})
        parsed = [parse_event(item) for item in raw]
        if any(errors for _, errors in parsed):
            raise ValidationError({"events": [errors for _, errors in parsed]})
        return [values for values, _ in parsed]

    @extend_schema(
        request=EventRequest,
        responses={
            200: IngestResponseSerializer,
            400: OpenApiResponse(description="Bad input: unknown block, over 500 events, negative time..."),
            409: LOCKED_RESPONSE,
        },
        summary="Record one learning event or a batch",
        description=(
            'Send one event object, or `{"events": [...]}` with up to 500. Events whose '
            "`idempotency_key` was already recorded are no-ops (`replayed`). A batch is applied "
            "atomically: one bad event rejects the whole batch. `mission_id` is accepted as the "
            "legacy name of `wod_id`."
        ),
    )
    @idempotent
    def post(self, request):
        if isinstance(request.data, list):
            payload = {"events": request.data}
        elif isinstance(request.data, dict) and "events" in request.data:
            payload = request.data
        else:
            payload = None
        if payload is None:
            event, errors = parse_event(request.data)
            if errors:
                raise ValidationError(errors)
            events = [event]
        else:
            events = self.parse_batch(payload.get("events"))
        try:
            result = events_ingest(user=request.user, events=events)
        except LockedError as locked:
            return locked_response(locked)
        return Response(
            {
                "accepted": result.accepted,
                "replayed": result.replayed,
                "results": [
                    {
                        "idempotency_key": o.idempotency_key,
                        "block": o.block,
                        "state": o.state,
                        "replayed": o.replayed,
                    }
                    for o in result.outcomes
                ],
                "changed_blocks": result.changed_block_ids,
                "completed": result.completed_nodes,
                "mastered": result.mastered_nodes,
                "earned": earned_with(result),
            }
        )
