"""FIT files (fitdecode): the session's totals, or a summary of the records when there is none.

Strict where the data is not intact: the header must be FIT, the file must be as long as its header
says and its CRC must match. Tolerant where it is: developer fields nobody described are ignored,
and a data message whose local message type was never defined is skipped. That happens in files
from the Strava Android app, where one record is a byte short, so the next message's header byte is
read as a data message of an undefined local type; other FIT readers skip it and go on, and so do
we: ``resync`` walks the messages itself, drops the bytes up to the next point where at least
``RESYNC_CHAIN`` messages follow one another consistently, and fitdecode reads the rest. Each skip
is a warning in the import's answer.
"""

import datetime as dt
import io
import re
import struct

import fitdecode
from fitdecode.utils import compute_crc

from .base import Deadline, ImportFailed, Mean, ParsedActivity, aware, elevation_gain, steps_per_minute

RUN_SPORTS = ("running", "walking", "hiking", "generic", "training")
RUCK_SPORTS = ("walking", "hiking")
RESYNC_CHAIN = 8
MAX_SKIPPED_SHARE = 0.05  # more unreadable bytes than this and the file is refused as corrupt
UNDEFINED_LOCAL = re.compile(r"local message (\d+) not defined")


class _UndefinedLocal(Exception):
    pass


def parse_fit(data: bytes, deadline: Deadline) -> ParsedActivity:
    try:
        return _summarise(data, deadline, check_crc=True, warnings=())
    except _UndefinedLocal:
        repaired, warnings = resync(data, deadline)
        return _summarise(repaired, deadline, check_crc=False, warnings=tuple(warnings))


def _refusal(error: Exception) -> ImportFailed:
    text = str(error)[:200]
    if isinstance(error, fitdecode.FitCRCError):
        return ImportFailed(f"The FIT file is corrupt: its checksum does not match ({text}).", code="crc")
    if isinstance(error, fitdecode.FitHeaderError):
        return ImportFailed(f"The FIT file is corrupt: {text}", code="not_fit")
    if isinstance(error, fitdecode.FitEOFError | EOFError):
        return ImportFailed(f"The FIT file is truncated: {text}", code="truncated")
    return ImportFailed(f"The FIT file is corrupt: {text}", code="corrupt")


def _summarise(data: bytes, deadline: Deadline, *, check_crc: bool, warnings: tuple) -> ParsedActivity:
    session = None
    file_type = None
    summary = _RecordSummary()
    crc = fitdecode.CrcCheck.RAISE if check_crc else fitdecode.CrcCheck.DISABLED
    try:
        with fitdecode.FitReader(
            io.BytesIO(data), check_crc=crc, error_handling=fitdecode.ErrorHandling.IGNORE
        ) as reader:
            for frame in reader:
                deadline.check()
                if frame.frame_type != fitdecode.FIT_FRAME_DATA:
                    continue
                if frame.name == "file_id" and file_type is None:
                    file_type = _value(frame, "type")
                elif frame.name == "session" and session is None:
                    session = {f.name: f.value for f in frame.fields}
                elif frame.name == "record":
                    summary.add(frame)
    except fitdecode.FitParseError as error:
        if UNDEFINED_LOCAL.search(str(error)):
            raise _UndefinedLocal(str(error)) from error
        raise _refusal(error) from error
    except (fitdecode.FitError, EOFError, ValueError, KeyError, TypeError, struct.error) as error:
        raise _refusal(error) from error
    if file_type is not None and str(file_type) != "activity":
        raise ImportFailed(f"The FIT file is a {file_type} file, not an activity.", code="not_activity")
    sport = str((session or {}).get("sport") or "running")
    if sport not in RUN_SPORTS:
        raise ImportFailed(f"The FIT activity is {sport}; only runs and rucks are recorded.", code="sport")
    kind = "ruck" if sport in RUCK_SPORTS else "run"
    if session and isinstance(session.get("start_time"), dt.datetime):
        return _from_session(session, summary, kind, warnings)
    if summary.first is not None and summary.last is not None and summary.last > summary.first:
        return summary.parsed(kind, warnings)
    raise ImportFailed("The FIT file has no session and no timed records.", code="no_data")


def _value(frame, name):
    try:
        return frame.get_value(name)
    except KeyError:
        return None


