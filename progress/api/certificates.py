"""Course milestones and certificates.

* ``milestones/?course=``: the milestones of the user's courses and which ones they reached;
* ``certificates/``: the user's certificates;
* ``certificates/{id}/`` (the verification id): anyone may verify a certificate, no sign-in needed; with
  ``?format=html`` or ``Accept: text/html`` it is a printable HTML page.
"""

from django.http import Http404
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import generics, serializers
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer, TemplateHTMLRenderer
from rest_framework.response import Response
from rest_framework.reverse import reverse
from rest_framework.views import APIView

from config.api.params import MAX_ID, parse_int

from ..models import Certificate, CourseMilestone
from ..selectors.achievements import certificate_by_verification_id, certificates_of, milestones_for


class MilestoneSerializer(serializers.ModelSerializer):
    required = serializers.BooleanField(source="required_for_completion", read_only=True)
    points = serializers.IntegerField(source="points_awarded", read_only=True)
    reached = serializers.SerializerMethodField()
    reached_at = serializers.SerializerMethodField()
    score = serializers.SerializerMethodField()

    class Meta:
        model = CourseMilestone
        fields = [
            "id",
            "course",
            "title",
            "milestone_type",
            "wod",
            "block",
            "min_score",
            "order_index",
            "required",
            "points",
            "reached",
            "reached_at",
            "score",
        ]
        read_only_fields = fields

    def _mine(self, obj):
        reached = getattr(obj, "my_reached", [])
        return reached[0] if reached else None

    def get_reached(self, obj) -> bool:
        return self._mine(obj) is not None

    @extend_schema_field(serializers.DateTimeField(allow_null=True))
    def get_reached_at(self, obj):
        mine = self._mine(obj)
        return mine.achieved_at.isoformat() if mine else None

    def get_score(self, obj) -> float | None:
        mine = self._mine(obj)
        return mine.score if mine else None


class MilestoneListView(generics.ListAPIView):
    serializer_class = MilestoneSerializer
    queryset = CourseMilestone.objects.none()

    def get_queryset(self):
        course = self.request.query_params.get("course")
        course_id = (
            parse_int(course, name="course", minimum=1, maximum=MAX_ID) if course is not None else None
        )
        return milestones_for(self.request.user, course_id=course_id)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "course",
                {"type": "integer", "minimum": 1, "maximum": MAX_ID},
                required=False,
                description="Only this course's milestones.",
            )
        ],
        summary="Course milestones and the ones the user reached",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CertificateSerializer(serializers.ModelSerializer):
    valid = serializers.BooleanField(
        read_only=True, default=True, help_text="Always true: an unknown verification id is a 404."
    )
    verify_url = serializers.SerializerMethodField()
    print_url = serializers.SerializerMethodField()

    class Meta:
        model = Certificate
        fields = [
            "verification_id",
            "valid",
            "learner_name",
            "course",
            "course_title",
            "community_name",
            "issued_at",
            "completed_at",
            "points",
            "verify_url",
            "print_url",
        ]
        read_only_fields = fields

    def get_verify_url(self, obj) -> str:
        return reverse(
            "api:progress-certificate-verify", args=[obj.verification_id], request=self.context.get("request")
        )

    def get_print_url(self, obj) -> str:
        return self.get_verify_url(obj) + "?format=html"


class CertificateListView(generics.ListAPIView):
    serializer_class = CertificateSerializer
    queryset = Certificate.objects.none()

    def get_queryset(self):
        return certificates_of(self.request.user)

    @extend_schema(summary="The user's course certificates")
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)


class CertificateHTMLRenderer(TemplateHTMLRenderer):
    template_name = "progress/certificate.html"


class CertificateVerifyView(APIView):
    """Public: the verification id is unguessable, so no sign-in is needed."""

    permission_classes = [AllowAny]
    authentication_classes = []
    renderer_classes = [JSONRenderer, CertificateHTMLRenderer]

    @extend_schema(
        auth=[],
        responses={
            200: CertificateSerializer,
            404: OpenApiResponse(description="No certificate has this verification id."),
        },
        summary="Verify a certificate (no sign-in; ?format=html for a printable page)",
        description=(
            "Anyone holding the verification id may check the certificate. Send `Accept: text/html` "
            "or `?format=html` for a printable HTML page."
        ),
    )
    def get(self, request, id):  # noqa: A002 - the path's {id} is the verification id
        certificate = certificate_by_verification_id(id)
        if certificate is None:
            raise Http404
        data = CertificateSerializer(certificate, context={"request": request}).data
        return Response(data)
