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


# --- The shared walk: points -> samples -> summary -------------------------------------------


def _parse(data: bytes, deadline: Deadline, reader: "_Reader") -> ParsedActivity:
    """Walk the file once: check its root, hand each opened and closed element to the format's
    reader, then let the reader sum up what it kept."""
    first = True
    for event, element, tag in _events(data, reader.kind, deadline):
        if first:
            if tag != reader.root:
                raise ImportFailed(
                    f"The {reader.kind.upper()} file cannot be read: {reader.not_root}", code="unreadable"
                )
            first = False
        if event == "start":
            reader.opened(tag, element)
        else:
            reader.closed(tag, element)
    return reader.summary()


def _readings(element, table: dict):
    """``(field, value)`` for each child of a track point the format's table names."""
    for child in element.iter():
        read = table.get(_local(child.tag))
        if read is not None:
            field, convert = read
            yield field, convert(child)


def _text_float(element) -> float | None:
    return _float(element.text)


def _value_float(element) -> float | None:
    return _float(_text_of(element, "Value"))


class _Samples:
    """What the track points say about the body and the ground: heart rate (plausible values
    only, with the peak), cadence and the elevations the climb is computed from."""

    def __init__(self):
        self.hr, self.cad = Mean(), Mean()
        self.peak: float | None = None
        self.elevations: list[float | None] = []

    def take(self, field: str, value: float | None) -> None:
        if field == "hr" and value and 25 <= value <= 250:
            self.hr.add(value)
            self.peak = max(self.peak or 0, value)
        elif field == "cadence" and value:
            self.cad.add(value)

    @property
    def avg_hr(self) -> int | None:
        return round(self.hr.value) if self.hr.value else None

    @property
    def max_hr(self) -> int | None:
        return int(self.peak) if self.peak else None


class _Reader:
    """One format's part of the walk: what an opened or closed element means, and the summary."""

    kind = ""
    root = ""
    not_root = ""

    def __init__(self):
        self.samples = _Samples()

    def opened(self, tag: str, element) -> None:
        pass

    def closed(self, tag: str, element) -> None:
        pass

    def summary(self) -> ParsedActivity:
        raise NotImplementedError


# --- GPX ----------------------------------------------------------------------------------

GPX_POINT = {
    "ele": ("elevation", _text_float),
    "time": ("time", lambda child: _time(child.text)),
    "hr": ("hr", _text_float),
    "cad": ("cadence", _text_float),
}
RUCK_TYPES = ("walking", "hiking", "walk", "hike", "10", "4")


class _GpxReader(_Reader):
    """Track segments of points (latitude, longitude, elevation, time, heart rate, cadence) and
    the activity's ``<type>``; waypoints and routes are dropped unread."""

    kind, root, not_root = "gpx", "gpx", "its root is not <gpx>."

    def __init__(self):
        from gpxpy.geo import Location

        super().__init__()
        self.location = Location
        self.segments: list[list] = []
        self.current: list | None = None
        self.kind_text = ""
        self.times: list[dt.datetime] = []

    def opened(self, tag, element):
        if tag == "trkseg":
            self.current = []
            self.segments.append(self.current)

    def closed(self, tag, element):
        if tag == "type" and not self.kind_text:
            self.kind_text = (element.text or "").strip().lower()
        elif tag == "trkpt":
            self.point(element)
            element.clear()
        elif tag == "trkseg":
            self.current = None
            element.clear()
        elif tag in ("wpt", "rte"):
            element.clear()

    def point(self, element) -> None:
        if self.current is None:
            self.current = []
            self.segments.append(self.current)
        lat, lon = _float(element.get("lat")), _float(element.get("lon"))
        ele = moment = None
        for field, value in _readings(element, GPX_POINT):
            if field == "elevation":
                ele = value
            elif field == "time":
                moment = value
            else:
                self.samples.take(field, value)
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            self.current.append(self.location(lat, lon, ele))
        self.samples.elevations.append(ele)
        if moment is not None:
            self.times.append(moment)

    def summary(self) -> ParsedActivity:
        from gpxpy.geo import length_2d

        if self.kind_text in BIKE_TYPES:
            raise ImportFailed(
                f"The GPX activity is {self.kind_text}; only runs and rucks are recorded.", code="sport"
            )
        if len(self.times) < 2:
            raise ImportFailed("The GPX file has no timed track points.", code="no_data")
        distance = sum(length_2d(segment) or 0.0 for segment in self.segments if len(segment) > 1)
        start, end = min(self.times), max(self.times)
        return ParsedActivity(
            "gpx",
            start,
            int((end - start).total_seconds()),
            round(distance),
            self.samples.avg_hr,
            self.samples.max_hr,
            elevation_gain(self.samples.elevations),
            "ruck" if self.kind_text in RUCK_TYPES else "run",
            steps_per_minute(self.samples.cad.value),
        )


