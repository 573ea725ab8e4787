"""The sweep end to end: activation → rows → sweep → in-memory backend → audit; retries, invalid
tokens, budgets, expiry, leases; two sweeps on real threads on PostgreSQL never send twice."""

import datetime as dt
import threading
from collections import Counter

import pytest
from django.db import connection
from django.utils import timezone

from notifications import services
from notifications.delivery import BaseBackend, DeliveryResult, InMemoryBackend, fcm_data
from notifications.models import Device, Kind, KindRollout, Notification, Status
from notifications.sweep import claim, sweep
from tests.factories import UserFactory
from tests.notifications.factories import make_plan, make_prefs
from training import events
from training.models import SessionStatus

UTC = dt.UTC
NO_QUIET = {"quiet_hours_start": dt.time(0, 0), "quiet_hours_end": dt.time(0, 0)}


def utc(*args):
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.django_db
def test_activation_to_rows_to_sweep_to_device_to_audit(outbox, django_capture_on_commit_callbacks):
    today = timezone.localdate()
    plan = make_plan(start=today, zone="UTC", days=range(7), start_time=dt.time(23, 30))
    make_prefs(plan.user, time_zone="UTC", tone="data_nerd", **NO_QUIET)
    Device.objects.create(user=plan.user, platform="fcm", token="device-1")

    with django_capture_on_commit_callbacks(execute=True):
        events.emit("plan_activated", plan.pk)

    kickoff = Notification.objects.get(kind=Kind.KICKOFF_PRIMER)
    assert kickoff.status == Status.SENT  # delivered at once, not at the next sweep
    assert kickoff.tone == "data_nerd" and kickoff.channel == "push"
    assert kickoff.provider_id == f"memory-{kickoff.pk}"
    assert kickoff.payload["version"] == 1
    assert kickoff.payload["deep_link"].startswith(f"app://plans/{plan.pk}/sessions/")
    assert "Plan loaded" in kickoff.payload["title"]
    assert [m.notification_id for m in outbox] == [kickoff.pk]
    assert all(isinstance(v, str) for v in outbox[0].data.values())
    scheduled = Notification.objects.filter(plan=plan, status=Status.SCHEDULED)
    assert {n.kind for n in scheduled} >= {Kind.EVENING_BRIEF, Kind.MORNING_HYPE}
    assert max(n.local_date for n in scheduled) <= today + dt.timedelta(days=7)

    # The first hype comes due: the sweep renders it with the tone and the plan's numbers.
    hype = scheduled.filter(kind=Kind.MORNING_HYPE).order_by("send_at").first()
    result = sweep(now=hype.send_at + dt.timedelta(minutes=1))
    hype.refresh_from_db()
    assert result.sent >= 1
    assert hype.status == Status.SENT and hype.attempts == 1
    assert hype.payload["actions"] == ["open", "snooze", "move"]
    assert hype.payload["session_id"] == hype.session_id
    assert hype.decision["events"] == [] and hype.decision["reason"].startswith("60 min before 23:30")

    # Completing that session: celebration at once; its pending reminders are cancelled.
    session = hype.session
    tomorrow = session.date + dt.timedelta(days=1)
    next_brief = Notification.objects.get(
        kind=Kind.EVENING_BRIEF, session__date=tomorrow + dt.timedelta(days=1)
    )
    session.status, session.completed_at = SessionStatus.COMPLETED, timezone.now()
    session.save()
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("session_completed", session.pk)
    celebration = Notification.objects.get(kind=Kind.COMPLETION_CELEBRATION, session=session)
    assert celebration.status == Status.SENT
    assert "Session 1/" in celebration.payload["body"]
    assert next_brief.session_id != session.pk
    assert not Notification.objects.filter(session=session, status=Status.SCHEDULED).exists()
    # Sending the same event again changes nothing.
    with django_capture_on_commit_callbacks(execute=True):
        events.emit("session_completed", session.pk)
    assert Notification.objects.filter(kind=Kind.COMPLETION_CELEBRATION).count() == 1
    assert Counter(m.notification_id for m in outbox).most_common(1)[0][1] == 1


@pytest.mark.django_db
def test_missed_session_gets_a_follow_up_the_next_morning_which_completion_cancels():
    plan = make_plan(start=dt.date(2026, 6, 1), zone="Europe/Berlin", days=range(7))
    make_prefs(plan.user, time_zone="Europe/Berlin")
    session = plan.sessions.get(date=dt.date(2026, 6, 2))
    session.status = SessionStatus.MISSED
    session.save()
    services.session_missed_notify(session_id=session.pk, now=utc(2026, 6, 2, 23, 0))
    follow_up = Notification.objects.get(kind=Kind.MISSED_FOLLOW_UP)
    assert follow_up.send_at == utc(2026, 6, 3, 7, 0)  # 09:00 CEST
    result = sweep(now=utc(2026, 6, 3, 7, 5))
    follow_up.refresh_from_db()
    assert result.sent == 1 and follow_up.status == Status.SENT
    assert "Easy run" in follow_up.payload["body"] or "Long run" in follow_up.payload["body"]


