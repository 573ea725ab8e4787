"""The 409 answer for a locked course or WOD."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers, status

from config.api.exceptions import error_response


class UnmetRuleSerializer(serializers.Serializer):
    node_type = serializers.CharField()
    node_id = serializers.IntegerField()
    title = serializers.CharField()
    min_percent = serializers.IntegerField(allow_null=True)
    require_mastered = serializers.BooleanField()
    percent = serializers.FloatField()
    state = serializers.CharField()


class LockedNodeSerializer(serializers.Serializer):
    node_type = serializers.CharField()
    node_id = serializers.IntegerField()
    title = serializers.CharField()


class LockedSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    locked = LockedNodeSerializer()
    unmet = UnmetRuleSerializer(many=True)


LOCKED_RESPONSE = OpenApiResponse(LockedSerializer, description="Locked: the prerequisite rules not yet met.")


def locked_response(locked):
    return error_response(
        f"{locked.title} is locked until its prerequisites are met.",
        code="locked",
        status_code=status.HTTP_409_CONFLICT,
        **locked.as_payload(),
    )
