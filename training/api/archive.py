"""A runner's whole history at once: ``POST /api/v1/activities/archive/`` and its report."""

from django.conf import settings
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from config.idempotency import idempotent

from ..models import ActivityArchiveImport
from ..services import archives
from .uploads import BoundedUploadView

TOO_LARGE = OpenApiResponse(
    description="The upload is larger than `ACTIVITY_ARCHIVE_MAX_BYTES` (checked from `Content-Length` "
    'before the body is read, and again while it streams): `{"detail", "code": "archive_too_large"}`.'
)


class ArchiveUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text="A zip of .fit, .gpx and .tcx files, each possibly gzipped (.fit.gz ...): a Strava bulk "
        "export or a Garmin Connect export."
    )


class ArchiveQueuedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=["queued"], read_only=True)


class RefusedFileSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The entry's name in the archive (a label).")
    reason = serializers.CharField(help_text="Why it was not recorded, as the single-file import says it.")


class ArchiveWarningSerializer(serializers.Serializer):
    name = serializers.CharField()
    message = serializers.CharField()


class ArchiveImportSerializer(serializers.ModelSerializer):
    refused = RefusedFileSerializer(many=True, read_only=True)
    warnings = ArchiveWarningSerializer(many=True, read_only=True)

    class Meta:
        model = ActivityArchiveImport
        fields = [
            "id",
            "status",
            "name",
            "total",
            "processed",
            "imported",
            "duplicates",
            "refused",
            "warnings",
            "error",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields


class ActivityArchiveView(BoundedUploadView, APIView):
    parser_classes = [MultiPartParser, FormParser]
    upload_too_large_code = "archive_too_large"

    def upload_limit(self) -> int:
        return settings.ACTIVITY_ARCHIVE_MAX_BYTES

    @extend_schema(
        request={"multipart/form-data": ArchiveUploadSerializer},
        responses={
            202: ArchiveQueuedSerializer,
            400: OpenApiResponse(
                description="Missing file, not a zip, no activity file in it, or its central directory "
                "already breaks a limit (entry count): `file` says why."
            ),
            413: TOO_LARGE,
        },
        summary="Import a whole history (a zip of FIT, GPX and TCX files); the report says how it went",
    )
    @idempotent
    def post(self, request):
        upload = archives.activity_archive_create(
            user=request.user, file=self.bounded_file(request, ArchiveUploadSerializer)
        )
        return Response({"id": upload.pk, "status": upload.status}, status=status.HTTP_202_ACCEPTED)


class ActivityArchiveDetailView(APIView):
    @extend_schema(
        responses={
            200: ArchiveImportSerializer,
            404: OpenApiResponse(description="No such archive import among yours."),
        },
        summary="An archive import's progress and report",
    )
    def get(self, request, pk):
        return Response(ArchiveImportSerializer(archives.activity_archive_get(user=request.user, pk=pk)).data)
