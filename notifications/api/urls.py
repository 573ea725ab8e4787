from django.urls import path

from . import views

urlpatterns = [
    path("notifications/", views.InboxView.as_view(), name="notification-inbox"),
    path("notifications/preferences/", views.PreferencesView.as_view(), name="notification-preferences"),
    path("notifications/scheduled/", views.ScheduledView.as_view(), name="notification-scheduled"),
    path("notifications/snooze/", views.SnoozeView.as_view(), name="notification-snooze"),
    path(
        "notifications/<int:pk>/opened/", views.NotificationOpenedView.as_view(), name="notification-opened"
    ),
    path(
        "notifications/<int:pk>/clicked/",
        views.NotificationClickedView.as_view(),
        name="notification-clicked",
    ),
    path("devices/", views.DeviceCreateView.as_view(), name="device-create"),
    path("devices/<int:pk>/", views.DeviceDeleteView.as_view(), name="device-delete"),
]
