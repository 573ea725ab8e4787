from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    """Preferences, devices, the cadence analyzer and the notification outbox."""

    name = "notifications"
    verbose_name = "Notifications"
    # Models the "Content designers" group may edit (see config/permissions.py).
    content_models = ("notifications.NotificationTemplate", ("notifications.KindRollout", "view"))
    # A runner's preferences, devices, notifications and behaviour profile are personal data
    # (config/access.py): coaches may read them, every read logged; designers never see them.
    coach_models = (
        ("notifications.NotificationPreferences", "view"),
        ("notifications.Device", "view"),
        ("notifications.Notification", "view"),
        ("notifications.BehaviorProfile", "view"),
    )

    def ready(self):
        from training import events

        from .receivers import TRAINING_EVENTS

        events.subscribe(TRAINING_EVENTS)
