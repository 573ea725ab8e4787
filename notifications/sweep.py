"""The sweep: claim what is due, decide, render, send, record. Exactly once per row.

1. **Claim** (one short transaction per batch): ``SELECT … FOR UPDATE SKIP LOCKED`` picks due
   rows (scheduled with ``send_at <= now``, or claimed by a sweep whose lease ran out) and marks
   them ``claimed`` with this sweep's own lease instant (``claimed_until``) and ``attempts + 1``.
   A second sweep skips locked rows and sees them claimed once the first commits, so no row is
   ever handed to two live sweeps.
2. **Decide** each row: still wanted (plan active, session still planned, category on, rollout),
   not stale (hype after the session started, anything ``NOTIFICATIONS_STALE_H`` late), not in
   quiet hours or a snooze (then it goes back to ``scheduled`` at their end), within the daily
   budget (celebrations always pass, digests yield to the day's reminders).
3. **Render** with the tone's template, fresh weather and the plan's current numbers, in the
   copy sandbox. A template that fails sends the built-in copy of its kind and tone instead and
   the reason is kept on the row (``render_error``); a row that cannot be rendered at all is
   ``failed`` with the reason. Either way the rest of the batch goes on and no row stays claimed.
4. **Send** through the backend, before the lease runs out (rows left over stay claimed and are
   reclaimed after the lease: a sweep killed half-way loses nothing).
5. **Record** every row with one conditional ``UPDATE`` per batch that only matches rows still
   claimed under this sweep's lease.
"""

import datetime as dt
import hashlib
import logging
import random
import time
from collections import defaultdict
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.db.models import Count, F, Subquery
from django.utils import timezone

from training.models import PlannedSession, PlanStatus, SessionStatus

from .copy_engine import describe_error
from .delivery import BaseBackend, DeliveryResult, Message, get_backend
from .models import (
    ACCOUNTABILITY_KINDS,
    PRIORITY,
    Channel,
    Device,
    Kind,
    KindRollout,
    Notification,
    NotificationPreferences,
    Status,
)
from .rendering import CompiledTemplates, Renderer, compiled_templates, milestone_context, session_context
from .sql import record_rows
from .timing import quiet_hours_end_after

logger = logging.getLogger(__name__)

PREF_FIELDS = (
    "user_id",
    "time_zone",
    "quiet_hours_start",
    "quiet_hours_end",
    "tone",
    "categories",
    "snoozed_until",
    "daily_budget",
    "weather_location",
)
DEFAULT_PREFS = {
    "time_zone": None,
    "quiet_hours_start": dt.time(22, 0),
    "quiet_hours_end": dt.time(7, 0),
    "tone": "supportive_friend",
    "categories": {},
    "snoozed_until": None,
    "daily_budget": 4,
    "weather_location": "",
}
LEASE_MARGIN_S = 5
# Columns of the joined rows rendering never reads (the plan's zoom levels can be large).
DEFERRED = (
    "user__password",
    "plan__season_view",
    "plan__weekly_plan",
    "plan__runner_snapshot",
    "plan__phases",
    "plan__load_parameters",
    "plan__target_paces",
    "plan__decisions",
    "plan__safeguard_applications",
    "session__description",
)


@dataclass
class SweepResult:
    claimed: int = 0
    sent: int = 0
    suppressed: int = 0
    expired: int = 0
    cancelled: int = 0
    deferred: int = 0
    retried: int = 0
    failed: int = 0
    by_kind: dict = field(default_factory=lambda: defaultdict(int))

    def add(self, other: "SweepResult"):
        for name in (
            "claimed",
            "sent",
            "suppressed",
            "expired",
            "cancelled",
            "deferred",
            "retried",
            "failed",
        ):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        for kind, n in other.by_kind.items():
            self.by_kind[kind] += n

    def as_dict(self) -> dict:
        return {
            name: getattr(self, name)
            for name in (
                "claimed",
                "sent",
                "suppressed",
                "expired",
                "cancelled",
                "deferred",
                "retried",
                "failed",
            )
        }


