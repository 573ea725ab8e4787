"""``GET xapi/statements/``: the event log as xAPI 1.0.3 statements."""

from django.urls import reverse
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from config.api.params import MAX_ID, QueryIntegerField

from ..selectors.xapi import as_statement, statements_for


class StatementQuerySerializer(serializers.Serializer):
    since = serializers.DateTimeField(
        required=False, help_text="Only statements stored after this time (ISO 8601)."
    )
    community = QueryIntegerField(
        min_value=1, max_value=MAX_ID, required=False, help_text="Only this community's statements."
    )
    after = QueryIntegerField(
        min_value=0, max_value=MAX_ID, required=False, help_text="Continuation cursor (from `more`)."
    )
    limit = QueryIntegerField(
        min_value=1, max_value=1000, default=500, help_text="Statements per page, at most 1000 (default 500)."
    )


class XapiStatementsView(APIView):
    @extend_schema(
        parameters=[StatementQuerySerializer],
        responses={
            200: inline_serializer(
                "XapiStatementResult",
                {
                    "statements": serializers.ListField(child=serializers.DictField()),
                    "more": serializers.CharField(help_text="URL of the next page, empty at the end."),
                },
            )
        },
        summary=(
            "xAPI 1.0.3 statements of the user's events (and, for instructors and admins, their community's)"
        ),
    )
    def get(self, request):
        query = StatementQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        limit = params["limit"]
        events = list(
            statements_for(
                request.user,
                since=params.get("since"),
                community_id=params.get("community"),
                after_id=params.get("after"),
            )[: limit + 1]
        )
        more = ""
        if len(events) > limit:
            events = events[:limit]
            next_query = request.query_params.copy()
            next_query["after"] = str(events[-1].pk)
            more = f"{reverse('api:progress-xapi-statements')}?{next_query.urlencode()}"
        response = Response({"statements": [as_statement(e) for e in events], "more": more})
        response["X-Experience-API-Version"] = "1.0.3"
        return response
