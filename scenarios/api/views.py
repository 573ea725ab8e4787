from django.core.paginator import Paginator as DjangoPaginator
from django.shortcuts import get_object_or_404
from django.utils import timezone
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status
from rest_framework.response import Response

from config.api.operations import Operation, OperationView
from config.api.pagination import PageNumberPagination
from config.api.params import parse_int
from config.idempotency import idempotent

from .. import selectors, services
from ..models import Scenario, ScenarioMetadata, UserScenarioProgress
from . import shapes
from .serializers import (
    AttemptSerializer,
    CompletionSerializer,
    MyScenarioSerializer,
    MyScenariosQuerySerializer,
    NotesSerializer,
    RatingSerializer,
    ScenarioCreateSerializer,
    ScenarioDetailSerializer,
    ScenarioListQuerySerializer,
    ScenarioStateSerializer,
    ScenarioSummarySerializer,
    SimilarScenarioSerializer,
    scenario_list_query,
)


class CountedQuerySet:
    """A queryset whose ``count()`` comes from elsewhere (see ``selectors.scenario_list_count``);
    the paginator slices it as usual."""

    ordered = True

    def __init__(self, queryset, count):
        self.queryset = queryset
        self._count = count

    def count(self):
        return self._count()

    def __getitem__(self, item):
        return self.queryset[item]

    def __len__(self):
        return self.count()


class CachedCountPaginator(DjangoPaginator):
    """Slices by page number alone, so a count that lags a new scenario never cuts a page short."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        return self._get_page(self.object_list[bottom : bottom + self.per_page], number, self)


class ScenarioListPagination(PageNumberPagination):
    django_paginator_class = CachedCountPaginator


NOT_FOUND = OpenApiResponse(description="No such scenario, or another user's private one.")


class ScenarioListCreateView(generics.GenericAPIView):
    serializer_class = ScenarioSummarySerializer
    pagination_class = ScenarioListPagination

    def get_queryset(self):
        return Scenario.objects.visible_to(self.request.user)

    @extend_schema(
        parameters=[ScenarioListQuerySerializer],
        responses={
            200: ScenarioSummarySerializer(many=True),
            400: OpenApiResponse(description="Unknown sort or filter value."),
        },
        summary="Ranked scenarios: trending, most saved, top rated (Bayesian) or newest",
    )
    def get(self, request):
        filters = scenario_list_query(request.query_params)
        queryset = selectors.ScenarioListPage(user=request.user, **filters)
        filters.pop("sort")
        page = self.paginate_queryset(
            CountedQuerySet(queryset, lambda: selectors.scenario_list_count(user=request.user, **filters))
        )
        # Each row carries the user's progress (joined in), so the page is one query.
        now = timezone.now()
        return self.get_paginated_response(shapes.list_rows_data(page, now=now))

    @extend_schema(
        request=ScenarioCreateSerializer,
        responses={201: ScenarioDetailSerializer},
        summary="Create a scenario of your own (private unless visibility is public)",
    )
    @idempotent
    def post(self, request):
        serializer = ScenarioCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        scenario = services.scenario_create(user=request.user, **serializer.validated_data)
        scenario = Scenario.objects.select_related("metadata").get(pk=scenario.pk)
        data = shapes.detail_data(scenario, now=timezone.now())
        return Response(data, status=status.HTTP_201_CREATED)


class ScenarioDetailView(generics.RetrieveAPIView):
    serializer_class = ScenarioDetailSerializer

    def get_queryset(self):
        return Scenario.objects.visible_to(self.request.user).select_related("metadata")

    @extend_schema(responses={200: ScenarioDetailSerializer, 404: NOT_FOUND})
    def get(self, request, *args, **kwargs):
        scenario = self.get_object()
        progress = selectors.progress_get(user=request.user, scenario=scenario)
        return Response(shapes.detail_data(scenario, now=timezone.now(), progress=progress))


def visible_ids(user):
    # The operations need the scenario's id, not its text.
    return Scenario.objects.visible_to(user).only("id")


class ScenarioOperationView(OperationView):
    """Base of the endpoints that change the user's progress on one visible scenario."""

    scope = staticmethod(visible_ids)
    object_name = "scenario"
    output = ScenarioStateSerializer
    bad_input = None
    not_found = NOT_FOUND

    def unchanged(self, target):
        return selectors.progress_get(user=self.request.user, scenario=target["scenario"])

    def present(self, operation, progress):
        scenario = self.found
        # A service that returned the metadata as it left it cached it on the scenario.
        if Scenario.metadata.is_cached(scenario):
            metadata = scenario.metadata
        else:
            metadata = ScenarioMetadata.objects.get(scenario=scenario)
        return shapes.scenario_state_data(
            scenario_id=scenario.pk, metadata=metadata, progress=progress, now=timezone.now()
        )


