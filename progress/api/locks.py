"""The documented 409 body for a locked course or WOD (raised as ``config.errors.Locked``)."""

from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers


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
