"""The API's answer to a path under ``/api/v1/`` that no route matches (``/scenarios/abc/``,
``/nothing/``): a 404 in the API's one error shape, never Django's HTML page. Included last by
``config/api/urls.py``."""

from django.http import JsonResponse
from django.urls import re_path
from django.views.decorators.csrf import csrf_exempt


@csrf_exempt
def not_found(request, *args, **kwargs):
    return JsonResponse({"detail": "Not found.", "code": "not_found"}, status=404)


urlpatterns = [re_path(r"", not_found, name="not-found")]
