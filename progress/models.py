"""Communities, programs > courses > WODs > pages > blocks, enrollments, roll-ups, achievements and analytics."""

from django.db import models  # noqa: F401
