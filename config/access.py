"""Runners' personal data in the admin: who may see it, and a record of every read.

Runner profiles, activities, plans, sessions, calendar subscriptions, notification preferences,
devices, notifications and behaviour profiles are health or personal data. Their ``ModelAdmin``
classes take ``RunnerDataAdmin`` first in their bases:

* every list page and every detail page a user opens writes one ``RunnerDataAccess`` row per
  object shown (who, which object, whose data, when), in one insert;
* deleting is for superusers only, whatever a group grants.

Who may open them at all is the groups' business (``config/permissions.py``): coaches view them,
content designers do not (the admin answers 403 and lists no link).
"""

from django.contrib.admin.utils import unquote
from django.contrib.contenttypes.models import ContentType

from .models import RunnerDataAccess


def runner_data_reads_record(*, reader, model, rows, action: str, path: str) -> None:
    """Write one access row per ``(object_id, object_repr, runner_id, runner_username)`` in ``rows``."""
    content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
    RunnerDataAccess.objects.bulk_create(
        [
            RunnerDataAccess(
                reader_id=reader.pk,
                reader_username=reader.get_username(),
                action=action,
                content_type=content_type,
                object_id=str(object_id),
                object_repr=str(object_repr)[:200],
                runner_id=runner_id,
                runner_username=runner_username or "",
                path=path[:500],
            )
            for object_id, object_repr, runner_id, runner_username in rows
        ]
    )


class RunnerDataAdmin:
    """Mixin for the ``ModelAdmin`` of a model holding a runner's data (put it first in the bases)."""

    #: Path from the model to the runner (a user).
    runner_field = "user"

    def has_delete_permission(self, request, obj=None):
        return (
            request.user.is_active
            and request.user.is_superuser
            and super().has_delete_permission(request, obj)
        )

    def _runners_of(self, objects):
        """``{pk: (runner_id, runner_username)}`` for the objects, in one query."""
        path = self.runner_field
        rows = self.model._default_manager.filter(pk__in=[obj.pk for obj in objects]).values_list(
            "pk", f"{path}__id", f"{path}__username"
        )
        return {pk: (runner_id, username) for pk, runner_id, username in rows}

    def _record(self, request, objects, action):
        objects = list(objects)
        if not objects:
            return
        runners = self._runners_of(objects)
        runner_data_reads_record(
            reader=request.user,
            model=self.model,
            rows=[(obj.pk, obj, *runners.get(obj.pk, (None, ""))) for obj in objects],
            action=action,
            path=request.get_full_path(),
        )

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl") if response.status_code == 200 else None
        if request.method == "GET" and changelist is not None:
            self._record(request, changelist.result_list, RunnerDataAccess.Action.LIST)
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self._record(request, [obj], RunnerDataAccess.Action.VIEW)
        return response

    def history_view(self, request, object_id, extra_context=None):
        response = super().history_view(request, object_id, extra_context)
        if response.status_code == 200:
            obj = self.get_object(request, unquote(object_id))
            if obj is not None:
                self._record(request, [obj], RunnerDataAccess.Action.VIEW)
        return response
