"""GPX, TCX and FIT files written by the tests themselves (no binary fixtures in the repository)."""

import datetime as dt
import struct

from fitdecode.utils import compute_crc

FIT_EPOCH = dt.datetime(1989, 12, 31, tzinfo=dt.UTC)


def gpx(start: dt.datetime, *, points: int = 61, step_s: int = 30, hr: int | None = 150) -> bytes:
    """A track heading north from 52.5 N at about 3.3 m/s (one point per ``step_s``)."""
    rows = []
    for i in range(points):
        moment = (start + dt.timedelta(seconds=i * step_s)).strftime("%Y-%m-%dT%H:%M:%SZ")
        lat = 52.5 + i * step_s * 3.3 / 111_195
        ext = (
            f"<extensions><gpxtpx:TrackPointExtension><gpxtpx:hr>{hr}</gpxtpx:hr>"
            "</gpxtpx:TrackPointExtension></extensions>"
            if hr
            else ""
        )
        rows.append(
            f'<trkpt lat="{lat:.7f}" lon="13.4"><ele>{35 + i % 5}</ele><time>{moment}</time>{ext}</trkpt>'
        )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<gpx version="1.1" creator="tests" xmlns="http://www.topografix.com/GPX/1/1" '
        'xmlns:gpxtpx="http://www.garmin.com/xmlschemas/TrackPointExtension/v1">'
        f"<trk><name>Morning run</name><trkseg>{''.join(rows)}</trkseg></trk></gpx>"
    ).encode()


def tcx(start: dt.datetime, *, seconds: int = 1800, metres: int = 5000, sport: str = "Running") -> bytes:
    stamp = start.strftime("%Y-%m-%dT%H:%M:%SZ")
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<TrainingCenterDatabase xmlns="http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2">'
        f'<Activities><Activity Sport="{sport}"><Id>{stamp}</Id><Lap StartTime="{stamp}">'
        f"<TotalTimeSeconds>{seconds}</TotalTimeSeconds><DistanceMeters>{metres}</DistanceMeters>"
        "<Track><Trackpoint><HeartRateBpm><Value>148</Value></HeartRateBpm></Trackpoint>"
        "<Trackpoint><HeartRateBpm><Value>156</Value></HeartRateBpm></Trackpoint></Track>"
        "</Lap></Activity></Activities></TrainingCenterDatabase>"
    ).encode()


def _fit_time(moment: dt.datetime) -> int:
    return int((moment - FIT_EPOCH).total_seconds())


def _definition(local: int, global_num: int, fields: list[tuple[int, int, int]]) -> bytes:
    out = struct.pack("<BBBHB", 0x40 | local, 0, 0, global_num, len(fields))
    for number, size, base in fields:
        out += struct.pack("<BBB", number, size, base)
    return out


def fit(
    start: dt.datetime, *, seconds: int = 2400, metres: int = 7000, hr: int = 152, sport: int = 1
) -> bytes:
    """A FIT activity: file_id, a few records and a session (sport 1 = running)."""
    t0 = _fit_time(start)
    body = _definition(0, 0, [(0, 1, 0x00), (1, 2, 0x84), (4, 4, 0x86)])
    body += struct.pack("<BBHI", 0, 4, 255, t0)
    body += _definition(1, 20, [(253, 4, 0x86), (3, 1, 0x02), (5, 4, 0x86)])
    for i in range(5):
        body += struct.pack("<BIBI", 1, t0 + i * seconds // 4, hr, int(metres * 100 * i / 4))
    body += _definition(
        2,
        18,
        [
            (253, 4, 0x86),
            (2, 4, 0x86),
            (7, 4, 0x86),
            (8, 4, 0x86),
            (9, 4, 0x86),
            (5, 1, 0x00),
            (16, 1, 0x02),
            (17, 1, 0x02),
            (22, 2, 0x84),
        ],
    )
    body += struct.pack(
        "<BIIIIIBBBH",
        2,
        t0 + seconds,
        t0,
        seconds * 1000,
        seconds * 1000,
        metres * 100,
        sport,
        hr,
        hr + 20,
        42,
    )
    header = struct.pack("<BBHI4s", 14, 0x20, 2132, len(body), b".FIT")
    header += struct.pack("<H", compute_crc(header))
    data = header + body
    return data + struct.pack("<H", compute_crc(data))


def real(name: str) -> bytes:
    """A real device's file from ``tests/training/data`` (sources and licences in LICENCES.md)."""
    from pathlib import Path

    return (Path(__file__).parent / "data" / name).read_bytes()


def without_messages(data: bytes, global_number: int) -> bytes:
    """A FIT file without its data messages of ``global_number`` (18: session), header size and
    CRCs made right again: a real file as a writer that never wrote them would have."""
    header_size = data[0]
    end = header_size + struct.unpack_from("<I", data, 4)[0]
    sizes, numbers = {}, {}
    kept = bytearray()
    pos = header_size
    while pos < end:
        header = data[pos]
        if header & 0x80:
            local, start = (header >> 5) & 0x3, pos
            pos += 1 + sizes[local]
        elif header & 0x40:
            local, start = header & 0x0F, pos
            big = data[pos + 2] == 1
            fields = data[pos + 5]
            size = sum(data[pos + 6 + 3 * i + 1] for i in range(fields))
            cursor = pos + 6 + 3 * fields
            if header & 0x20:
                dev = data[cursor]
                size += sum(data[cursor + 1 + 3 * i + 1] for i in range(dev))
                cursor += 1 + 3 * dev
            sizes[local] = size
            numbers[local] = struct.unpack_from(">H" if big else "<H", data, pos + 3)[0]
            kept += data[pos:cursor]
            pos = cursor
            continue
        else:
            local, start = header & 0x0F, pos
            pos += 1 + sizes[local]
        if numbers[local] != global_number:
            kept += data[start:pos]
    head = bytearray(data[:header_size])
    struct.pack_into("<I", head, 4, len(kept))
    if header_size == 14:
        struct.pack_into("<H", head, 12, compute_crc(bytes(head[:12])))
    body = bytes(head) + bytes(kept)
    return body + struct.pack("<H", compute_crc(body))
