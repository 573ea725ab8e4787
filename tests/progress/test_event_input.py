"""The fast path of event validation (``fast_event`` / ``fast_events``) agrees with the serializer:
whatever it accepts the serializer accepts with exactly the same validated values, it accepts
every plain well-formed event, and everything else goes to the serializer for its errors."""

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings as django_settings
from django.utils import timezone as django_timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from progress.api.events import EventBatchSerializer, EventSerializer, fast_event, fast_events
from progress.models import ProgressVerb
from tests.conftest import client_for

VERBS = sorted(ProgressVerb.values)
MISSING = object()

ints = st.integers(min_value=-3, max_value=2**40)
numbers = st.one_of(
    st.integers(min_value=-5, max_value=100_000),
    st.floats(allow_nan=True, allow_infinity=True),
    st.floats(min_value=0, max_value=1),
    st.sampled_from([0, 1, 0.0, -0.0, 1.0, 86400, 86400.0, 86400.5, 1e400]),
)
junk = st.one_of(
    st.none(),
    st.booleans(),
    st.text(max_size=5),
    st.sampled_from(["1", "0.5", "2.0", " 3 ", "", "nan", "1e3"]),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
)


def times():
    moments = st.datetimes(min_value=datetime(1, 1, 2), max_value=datetime(9999, 12, 30), timezones=st.none())
    offsets = st.one_of(
        st.none(),
        st.sampled_from([UTC, timezone(timedelta(hours=5, minutes=30)), timezone(-timedelta(hours=11))]),
        st.sampled_from([ZoneInfo("Europe/Berlin"), ZoneInfo("America/New_York")]),
    )
    iso = st.builds(lambda m, tz: (m if tz is None else m.replace(tzinfo=tz)).isoformat(), moments, offsets)
    zulu = st.builds(lambda m: m.isoformat() + "Z", moments)
    return st.one_of(
        iso,
        zulu,
        st.sampled_from(["2026-03-29T02:30:00", "2026-01-31", "2026-01-31T12:00:00+25:00", "yesterday"]),
    )


keys = st.one_of(
    st.text(alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=100),
    st.text(min_size=0, max_size=102),
    st.sampled_from([" key", "key ", "k\x00y", "\ud800", "a" * 100, "a" * 101, "é", "  ", "\t"]),
)


def maybe(strategy, edges=()):
    """A field's value: the field's edge cases, ``strategy``, junk, or absent."""
    return st.one_of(st.sampled_from([*edges, MISSING]), strategy, junk)


NAN, INF = float("nan"), float("inf")
UNIT_EDGES = [0, 1, 0.0, -0.0, 1.0, 1.0000001, -1e-9, None, True, "0.5", NAN, INF, 0.5]
RATING_EDGES = [0, 1, 5, 6, -1, None, True, "3", 3.0]
NODE_EDGES = [0, 1, 2, -1, None, True, "1", 1.0]
# Each field's edge cases (MISSING: the field left out).
EDGES = {
    "block": [0, 1, -1, True, 1.0, 1.5, "1", None, 2**63, MISSING],
    "event": ["viewed", " viewed", "Viewed", "", None, 1, MISSING],
    "time_spent_s": [0, -0.0, 3.5, 86400, 86400.0, 86400.0001, -0.001, INF, NAN, "3.5", None, True, MISSING],
    "score": [*UNIT_EDGES, MISSING],
    "progress": [*UNIT_EDGES, MISSING],
    "occurred_at": [
        "2026-01-31T12:00:00Z",
        "2026-01-31T12:00:00.123456+05:30",
        "2026-01-31T12:00:00",
        "2026-01-31",
        "0001-01-01T00:00:00+01:00",
        "9999-12-31T23:59:59-01:00",
        "",
        None,
        1700000000,
        MISSING,
    ],
    "idempotency_key": [
        "k",
        "a" * 100,
        "a" * 101,
        " k",
        "k ",
        "k\x00",
        "\ud800",
        "é",
        7,
        7.5,
        True,
        None,
        "",
        MISSING,
    ],
    "wod_id": [*NODE_EDGES, MISSING],
    "mission_id": [*NODE_EDGES, MISSING],
    "difficulty_rating": [*RATING_EDGES, MISSING],
    "confidence_level": [*RATING_EDGES, MISSING],
    "interaction_data": [{}, {"a": None}, {"a": [1]}, None, [], "x", MISSING],
    "unknown": [1, None],
}
FIELDS = {
    "block": maybe(ints, EDGES["block"]),
    "event": maybe(st.sampled_from([*VERBS, "jumped", "Viewed"]), EDGES["event"]),
    "time_spent_s": maybe(numbers, EDGES["time_spent_s"]),
    "score": maybe(numbers, EDGES["score"]),
    "progress": maybe(numbers, EDGES["progress"]),
    "occurred_at": maybe(times(), EDGES["occurred_at"]),
    "idempotency_key": maybe(keys, EDGES["idempotency_key"]),
    "wod_id": maybe(st.integers(min_value=-1, max_value=4), EDGES["wod_id"]),
    "mission_id": maybe(st.integers(min_value=-1, max_value=4), EDGES["mission_id"]),
    "difficulty_rating": maybe(st.integers(min_value=-1, max_value=7), EDGES["difficulty_rating"]),
    "confidence_level": maybe(st.integers(min_value=-1, max_value=7), EDGES["confidence_level"]),
    "interaction_data": maybe(
        st.dictionaries(st.text(max_size=4), st.integers() | st.text(max_size=3)), EDGES["interaction_data"]
    ),
    "unknown": maybe(st.integers(), EDGES["unknown"]),
}
events = st.fixed_dictionaries(FIELDS).map(lambda d: {k: v for k, v in d.items() if v is not MISSING})

