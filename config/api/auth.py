"""``/api/v1/auth/``: sign in for an API token, sign out.

* ``POST auth/token/`` ``{"username", "password"}`` → ``{"token", "expiry"}``: a new token on every
  sign-in (django-rest-knox: only its digest is stored, so it is shown this once). ``DELETE`` on
  the same path, or ``POST auth/logout/``, ends the token the request authenticates with;
  ``POST auth/logoutall/`` ends every token of the user.
* The sign-in policy is the one every door shares (``config/signin.py``): wrong passwords lock the
  username and the client address out for a cool-off, the right password included, answered as a
  429 ``locked_out``. The ``auth`` throttle also limits every request per client address.
"""

from django.contrib.auth import authenticate, user_logged_in, user_logged_out
from drf_spectacular.utils import OpenApiResponse, extend_schema
from knox.models import AuthToken
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from config import services
from config.signin import SignInLocked

from .schema import ErrorSerializer


class TokenRequestSerializer(serializers.Serializer):
    username = serializers.CharField(max_length=150)
    password = serializers.CharField(max_length=128, trim_whitespace=False, style={"input_type": "password"})


class TokenResponseSerializer(serializers.Serializer):
    token = serializers.CharField(
        help_text="Send it as `Authorization: Token <token>`; shown only this once."
    )
    expiry = serializers.DateTimeField(
        allow_null=True,
        help_text="When the token expires unless used again; each use moves it on, up to a maximum age.",
    )


SIGNED_OUT = OpenApiResponse(description="The token is ended.")


def end_token(request) -> None:
    """End the token the request authenticated with (a session sign-in has none)."""
    if isinstance(request.auth, AuthToken):
        services.api_token_revoke(token=request.auth)
        user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)


class AuthTokenView(APIView):
    throttle_classes = [ScopedRateThrottle]
    throttle_scope = "auth"

    def get_permissions(self):
        if self.request.method == "DELETE":
            return [IsAuthenticated()]
        return [AllowAny()]

    def get_authenticators(self):
        # Signing in needs no credentials; a stale token sent along must not turn it into a 401.
        if self.request is not None and self.request.method == "POST":
            return []
        return super().get_authenticators()

    @extend_schema(
        request=TokenRequestSerializer,
        responses={
            200: TokenResponseSerializer,
            400: OpenApiResponse(description="Missing fields, or wrong username or password."),
            429: OpenApiResponse(
                response=ErrorSerializer,
                description="`locked_out`: too many wrong passwords for this username or from this "
                "address; refused, the right password included, until the cool-off ends "
                "(`Retry-After` seconds). Or `throttled`: too many requests from this address.",
            ),
            503: OpenApiResponse(
                response=ErrorSerializer,
                description="`service_unavailable`: the database is unreachable; retry shortly.",
            ),
        },
        auth=[],
        summary="Exchange a username and password for a new API token",
    )
    def post(self, request):
        serializer = TokenRequestSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(
            request=request._request,
            username=serializer.validated_data["username"],
            password=serializer.validated_data["password"],
        )
        if getattr(request._request, "axes_locked_out", False):
            raise SignInLocked()
        if user is None or not user.is_active:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to sign in with the username and password given."]}
            )
        instance, token = services.api_token_issue(user=user)
        # Records the sign-in (last login, the admin's access log) and clears this address's failures.
        user_logged_in.send(sender=user.__class__, request=request._request, user=user)
        return Response(TokenResponseSerializer({"token": token, "expiry": instance.expiry}).data)

    @extend_schema(
        request=None,
        responses={204: SIGNED_OUT},
        summary="End the token this request authenticates with (same as POST auth/logout/)",
    )
    def delete(self, request):
        end_token(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={204: SIGNED_OUT}, summary="Sign out: end this token")
    def post(self, request):
        end_token(request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class LogoutAllView(APIView):
    permission_classes = [IsAuthenticated]

    @extend_schema(
        request=None,
        responses={204: OpenApiResponse(description="Every token of the user is ended.")},
        summary="Sign out everywhere: end every token of the user",
    )
    def post(self, request):
        services.api_tokens_revoke_all(user_id=request.user.pk)
        user_logged_out.send(sender=request.user.__class__, request=request._request, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)
