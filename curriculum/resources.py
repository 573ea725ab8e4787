"""Plan alternatives in and out of spreadsheets (config/content_io.py); matched by id."""

from config.content_io import ContentResource

from .models import Alternative


class AlternativeResource(ContentResource):
    class Meta:
        model = Alternative
        import_id_fields = ["id"]
        fields = [
            "id",
            "step",
            "code",
            "order",
            "title",
            "summary",
            "content",
            "match_rules",
            "prior_success_rate",
            "prior_strength",
            "is_active",
        ]
        export_order = fields