def _number(value) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def _from_session(session: dict, summary, kind: str, warnings: tuple) -> ParsedActivity:
    duration = _number(session.get("total_elapsed_time")) or _number(session.get("total_timer_time")) or 0
    avg, peak = _number(session.get("avg_heart_rate")), _number(session.get("max_heart_rate"))
    if not avg and summary.heart.value:  # a session without heart rate, records with it
        avg, peak = summary.heart.value, summary.peak
    cadence = _number(session.get("avg_running_cadence")) or _number(session.get("avg_cadence"))
    if cadence is not None:
        cadence += _number(session.get("avg_fractional_cadence")) or 0
    else:
        cadence = summary.cadence.value
    ascent = _number(session.get("total_ascent"))
    if ascent is None:
        ascent = elevation_gain(summary.altitudes)
    return ParsedActivity(
        "fit",
        aware(session["start_time"]),
        round(duration),
        round(_number(session.get("total_distance")) or 0),
        round(avg) if avg else None,
        round(peak) if peak else None,
        round(ascent) if ascent is not None else None,
        kind,
        steps_per_minute(cadence),
        warnings,
    )


class _RecordSummary:
    """Totals of the ``record`` messages, kept as running values (no list of records)."""

    def __init__(self):
        self.first = self.last = None
        self.distance = 0.0
        self.heart = Mean()
        self.peak = None
        self.cadence = Mean()
        self.altitudes = []

    def add(self, frame):
        fields = {f.name: f.value for f in frame.fields}
        moment = fields.get("timestamp")
        if not isinstance(moment, dt.datetime):
            return
        moment = aware(moment)
        if self.first is None or moment < self.first:
            self.first = moment
        if self.last is None or moment > self.last:
            self.last = moment
        distance = _number(fields.get("distance"))
        if distance is not None:
            self.distance = max(self.distance, distance)
        heart = _number(fields.get("heart_rate"))
        if heart is not None and 25 <= heart <= 250:
            self.heart.add(heart)
            self.peak = max(self.peak or 0, heart)
        cadence = _number(fields.get("cadence"))
        if cadence:
            self.cadence.add(cadence + (_number(fields.get("fractional_cadence")) or 0))
        altitude = _number(fields.get("enhanced_altitude")) or _number(fields.get("altitude"))
        if altitude is not None:
            self.altitudes.append(altitude)

    def parsed(self, kind: str, warnings: tuple) -> ParsedActivity:
        return ParsedActivity(
            "fit",
            self.first,
            round((self.last - self.first).total_seconds()),
            round(self.distance),
            round(self.heart.value) if self.heart.value else None,
            int(self.peak) if self.peak else None,
            elevation_gain(self.altitudes),
            kind,
            steps_per_minute(self.cadence.value),
            warnings,
        )


# --- resync past undefined local messages -------------------------------------------------


def _crc(data: bytes, end: int, deadline: Deadline) -> int:
    """The FIT CRC of ``data[:end]``, 64 kB at a time so that the deadline is checked."""
    crc = 0
    for start in range(0, end, 65536):
        deadline.check()
        crc = compute_crc(data, crc=crc, start=start, end=min(end, start + 65536))
    return crc


def _envelope(data: bytes, deadline: Deadline) -> tuple[int, int, str | None]:
    """(header size, end of the data records, warning) of a file read message by message.

    The header must be FIT and its own checksum must match. The file's CRC is checked where the
    header says the data ends; a writer that wrote records shorter than their definitions (the
    Strava app does) counted the bytes it meant to write, so its header's size and CRC describe
    bytes that are not there: the messages are then read to the end of the file and a warning says
    the checksum could not vouch for them.
    """
    if len(data) < 12 or data[8:12] != b".FIT":
        raise ImportFailed("The FIT file is corrupt: not a FIT file.", code="not_fit")
    header_size = data[0]
    if header_size not in (12, 14) or len(data) < header_size:
        raise ImportFailed("The FIT file is corrupt: its header is malformed.", code="not_fit")
    if header_size == 14:
        header_crc = struct.unpack_from("<H", data, 12)[0]
        if header_crc and header_crc != compute_crc(data, start=0, end=12):
            raise ImportFailed("The FIT file is corrupt: its header checksum does not match.", code="crc")
    end = header_size + struct.unpack_from("<I", data, 4)[0]
    if len(data) >= end + 2 and struct.unpack_from("<H", data, end)[0] == _crc(data, end, deadline):
        return header_size, end, None
    return (
        header_size,
        len(data),
        "The file's length and checksum do not match its header (its writer counted bytes it never "
        "wrote); its messages were read one by one.",
    )


