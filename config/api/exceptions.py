"""One error shape for the whole API.

* Bad input is a 400 whose body maps each field to its messages
  (``{"rating": ["Ensure this value is less than or equal to 5."]}``); errors that belong to
  no single field are under ``non_field_errors``.
* Every other error is ``{"detail": "...", "code": "..."}`` with its status (401, 403, 404,
  409, 429 ...).

The database being unreachable (``OperationalError`` / ``InterfaceError``) is a 503
``service_unavailable``, like every other missing server.

Django's own ``ValidationError`` (and ``config.errors.Invalid``) raised by a service becomes the
same 400, so a rule checked in a service gives the client the same answer as one checked in a
serializer. Every other domain error of ``config.errors`` carries its status, code and payload.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from config.errors import DomainError, Unavailable
from config.middleware import DATABASE_ERRORS, log_unavailable


def django_validation_error_as_drf(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            (api_settings.NON_FIELD_ERRORS_KEY if field == "__all__" else field): messages
            for field, messages in exc.message_dict.items()
        }
    else:
        detail = {api_settings.NON_FIELD_ERRORS_KEY: exc.messages}
    return exceptions.ValidationError(detail)


def exception_handler(exc, context):
    if isinstance(exc, DATABASE_ERRORS):
        # The database is unreachable: a 503 the client may retry, never an HTML 500.
        set_rollback()
        log_unavailable(exc, context.get("request"))
        error = Unavailable()
        return Response(error.as_payload(), status=error.status_code, headers={"Retry-After": "5"})
    if isinstance(exc, DomainError):
        set_rollback()
        headers = {"Retry-After": str(exc.extra.pop("retry_after"))} if "retry_after" in exc.extra else None
        return Response(exc.as_payload(), status=exc.status_code, headers=headers)
    if isinstance(exc, DjangoValidationError):
        exc = django_validation_error_as_drf(exc)
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        if isinstance(response.data, list):
            response.data = {api_settings.NON_FIELD_ERRORS_KEY: response.data}
        return response
    if isinstance(response.data, dict) and "detail" in response.data:
        detail = response.data["detail"]
        extra = {k: v for k, v in response.data.items() if k != "detail"}
        response.data = {
            "detail": str(detail),
            "code": getattr(detail, "code", None) or getattr(exc, "default_code", "error"),
            **extra,
        }
    return response
