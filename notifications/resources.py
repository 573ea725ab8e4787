"""Notification copy in and out of spreadsheets (config/content_io.py); matched by kind and tone."""

from config.content_io import ContentResource

from .models import NotificationTemplate


class NotificationTemplateResource(ContentResource):
    class Meta:
        model = NotificationTemplate
        import_id_fields = ["kind", "tone"]
        fields = ["kind", "tone", "title", "body", "variants", "active"]
        export_order = fields