def new_lease(now: dt.datetime) -> dt.datetime:
    """This sweep's lease instant; the random microseconds make it this sweep's own token."""
    return now + dt.timedelta(
        seconds=settings.NOTIFICATIONS_CLAIM_LEASE_S, microseconds=random.randrange(1, 999_999)
    )


def claim(*, now: dt.datetime, limit: int, ids: list[int] | None = None) -> tuple[int, dt.datetime]:
    """Claim up to ``limit`` due rows for this sweep in one statement::

        UPDATE … SET status = 'claimed', claimed_until = <lease>, attempts = attempts + 1
        WHERE id IN (SELECT id … ORDER BY send_at LIMIT n FOR UPDATE OF … SKIP LOCKED)

    Returns how many rows were claimed and the lease, which identifies them (this sweep's own
    instant, see ``new_lease``).
    """
    lease = new_lease(now)
    with transaction.atomic():
        due = Notification.objects.due(now)
        if ids is not None:
            due = due.filter(pk__in=ids)
        locked = (
            due.select_for_update(skip_locked=True, of=("self",))
            .order_by("send_at", "id")
            .values("id")[:limit]
        )
        claimed = Notification.objects.filter(pk__in=Subquery(locked)).update(
            status=Status.CLAIMED, claimed_until=lease, attempts=F("attempts") + 1
        )
    return claimed, lease


def sweep(
    *,
    now: dt.datetime | None = None,
    batch_size: int | None = None,
    backend: BaseBackend | None = None,
    ids: list[int] | None = None,
    max_batches: int | None = None,
) -> SweepResult:
    """Send everything due now (or only ``ids``), batch by batch, until nothing is due."""
    batch_size = batch_size or settings.NOTIFICATIONS_SWEEP_BATCH
    backend = backend or get_backend()
    templates = compiled_templates()
    rollout = dict(KindRollout.objects.values_list("kind", "percentage"))
    total = SweepResult()
    batches = 0
    while max_batches is None or batches < max_batches:
        at = now or timezone.now()
        claimed, lease = claim(now=at, limit=batch_size, ids=ids)
        if not claimed:
            break
        batches += 1
        deadline = time.monotonic() + settings.NOTIFICATIONS_CLAIM_LEASE_S - LEASE_MARGIN_S
        result = process(
            lease=lease,
            now=at,
            backend=backend,
            templates=templates,
            rollout=rollout,
            deadline=deadline,
        )
        total.add(result)
        if claimed < batch_size:
            break
    return total


def _bucket(user_id: int, kind: str) -> int:
    return int(hashlib.blake2b(f"{user_id}:{kind}".encode(), digest_size=4).hexdigest(), 16) % 100


def _event(row: Notification, at: dt.datetime, what: str, detail: str = ""):
    decision = dict(row.decision or {})
    events = list(decision.get("events", []))
    entry = {"at": at.isoformat(), "what": what}
    if detail:
        entry["detail"] = detail
    events.append(entry)
    decision["events"] = events
    row.decision = decision


@dataclass
class _Recipients:
    """The preferences, active devices and time zones of a batch's users."""

    prefs: dict[int, dict]
    devices: dict[int, list[dict]]
    zones: dict[str, ZoneInfo] = field(default_factory=dict)

    @classmethod
    def of(cls, user_ids) -> "_Recipients":
        prefs = {
            p["user_id"]: p
            for p in NotificationPreferences.objects.filter(user_id__in=user_ids).values(*PREF_FIELDS)
        }
        devices = defaultdict(list)
        for d in Device.objects.filter(user_id__in=user_ids, active=True).values(
            "id", "user_id", "platform", "token"
        ):
            devices[d["user_id"]].append(d)
        return cls(prefs=prefs, devices=devices)

    def prefs_of(self, row: Notification) -> dict:
        """The row's user's preferences (the defaults in the plan's zone when they set none)."""
        p = self.prefs.get(row.user_id)
        if p is None:
            p = dict(DEFAULT_PREFS, user_id=row.user_id)
            p["time_zone"] = row.decision.get("time_zone") or (row.plan.time_zone if row.plan else "UTC")
            self.prefs[row.user_id] = p
        return p

    def zone_of(self, p: dict) -> ZoneInfo:
        key = p["time_zone"]
        if key not in self.zones:
            self.zones[key] = ZoneInfo(key)
        return self.zones[key]


