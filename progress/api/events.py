"""``POST progress/events/``: one learning event, or a batch of up to 500."""

from datetime import datetime

from django.conf import settings
from django.utils import timezone
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.idempotency import idempotent

from ..models import BlockState, ProgressVerb
from ..services import events_ingest
from .locks import LOCKED_RESPONSE

VERBS = frozenset(ProgressVerb.values)


class EventListSerializer(serializers.ListSerializer):
    """A batch's errors as the API gives them: one message list for the batch itself, or one
    entry per event (``{}`` for a valid one)."""

    def to_internal_value(self, data):
        if not isinstance(data, list):
            raise serializers.ValidationError(["Expected a list of events."])
        if not data:
            raise serializers.ValidationError(["Send at least one event."])
        if len(data) > self.max_length:
            raise serializers.ValidationError(
                [f"Ensure this field has no more than {self.max_length} elements."]
            )
        values, errors = [], []
        for item in data:
            try:
                values.append(self.child.run_validation(item))
                errors.append({})
            except serializers.ValidationError as exc:
                errors.append(exc.detail)
        if any(errors):
            raise serializers.ValidationError(errors)
        return values


class EventSerializer(serializers.Serializer):
    """One learning event: documents the payload and validates it."""

    default_error_messages = {"invalid": "Expected an object."}

    block = serializers.IntegerField(min_value=1)
    event = serializers.ChoiceField(choices=ProgressVerb.choices)
    time_spent_s = serializers.FloatField(min_value=0, max_value=86400, default=0)
    score = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    progress = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    occurred_at = serializers.DateTimeField(
        error_messages={"invalid": "Datetime has wrong format. Use ISO 8601, e.g. 2026-01-31T12:00:00Z."}
    )
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

    class Meta:
        list_serializer_class = EventListSerializer

    def validate(self, attrs):
        wod_id, mission_id = attrs.pop("wod_id", None), attrs.pop("mission_id", None)
        if wod_id and mission_id and wod_id != mission_id:
            raise serializers.ValidationError({"mission_id": ["mission_id and wod_id name different WODs."]})
        attrs["wod"] = wod_id or mission_id
        return attrs


_OPTIONAL_FLOATS = ("score", "progress")
_OPTIONAL_RATINGS = ("difficulty_rating", "confidence_level")


def _unit(value) -> float | None:
    """A score or progress that is certainly valid, as ``FloatField(0..1)`` returns it; else None."""
    kind = type(value)
    if (kind is float or kind is int) and 0 <= value <= 1:
        return float(value)
    return None


_INVALID = object()  # a value the fast path cannot vouch for: the serializer takes the event


def _identity(item: dict, tz) -> tuple | None:
    """``(block, event, idempotency_key, occurred_at)`` when each is certainly valid, else None."""
    get = item.get
    block, verb, key, when = get("block"), get("event"), get("idempotency_key"), get("occurred_at")
    if type(block) is not int or block < 1 or type(verb) is not str or verb not in VERBS:
        return None
    if type(key) is not str or not 0 < len(key) <= 100 or not key.isascii() or not key.isprintable():
        return None
    if key.strip() != key or type(when) is not str:
        return None
    try:
        occurred = datetime.fromisoformat(when)
        if occurred.utcoffset() is None:
            return None  # naive: the serializer makes it aware (or explains why it cannot)
        occurred = occurred.astimezone(tz or timezone.get_current_timezone())
    except (ValueError, OverflowError):
        return None
    return block, verb, key, occurred


def _time_spent(item: dict):
    """``time_spent_s`` as the serializer gives it (0 when absent), or ``_INVALID``."""
    spent = item.get("time_spent_s", 0)
    if "time_spent_s" in item:
        kind = type(spent)
        if not ((kind is float or kind is int) and 0 <= spent <= 86400):
            return _INVALID
        spent = float(spent)
    return spent


def _unit_or_invalid(raw):
    value = _unit(raw) if raw is not None else None
    return _INVALID if value is None and raw is not None else value


def _rating_or_invalid(raw):
    return _INVALID if raw is not None and (type(raw) is not int or not 1 <= raw <= 5) else raw


def _interaction_or_invalid(raw):
    if raw is None:
        return None
    if type(raw) is not dict:
        return _INVALID
    return {str(k): v for k, v in raw.items()}


def _present(item: dict, names: tuple[str, ...], convert) -> dict | None:
    """The optional fields ``names`` the item has, converted; None when one is invalid."""
    values = {}
    for name in names:
        if name in item:
            value = convert(item[name])
            if value is _INVALID:
                return None
            values[name] = value
    return values


def _wod(item: dict):
    """``validate``'s ``wod`` from ``wod_id`` or its legacy name ``mission_id``, or ``_INVALID``."""
    wod_id, mission_id = item.get("wod_id"), item.get("mission_id")
    for raw in (wod_id, mission_id):
        if raw is not None and (type(raw) is not int or raw < 1):
            return _INVALID
    if wod_id and mission_id and wod_id != mission_id:
        return _INVALID
    return wod_id or mission_id


def fast_event(item, tz=None) -> dict | None:
    """``EventSerializer``'s validated data for an event that is certainly valid, else None.

    The serializer stays the definition of an event and of every error message: this accepts
    only the plain JSON shapes a client sends (exact types, known verb, values in range, an ISO
    8601 time with its offset) and builds exactly the values the serializer would (its fields'
    coercions, ``validate``'s ``wod``); anything else (a string for a number, a naive time,
    whitespace around a key ...) returns None and goes through the serializer.
    ``tests/progress/test_event_input.py`` checks both agree on valid and invalid events.
    """
    if type(item) is not dict:
        return None
    identity = _identity(item, tz)
    if identity is None:
        return None
    block, verb, key, occurred = identity
    spent = _time_spent(item)
    scores = _present(item, _OPTIONAL_FLOATS, _unit_or_invalid)
    wod = _wod(item)
    ratings = _present(item, _OPTIONAL_RATINGS, _rating_or_invalid)
    interaction = _present(item, ("interaction_data",), _interaction_or_invalid)
    if spent is _INVALID or wod is _INVALID or scores is None or ratings is None or interaction is None:
        return None
    return {
        "block": block,
        "event": verb,
        "time_spent_s": spent,
        **scores,
        "occurred_at": occurred,
        "idempotency_key": key,
        **ratings,
        **interaction,
        "wod": wod,
    }


def fast_events(data) -> list[dict] | None:
    """``EventBatchSerializer``'s validated events when every one is certainly valid (see
    ``fast_event``), else None."""
    if type(data) is not list or not 0 < len(data) <= settings.PROGRESS_EVENTS_MAX_BATCH:
        return None
    tz = timezone.get_current_timezone()
    values = []
    for item in data:
        value = fast_event(item, tz)
        if value is None:
            return None
        values.append(value)
    return values


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
            event = fast_event(request.data)
            if event is None:
                single = EventSerializer(data=request.data)
                single.is_valid(raise_exception=True)
                event = single.validated_data
            events = [event]
        else:
            events = fast_events(payload["events"]) if type(payload) is dict else None
            if events is None:
                batch = EventBatchSerializer(data=payload)
                batch.is_valid(raise_exception=True)
                events = batch.validated_data["events"]
        result = events_ingest(user=request.user, events=events)
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
