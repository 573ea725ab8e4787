"""GPX and TCX: screened, then read element by element with defusedxml (never gpxpy's parser).

``screen`` refuses what no watch writes before any parser sees it: a DOCTYPE or entity declaration,
more than ``ACTIVITY_XML_MAX_NAMESPACES`` namespace declarations (gpxpy registers every prefix it
meets in ElementTree's process-wide map, which only grows, so a file with thousands of them slows
every later parse; we do not use gpxpy's parser at all, and a watch writes fewer than ten), and
text that is not UTF-8 or ASCII-compatible (a UTF-16 file would hide a DOCTYPE from the byte scan).
The parse itself is ``defusedxml`` with DTDs forbidden, streaming (``iterparse``), with elements
dropped as soon as they are read and the deadline checked as it goes.

Heart rate and cadence come from Garmin's TrackPointExtension (``gpxtpx:hr``, ``gpxtpx:cad``,
whatever the prefix) in GPX, and from ``HeartRateBpm`` and the ActivityExtension's
``RunCadence`` / ``AvgRunCadence`` in TCX; the distance and the climb use gpxpy's geodesy (the
same numbers gpxpy gives), which touches no XML.
"""

import datetime as dt
import io
import re
from xml.etree.ElementTree import ParseError

from django.conf import settings

from .base import Deadline, ImportFailed, Mean, ParsedActivity, aware, elevation_gain, steps_per_minute

DOCTYPE = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)
NAMESPACE = re.compile(rb"\bxmlns(?::[A-Za-z_][\w.\-]*)?\s*=")
BIKE_TYPES = {"1", "biking", "cycling", "ride", "road_biking", "mountain_biking", "virtualride"}
TCX_RUN_SPORTS = ("running", "other")


def screen(data: bytes, kind: str) -> None:
    """Refuse XML a watch never writes (DOCTYPE, entities, a namespace flood, not UTF-8)."""
    label = kind.upper()
    if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4096]:
        raise ImportFailed(f"The {label} file is not UTF-8 text.", code="xml_encoding")
    if DOCTYPE.search(data):
        raise ImportFailed(
            f"The {label} file declares a DOCTYPE or entities, which no watch writes; it is refused.",
            code="xml_doctype",
        )
    limit = settings.ACTIVITY_XML_MAX_NAMESPACES
    count = 0
    for _ in NAMESPACE.finditer(data):
        count += 1
        if count > limit:
            raise ImportFailed(
                f"The {label} file declares more than {limit} XML namespaces; it is refused.",
                code="xml_namespaces",
            )


def _events(data: bytes, kind: str, deadline: Deadline):
    from defusedxml import DefusedXmlException
    from defusedxml.ElementTree import iterparse

    screen(data, kind)
    try:
        for n, (event, element) in enumerate(
            iterparse(io.BytesIO(data), events=("start", "end"), forbid_dtd=True)
        ):
            if n % 512 == 0:
                deadline.check()
            yield event, element, _local(element.tag)
    except (ParseError, DefusedXmlException, UnicodeDecodeError, ValueError) as error:
        raise ImportFailed(
            f"The {kind.upper()} file cannot be read: {str(error)[:200]}", code="unreadable"
        ) from error


def _local(tag) -> str:
    tag = tag if isinstance(tag, str) else ""
    return tag.rsplit("}", 1)[-1]


