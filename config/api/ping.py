"""``GET /api/v1/ping/``: the cheapest authenticated read, the benchmarks' floor.

It goes through everything every API request pays for (middleware, token authentication,
permission check, a serializer, the JSON renderer) and reads one row, the user's own; so a
client can check its token, and the benchmarks measure every endpoint as a ratio to it.
"""

from django.contrib.auth import get_user_model
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView


class PingSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True)


class PingView(APIView):
    @extend_schema(
        responses={
            200: PingSerializer,
            401: OpenApiResponse(description="No valid token or session."),
        },
        summary="The authenticated user's id and username (checks a token; the benchmarks' floor)",
    )
    def get(self, request):
        row = get_user_model().objects.values("id", "username").get(pk=request.user.pk)
        return Response(PingSerializer(row).data)
