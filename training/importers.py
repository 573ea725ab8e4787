"""Activity files from watches: GPX (gpxpy), TCX (XML) and FIT (fitdecode) to one summary.

Each parser returns a ``ParsedActivity`` or raises ``ImportFailed`` with a message a runner can
act on ("the FIT file is truncated"), never a library's exception.
"""

import datetime as dt
import io
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass

MAX_FILE_BYTES = 25 * 1024 * 1024
FORMATS = ("gpx", "tcx", "fit")


class ImportFailed(ValueError):
    pass


@dataclass(frozen=True)
class ParsedActivity:
    source: str
    started_at: dt.datetime
    duration_s: int
    distance_m: int
    avg_heart_rate: int | None = None
    max_heart_rate: int | None = None
    elevation_gain_m: int | None = None
    kind: str = "run"


def detect_format(name: str, head: bytes) -> str:
    """``gpx``, ``tcx`` or ``fit`` from the file's first bytes (the name breaks ties)."""
    if len(head) >= 12 and head[8:12] == b".FIT":
        return "fit"
    text = head[:2048].decode("utf-8", "ignore").lower()
    if "<gpx" in text:
        return "gpx"
    if "<trainingcenterdatabase" in text:
        return "tcx"
    suffix = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if suffix in FORMATS:
        return suffix
    raise ImportFailed("Unsupported file: send a GPX, TCX or FIT file from your watch or app.")


def parse(name: str, data: bytes) -> ParsedActivity:
    if not data:
        raise ImportFailed("The file is empty.")
    if len(data) > MAX_FILE_BYTES:
        raise ImportFailed(f"The file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MB.")
    kind = detect_format(name, data[:4096])
    parsed = {"gpx": parse_gpx, "tcx": parse_tcx, "fit": parse_fit}[kind](data)
    if parsed.duration_s <= 0:
        raise ImportFailed(f"The {kind.upper()} file has no duration (fewer than two timed points).")
    return parsed


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def _heart(values: list[int]) -> tuple[int | None, int | None]:
    values = [v for v in values if v and 25 <= v <= 250]
    if not values:
        return None, None
    return round(sum(values) / len(values)), max(values)


def _haversine_m(a, b) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6_371_000 * math.asin(math.sqrt(h))


def parse_gpx(data: bytes) -> ParsedActivity:
    import gpxpy
    import gpxpy.gpx

    try:
        gpx = gpxpy.parse(io.StringIO(data.decode("utf-8-sig")))
    except (gpxpy.gpx.GPXException, UnicodeDecodeError, ValueError, ET.ParseError) as error:
        raise ImportFailed(f"The GPX file cannot be read: {str(error)[:200]}") from error
    points = [p for track in gpx.tracks for segment in track.segments for p in segment.points]
    timed = [p for p in points if p.time is not None]
    if len(timed) < 2:
        raise ImportFailed("The GPX file has no timed track points.")
    start, end = _aware(timed[0].time), _aware(timed[-1].time)
    distance = gpx.length_2d() or 0.0
    heart = []
    for p in points:
        for ext in p.extensions:
            for node in ext.iter():
                if node.tag.lower().endswith("hr") and (node.text or "").strip().isdigit():
                    heart.append(int(node.text.strip()))
    uphill = gpx.get_uphill_downhill().uphill if any(p.elevation is not None for p in points) else None
    avg, peak = _heart(heart)
    return ParsedActivity(
        "gpx",
        start,
        int((end - start).total_seconds()),
        round(distance),
        avg,
        peak,
        round(uphill) if uphill is not None else None,
    )


TCX_NS = "{http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2}"


def parse_tcx(data: bytes) -> ParsedActivity:
    try:
        root = ET.fromstring(data)
    except ET.ParseError as error:
        raise ImportFailed(f"The TCX file cannot be read: {error}") from error
    laps = list(root.iter(f"{TCX_NS}Lap"))
    if not laps:
        raise ImportFailed("The TCX file has no laps.")
    try:
        start = _aware(dt.datetime.fromisoformat(laps[0].get("StartTime", "").replace("Z", "+00:00")))
        duration = sum(float(lap.findtext(f"{TCX_NS}TotalTimeSeconds") or 0) for lap in laps)
        distance = sum(float(lap.findtext(f"{TCX_NS}DistanceMeters") or 0) for lap in laps)
        heart = [int(float(v.text)) for v in root.iter(f"{TCX_NS}Value") if v.text]
    except ValueError as error:
        raise ImportFailed(f"The TCX file has an unreadable value: {error}") from error
    activity = root.find(f".//{TCX_NS}Activity")
    sport = (activity.get("Sport") if activity is not None else "") or ""
    if sport and sport.lower() not in ("running", "other"):
        raise ImportFailed(f"The TCX activity is {sport}; only runs and rucks are recorded.")
    avg, peak = _heart(heart)
    return ParsedActivity("tcx", start, round(duration), round(distance), avg, peak)


def parse_fit(data: bytes) -> ParsedActivity:
    import fitdecode

    session = None
    records = []
    try:
        with fitdecode.FitReader(io.BytesIO(data), check_crc=fitdecode.CrcCheck.RAISE) as reader:
            for frame in reader:
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "session" and session is None:
                    session = {f.name: f.value for f in frame.fields}
                elif frame.name == "record":
                    records.append({f.name: f.value for f in frame.fields})
    except (fitdecode.FitError, EOFError, ValueError, KeyError, TypeError) as error:
        message = "truncated" if isinstance(error, fitdecode.FitEOFError | EOFError) else "corrupt"
        raise ImportFailed(f"The FIT file is {message}: {str(error)[:200]}") from error
    sport = str((session or {}).get("sport") or "running")
    if sport not in ("running", "walking", "hiking", "generic", "training"):
        raise ImportFailed(f"The FIT activity is {sport}; only runs and rucks are recorded.")
    timed = [r for r in records if isinstance(r.get("timestamp"), dt.datetime)]
    if session and isinstance(session.get("start_time"), dt.datetime):
        start = _aware(session["start_time"])
        duration = float(session.get("total_elapsed_time") or session.get("total_timer_time") or 0)
        distance = float(session.get("total_distance") or 0)
        avg, peak = session.get("avg_heart_rate"), session.get("max_heart_rate")
        ascent = session.get("total_ascent")
    elif len(timed) >= 2:
        start = _aware(timed[0]["timestamp"])
        duration = (_aware(timed[-1]["timestamp"]) - start).total_seconds()
        distance = float(max((r.get("distance") or 0) for r in timed))
        avg, peak = _heart([r.get("heart_rate") for r in timed])
        ascent = None
    else:
        raise ImportFailed("The FIT file has no session and no timed records.")
    kind = "ruck" if sport in ("walking", "hiking") else "run"
    return ParsedActivity(
        "fit",
        start,
        round(duration),
        round(distance),
        int(avg) if avg else None,
        int(peak) if peak else None,
        int(ascent) if ascent is not None else None,
        kind,
    )
