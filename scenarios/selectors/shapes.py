"""The API's answers for scenarios, shaped as plain dicts.

Lists serialize dozens of rows per request; building them through DRF's per-field machinery
dominated their latency. The serializers in ``scenarios/api/serializers.py`` declare (and so
document) exactly these shapes, and ``tests/scenarios/test_shapes.py`` checks that both agree.

Each function takes a model instance or a ``values()`` row (the list page's joined rows).
"""

from datetime import datetime
from types import SimpleNamespace

from rest_framework.fields import ISO_8601, DateTimeField
from rest_framework.settings import api_settings

from ..scoring import trending_now
from . import DETAIL_ONLY_FIELDS, METADATA_COLUMNS, PROGRESS_COLUMNS

_DATETIME = DateTimeField()

METADATA_FIELDS = (
    "saved_count",
    "times_used",
    "attempts",
    "average_rating",
    "ratings_count",
    "bayesian_score",
    "completion_rate",
    "average_time_spent_s",
    "trending",
)
PROGRESS_FIELDS = tuple(column for column in PROGRESS_COLUMNS if column != "scenario_id")
SUMMARY_FIELDS = (
    "id",
    "slug",
    "title",
    "description",
    "role",
    "difficulty",
    "difficulty_rating",
    "cefr_level",
    "visibility",
    "is_built_in",
    "created_at",
    "metadata",
    "my_progress",
)
DETAIL_FIELDS = (*SUMMARY_FIELDS, *DETAIL_ONLY_FIELDS, "is_active", "updated_at")
CARD_FIELDS = tuple(name for name in SUMMARY_FIELDS if name != "my_progress")

EMPTY_METADATA = {
    "saved_count": 0,
    "times_used": 0,
    "attempts": 0,
    "average_rating": None,
    "ratings_count": 0,
    "bayesian_score": None,
    "completion_rate": None,
    "average_time_spent_s": None,
    "trending": 0.0,
}


def _plain(value):
    return _DATETIME.to_representation(value) if isinstance(value, datetime) else value


def _reader(obj):
    return obj.__getitem__ if isinstance(obj, dict) else obj.__getattribute__


def metadata_data(metadata, *, now: datetime) -> dict:
    """A scenario's metadata counters and scores (``None``: the empty metadata)."""
    if metadata is None:
        return dict(EMPTY_METADATA)
    return {
        "saved_count": metadata.saved_count,
        "times_used": metadata.times_used,
        "attempts": metadata.attempts,
        "average_rating": metadata.average_rating,
        "ratings_count": metadata.ratings_count,
        "bayesian_score": metadata.bayesian_score if metadata.ratings_count else None,
        "completion_rate": metadata.completion_rate,
        "average_time_spent_s": metadata.average_time_spent_s,
        "trending": round(trending_now(metadata.trending_score, now=now), 3),
    }


def progress_data(progress) -> dict | None:
    """The user's progress on one scenario (an instance or a dict), or None."""
    if progress is None:
        return None
    read = _reader(progress)
    return {name: _plain(read(name)) for name in PROGRESS_FIELDS}


def _row_metadata(row: dict):
    return SimpleNamespace(**{name: row[f"metadata__{name}"] for name in METADATA_COLUMNS})


def _row_progress(row: dict):
    if row["my_progress__id"] is None:
        return None
    return {name: row[f"my_progress__{name}"] for name in PROGRESS_FIELDS}


