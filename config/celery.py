"""The Celery application: ``celery -A config worker`` and ``celery -A config beat``.

Tasks are autodiscovered from each app's ``tasks.py``. Beat uses django-celery-beat's
DatabaseScheduler; the schedules themselves are declared in ``config/schedules.py`` and
written to the database by ``manage.py migrate`` (see ``config.schedules.sync_periodic_tasks``),
where operators can change them in the admin.
"""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("config")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@app.on_after_configure.connect
def _ensure_broker_folders(sender, **kwargs):
    """The filesystem transport needs its folders before the first message."""
    options = sender.conf.broker_transport_options or {}
    for key in ("data_folder_in", "data_folder_out", "control_folder"):
        if options.get(key):
            os.makedirs(options[key], exist_ok=True)
