"""One sign-in policy for every door: django-axes, configured in ``config/settings.py``.

Every ``authenticate()`` goes through ``AxesStandaloneBackend`` first, so the admin's login form,
``POST /api/v1/auth/token/`` and anything else that signs a user in share one record of failures
(``AccessAttempt`` rows, listed in the admin under *Axes*) and one rule:

* a **username** is refused after ``SIGNIN_FAILURE_LIMIT`` wrong passwords, from whatever
  addresses they came (one account guessed from rotating addresses);
* a **client address** is refused after ``SIGNIN_ADDRESS_FAILURE_LIMIT`` wrong passwords, for
  whatever usernames (password spraying from one address); it is larger, because many people may
  share one address (an office, a mobile carrier);
* both last until ``SIGNIN_COOLOFF_MIN`` minutes pass without another failure (a failure during
  the lockout starts the cool-off again); the right password does not get in meanwhile.

The client address comes from ``config.clientip`` (``TRUSTED_PROXY_COUNT``), never from a header the
client controls. A successful sign-in forgets the failures of that username from that address only,
so one account an attacker holds cannot wipe the failures they piled up on others.

Operators unlock with ``manage.py unlock_signin`` (or axes' own ``axes_reset*`` commands).
"""

from datetime import timedelta

from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_username
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.db.models import Sum
from django.http import JsonResponse
from django.shortcuts import render

from config.errors import DomainError


class SignInLocked(DomainError):
    """429 ``locked_out``: too many wrong passwords for this username or from this address."""

    status_code = 429
    default_code = "locked_out"

    def __init__(self):
        minutes = settings.SIGNIN_COOLOFF_MIN
        super().__init__(
            f"Too many failed sign-in attempts. Try again in {minutes} minutes.",
            retry_after=minutes * 60,
        )


def failure_limit(request, credentials) -> int:
    return settings.SIGNIN_FAILURE_LIMIT


def cool_off(request) -> timedelta:
    return timedelta(minutes=settings.SIGNIN_COOLOFF_MIN)


class SignInLockoutHandler(AxesDatabaseHandler):
    """axes' database handler with a limit of its own for addresses, and a narrower reset."""

    def get_failures(self, request, credentials=None) -> int:
        """Failures in the cool-off window, on the scale of the username limit.

        axes compares one number with one limit (``SIGNIN_FAILURE_LIMIT``). The address's count is
        scaled so that it reaches that limit exactly when it reaches ``SIGNIN_ADDRESS_FAILURE_LIMIT``.
        """
        by_username, by_address = (
            attempts.aggregate(n=Sum("failures_since_start"))["n"] or 0
            for attempts in self.get_user_attempts(request, credentials)
        )
        user_limit = settings.SIGNIN_FAILURE_LIMIT
        address_limit = max(1, settings.SIGNIN_ADDRESS_FAILURE_LIMIT)
        return max(by_username, by_address * user_limit // address_limit)

    def reset_user_attempts(self, request, credentials=None) -> int:
        """After a successful sign-in: forget this username's failures from this address only."""
        username = get_client_username(request, credentials)
        count, _ = AccessAttempt.objects.filter(
            username=username, ip_address=request.axes_ip_address
        ).delete()
        return count


def lockout_response(request, original_response=None, credentials=None):
    """What a refused sign-in answers: the API's error shape under ``/api/``, else a readable page."""
    error = SignInLocked()
    if request.path.startswith("/api/"):
        payload = dict(error.extra)
        retry_after = payload.pop("retry_after")
        return JsonResponse(
            {"detail": error.message, "code": error.code, **payload},
            status=error.status_code,
            headers={"Retry-After": str(retry_after)},
        )
    context = {
        **admin.site.each_context(request),
        "title": "Sign-in locked",
        "cooloff_minutes": settings.SIGNIN_COOLOFF_MIN,
    }
    response = render(request, "signin/locked_out.html", context, status=error.status_code)
    response["Retry-After"] = str(settings.SIGNIN_COOLOFF_MIN * 60)
    return response
