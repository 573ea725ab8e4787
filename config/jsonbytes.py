"""Rendered answers as JSON bytes, fast: the progress trees and training plans the API caches.

``orjson`` writes what ``json.dumps(..., cls=DjangoJSONEncoder, separators=(",", ":"))`` writes for
the same data (datetimes, decimals and other types go through ``DjangoJSONEncoder``, so they keep
its formats), about ten times faster; text is written as UTF-8 rather than ``\\u`` escapes, the
same JSON to a client. ``tests/config/test_jsonbytes.py`` checks the two agree.
"""

import orjson
from django.core.serializers.json import DjangoJSONEncoder

_fallback = DjangoJSONEncoder().default
OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS


def dumps(data) -> bytes:
    return orjson.dumps(data, default=_fallback, option=OPTIONS)