def scenario_data(
    obj, *, now: datetime, progress_by_scenario=None, fields=SUMMARY_FIELDS, extra=None
) -> dict:
    """A scenario as the API shows it.

    ``obj`` is a ``Scenario`` (its ``metadata`` fetched with it) or a row of the list page, whose
    metadata and the user's progress are joined in (``metadata__*``, ``my_progress__*``).
    ``progress_by_scenario`` maps scenario ids to the user's progress for instances.
    """
    read = _reader(obj)
    data = {}
    for name in fields:
        if name == "metadata":
            metadata = _row_metadata(obj) if isinstance(obj, dict) else getattr(obj, "metadata", None)
            data[name] = metadata_data(metadata, now=now)
        elif name == "my_progress":
            if isinstance(obj, dict) and "my_progress__id" in obj:
                data[name] = progress_data(_row_progress(obj))
            else:
                scenario_id = obj["id"] if isinstance(obj, dict) else obj.pk
                data[name] = progress_data((progress_by_scenario or {}).get(scenario_id))
        elif name == "is_built_in":
            data[name] = (read("created_by_id") if isinstance(obj, dict) else obj.created_by_id) is None
        else:
            data[name] = _plain(read(name))
    if extra:
        data.update(extra)
    return data


# (answer key, row key) of a list row's plain columns, its metadata and the user's progress.
_ROW_SCENARIO_KEYS = (
    "id",
    "slug",
    "title",
    "description",
    "role",
    "difficulty",
    "difficulty_rating",
    "cefr_level",
    "visibility",
)
_ROW_PLAIN_METADATA = tuple(
    (name, f"metadata__{name}")
    for name in ("saved_count", "times_used", "attempts", "average_rating", "ratings_count")
)
_ROW_LATER_METADATA = tuple(
    (name, f"metadata__{name}") for name in ("completion_rate", "average_time_spent_s")
)
_ROW_PROGRESS = tuple((name, f"my_progress__{name}") for name in PROGRESS_FIELDS)


def _iso_writer():
    """A function writing a datetime as ``DateTimeField().to_representation`` does, with the
    current time zone looked up once (a list page writes dozens): ISO 8601, ``Z`` for UTC."""
    if api_settings.DATETIME_FORMAT is None or api_settings.DATETIME_FORMAT.lower() != ISO_8601:
        return _plain
    zone = _DATETIME.default_timezone()

    def write(value):
        if not isinstance(value, datetime) or zone is None or value.tzinfo is None:
            return _plain(value)
        text = value.astimezone(zone).isoformat()
        return text[:-6] + "Z" if text.endswith("+00:00") else text

    return write


def list_rows_data(rows, *, now: datetime) -> list[dict]:
    """``[scenario_data(row, now=now) for row in rows]`` for the rows of a list page, each built in
    one pass: a page shapes every row of every list request. ``tests/scenarios/test_shapes.py``
    checks both agree."""
    iso = _iso_writer()
    shaped = []
    for row in rows:
        data = {name: row[name] for name in _ROW_SCENARIO_KEYS}
        data["is_built_in"] = row["created_by_id"] is None
        data["created_at"] = iso(row["created_at"])
        metadata = {name: row[key] for name, key in _ROW_PLAIN_METADATA}
        metadata["bayesian_score"] = row["metadata__bayesian_score"] if metadata["ratings_count"] else None
        for name, key in _ROW_LATER_METADATA:
            metadata[name] = row[key]
        metadata["trending"] = round(trending_now(row["metadata__trending_score"], now=now), 3)
        data["metadata"] = metadata
        if row.get("my_progress__id") is None:
            data["my_progress"] = None
        else:
            data["my_progress"] = {name: iso(row[key]) for name, key in _ROW_PROGRESS}
        shaped.append(data)
    return shaped


def scenario_state_data(*, scenario_id: int, metadata, progress, now: datetime) -> dict:
    """What an operation changed: the scenario's metadata and the user's progress."""
    return {
        "scenario_id": scenario_id,
        "metadata": metadata_data(metadata, now=now),
        "my_progress": progress_data(progress),
    }


def my_scenario_data(progress, *, now: datetime) -> dict:
    """One of the user's scenarios: their progress with the scenario's card."""
    data = progress_data(progress)
    data["scenario"] = scenario_data(progress.scenario, now=now, fields=CARD_FIELDS)
    return data