def _time(text: str | None) -> dt.datetime | None:
    if not text:
        return None
    try:
        return aware(dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00")))
    except ValueError:
        return None


def _float(text: str | None) -> float | None:
    try:
        return float(text) if text is not None and text.strip() else None
    except ValueError:
        return None


# --- GPX ----------------------------------------------------------------------------------


def parse_gpx(data: bytes, deadline: Deadline) -> ParsedActivity:
    from gpxpy.geo import Location, length_2d

    first = True
    segments: list[list] = []
    current: list | None = None
    elevations: list[float | None] = []
    hr, cad = Mean(), Mean()
    peak = None
    kind_text = ""
    times: list[dt.datetime] = []
    for event, element, tag in _events(data, "gpx", deadline):
        if first:
            if tag != "gpx":
                raise ImportFailed("The GPX file cannot be read: its root is not <gpx>.", code="unreadable")
            first = False
        if event == "start":
            if tag == "trkseg":
                current = []
                segments.append(current)
            continue
        if tag == "type" and not kind_text:
            kind_text = (element.text or "").strip().lower()
        elif tag == "trkpt":
            if current is None:
                current = []
                segments.append(current)
            lat, lon = _float(element.get("lat")), _float(element.get("lon"))
            ele = moment = None
            for child in element.iter():
                name = _local(child.tag)
                if name == "ele":
                    ele = _float(child.text)
                elif name == "time":
                    moment = _time(child.text)
                elif name == "hr":
                    value = _float(child.text)
                    if value and 25 <= value <= 250:
                        hr.add(value)
                        peak = max(peak or 0, value)
                elif name == "cad":
                    value = _float(child.text)
                    if value:
                        cad.add(value)
            if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
                current.append(Location(lat, lon, ele))
            elevations.append(ele)
            if moment is not None:
                times.append(moment)
            element.clear()
        elif tag == "trkseg":
            current = None
            element.clear()
        elif tag in ("wpt", "rte"):
            element.clear()
    if kind_text in BIKE_TYPES:
        raise ImportFailed(
            f"The GPX activity is {kind_text}; only runs and rucks are recorded.", code="sport"
        )
    if len(times) < 2:
        raise ImportFailed("The GPX file has no timed track points.", code="no_data")
    distance = sum(length_2d(segment) or 0.0 for segment in segments if len(segment) > 1)
    start, end = min(times), max(times)
    kind = "ruck" if kind_text in ("walking", "hiking", "walk", "hike", "10", "4") else "run"
    return ParsedActivity(
        "gpx",
        start,
        int((end - start).total_seconds()),
        round(distance),
        round(hr.value) if hr.value else None,
        int(peak) if peak else None,
        elevation_gain(elevations),
        kind,
        steps_per_minute(cad.value),
    )


# --- TCX ----------------------------------------------------------------------------------


def parse_tcx(data: bytes, deadline: Deadline) -> ParsedActivity:
    first = True
    sport = None
    laps = []
    track = None
    hr, cad = Mean(), Mean()
    peak = None
    altitudes: list[float | None] = []
    for event, element, tag in _events(data, "tcx", deadline):
        if first:
            if tag != "TrainingCenterDatabase":
                raise ImportFailed(
                    "The TCX file cannot be read: its root is not a TCX database.", code="unreadable"
                )
            first = False
        if event == "start":
            if tag == "Activity" and sport is None:
                sport = element.get("Sport") or ""
            elif tag == "Track":
                track = element
            continue
        if tag == "Trackpoint":
            for child in element.iter():
                name = _local(child.tag)
                if name == "AltitudeMeters":
                    altitudes.append(_float(child.text))
                elif name == "HeartRateBpm":
                    value = _float(_text_of(child, "Value"))
                    if value and 25 <= value <= 250:
                        hr.add(value)
                        peak = max(peak or 0, value)
                elif name == "RunCadence":
                    value = _float(child.text)
                    if value:
                        cad.add(value)
            element.clear()
            if track is not None:
                track.remove(element)
        elif tag == "Lap":
            laps.append(_lap(element))
            element.clear()
    if not laps:
        raise ImportFailed("The TCX file has no laps.", code="no_data")
    if sport and sport.lower() not in TCX_RUN_SPORTS:
        raise ImportFailed(f"The TCX activity is {sport}; only runs and rucks are recorded.", code="sport")
    if laps[0]["start"] is None:
        raise ImportFailed(
            "The TCX file has an unreadable value: its first lap has no start time.", code="unreadable"
        )
    duration = sum(lap["seconds"] for lap in laps)
    distance = sum(lap["metres"] for lap in laps)
    avg, top = (round(hr.value) if hr.value else None), (int(peak) if peak else None)
    if avg is None:  # no heart rate per point: the laps' averages, weighted by time
        weighted = [(lap["avg_hr"], lap["seconds"]) for lap in laps if lap["avg_hr"] and lap["seconds"]]
        if weighted:
            avg = round(sum(v * s for v, s in weighted) / sum(s for _, s in weighted))
    lap_peaks = [lap["max_hr"] for lap in laps if lap["max_hr"]]
    if lap_peaks:
        top = int(max([top or 0, *lap_peaks]))
    cadence = cad.value
    if cadence is None:
        weighted = [(lap["cadence"], lap["seconds"]) for lap in laps if lap["cadence"] and lap["seconds"]]
        if weighted:
            cadence = sum(v * s for v, s in weighted) / sum(s for _, s in weighted)
    return ParsedActivity(
        "tcx",
        laps[0]["start"],
        round(duration),
        round(distance),
        avg if avg and 25 <= avg <= 250 else None,
        top if top and 25 <= top <= 250 else None,
        elevation_gain(altitudes),
        "run",
        steps_per_minute(cadence),
    )


def _text_of(element, name: str) -> str | None:
    for child in element:
        if _local(child.tag) == name:
            return child.text
    return None


def _lap(element) -> dict:
    def number(name):
        value = _float(_text_of(element, name))
        if value is None and _text_of(element, name) is not None:
            raise ImportFailed(f"The TCX file has an unreadable value in {name}.", code="unreadable")
        return value or 0.0

    def nested(name):
        for child in element:
            if _local(child.tag) == name:
                return _float(_text_of(child, "Value"))
        return None

    cadence = None
    for child in element.iter():
        if _local(child.tag) == "AvgRunCadence":
            cadence = _float(child.text)
    return {
        "start": _time(element.get("StartTime")),
        "seconds": number("TotalTimeSeconds"),
        "metres": number("DistanceMeters"),
        "avg_hr": nested("AverageHeartRateBpm"),
        "max_hr": nested("MaximumHeartRateBpm"),
        "cadence": cadence,
    }
