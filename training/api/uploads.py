"""Uploads read within bounds: the declared size is checked before a byte of the body is read, and
the bytes that arrive are counted as they stream to a temporary file, so a large upload never grows
the process (see README "Untrusted files").

A view that takes a file mixes in ``BoundedUploadView`` and names its limit; ``bounded_file`` then
gives the validated file, or raises ``TooLarge`` (413) when the body was cut at the limit.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from config.api.params import to_int
from config.errors import TooLarge

MULTIPART_OVERHEAD = 64 * 1024  # boundaries, part headers and the other form fields


class CappedUploadHandler(FileUploadHandler):
    """Counts the bytes of the uploaded files and stops the upload (without reading the rest of
    the body) once they pass ``limit``; the next handlers (memory below
    ``FILE_UPLOAD_MAX_MEMORY_SIZE``, else a temporary file) keep the data."""

    def __init__(self, request, limit: int):
        super().__init__(request)
        self.limit = limit
        self.received = 0
        self.exceeded = False

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            self.exceeded = True
            raise StopUpload(connection_reset=True)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler returns the file


def _mb(size: int) -> str:
    return f"{size / (1024 * 1024):g} MB"


class BoundedUploadView:
    """Mixin for an ``APIView`` whose ``POST`` takes a file of at most ``upload_limit()`` bytes."""

    upload_too_large_code = "file_too_large"

    def upload_limit(self) -> int:  # pragma: no cover - each view names its own
        raise NotImplementedError

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)  # authentication, permissions and throttles first
        if request.method != "POST":
            return
        limit = self.upload_limit()
        try:
            declared = to_int(request.META.get("CONTENT_LENGTH") or "0", minimum=0)
        except ValueError:
            declared = 0
        if declared > limit + MULTIPART_OVERHEAD:
            raise TooLarge(f"The upload is larger than {_mb(limit)}.", code=self.upload_too_large_code)
        django_request = request._request
        self._capped_upload = CappedUploadHandler(django_request, limit)
        django_request.upload_handlers = [self._capped_upload, *django_request.upload_handlers]

    def bounded_file(self, request, serializer_class):
        """The ``file`` of the validated input, or ``TooLarge`` when the upload passed the limit."""
        serializer = serializer_class(data=request.data)
        capped = getattr(self, "_capped_upload", None)
        if capped is not None and capped.exceeded:
            raise TooLarge(f"The upload is larger than {_mb(capped.limit)}.", code=self.upload_too_large_code)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data["file"]