class ScenarioSaveView(ScenarioOperationView):
    put = Operation(services.scenario_save, summary="Save (idempotent)")
    delete = Operation(services.scenario_unsave, summary="Unsave (idempotent)")


class ScenarioAttemptView(ScenarioOperationView):
    post = Operation(
        services.scenario_attempt,
        input=AttemptSerializer,
        status=status.HTTP_201_CREATED,
        idempotent=True,
        summary="Start an attempt",
    )


class ScenarioCompletionView(ScenarioOperationView):
    post = Operation(
        services.scenario_complete,
        input=CompletionSerializer,
        status=status.HTTP_201_CREATED,
        idempotent=True,
        summary="Complete the scenario",
        errors={400: OpenApiResponse(description="Bad time_spent_s.")},
    )


class ScenarioRatingView(ScenarioOperationView):
    put = Operation(
        services.scenario_rate,
        input=RatingSerializer,
        summary="Rate or re-rate 1-5",
        errors={400: OpenApiResponse(description="Rating not 1-5.")},
    )
    delete = Operation(services.scenario_unrate, summary="Remove your rating")


class ScenarioNotesView(ScenarioOperationView):
    patch = Operation(
        services.scenario_notes_update,
        input=NotesSerializer,
        partial=True,
        summary="Replace your private notes",
        description="A body without `notes` changes nothing (a PATCH names only what it changes).",
    )


class ScenarioSimilarView(generics.GenericAPIView):
    """The visible scenarios most often saved by the users who saved this one."""

    serializer_class = SimilarScenarioSerializer
    pagination_class = None

    def get_queryset(self):
        return visible_ids(self.request.user)

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "limit",
                {"type": "integer", "minimum": 1, "maximum": 50},
                description="At most 50; default 10.",
            )
        ],
        responses={200: SimilarScenarioSerializer(many=True), 404: NOT_FOUND},
        summary="People who saved this also saved",
    )
    def get(self, request, pk):
        scenario = get_object_or_404(self.get_queryset(), pk=pk)
        raw = request.query_params.get("limit")
        limit = 10 if raw is None else parse_int(raw, name="limit", minimum=1, maximum=50)
        similar = selectors.scenario_similar(user=request.user, scenario=scenario, limit=limit)
        progress = selectors.progress_by_scenario(
            user=request.user, scenario_ids=[item.pk for item in similar]
        )
        return Response(shapes.similar_data(similar, now=timezone.now(), progress_by_scenario=progress))


class MyScenariosView(generics.ListAPIView):
    serializer_class = MyScenarioSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return UserScenarioProgress.objects.none()
        query = MyScenariosQuerySerializer(data=self.request.query_params)
        query.is_valid(raise_exception=True)
        return selectors.my_scenarios(user=self.request.user, saved=query.validated_data["saved"])

    @extend_schema(
        parameters=[MyScenariosQuerySerializer], summary="Your scenarios (saved=true: your saved ones)"
    )
    def get(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        now = timezone.now()
        return self.get_paginated_response([shapes.my_scenario_data(progress, now=now) for progress in page])
