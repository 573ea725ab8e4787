"""The private calendar subscription URL: one secret token per user, revocable by rotating it.

Only a digest of the token is stored (``CalendarSubscription``); the token itself is derived from
the row's nonce, so the URL can be shown again without being kept anywhere.
"""

from django.db import transaction

from ..models import CalendarSubscription, calendar_token_digest


@transaction.atomic
def calendar_subscription_get_or_create(*, user) -> CalendarSubscription:
    subscription = CalendarSubscription.objects.select_for_update(of=("self",)).filter(user=user).first()
    if subscription is None:
        subscription = CalendarSubscription(user=user)
        subscription.renew()
        subscription.save()
        return subscription
    current = calendar_token_digest(subscription.token)
    if current != subscription.token_digest:
        # SECRET_KEY changed since the URL was made: show the URL it now derives, and keep the one
        # the calendar apps already have working until the user asks for a new one.
        subscription.previous_digest = subscription.token_digest
        subscription.token_digest = current
        subscription.save(update_fields=["previous_digest", "token_digest"])
    return subscription


@transaction.atomic
def calendar_subscription_rotate(*, user) -> CalendarSubscription:
    """A new token: the old URL (and any from before tokens were hashed) stops working at once."""
    subscription = CalendarSubscription.objects.select_for_update(of=("self",)).filter(user=user).first()
    if subscription is None:
        subscription = CalendarSubscription(user=user)
    subscription.renew()
    subscription.previous_digest = None
    subscription.save()
    return subscription


@transaction.atomic
def calendar_subscription_revoke(*, user) -> None:
    CalendarSubscription.objects.filter(user=user).delete()
