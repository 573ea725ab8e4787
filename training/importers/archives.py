"""Archives of activity files (a Strava bulk export, a Garmin Connect export): zip, entries maybe gzipped.

Every limit is checked before anything is decompressed:

* the archive's size, and its entry count read from the zip's end-of-central-directory record
  before ``zipfile`` reads the central directory itself (a zip claiming millions of entries is
  refused without building a list of them);
* each entry's declared uncompressed size and compression ratio, from the central directory;
* while reading, a hard cap on the bytes that come out (a zip entry that lies about its size, a
  gzip member whose header says nothing true): the stream is cut as soon as it passes the cap or
  the ratio, never inflated to the end.

Entry names never touch the filesystem: entries are read from ``zipfile`` into memory, one at a
time, and their names are only labels, cleaned of control characters; a name that would climb out
of a folder (``../``, an absolute path, a drive letter) is refused as unsafe.
"""

import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings

from .base import ImportFailed

ACTIVITY_SUFFIXES = (".fit", ".gpx", ".tcx", ".fit.gz", ".gpx.gz", ".tcx.gz")
CHUNK = 64 * 1024
EOCD = b"PK\x05\x06"
EOCD64_LOCATOR = b"PK\x06\x07"
LABEL_MAX = 200


@dataclass(frozen=True)
class Limits:
    archive_bytes: int
    entries: int
    entry_bytes: int
    ratio: float

    @classmethod
    def from_settings(cls) -> "Limits":
        return cls(
            archive_bytes=settings.ACTIVITY_ARCHIVE_MAX_BYTES,
            entries=settings.ACTIVITY_ARCHIVE_MAX_ENTRIES,
            entry_bytes=settings.ACTIVITY_IMPORT_MAX_BYTES,
            ratio=settings.ACTIVITY_ARCHIVE_MAX_RATIO,
        )


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def label(name: str) -> str:
    """A zip entry's name as a label: printable, forward slashes, at most ``LABEL_MAX`` characters."""
    text = "".join(
        ch if unicodedata.category(ch)[0] != "C" else "?" for ch in name.replace("\\", "/")
    ).strip()
    return (text[: LABEL_MAX - 1] + "…") if len(text) > LABEL_MAX else (text or "(no name)")


def unsafe_name(name: str) -> bool:
    """True for names that would leave a folder if anyone ever wrote them out."""
    text = name.replace("\\", "/")
    parts = text.split("/")
    return text.startswith("/") or ".." in parts or bool(re.match(r"^[A-Za-z]:", text)) or "\x00" in text


def is_activity(name: str) -> bool:
    lowered = name.lower()
    return lowered.endswith(ACTIVITY_SUFFIXES) and not lowered.endswith("/")


def declared_entry_count(fileobj) -> int:
    """The entry count the end-of-central-directory record declares (zip64 included), read from
    the last 64 kB + 22 bytes without reading the central directory."""
    fileobj.seek(0, 2)
    size = fileobj.tell()
    tail_size = min(size, 65536 + 22)
    fileobj.seek(size - tail_size)
    tail = fileobj.read(tail_size)
    at = tail.rfind(EOCD)
    if at < 0 or at + 22 > len(tail):
        raise ImportFailed("The file is not a zip archive.", code="not_zip")
    (entries,) = struct.unpack_from("<H", tail, at + 10)
    locator = at - 20
    if entries == 0xFFFF and locator >= 0 and tail[locator : locator + 4] == EOCD64_LOCATOR:
        (offset,) = struct.unpack_from("<Q", tail, locator + 8)
        fileobj.seek(offset)
        record = fileobj.read(56)
        if len(record) == 56 and record[:4] == b"PK\x06\x06":
            (entries,) = struct.unpack_from("<Q", record, 32)
    fileobj.seek(0)
    return entries