def _message_at(data: bytes, pos: int, end: int, definitions: dict, *, strict: bool = False):
    """(next position, definition or None) of the message at ``pos``, or None when it cannot be
    one (undefined local type, runs past the end). ``strict`` (while looking for where messages
    start again) also refuses definitions of message numbers the FIT profile does not know and
    compressed-timestamp headers in a file that has used none."""
    header = data[pos]
    if header & 0x80:  # compressed timestamp data message
        if strict and not definitions.get("compressed"):
            return None
        size = definitions.get((header >> 5) & 0x3)
        return None if size is None or pos + 1 + size > end else (pos + 1 + size, None)
    local = header & 0x0F
    if header & 0x40:  # definition message
        if pos + 6 > end:
            return None
        fields = data[pos + 5]
        cursor = pos + 6 + 3 * fields
        if cursor > end:
            return None
        size = sum(data[pos + 6 + 3 * i + 1] for i in range(fields))
        if header & 0x20:  # developer fields
            if cursor + 1 > end:
                return None
            dev_fields = data[cursor]
            if cursor + 1 + 3 * dev_fields > end:
                return None
            size += sum(data[cursor + 1 + 3 * i + 1] for i in range(dev_fields))
            cursor += 1 + 3 * dev_fields
        if data[pos + 1] != 0 or data[pos + 2] not in (0, 1):  # reserved and architecture bytes
            return None
        if strict:
            number = struct.unpack_from("<H" if data[pos + 2] == 0 else ">H", data, pos + 3)[0]
            if number not in fitdecode.profile.MESSAGE_TYPES:
                return None
        return cursor, (local, size)
    size = definitions.get(local)
    return None if size is None or pos + 1 + size > end else (pos + 1 + size, None)


def _chains(data: bytes, pos: int, end: int, definitions: dict) -> bool:
    """Whether ``RESYNC_CHAIN`` messages (or the rest of the file) follow one another from ``pos``."""
    trial = dict(definitions)
    for _ in range(RESYNC_CHAIN):
        if pos == end:
            return True
        step = _message_at(data, pos, end, trial, strict=True)
        if step is None:
            return False
        pos, definition = step
        if definition is not None:
            trial[definition[0]] = definition[1]
    return True


def resync(data: bytes, deadline: Deadline) -> tuple[bytes, list[str]]:
    """The file without the bytes of messages that use an undefined local type, and a warning for
    each skip. The original's header and CRC are checked first; the result has a new CRC."""
    header_size, end, envelope_warning = _envelope(data, deadline)
    definitions: dict = {}
    kept = bytearray()
    warnings = [envelope_warning] if envelope_warning else []
    last_data = None
    pos = header_size
    steps = 0
    while pos < end:
        steps += 1
        if steps % 1000 == 0:
            deadline.check()
        step = _message_at(data, pos, end, definitions)
        if step is not None:
            next_pos, definition = step
            if data[pos] & 0x80:
                definitions["compressed"] = True
            if definition is not None:
                definitions[definition[0]] = definition[1]
            last_data = None if definition is not None else len(kept)
            kept += data[pos:next_pos]
            pos = next_pos
            continue
        if last_data is not None:  # the message before ran into this one's bytes: drop it too
            del kept[last_data:]
            last_data = None
        start = pos
        header = data[pos]
        local = (header >> 5) & 0x3 if header & 0x80 else header & 0x0F
        pos += 1
        while pos < end and not _chains(data, pos, end, definitions):
            pos += 1
            if pos % 4096 == 0:
                deadline.check()
        if header & 0x40 and not header & 0x80:
            reason = "a definition message that could not be read"
        elif local in definitions:
            reason = "a message running past the end of the file"
        else:
            reason = f"a message used local message type {local}, which the file never defined"
        warnings.append(f"Skipped {pos - start} bytes at offset {start}: {reason}.")
    skipped = (end - header_size) - len(kept)
    if not kept or skipped > MAX_SKIPPED_SHARE * (end - header_size):
        raise ImportFailed(
            f"The FIT file is corrupt: {skipped} of its {end - header_size} bytes could not be read.",
            code="corrupt",
        )
    header = bytearray(data[:header_size])
    struct.pack_into("<I", header, 4, len(kept))
    if header_size == 14:
        struct.pack_into("<H", header, 12, compute_crc(bytes(header[:12])))
    body = bytes(header) + bytes(kept)
    return body + struct.pack("<H", _crc(body, len(body), deadline)), warnings
