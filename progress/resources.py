"""Blocks in and out of spreadsheets (config/content_io.py); matched by id. Each save moves the
community's content version (progress/signals.py)."""

from config.content_io import ContentResource

from .models import Block


class BlockResource(ContentResource):
    class Meta:
        model = Block
        import_id_fields = ["id"]
        fields = ["id", "page", "block_type", "title", "order", "content", "required", "is_published"]
        export_order = fields