well_formed = st.fixed_dictionaries(
    {
        "block": st.integers(min_value=1, max_value=2**31),
        "event": st.sampled_from(VERBS),
        "occurred_at": st.datetimes(
            min_value=datetime(2000, 1, 1), max_value=datetime(2100, 1, 1), timezones=st.just(UTC)
        ).map(datetime.isoformat),
        "idempotency_key": st.text(
            alphabet=st.characters(min_codepoint=33, max_codepoint=126), min_size=1, max_size=100
        ),
    },
    optional={
        "time_spent_s": st.one_of(st.integers(0, 86400), st.floats(0, 86400)),
        "score": st.one_of(st.none(), st.floats(0, 1), st.sampled_from([0, 1])),
        "progress": st.one_of(st.none(), st.floats(0, 1)),
        "wod_id": st.one_of(st.none(), st.integers(1, 3)),
        "difficulty_rating": st.one_of(st.none(), st.integers(1, 5)),
        "confidence_level": st.one_of(st.none(), st.integers(1, 5)),
        "interaction_data": st.one_of(st.none(), st.dictionaries(st.text(max_size=4), st.integers())),
    },
)


def _with(base: dict, name: str, value) -> dict:
    changed = {k: v for k, v in base.items() if k != name}
    if value is not MISSING:
        changed[name] = value
    return changed


# A well-formed event with one field changed (the boundaries of each field, one at a time).
one_off = st.builds(
    _with,
    well_formed,
    *[
        st.shared(st.sampled_from(sorted(FIELDS)), key="field"),
        st.shared(st.sampled_from(sorted(FIELDS)), key="field").flatmap(lambda name: FIELDS[name]),
    ],
)


def exact(values: dict) -> dict:
    """Validated values compared by type and representation (0.0 is not -0.0, UTC is not +00:00)."""
    return {name: (type(value), repr(value)) for name, value in values.items()}


def serializer_values(item):
    serializer = EventSerializer(data=item)
    return dict(serializer.validated_data) if serializer.is_valid() else None


@settings(max_examples=600, deadline=None)
@given(item=st.one_of(events, one_off, one_off, well_formed, junk))
def test_fast_event_accepts_only_what_the_serializer_accepts_with_the_same_values(item):
    expected = serializer_values(item)
    fast = fast_event(item)
    if fast is not None:
        assert expected is not None, item
        assert exact(fast) == exact(expected)


BASE = {"block": 7, "event": "answered", "occurred_at": "2026-01-31T12:00:00+01:00", "idempotency_key": "k"}
EDGE_CASES = [
    pytest.param(base, name, value, id=f"{name}={value!r}"[:60])
    for base in (BASE, {**BASE, "wod_id": 2, "score": 0.5, "interaction_data": {"n": 1}})
    for name, values in EDGES.items()
    for value in values
]


@pytest.mark.parametrize("base,name,value", EDGE_CASES)
def test_fast_event_agrees_with_the_serializer_on_each_fields_edge_cases(base, name, value):
    item = _with(base, name, value)
    expected, fast = serializer_values(item), fast_event(item)
    if fast is not None:
        assert expected is not None
        assert exact(fast) == exact(expected)


@settings(max_examples=300, deadline=None)
@given(item=well_formed)
def test_fast_event_takes_every_plain_well_formed_event(item):
    fast = fast_event(item)
    assert fast is not None, item
    assert exact(fast) == exact(serializer_values(item))


@settings(max_examples=150, deadline=None)
@given(batch=st.lists(st.one_of(well_formed, one_off, events), max_size=6))
def test_fast_events_agrees_with_the_batch_serializer(batch):
    serializer = EventBatchSerializer(data={"events": batch})
    valid = serializer.is_valid()
    fast = fast_events(batch)
    if fast is not None:
        assert valid
        assert [exact(v) for v in fast] == [exact(dict(v)) for v in serializer.validated_data["events"]]
    if valid and all(fast_event(item) is not None for item in batch) and batch:
        assert fast is not None


def test_fast_events_leaves_batch_limits_to_the_serializer():
    event = {"block": 1, "event": "viewed", "occurred_at": "2026-01-31T12:00:00Z", "idempotency_key": "k"}
    assert fast_events([]) is None
    assert fast_events([event] * (django_settings.PROGRESS_EVENTS_MAX_BATCH + 1)) is None
    assert fast_events({"events": [event]}) is None
    assert fast_events([event]) == [
        {
            "block": 1,
            "event": "viewed",
            "time_spent_s": 0,
            "occurred_at": datetime(2026, 1, 31, 12, tzinfo=ZoneInfo("UTC")),
            "idempotency_key": "k",
            "wod": None,
        }
    ]


def test_fast_event_uses_the_active_time_zone_like_the_serializer():
    item = {"block": 1, "event": "viewed", "occurred_at": "2026-03-29T01:30:00+00:00", "idempotency_key": "k"}
    with django_timezone.override(ZoneInfo("Europe/Berlin")):
        fast, expected = fast_event(item), serializer_values(item)
    assert exact(fast) == exact(expected)
    assert fast["occurred_at"].utcoffset() == timedelta(hours=3 - 1)


@pytest.mark.django_db
def test_an_event_the_fast_path_refuses_gets_the_serializers_errors(user):
    client = client_for(user)
    good = {"block": 1, "event": "viewed", "occurred_at": "2026-01-31T12:00:00Z", "idempotency_key": "k"}
    bad = {**good, "idempotency_key": "k2", "score": 1.5, "occurred_at": "yesterday"}
    response = client.post("/api/v1/progress/events/", {"events": [good, bad]}, format="json")
    assert response.status_code == 400
    body = response.json()
    assert body["events"][0] == {}
    assert set(body["events"][1]) == {"score", "occurred_at"}