def _sent_today(rows: list[Notification], people: _Recipients, now: dt.datetime) -> dict:
    """The budget already used: sends made per (user, local date), celebrations aside."""
    local_dates = {r.local_date for r in rows} | {
        now.astimezone(people.zone_of(people.prefs_of(r))).date() for r in rows
    }
    sent_today = defaultdict(int)
    for row in (
        Notification.objects.filter(
            user_id__in={r.user_id for r in rows}, status=Status.SENT, local_date__in=local_dates
        )
        .exclude(kind=Kind.COMPLETION_CELEBRATION)
        .values("user_id", "local_date")
        .annotate(n=Count("id"))
    ):
        sent_today[(row["user_id"], row["local_date"])] = row["n"]
    return sent_today


def _settle_verdict(row: Notification, verdict, zone, now: dt.datetime, result: SweepResult) -> None:
    """Defer the row (``verdict`` scheduled) or end it, as ``_decide`` said."""
    status, why, when = verdict
    if status == Status.SCHEDULED:  # deferred to ``when``
        row.status, row.send_at, row.claimed_until = Status.SCHEDULED, when, None
        row.local_date = when.astimezone(zone).date()
        row.attempts = max(0, row.attempts - 1)
        _event(row, now, "deferred", why)
        result.deferred += 1
    else:
        row.status, row.outcome, row.claimed_until = status, why[:200], None
        _event(row, now, status, why)
        setattr(result, status, getattr(result, status) + 1)


def _triage(rows, people: _Recipients, sent_today, *, now, rollout, result: SweepResult):
    """(rows to send with their preferences and local day, rows finished): each row decided,
    then held to its user's daily budget, highest priority first so that a tight budget keeps
    the reminders and drops the digest."""
    to_send: list[tuple[Notification, dict, dt.date]] = []
    finished: list[Notification] = []
    for row in sorted(rows, key=lambda r: (PRIORITY[r.kind], r.send_at, r.pk)):
        p = people.prefs_of(row)
        zone = people.zone_of(p)
        local_day = now.astimezone(zone).date()
        verdict = _decide(row, p, zone, now, rollout)
        if verdict is not None:
            _settle_verdict(row, verdict, zone, now, result)
            finished.append(row)
            continue
        budget_key = (row.user_id, local_day)
        # Celebrations always pass and do not use up the budget.
        if row.kind != Kind.COMPLETION_CELEBRATION:
            reserve = _digest_reserve(row, local_day, now) if row.kind == Kind.WEEKLY_DIGEST else 0
            if sent_today[budget_key] + reserve >= p["daily_budget"]:
                row.status, row.claimed_until = Status.SUPPRESSED, None
                row.outcome = f"daily budget of {p['daily_budget']} reached"
                _event(row, now, "suppressed", row.outcome)
                result.suppressed += 1
                finished.append(row)
                continue
            sent_today[budget_key] += 1
        to_send.append((row, p, local_day))
    return to_send, finished


def _render(to_send, people: _Recipients, *, now, templates: CompiledTemplates, result: SweepResult):
    """(rows that failed to render, rows rendered, their messages, each message's (row, device)).
    A row's copy failing never stops the batch or leaves the row claimed."""
    renderer = Renderer(templates=templates)
    renderer.prepare(to_send, now=now)
    failed, rendered_rows = [], []
    messages: list[Message] = []
    owners: list[tuple[Notification, dict | None]] = []
    for row, p, local_day in to_send:
        try:
            rendered = renderer.render(row, prefs=p, local_day=local_day, extra=_extra(row))
        except Exception as exc:  # one row's copy never stops the batch or stays claimed
            logger.exception("notification %s could not be rendered", row.pk)
            row.status, row.claimed_until, row.outcome = Status.FAILED, None, "rendering failed"
            row.render_error = describe_error(exc)
            _event(row, now, "failed", row.render_error[:200])
            result.failed += 1
            failed.append(row)
            continue
        rendered_rows.append((row, p, local_day))
        row.render_error = rendered.error
        row.payload = rendered.payload
        row.tone = p["tone"]
        user_devices = people.devices.get(row.user_id, [])
        row.channel = Channel.PUSH if user_devices else Channel.INBOX
        for device in user_devices:
            messages.append(Message(row.pk, device["token"], device["platform"], rendered.payload))
            owners.append((row, device))
    return failed, rendered_rows, messages, owners


