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
