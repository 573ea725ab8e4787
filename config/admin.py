from django.contrib import admin


class ReadOnlyModelAdmin(admin.ModelAdmin):
    """Rows that change only through the services (learner state, history, awards, analytics):
    visible in the admin to those allowed, never added, edited or deleted there."""

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


def _register_platform_admin():
    from .models import PendingTask, RunnerDataAccess

    @admin.register(PendingTask)
    class PendingTaskAdmin(ReadOnlyModelAdmin):
        list_display = ("task", "created_at", "attempts", "last_error")
        list_filter = ("task",)
        date_hierarchy = "created_at"

    @admin.register(RunnerDataAccess)
    class RunnerDataAccessAdmin(ReadOnlyModelAdmin):
        """Read-only for everyone, superusers included: the log is append-only."""

        list_display = ("at", "reader_username", "action", "content_type", "object_repr", "runner_username")
        list_filter = ("action", "content_type")
        search_fields = ("reader_username", "runner_username", "object_repr")
        date_hierarchy = "at"
        list_select_related = ("content_type",)

        def get_actions(self, request):
            return {}


_register_platform_admin()