def parse_gpx(data: bytes, deadline: Deadline) -> ParsedActivity:
    return _parse(data, deadline, _GpxReader())


# --- TCX ----------------------------------------------------------------------------------

TCX_POINT = {
    "AltitudeMeters": ("elevation", _text_float),
    "HeartRateBpm": ("hr", _value_float),
    "RunCadence": ("cadence", _text_float),
}


class _TcxReader(_Reader):
    """Laps (start, time, distance, their own heart rate and cadence averages) holding track
    points (altitude, heart rate, cadence); the first ``<Activity Sport=...>`` names the sport."""

    kind, root, not_root = "tcx", "TrainingCenterDatabase", "its root is not a TCX database."

    def __init__(self):
        super().__init__()
        self.sport: str | None = None
        self.laps: list[dict] = []
        self.track = None

    def opened(self, tag, element):
        if tag == "Activity" and self.sport is None:
            self.sport = element.get("Sport") or ""
        elif tag == "Track":
            self.track = element

    def closed(self, tag, element):
        if tag == "Trackpoint":
            for field, value in _readings(element, TCX_POINT):
                if field == "elevation":
                    self.samples.elevations.append(value)
                else:
                    self.samples.take(field, value)
            element.clear()
            if self.track is not None:
                self.track.remove(element)
        elif tag == "Lap":
            self.laps.append(_lap(element))
            element.clear()

    def check(self) -> None:
        if not self.laps:
            raise ImportFailed("The TCX file has no laps.", code="no_data")
        if self.sport and self.sport.lower() not in TCX_RUN_SPORTS:
            raise ImportFailed(
                f"The TCX activity is {self.sport}; only runs and rucks are recorded.", code="sport"
            )
        if self.laps[0]["start"] is None:
            raise ImportFailed(
                "The TCX file has an unreadable value: its first lap has no start time.", code="unreadable"
            )

    def heart_rate(self) -> tuple[int | None, int | None]:
        """The points' average and peak; without points' heart rate, the laps' averages weighted
        by time; the peak also counts the laps' maxima."""
        avg, top = self.samples.avg_hr, self.samples.max_hr
        if avg is None:
            lap_avg = _time_weighted(self.laps, "avg_hr")
            avg = round(lap_avg) if lap_avg is not None else None
        lap_peaks = [lap["max_hr"] for lap in self.laps if lap["max_hr"]]
        if lap_peaks:
            top = int(max([top or 0, *lap_peaks]))
        return avg if avg and 25 <= avg <= 250 else None, top if top and 25 <= top <= 250 else None

    def summary(self) -> ParsedActivity:
        self.check()
        avg, top = self.heart_rate()
        cadence = self.samples.cad.value
        if cadence is None:
            cadence = _time_weighted(self.laps, "cadence")
        return ParsedActivity(
            "tcx",
            self.laps[0]["start"],
            round(sum(lap["seconds"] for lap in self.laps)),
            round(sum(lap["metres"] for lap in self.laps)),
            avg,
            top,
            elevation_gain(self.samples.elevations),
            "run",
            steps_per_minute(cadence),
        )


def parse_tcx(data: bytes, deadline: Deadline) -> ParsedActivity:
    return _parse(data, deadline, _TcxReader())


def _time_weighted(laps: list[dict], key: str) -> float | None:
    """The laps' ``key`` averaged, weighted by each lap's time (laps without either left out)."""
    weighted = [(lap[key], lap["seconds"]) for lap in laps if lap[key] and lap["seconds"]]
    if not weighted:
        return None
    return sum(v * s for v, s in weighted) / sum(s for _, s in weighted)


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
