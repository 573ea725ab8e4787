"""Domain errors: what a service raises when a request cannot be carried out.

Services, tasks and commands raise these (never DRF's exceptions); ``config/api/exceptions.py``
maps them once to the API's error shape, the admin shows them as form errors and commands turn
them into ``CommandError``. Each carries a stable ``code`` that clients can branch on::

    raise Conflict("This enrollment is completed.", code="enrollment_completed")
    raise Locked("Course 2 is locked until its prerequisites are met.", locked={...}, unmet=[...])
    raise Invalid({"target_date": ["The target date is in the past."]})
    raise NotFound("No such session among yours.")

``Invalid`` is Django's ``ValidationError``, so model forms and ``full_clean`` treat it as their own.
"""

from django.core.exceptions import ValidationError


class DomainError(Exception):
    """Base of the errors that carry an HTTP-like status, a stable code and extra payload."""

    status_code = 400
    default_code = "error"
    default_message = "The request cannot be carried out."

    def __init__(self, message: str | None = None, *, code: str | None = None, **extra):
        self.message = message or self.default_message
        self.code = code or self.default_code
        self.extra = extra
        super().__init__(self.message)

    def as_payload(self) -> dict:
        """The API body: ``{"detail", "code", **extra}``."""
        return {"detail": self.message, "code": self.code, **self.extra}


class NotFound(DomainError):
    """404: no such object among the ones the caller may see."""

    status_code = 404
    default_code = "not_found"
    default_message = "Not found."


class PermissionDenied(DomainError):
    """403: the caller may see the object but not do this to it."""

    status_code = 403
    default_code = "permission_denied"
    default_message = "You do not have permission to perform this action."


class Conflict(DomainError):
    """409: well-formed, but the object's current state forbids it; ``code`` says which state."""

    status_code = 409
    default_code = "conflict"
    default_message = "The request conflicts with the current state of the resource."


class Locked(Conflict):
    """409 ``locked``: the learner may not start this yet; ``unmet`` lists the rules not met."""

    default_code = "locked"
    default_message = "This is locked until its prerequisites are met."


class TooLarge(DomainError):
    """413: the request (an upload) is larger than the limit the message names."""

    status_code = 413
    default_code = "too_large"
    default_message = "The request is too large."


class Unprocessable(DomainError):
    """422: understood and well-formed, but refused as it stands (e.g. a reused idempotency key)."""

    status_code = 422
    default_code = "unprocessable"
    default_message = "The request cannot be processed as it stands."


class Unavailable(DomainError):
    """503: a server this request needs is unreachable; retrying later may succeed."""

    status_code = 503
    default_code = "service_unavailable"
    default_message = "A service this request needs is unavailable; try again shortly."


class Invalid(ValidationError):
    """400: bad input, per field: ``Invalid({"field": ["message"]})`` or ``Invalid("message")``."""
