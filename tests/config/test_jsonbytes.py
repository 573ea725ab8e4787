"""The fast JSON writer answers what Django's encoder answers, for every type the trees and plans hold."""

import datetime as dt
import json
import uuid
from decimal import Decimal

from django.core.serializers.json import DjangoJSONEncoder
from hypothesis import given
from hypothesis import strategies as st

from config import jsonbytes

SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**53), max_value=2**53)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text()
    | st.decimals(allow_nan=False, allow_infinity=False, places=3)
    | st.datetimes(timezones=st.just(dt.UTC))
    | st.dates()
    | st.times()
    | st.uuids()
)
DOCUMENTS = st.recursive(
    SCALARS,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


def reference(data) -> bytes:
    return json.dumps(data, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


@given(DOCUMENTS)
def test_the_fast_writer_gives_the_same_json_as_djangos_encoder(data):
    assert json.loads(jsonbytes.dumps(data)) == json.loads(reference(data))


def test_datetimes_and_decimals_keep_djangos_formats():
    moment = dt.datetime(2026, 3, 29, 1, 30, 15, 123456, tzinfo=dt.UTC)
    data = {"at": moment, "day": moment.date(), "amount": Decimal("12.500"), "id": uuid.UUID(int=7)}
    assert jsonbytes.dumps(data) == reference(data)


def test_choices_are_written_as_their_values():
    from progress.models import NodeType

    data = {"type": NodeType.COURSE, "types": [NodeType.WOD, NodeType.PAGE]}
    assert jsonbytes.dumps(data) == reference(data)


def test_text_is_written_as_utf8():
    assert jsonbytes.dumps({"title": "Étape 1 — Plan A"}) == '{"title":"Étape 1 — Plan A"}'.encode()