@pytest.mark.django_db
def test_hype_after_the_session_started_expires_and_stale_rows_are_not_sent(outbox):
    plan = make_plan(start=dt.date(2026, 6, 1), zone="UTC", days=range(7), start_time=dt.time(9, 0))
    make_prefs(plan.user, time_zone="UTC", **NO_QUIET)
    services.plan_schedule_horizon(plan_id=plan.pk, now=utc(2026, 6, 1, 0, 0))
    result = sweep(now=utc(2026, 6, 2, 9, 30))  # nobody swept for a day
    assert result.sent == 0
    hypes = Notification.objects.filter(kind=Kind.MORNING_HYPE, local_date__lte=dt.date(2026, 6, 2))
    assert {h.status for h in hypes} == {Status.EXPIRED}
    assert hypes[0].outcome == "the session has started"
    assert outbox == []


class FlakyBackend(BaseBackend):
    calls = 0

    def send_messages(self, messages):
        type(self).calls += 1
        return [
            DeliveryResult(ok=False, error="UnavailableError: FCM is down", retryable=True) for _ in messages
        ]


@pytest.mark.django_db
def test_failing_backend_is_retried_with_back_off_then_failed_with_the_error(settings):
    settings.NOTIFICATIONS_MAX_ATTEMPTS = 3
    settings.NOTIFICATIONS_RETRY_BASE_S = 60
    user = UserFactory()
    make_prefs(user, time_zone="UTC", **NO_QUIET)
    Device.objects.create(user=user, platform="fcm", token="flaky")
    now = utc(2026, 6, 1, 12, 0)
    n = Notification.objects.create(
        user=user, kind=Kind.MILESTONE, dedupe_key="milestone:x:halfway", send_at=now, local_date=now.date()
    )
    backend = FlakyBackend()
    sweep(now=now, backend=backend)
    n.refresh_from_db()
    assert (n.status, n.attempts, n.send_at) == (Status.SCHEDULED, 1, now + dt.timedelta(seconds=60))
    assert "FCM is down" in n.error
    sweep(now=now + dt.timedelta(seconds=30), backend=backend)  # not due yet
    assert FlakyBackend.calls == 1
    sweep(now=now + dt.timedelta(seconds=61), backend=backend)
    n.refresh_from_db()
    assert (n.status, n.attempts) == (Status.SCHEDULED, 2)
    assert n.send_at == now + dt.timedelta(seconds=61 + 120)
    sweep(now=n.send_at, backend=backend)
    n.refresh_from_db()
    assert (n.status, n.attempts) == (Status.FAILED, 3)
    assert n.error == "UnavailableError: FCM is down"
    assert [e["what"] for e in n.decision["events"]] == ["retry", "retry", "failed"]


class InvalidTokenBackend(BaseBackend):
    def send_messages(self, messages):
        return [
            DeliveryResult(
                ok=m.token != "stale", error="UnregisteredError: gone", invalid_token=m.token == "stale"
            )
            for m in messages
        ]


@pytest.mark.django_db
def test_invalid_token_deactivates_the_device_and_the_other_device_still_gets_it():
    user = UserFactory()
    make_prefs(user, time_zone="UTC", **NO_QUIET)
    stale = Device.objects.create(user=user, platform="fcm", token="stale")
    Device.objects.create(user=user, platform="apns", token="fresh")
    now = utc(2026, 6, 1, 12, 0)
    n = Notification.objects.create(
        user=user, kind=Kind.MILESTONE, dedupe_key="milestone:y:halfway", send_at=now, local_date=now.date()
    )
    sweep(now=now, backend=InvalidTokenBackend())
    n.refresh_from_db()
    stale.refresh_from_db()
    assert n.status == Status.SENT and "UnregisteredError" in n.error
    assert stale.active is False
    # Only the stale device left: the notification fails with the reason, nothing is retried.
    Device.objects.filter(token="fresh").delete()
    stale.active = True
    stale.save()
    m = Notification.objects.create(
        user=user,
        kind=Kind.MILESTONE,
        dedupe_key="milestone:y:longest_run",
        send_at=now,
        local_date=now.date(),
    )
    sweep(now=now, backend=InvalidTokenBackend())
    m.refresh_from_db()
    assert (m.status, m.outcome) == (Status.FAILED, "invalid device token")


