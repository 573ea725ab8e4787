"""The OpenAPI schema generator: drf-spectacular's, plus what platform-wide mechanisms add.

A view method marked ``@idempotent`` (``config/idempotency.py``) gets the optional
``Idempotency-Key`` header and its 409/422 answers documented, so every client generator sees
the retry mechanism without each view repeating it.
"""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse
from rest_framework import serializers

from config.idempotency import HEADER, MAX_KEY_LENGTH, REPLAYED_HEADER


class ErrorSerializer(serializers.Serializer):
    """Every error but bad input: ``{"detail", "code"}``."""

    detail = serializers.CharField()
    code = serializers.CharField()


IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    name=HEADER,
    type=OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description=(
        f"Makes a retry safe: 1-{MAX_KEY_LENGTH} printable ASCII characters (e.g. a UUID) chosen by the "
        "client for this action. A retry with the same key gets the first answer again (with the "
        f"`{REPLAYED_HEADER}: true` header) instead of doing the work twice; keys are kept at least 24 hours."
    ),
)

IDEMPOTENCY_RESPONSES = {
    409: OpenApiResponse(
        ErrorSerializer,
        description="`idempotency_key_in_progress`: a request with this Idempotency-Key is still running; "
        "retry after `Retry-After` seconds (or another conflict the operation documents).",
    ),
    422: OpenApiResponse(
        ErrorSerializer,
        description="`idempotency_key_reused`: this Idempotency-Key was used with a different request.",
    ),
}


class PlatformAutoSchema(AutoSchema):
    def _handler(self):
        action = getattr(self.view, "action", None)
        return getattr(self.view, action or self.method.lower(), None)

    def is_idempotent(self) -> bool:
        return bool(getattr(self._handler(), "idempotent", False))

    def get_override_parameters(self):
        parameters = list(super().get_override_parameters())
        if self.is_idempotent():
            parameters.append(IDEMPOTENCY_KEY_PARAMETER)
        return parameters

    def _get_response_bodies(self, direction="response"):
        # Called after any @extend_schema override of the response serializers has been applied.
        responses = super()._get_response_bodies(direction)
        if direction == "response" and self.is_idempotent():
            for code, response in IDEMPOTENCY_RESPONSES.items():
                code = str(code)
                if code not in responses:
                    responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses
