"""Import and export of content designers' content (django-import-export).

Every resource here: CSV, JSON and XLSX; the admin shows a dry run first (rows new, changed,
unchanged and refused, with the field and the reason) and imports only a file without errors, in
one transaction; each object an import writes gets its own revision with the user; a row equal to
what is stored is skipped, so importing a file just exported changes nothing. Only the admins of
content models mix in :class:`ContentImportExportMixin`; users, groups and tokens have none.
"""

import functools
import json

from import_export import resources, widgets
from import_export.admin import ImportExportMixin
from import_export.formats.base_formats import CSV, JSON, XLSX

from .revisions import content_revision

FORMATS = [CSV, JSON, XLSX]


class ContentJSONWidget(widgets.JSONWidget):
    """JSON as text that reads back to the same value: empty lists and objects are written out
    (``[]``, ``{}``), and an empty cell is the field's default."""

    def __init__(self, *args, empty=None, **kwargs):
        self.empty = empty
        super().__init__(*args, **kwargs)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return self.empty() if callable(self.empty) else self.empty
        return super().clean(value, row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return json.dumps(value, ensure_ascii=False)


class ContentTextWidget(widgets.CharWidget):
    """Text that reads back to the same value: an empty cell is ``None`` for a nullable field and
    ``""`` otherwise (spreadsheets do not tell the two apart)."""

    def __init__(self, *args, nullable=False, **kwargs):
        self.nullable = nullable
        super().__init__(*args, **kwargs)

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return None if self.nullable else ""
        return super().clean(value, row, **kwargs)

    def render(self, value, obj=None, **kwargs):
        return "" if value is None else str(value)


TEXT_TYPES = {"CharField", "TextField", "SlugField", "EmailField", "URLField"}


class ContentResource(resources.ModelResource):
    @classmethod
    def widget_from_django_field(cls, f, default=widgets.Widget):
        kind = f.get_internal_type()
        if kind == "JSONField":
            return functools.partial(ContentJSONWidget, empty=f.default if f.has_default() else None)
        if kind in TEXT_TYPES:
            return functools.partial(ContentTextWidget, nullable=f.null)
        return super().widget_from_django_field(f, default)

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        # All or nothing: a refused row rolls the whole file back, in the admin and elsewhere.
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run, raise_errors, True, **kwargs)

    def save_instance(self, instance, is_create, row, **kwargs):
        comment = "Imported: created" if is_create else "Imported: changed"
        with content_revision(user=kwargs.get("user"), comment=comment):
            super().save_instance(instance, is_create, row, **kwargs)

    class Meta:
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
        use_transactions = True


class ContentImportExportMixin(ImportExportMixin):
    """Put first in the admin's bases, with ``resource_classes = [TheResource]``."""

    formats = FORMATS
    import_formats = FORMATS
    export_formats = FORMATS