def _deliver(messages: list[Message], owners, backend: BaseBackend) -> dict[int, list]:
    """Row id -> its (device, answer) pairs; a backend that fails as a whole answers every
    message with a retryable error."""
    outcomes = defaultdict(list)
    if not messages:
        return outcomes
    try:
        answers = backend.send_messages(messages)
    except Exception as exc:  # the whole call failed: every message is retryable
        logger.exception("delivery backend failed")
        answers = [DeliveryResult(ok=False, error=f"{type(exc).__name__}: {exc}", retryable=True)] * len(
            messages
        )
    for (row, device), answer in zip(owners, answers, strict=True):
        outcomes[row.pk].append((device, answer))
    return outcomes


def _settle_delivery(row: Notification, answers, local_day, *, now, result: SweepResult) -> list[int]:
    """The row sent (no device, or one took it), scheduled for a retry, or failed; returns the
    ids of the devices whose token was refused."""
    row.claimed_until = None
    ok = [a for _, a in answers if a.ok]
    invalid = [d["id"] for d, a in answers if a.invalid_token]
    if not answers or ok:
        row.status, row.sent_at, row.local_date = Status.SENT, now, local_day
        row.provider_id = ",".join(a.provider_id for a in ok)[:200]
        row.error = "; ".join(a.error for _, a in answers if not a.ok)
        result.sent += 1
        result.by_kind[row.kind] += 1
        return invalid
    error = "; ".join(a.error for _, a in answers)
    row.error = error
    retryable = any(a.retryable for _, a in answers)
    if retryable and row.attempts < settings.NOTIFICATIONS_MAX_ATTEMPTS:
        delay = settings.NOTIFICATIONS_RETRY_BASE_S * 2 ** (row.attempts - 1)
        row.status, row.send_at = Status.SCHEDULED, now + dt.timedelta(seconds=delay)
        _event(row, now, "retry", f"attempt {row.attempts} failed; next in {delay} s")
        result.retried += 1
    else:
        row.status = Status.FAILED
        row.outcome = (
            "invalid device token" if invalid and len(invalid) == len(answers) else "delivery failed"
        )
        _event(row, now, "failed", error[:200])
        result.failed += 1
    return invalid


def _send(to_send, people: _Recipients, *, now, backend, templates, deadline, result) -> list[Notification]:
    """Render, send and settle the rows to send; returns the rows finished. When the lease is
    about to run out before sending, the rendered rows stay claimed: the next sweep takes them."""
    failed, to_send, messages, owners = _render(to_send, people, now=now, templates=templates, result=result)
    if deadline is not None and time.monotonic() > deadline:
        logger.warning("sweep lease ran out before sending %s rows", len(to_send))
        to_send = []
        messages = []
    outcomes = _deliver(messages, owners, backend)
    invalid_devices = []
    for row, _p, local_day in to_send:
        invalid_devices += _settle_delivery(row, outcomes.get(row.pk, []), local_day, now=now, result=result)
    if invalid_devices:
        Device.objects.filter(pk__in=invalid_devices).update(active=False, updated_at=now)
    return failed + [row for row, _, _ in to_send]


def process(
    *,
    lease: dt.datetime,
    now: dt.datetime,
    backend: BaseBackend,
    templates: CompiledTemplates,
    rollout: dict,
    deadline: float | None = None,
) -> SweepResult:
    """Decide, render, send and record the rows claimed under ``lease``."""
    rows = list(
        Notification.objects.filter(status=Status.CLAIMED, claimed_until=lease)
        .select_related("user", "plan", "session")
        .defer(*DEFERRED)
        .order_by("send_at", "id")
    )
    result = SweepResult(claimed=len(rows))
    people = _Recipients.of({r.user_id for r in rows})
    sent_today = _sent_today(rows, people, now)
    to_send, finished = _triage(rows, people, sent_today, now=now, rollout=rollout, result=result)
    if to_send:
        finished += _send(
            to_send, people, now=now, backend=backend, templates=templates, deadline=deadline, result=result
        )
    if finished:
        record(finished, lease=lease, now=now)
    return result


