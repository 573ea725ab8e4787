"""Scenarios in and out of spreadsheets (config/content_io.py); matched by id (an empty id is a
new scenario)."""

from config.content_io import ContentResource
from config.outbox import run_on_commit

from .models import Scenario
from .selectors import scenario_list_count_invalidate
from .services import SCENARIO_CONTENT_FIELDS, scenario_metadata_ensure


class ScenarioResource(ContentResource):
    def after_save_instance(self, instance, row, **kwargs):
        super().after_save_instance(instance, row, **kwargs)
        scenario_metadata_ensure(scenario=instance)
        run_on_commit(scenario_list_count_invalidate)

    class Meta:
        model = Scenario
        import_id_fields = ["id"]
        fields = [
            "id",
            "slug",
            *SCENARIO_CONTENT_FIELDS,
            "visibility",
            "is_active",
            "publish_at",
            "unpublish_at",
        ]
        export_order = fields
