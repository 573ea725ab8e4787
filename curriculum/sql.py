"""Every raw SQL statement of curriculum, in one place; the rest of the app uses the ORM."""

from django.db import connection

from .models import OutcomeEvent


def lock_outcome_history() -> None:
    """Hold writes to the outcome history until the transaction ends (``SHARE`` mode: reads go
    on), so a rebuild of the statistics misses no outcome recorded meanwhile. PostgreSQL only;
    elsewhere a no-op."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {OutcomeEvent._meta.db_table} IN SHARE MODE")