def record(rows: list[Notification], *, lease: dt.datetime, now: dt.datetime) -> int:
    """Write every finished row in one statement, only where this sweep's claim still holds (a
    row whose lease ran out and was taken over by another sweep is left to that sweep)."""
    return record_rows(rows, lease=lease, now=now)


def _extra(row: Notification) -> dict | None:
    if row.kind == Kind.MILESTONE:
        return {"milestone": milestone_context(row.dedupe_key)}
    if row.kind == Kind.MISSED_FOLLOW_UP and row.plan_id:
        upcoming = (
            PlannedSession.objects.filter(
                plan_id=row.plan_id, status=SessionStatus.PLANNED, date__gt=row.session.date
            )
            .exclude(session_type="rest")
            .order_by("date", "id")
            .first()
            if row.session
            else None
        )
        return {"next_session": session_context(upcoming) or {"title": "your next session"}}
    return None


def _digest_reserve(row: Notification, local_day: dt.date, now: dt.datetime) -> int:
    """Reminders still to come on the digest's local day: the digest leaves room for them."""
    return (
        Notification.objects.filter(
            user_id=row.user_id,
            local_date=local_day,
            status=Status.SCHEDULED,
            send_at__gt=now,
            kind__in=list(ACCOUNTABILITY_KINDS),
        )
        .exclude(pk=row.pk)
        .count()
    )


def _decide(row: Notification, p: dict, zone, now: dt.datetime, rollout: dict):
    """None to send now, or (status, why, when) to defer (status scheduled) or end the row."""
    plan, session = row.plan, row.session
    if row.kind in (Kind.EVENING_BRIEF, Kind.MORNING_HYPE, Kind.MISSED_FOLLOW_UP, Kind.KICKOFF_PRIMER):
        if plan is None or plan.status != PlanStatus.ACTIVE:
            return Status.CANCELLED, f"plan {plan.status if plan else 'deleted'}", None
    if row.kind in (Kind.EVENING_BRIEF, Kind.MORNING_HYPE):
        if session is None or session.status != SessionStatus.PLANNED:
            return Status.CANCELLED, f"session {session.status if session else 'deleted'}", None
        start = session.start_at() or _intended_start(row, session)
        if start is not None and now >= start:
            return Status.EXPIRED, "the session has started", None
    if row.kind == Kind.MISSED_FOLLOW_UP and (session is None or session.status != SessionStatus.MISSED):
        return Status.CANCELLED, f"session {session.status if session else 'deleted'}", None
    if now - row.send_at > dt.timedelta(hours=settings.NOTIFICATIONS_STALE_H):
        return Status.EXPIRED, f"more than {settings.NOTIFICATIONS_STALE_H} h late", None
    accountable = row.kind in ACCOUNTABILITY_KINDS and plan is not None and plan.status == PlanStatus.ACTIVE
    if not accountable and not (p["categories"] or {}).get(row.kind, True):
        return Status.SUPPRESSED, "category switched off", None
    percentage = rollout.get(row.kind, 100)
    if percentage < 100 and _bucket(row.user_id, row.kind) >= percentage:
        return Status.SUPPRESSED, f"outside the {percentage}% rollout", None
    if p["snoozed_until"] and p["snoozed_until"] > now:
        return Status.SCHEDULED, f"snoozed until {p['snoozed_until'].isoformat()}", p["snoozed_until"]
    quiet_end = quiet_hours_end_after(now, zone, p["quiet_hours_start"], p["quiet_hours_end"])
    if quiet_end is not None:
        return Status.SCHEDULED, "quiet hours", quiet_end
    return None


def _intended_start(row, session):
    """The start the hype was planned against (the analyzer's window when the session has no time)."""
    intended = (row.decision or {}).get("session_start")
    return dt.datetime.fromisoformat(intended) if intended else None
