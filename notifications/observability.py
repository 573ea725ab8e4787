"""Send volume per kind per hour, and the anomaly check behind the volume alerts.

An hour's sends of a kind above ``NOTIFICATIONS_ANOMALY_RATIO`` times the median of the same
hour on the trailing ``NOTIFICATIONS_ANOMALY_DAYS`` days (at least 10 sends, so a quiet kind
going from 1 to 4 is not an incident) is logged as an error and kept as a
``SendVolumeAnomaly`` row, which the admin lists.
"""

import datetime as dt
import logging
import statistics
from collections import defaultdict

from django.conf import settings
from django.db.models import Count
from django.db.models.functions import TruncHour
from django.utils import timezone

from .models import KINDS, Notification, SendVolumeAnomaly, Status

logger = logging.getLogger(__name__)
MIN_SENDS = 10


def sends_per_kind_per_hour(*, since: dt.datetime, until: dt.datetime) -> dict[tuple[str, dt.datetime], int]:
    rows = (
        Notification.objects.filter(status=Status.SENT, sent_at__gte=since, sent_at__lt=until)
        .annotate(hour=TruncHour("sent_at", tzinfo=dt.UTC))
        .values("kind", "hour")
        .annotate(n=Count("id"))
    )
    return {(row["kind"], row["hour"]): row["n"] for row in rows}


def send_volume_check(*, now: dt.datetime | None = None) -> list[SendVolumeAnomaly]:
    """Check the last complete hour of every kind; returns the anomalies found (and stored)."""
    now = now or timezone.now()
    hour = now.astimezone(dt.UTC).replace(minute=0, second=0, microsecond=0) - dt.timedelta(hours=1)
    days = settings.NOTIFICATIONS_ANOMALY_DAYS
    volume = sends_per_kind_per_hour(since=hour - dt.timedelta(days=days), until=hour + dt.timedelta(hours=1))
    trailing = defaultdict(list)
    for day in range(1, days + 1):
        earlier = hour - dt.timedelta(days=day)
        for kind in KINDS:
            trailing[kind].append(volume.get((kind, earlier), 0))
    found = []
    for kind in KINDS:
        sends = volume.get((kind, hour), 0)
        median = statistics.median(trailing[kind]) if trailing[kind] else 0
        if sends < MIN_SENDS or sends <= settings.NOTIFICATIONS_ANOMALY_RATIO * max(median, 1):
            continue
        ratio = sends / max(median, 1)
        anomaly, _ = SendVolumeAnomaly.objects.update_or_create(
            kind=kind, hour=hour, defaults={"sends": sends, "trailing_median": median, "ratio": ratio}
        )
        logger.error(
            "notification volume anomaly: %s sent %s times in the hour from %s UTC, "
            "%.1f× the trailing median %s",
            kind,
            sends,
            hour.isoformat(),
            ratio,
            median,
        )
        found.append(anomaly)
    return found
