"""``/api/v1/auth/token/``: issue (POST) and revoke (DELETE) an API token.

Two throttles guard it: ``auth`` limits every request per client address, and
``LoginFailureThrottle`` refuses further attempts for a (client address, username) pair after
``AUTH_FAILURE_LIMIT`` wrong passwords within ``AUTH_FAILURE_WINDOW_S`` seconds. Both keep
their counters in the default cache, which is Redis when ``REDIS_URL`` is set.

If the cache cannot be reached, the address throttle lets requests through (like every other
throttle), but the failure counter cannot be read, and without it nothing stops password guessing:
sign-in answers 503 ``service_unavailable`` until the cache is back.
"""

import hashlib

from django.conf import settings
from django.contrib.auth import authenticate
from django.core.cache import cache
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import Throttled
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config.cache import CacheUnavailable, strict_get
from config.errors import Unavailable

from .authentication import CachedTokenAuthentication
from .schema import ErrorSerializer


class LoginFailureThrottle:
    """Counts wrong passwords per (client address, username); a fixed window in the cache."""

    def __init__(self, request, username):
        ident = f"{self.client_address(request)}|{(username or '').lower()}"
        self.key = "auth-failures:" + hashlib.sha256(ident.encode()).hexdigest()
        self.limit = settings.AUTH_FAILURE_LIMIT
        self.window = settings.AUTH_FAILURE_WINDOW_S

    @staticmethod
    def client_address(request):
        return request.META.get("REMOTE_ADDR", "")

    def check(self):
        try:
            failures = strict_get(self.key) or 0
        except CacheUnavailable as exc:
            raise Unavailable("Sign-in is unavailable for a moment; try again shortly.") from exc
        if failures >= self.limit:
            ttl = getattr(cache, "ttl", lambda key: None)(self.key)
            raise Throttled(
                wait=ttl if ttl and ttl > 0 else self.window,
                detail="Too many failed sign-in attempts. Try again later.",
            )

    def record_failure(self):
        # add() starts the window only once; incr() is atomic in Redis.
        cache.add(self.key, 0, timeout=self.window)
        try:
            cache.incr(self.key)
        except ValueError:  # expired between add and incr
            cache.set(self.key, 1, timeout=self.window)

    def reset(self):
        cache.delete(self.key)


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


TokenResponse = inline_serializer("TokenResponse", {"token": serializers.CharField()})


class AuthTokenView(APIView):
    authentication_classes = [CachedTokenAuthentication]
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponse,
            400: OpenApiResponse(description="Missing fields, or wrong username or password."),
            429: OpenApiResponse(description="Too many attempts."),
            503: OpenApiResponse(
                response=ErrorSerializer,
                description="`service_unavailable`: the database, or the cache that counts failed "
                "sign-ins, is unreachable; retry shortly.",
            ),
        },
        auth=[],
        summary="Exchange a username and password for an API token",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        username = serializer.validated_data["username"]
        failures = LoginFailureThrottle(request, username)
        failures.check()
        user = authenticate(
            request=request._request,
            username=username,
            password=serializer.validated_data["password"],
        )
        if user is None or not user.is_active:
            failures.record_failure()
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with the username and password given."]}
            )
        failures.reset()
        token, _ = Token.objects.get_or_create(user=user)
        return Response({"token": token.key}, status=status.HTTP_200_OK)

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="The token is revoked.")},
        summary="Revoke the token this request authenticates with",
    )
    def delete(self, request):
        Token.objects.filter(user=request.user).delete()
        return Response(status=status.HTTP_204_NO_CONTENT)
