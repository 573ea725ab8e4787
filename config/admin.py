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
    from .models import PendingTask

    @admin.register(PendingTask)
    class PendingTaskAdmin(ReadOnlyModelAdmin):
        list_display = ("task", "created_at", "attempts", "last_error")
        list_filter = ("task",)
        date_hierarchy = "created_at"


_register_platform_admin()
