from rest_framework import pagination

from config.api.params import MAX_ID, parse_int


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=2&page_size=100``; responses carry ``count``, ``next``, ``previous``, ``results``.

    A ``page_size`` that is not a whole number from 1 to ``max_page_size`` is bad input (400),
    not silently replaced by the default; a page past the end is a 404.
    """

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        raw = request.query_params.get(self.page_size_query_param)
        if raw is None:
            return self.page_size
        return parse_int(raw, name=self.page_size_query_param, minimum=1, maximum=self.max_page_size)

    def get_page_number(self, request, paginator):
        raw = request.query_params.get(self.page_query_param)
        if raw is None or raw in self.last_page_strings:
            return super().get_page_number(request, paginator)
        return parse_int(raw, name=self.page_query_param, minimum=1, maximum=MAX_ID)

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": MAX_ID}
            if parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1, "maximum": self.max_page_size}
        return parameters
