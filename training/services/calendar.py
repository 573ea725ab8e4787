"""The private calendar subscription URL: one secret token per user, revocable by rotating it."""

from django.db import transaction

from ..models import CalendarSubscription, new_calendar_token


@transaction.atomic
def calendar_subscription_get_or_create(*, user) -> CalendarSubscription:
    subscription, _ = CalendarSubscription.objects.get_or_create(user=user)
    return subscription


@transaction.atomic
def calendar_subscription_rotate(*, user) -> CalendarSubscription:
    """A new token: the old URL stops working at once."""
    subscription = CalendarSubscription.objects.select_for_update(of=("self",)).filter(user=user).first()
    if subscription is None:
        return CalendarSubscription.objects.create(user=user)
    subscription.token = new_calendar_token()
    subscription.save(update_fields=["token"])
    return subscription


@transaction.atomic
def calendar_subscription_revoke(*, user) -> None:
    CalendarSubscription.objects.filter(user=user).delete()
