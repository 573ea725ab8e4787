"""Trigram indexes for the list's text search (``q``: case-insensitive substring of the title or
description)."""

from django.db import migrations

INDEXES = {
    "scenario_title_trgm_idx": "title",
    "scenario_description_trgm_idx": "description",
}


def create_indexes(apps, schema_editor):
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, column in INDEXES.items():
        # Matches the SQL of Django's icontains lookup: UPPER("column"::text) LIKE UPPER(...)
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {name} ON scenarios_scenario "
            f"USING gin (UPPER({column}::text) gin_trgm_ops)"
        )


def drop_indexes(apps, schema_editor):
    # The pg_trgm extension stays: other indexes may use it.
    for name in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("scenarios", "0001_scenarios_metadata_progress")]

    operations = [migrations.RunPython(create_indexes, drop_indexes)]
