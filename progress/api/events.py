"""``POST progress/events/``: one learning event, or a batch of up to 500."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, PolymorphicProxySerializer, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from ..models import BlockState, ProgressVerb
from ..services import LockedError, events_ingest
from .locks import LOCKED_RESPONSE, locked_response


class EventSerializer(serializers.Serializer):
    block = serializers.IntegerField(min_value=1)
    event = serializers.ChoiceField(choices=ProgressVerb.choices)
    time_spent_s = serializers.FloatField(min_value=0, max_value=86400, default=0)
    score = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    progress = serializers.FloatField(min_value=0, max_value=1, required=False, allow_null=True)
    occurred_at = serializers.DateTimeField()
    idempotency_key = serializers.CharField(max_length=100)
    wod_id = serializers.IntegerField(min_value=1, required=False, allow_null=True, help_text="Optional check.")
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


class IngestResponseSerializer(serializers.Serializer):
    accepted = serializers.IntegerField()
    replayed = serializers.IntegerField()
    results = EventOutcomeSerializer(many=True)
    changed_blocks = serializers.ListField(child=serializers.IntegerField())
    completed = NodeIdsSerializer(help_text="Nodes that became completed with these events.")
    mastered = NodeIdsSerializer(help_text="Nodes that became mastered with these events.")


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
            "Send one event object, or `{\"events\": [...]}` with up to 500. Events whose "
            "`idempotency_key` was already recorded are no-ops (`replayed`). A batch is applied "
            "atomically: one bad event rejects the whole batch. `mission_id` is accepted as the "
            "legacy name of `wod_id`."
        ),
    )
    def post(self, request):
        if isinstance(request.data, list):
            payload = {"events": request.data}
        elif isinstance(request.data, dict) and "events" in request.data:
            payload = request.data
        else:
            payload = None
        if payload is None:
            data = EventSerializer(data=request.data)
            data.is_valid(raise_exception=True)
            events = [data.validated_data]
        else:
            data = EventBatchSerializer(data=payload)
            data.is_valid(raise_exception=True)
            events = data.validated_data["events"]
        try:
            result = events_ingest(user=request.user, events=events)
        except LockedError as locked:
            return locked_response(locked)
        return Response(
            {
                "accepted": result.accepted,
                "replayed": result.replayed,
                "results": [
                    {"idempotency_key": o.idempotency_key, "block": o.block, "state": o.state, "replayed": o.replayed}
                    for o in result.outcomes
                ],
                "changed_blocks": result.changed_block_ids,
                "completed": result.completed_nodes,
                "mastered": result.mastered_nodes,
            }
        )