def open_archive(fileobj, *, size: int, limits: Limits) -> tuple[zipfile.ZipFile, list[zipfile.ZipInfo]]:
    """The zip and its activity entries, or ``ImportFailed`` for the whole archive (too big, too
    many entries, not a zip, no activity file)."""
    if size > limits.archive_bytes:
        raise ImportFailed(
            f"The archive is larger than {_mb(limits.archive_bytes)}.", code="archive_too_large"
        )
    entries = declared_entry_count(fileobj)
    if entries > limits.entries:
        raise ImportFailed(
            f"The archive holds {entries} entries; at most {limits.entries} are accepted.",
            code="archive_too_many_entries",
        )
    try:
        archive = zipfile.ZipFile(fileobj)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, struct.error) as error:
        raise ImportFailed(f"The file is not a readable zip archive: {error}", code="not_zip") from error
    infos = archive.infolist()
    if len(infos) > limits.entries:  # the central directory had more than its end record said
        archive.close()
        raise ImportFailed(
            f"The archive holds {len(infos)} entries; at most {limits.entries} are accepted.",
            code="archive_too_many_entries",
        )
    activities = [info for info in infos if not info.is_dir() and is_activity(info.filename)]
    if not activities:
        archive.close()
        raise ImportFailed("The archive holds no .fit, .gpx or .tcx file.", code="archive_empty")
    return archive, activities


def check_entry(info: zipfile.ZipInfo, limits: Limits) -> None:
    """Refuse an entry from what the central directory declares, before reading a byte of it."""
    if unsafe_name(info.filename):
        raise ImportFailed(
            "The entry's name is unsafe (an absolute path or '..'); it is refused.", code="unsafe_name"
        )
    if info.flag_bits & 0x1:
        raise ImportFailed("The entry is encrypted.", code="encrypted")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise ImportFailed("The entry uses a compression method that is not accepted.", code="compression")
    if info.file_size > limits.entry_bytes:
        raise ImportFailed(
            f"The entry declares {_mb(info.file_size)} uncompressed; at most {_mb(limits.entry_bytes)}.",
            code="entry_too_large",
        )
    if info.file_size > limits.ratio * max(info.compress_size, 1) and info.file_size > CHUNK:
        raise ImportFailed(
            f"The entry's compression ratio is above {limits.ratio:g} (a zip bomb?); it is refused.",
            code="ratio",
        )


def read_entry(archive: zipfile.ZipFile, info: zipfile.ZipInfo, limits: Limits) -> tuple[str, bytes]:
    """(name without ``.gz``, content) of one entry, read with hard caps; ``ImportFailed`` says why not."""
    check_entry(info, limits)
    out = bytearray()
    try:
        with archive.open(info) as stream:
            while chunk := stream.read(CHUNK):
                out += chunk
                if len(out) > limits.entry_bytes:
                    raise ImportFailed(
                        f"The entry is larger than {_mb(limits.entry_bytes)} uncompressed.",
                        code="entry_too_large",
                    )
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as error:
        raise ImportFailed(
            f"The entry cannot be read from the archive: {error}", code="corrupt_entry"
        ) from error
    name = info.filename
    if name.lower().endswith(".gz"):
        return name[:-3], gunzip_capped(bytes(out), limit=limits.entry_bytes, ratio=limits.ratio)
    return name, bytes(out)


def gunzip_capped(data: bytes, *, limit: int, ratio: float) -> bytes:
    """The content of gzip ``data`` (members one after another), streamed with a hard cap on the
    output and on the ratio of output to input; the header's size is never trusted."""
    out = bytearray()
    pending = data
    consumed = 0
    try:
        while pending:
            inflater = zlib.decompressobj(wbits=31)
            view = pending
            while view and not inflater.eof:
                piece, view = view[:CHUNK], view[CHUNK:]
                consumed += len(piece)
                buffer = piece
                while buffer:
                    out += inflater.decompress(buffer, CHUNK)
                    buffer = inflater.unconsumed_tail
                    _check_growth(len(out), consumed, limit, ratio)
            if not inflater.eof:
                raise ImportFailed("The gzip file is truncated.", code="corrupt_entry")
            out += inflater.flush()
            _check_growth(len(out), consumed, limit, ratio)
            pending = inflater.unused_data + view
            consumed -= len(inflater.unused_data)
            if pending and not pending.startswith(b"\x1f\x8b"):
                break  # trailing bytes after the last member, as gzip(1) ignores
    except zlib.error as error:
        raise ImportFailed(f"The gzip file is corrupt: {error}", code="corrupt_entry") from error
    return bytes(out)


def _check_growth(produced: int, consumed: int, limit: int, ratio: float) -> None:
    if produced > limit:
        raise ImportFailed(
            f"The gzip file decompresses to more than {_mb(limit)}; it is refused.", code="gzip_bomb"
        )
    if produced > CHUNK and produced > ratio * max(consumed, 1):
        raise ImportFailed(
            f"The gzip file's compression ratio is above {ratio:g} (a gzip bomb?); it is refused.",
            code="gzip_bomb",
        )
