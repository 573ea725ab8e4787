"""Activity files from watches and apps: FIT (fitdecode), GPX and TCX (defusedxml) to one summary.

``parse(name, data)`` returns a ``ParsedActivity`` or raises ``ImportFailed`` with a message a
runner can act on ("the FIT file is truncated") and a short ``code`` for metrics, never a
library's exception. Files are untrusted: the caller hands over at most ``max_file_bytes()``
bytes (read in chunks with a hard cap, see ``read_capped``), XML is screened before a parser sees
it (``xmlsafe``), and the parse stops at a deadline (``Deadline``).

Tolerant where the data is intact, strict where it is not: a FIT message that uses a local message
type nobody defined is skipped and reported in ``warnings``, unknown developer fields are ignored,
a file without a session is summarised from its records; a CRC mismatch, a truncated file or a
header that is not FIT is refused.
"""

import hashlib

from .base import Deadline, ImportFailed, ParsedActivity, max_file_bytes, parse_timeout_s

FORMATS = ("gpx", "tcx", "fit")
CHUNK = 64 * 1024

__all__ = [
    "FORMATS",
    "Deadline",
    "ImportFailed",
    "ParsedActivity",
    "detect_format",
    "max_file_bytes",
    "parse",
    "read_capped",
]


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
    raise ImportFailed(
        "Unsupported file: send a GPX, TCX or FIT file from your watch or app.", code="unsupported"
    )


def read_capped(stream, *, limit: int | None = None) -> tuple[bytes, str]:
    """(content, SHA-256 hex) of a binary stream, read and hashed in chunks; ``ImportFailed``
    (``too_large``) as soon as it passes ``limit`` bytes, without reading the rest."""
    limit = max_file_bytes() if limit is None else limit
    digest = hashlib.sha256()
    out = bytearray()
    chunks = stream.chunks(CHUNK) if hasattr(stream, "chunks") else iter(lambda: stream.read(CHUNK), b"")
    for chunk in chunks:
        if len(out) + len(chunk) > limit:
            raise ImportFailed(f"The file is larger than {_mb(limit)}.", code="too_large")
        digest.update(chunk)
        out += chunk
    return bytes(out), digest.hexdigest()


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


def parse(name: str, data: bytes, *, deadline: Deadline | None = None) -> ParsedActivity:
    """The activity in one file's bytes (at most ``max_file_bytes()``)."""
    from .fit import parse_fit
    from .xmlfiles import parse_gpx, parse_tcx

    if not data:
        raise ImportFailed("The file is empty.", code="empty")
    if len(data) > max_file_bytes():
        raise ImportFailed(f"The file is larger than {_mb(max_file_bytes())}.", code="too_large")
    deadline = deadline or Deadline(parse_timeout_s())
    kind = detect_format(name, data[:4096])
    parsed = {"gpx": parse_gpx, "tcx": parse_tcx, "fit": parse_fit}[kind](data, deadline)
    if parsed.duration_s <= 0:
        raise ImportFailed(
            f"The {kind.upper()} file has no duration (fewer than two timed points).", code="no_data"
        )
    return parsed