@pytest.mark.django_db
def test_daily_budget_lets_celebrations_through_and_digests_yield():
    user = UserFactory()
    make_prefs(user, time_zone="UTC", daily_budget=2, **NO_QUIET)
    now = utc(2026, 6, 7, 18, 0)
    day = now.date()

    def row(kind, key, at=now):
        return Notification.objects.create(user=user, kind=kind, dedupe_key=key, send_at=at, local_date=day)

    row(Kind.MILESTONE, "m:1")
    digest = row(Kind.WEEKLY_DIGEST, "d:1")
    # A reminder is still to come today: the digest leaves room for it.
    row(Kind.MISSED_FOLLOW_UP, "later", at=now + dt.timedelta(hours=2))
    celebrations = [row(Kind.COMPLETION_CELEBRATION, f"c:{i}") for i in range(3)]
    sweep(now=now)
    digest.refresh_from_db()
    assert digest.status == Status.SUPPRESSED and "budget" in digest.outcome
    assert all(Notification.objects.get(pk=c.pk).status == Status.SENT for c in celebrations)
    assert Notification.objects.get(dedupe_key="m:1").status == Status.SENT


@pytest.mark.django_db
def test_rollout_percentage_and_switched_off_category_suppress():
    users = UserFactory.create_batch(40)
    KindRollout.objects.create(kind=Kind.MILESTONE, percentage=50)
    now = utc(2026, 6, 1, 12, 0)
    for u in users:
        make_prefs(u, time_zone="UTC", **NO_QUIET)
        Notification.objects.create(
            user=u, kind=Kind.MILESTONE, dedupe_key=f"m:{u.pk}", send_at=now, local_date=now.date()
        )
    sweep(now=now)
    statuses = Counter(Notification.objects.values_list("status", flat=True))
    assert 8 <= statuses[Status.SENT] <= 32 and statuses[Status.SENT] + statuses[Status.SUPPRESSED] == 40
    off = users[0]
    make_prefs(off, categories={"weekly_digest": False})
    d = Notification.objects.create(
        user=off, kind=Kind.WEEKLY_DIGEST, dedupe_key="dg", send_at=now, local_date=now.date()
    )
    sweep(now=now)
    d.refresh_from_db()
    assert (d.status, d.outcome) == (Status.SUPPRESSED, "category switched off")


@pytest.mark.django_db
def test_a_sweep_killed_after_claiming_loses_nothing(outbox, settings):
    settings.NOTIFICATIONS_CLAIM_LEASE_S = 300
    user = UserFactory()
    make_prefs(user, time_zone="UTC", daily_budget=10, **NO_QUIET)
    Device.objects.create(user=user, platform="fcm", token="t")
    now = utc(2026, 6, 1, 12, 0)
    for i in range(5):
        Notification.objects.create(
            user=user, kind=Kind.MILESTONE, dedupe_key=f"k{i}", send_at=now, local_date=now.date()
        )
    claimed, lease = claim(now=now, limit=10)  # ... and the process dies here
    assert claimed == 5
    ids = list(Notification.objects.filter(claimed_until=lease).values_list("id", flat=True))
    assert sweep(now=now + dt.timedelta(seconds=60)).claimed == 0  # still leased
    result = sweep(now=now + dt.timedelta(seconds=301))
    assert result.sent == 5
    assert Counter(m.notification_id for m in outbox) == Counter(ids)


def test_fcm_data_values_are_strings():
    data = fcm_data({"version": 1, "actions": ["open", "snooze"], "title": "Hi", "session_id": None})
    assert data == {"version": "1", "actions": '["open","snooze"]', "title": "Hi"}


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_on_threads_never_send_anything_twice(settings):
    settings.NOTIFICATIONS_SWEEP_BATCH = 25
    users = UserFactory.create_batch(20)
    now = utc(2026, 6, 1, 12, 0)
    rows = []
    for u in users:
        make_prefs(u, time_zone="UTC", daily_budget=20, **NO_QUIET)
        Device.objects.create(user=u, platform="fcm", token=f"t{u.pk}")
        rows += [
            Notification(
                user=u,
                kind=Kind.COMPLETION_CELEBRATION,
                dedupe_key=f"c:{u.pk}:{i}",
                send_at=now,
                local_date=now.date(),
            )
            for i in range(15)
        ]
    Notification.objects.bulk_create(rows)
    barrier = threading.Barrier(2)
    results, errors = [], []

    def worker():
        try:
            barrier.wait()
            results.append(sweep(now=now))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    sent = Counter(m.notification_id for m in InMemoryBackend.outbox)
    assert len(sent) == 300 and max(sent.values()) == 1
    assert sum(r.sent for r in results) == 300
    assert all(r.claimed > 0 for r in results)  # both really worked
    assert Notification.objects.filter(status=Status.SENT).count() == 300
