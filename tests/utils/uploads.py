"""Large multipart uploads sent through the WSGI handler without building the body in memory.

The test client builds a request body as one bytes object, so a 60 MB upload would cost the test
60 MB before the app sees a byte. ``streamed_upload`` instead hands the app a ``wsgi.input`` that
makes the body as it is read (a multipart header, ``size`` filler bytes, the closing boundary),
and says how much of it the app read.
"""

import io
from dataclasses import dataclass

from django.test.client import ClientHandler

BOUNDARY = "----coach-streamed-upload"


class _Body:
    """A file-like multipart body of ``len(head) + size + len(tail)`` bytes, made while read."""

    def __init__(self, head: bytes, size: int, tail: bytes, filler: bytes):
        self.parts = [(head, len(head)), (None, size), (tail, len(tail))]
        self.filler = filler
        self.part = 0
        self.offset = 0
        self.read_bytes = 0

    def read(self, n: int = -1) -> bytes:
        out = bytearray()
        while self.part < len(self.parts) and (n < 0 or len(out) < n):
            data, length = self.parts[self.part]
            take = length - self.offset if n < 0 else min(length - self.offset, n - len(out))
            if data is not None:
                out += data[self.offset : self.offset + take]
            else:
                whole, rest = divmod(take, len(self.filler))
                out += self.filler * whole + self.filler[:rest]
            self.offset += take
            if self.offset == length:
                self.part, self.offset = self.part + 1, 0
        self.read_bytes += len(out)
        return bytes(out)

    def readline(self, limit: int = -1) -> bytes:  # pragma: no cover - not used by the multipart parser
        return self.read(limit)


@dataclass
class StreamedResult:
    status_code: int
    body: bytes
    body_read: int
    declared: int


def streamed_upload(
    path: str, *, token: str, size: int, filename: str = "big.fit", filler: bytes = b"\x00" * 65536
) -> StreamedResult:
    """POST a ``size``-byte file as multipart ``file`` to ``path`` with ``Content-Length`` set."""
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="{filename}"\r\n'
        "Content-Type: application/octet-stream\r\n\r\n"
    ).encode()
    tail = f"\r\n--{BOUNDARY}--\r\n".encode()
    body = _Body(head, size, tail, filler)
    declared = len(head) + size + len(tail)
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SCRIPT_NAME": "",
        "QUERY_STRING": "",
        "SERVER_NAME": "testserver",
        "SERVER_PORT": "80",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "CONTENT_TYPE": f"multipart/form-data; boundary={BOUNDARY}",
        "CONTENT_LENGTH": str(declared),
        "HTTP_AUTHORIZATION": f"Token {token}",
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
        "wsgi.version": (1, 0),
        "wsgi.multithread": False,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
    }
    response = ClientHandler(enforce_csrf_checks=False)(environ)
    return StreamedResult(response.status_code, response.content, body.read_bytes, declared)
