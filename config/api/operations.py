"""One shape for the endpoints that do something to one of the requester's objects.

"Find my object, validate the input, call one service, answer" is declared, not written::

    class PlanSessionSkipView(OperationView):
        scope = staticmethod(lambda user: selectors.sessions_of(user=user))
        object_name = "session"
        post = Operation(
            services.session_skip,
            input=s.SessionSkipSerializer,
            output=s.PlannedSessionSerializer,
            idempotent=True,
            summary="Skip a planned session",
        )

The view's class attributes say where the object comes from; each ``Operation`` (one per HTTP
method) names the input serializer, the service, the output serializer and the status. A request:

1. finds the object among the requester's own: ``scope(user)`` filtered by the path's
   ``lookup_url_kwarg``; another tenant's object is a 404, like a missing one. Without a
   ``scope`` the service gets the path's id as ``<object_name>_id`` and finds the object itself;
2. validates the body with the input serializer (shape only: the rules are the service's); an
   object named by an input field (``lookup_input``) is found after this, among the same scope;
3. calls the service with ``user``, the object found (``<object_name>=``) and the validated data;
4. answers with the output serializer and the status (``created=True``: the service returns
   ``(object, created)``, 201 when created and 200 when not).

Views raise nothing of their own: a service's domain error (``config/errors.py``) becomes the
error shape in ``config/api/exceptions.py``. The OpenAPI schema of each operation is derived
from the same declaration (request, answers, the 400/404 the view answers and the errors the
operation names), and ``idempotent=True`` puts the operation behind ``config.idempotency``.
"""

from collections.abc import Callable

from django.shortcuts import get_object_or_404
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from config.idempotency import idempotent as make_idempotent

HTTP_METHODS = ("get", "post", "put", "patch", "delete")
BAD_INPUT = OpenApiResponse(description="Bad input; the body maps each field to its messages.")
NOT_FOUND = OpenApiResponse(description="No such object among yours.")


class Operation:
    """One HTTP method of an :class:`OperationView`.

    * ``service``: called as ``service(user=..., <object_name>=object, **validated_data)``;
    * ``input``: the body's serializer; ``partial=True`` for a PATCH, which names only what it
      changes: one that names nothing calls no service and answers the object as it is;
    * ``output`` and ``status``: the answer; ``created=True``: the service returns
      ``(object, created)``, answered with ``status`` (201) when created and 200 otherwise;
    * ``summary``, ``description``, ``responses`` (other answers, e.g. the 200 of a repeat) and
      ``errors`` (``{409: OpenApiResponse(...)}``; ``None`` leaves a status the view documents
      by default to the platform's description) for the schema;
    * ``idempotent``: the ``Idempotency-Key`` header replays the first answer.
    """

    def __init__(
        self,
        service: Callable,
        *,
        summary: str | None,
        input=None,
        partial: bool = False,
        output=None,
        status: int = status.HTTP_200_OK,
        created: bool = False,
        idempotent: bool = False,
        description: str | None = None,
        responses: dict | None = None,
        errors: dict | None = None,
    ):
        self.service = service
        self.summary = summary
        self.input = input
        self.partial = partial
        self.output = output
        self.status = status
        self.created = created
        self.idempotent = idempotent
        self.description = description
        self.responses = responses or {}
        self.errors = errors or {}


class OperationView(APIView):
    # Base of the views whose methods are Operation declarations (see the module docstring); mix
    # it in first to add operations to a list view (GET stays the list's). No docstring: the
    # schema describes an operation with its view's docstring, found up to here.

    # A function ``user -> QuerySet`` of the requester's objects; None: the service finds it.
    scope: Callable | None = None
    lookup_url_kwarg = "pk"
    lookup_field = "pk"
    # The input field that names the object (its id), when the path does not.
    lookup_input: str | None = None
    # The service's keyword for the object found (``<object_name>_id`` without a scope).
    object_name = "object"
    # The output serializer of operations that name none.
    output = None
    # What the schema says of the 400 and 404 the view answers; None: the platform's words.
    bad_input = BAD_INPUT
    not_found = NOT_FOUND
    # Errors every operation of the view documents (e.g. ``{409: ...}``).
    errors: dict = {}
    # The object the request found (None until it is found, or when the service finds it).
    found = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        for method in HTTP_METHODS:
            operation = cls.__dict__.get(method)
            if isinstance(operation, Operation):
                setattr(cls, method, cls._handler(operation))

    @classmethod
    def _handler(cls, operation: Operation):
        def handler(self, request, *args, **kwargs):
            return self.perform(operation, request, **kwargs)

        if operation.idempotent:
            handler = make_idempotent(handler)
        handler.operation = operation
        return extend_schema(
            request=operation.input,
            responses=cls.schema_responses(operation),
            summary=operation.summary,
            description=operation.description,
        )(handler)

    @classmethod
    def schema_responses(cls, operation: Operation) -> dict:
        output = operation.output or cls.output
        responses = {operation.status: output, **operation.responses}
        if cls.bad_input is not None and (operation.input is not None or operation.idempotent):
            responses[400] = cls.bad_input
        if cls.not_found is not None and (cls.scope is not None or cls.lookup_url_kwarg):
            responses[404] = cls.not_found
        responses.update(cls.errors)
        responses.update(operation.errors)
        return {code: answer for code, answer in responses.items() if answer is not None}

    # --- a request ------------------------------------------------------------------------

    def perform(self, operation: Operation, request, **kwargs) -> Response:
        if self.lookup_input is None:  # the path names the object: a 404 before any 400
            target = self.target({}, kwargs)
            data = self.validated(operation, request)
        else:
            data = self.validated(operation, request)
            target = self.target(data, kwargs)
        if operation.partial and not data:
            return self.answer(operation, self.unchanged(target), status.HTTP_200_OK)
        result = operation.service(user=request.user, **target, **data)
        code = operation.status
        if operation.created:
            result, created = result
            code = operation.status if created else status.HTTP_200_OK
        return self.answer(operation, result, code)

    def validated(self, operation: Operation, request) -> dict:
        if operation.input is None:
            return {}
        serializer = operation.input(data=request.data, partial=operation.partial)
        serializer.is_valid(raise_exception=True)
        return dict(serializer.validated_data)

    def target(self, data: dict, kwargs: dict) -> dict:
        """The service's keyword naming the object: the requester's own, found, or its id."""
        if self.lookup_input is not None:
            key = data.pop(self.lookup_input)
        elif self.lookup_url_kwarg:
            key = kwargs[self.lookup_url_kwarg]
        else:
            return {}
        if self.scope is None:
            return {f"{self.object_name}_id": key}
        self.found = get_object_or_404(self.scope(self.request.user), **{self.lookup_field: key})
        return {self.object_name: self.found}

    def unchanged(self, target: dict):
        """What an operation whose body names nothing answers: the object as it is."""
        return target[self.object_name]

    def answer(self, operation: Operation, result, code: int) -> Response:
        return Response(self.present(operation, result), status=code)

    def present(self, operation: Operation, result):
        """The answer's body for the service's result (the output serializer's data)."""
        return (operation.output or self.output)(result).data
