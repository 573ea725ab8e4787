from django.urls import path

from . import archive, views

urlpatterns = [
    path("runner-profile/", views.RunnerProfileView.as_view(), name="runner-profile"),
    path("activities/", views.ActivityListCreateView.as_view(), name="activity-list"),
    path("activities/import/", views.ActivityImportView.as_view(), name="activity-import"),
    path("activities/archive/", archive.ActivityArchiveView.as_view(), name="activity-archive"),
    path(
        "activities/archive/<int:pk>/",
        archive.ActivityArchiveDetailView.as_view(),
        name="activity-archive-detail",
    ),
    path("activities/<int:pk>/", views.ActivityDetailView.as_view(), name="activity-detail"),
    path("tools/vdot/", views.VdotToolView.as_view(), name="tools-vdot"),
    path("training-plans/", views.PlanListCreateView.as_view(), name="training-plan-list"),
    path("training-plans/<int:pk>/", views.PlanDetailView.as_view(), name="training-plan-detail"),
    path(
        "training-plans/<int:pk>/progression/",
        views.PlanProgressionView.as_view(),
        name="training-plan-progression",
    ),
    path("training-plans/<int:pk>/radar/", views.PlanRadarView.as_view(), name="training-plan-radar"),
    path(
        "training-plans/<int:pk>/decisions/",
        views.PlanDecisionsView.as_view(),
        name="training-plan-decisions",
    ),
    path(
        "training-plans/<int:pk>/sessions/", views.PlanSessionsView.as_view(), name="training-plan-sessions"
    ),
    path(
        "training-plans/<int:pk>/activate/", views.PlanActivateView.as_view(), name="training-plan-activate"
    ),
    path("training-plans/<int:pk>/pause/", views.PlanPauseView.as_view(), name="training-plan-pause"),
    path("training-plans/<int:pk>/abandon/", views.PlanAbandonView.as_view(), name="training-plan-abandon"),
    path(
        "training-plans/<int:pk>/complete/", views.PlanCompleteView.as_view(), name="training-plan-complete"
    ),
    path("training-plans/<int:pk>/realign/", views.PlanRealignView.as_view(), name="training-plan-realign"),
    path(
        "training-plans/<int:pk>/calendar.ics",
        views.PlanCalendarView.as_view(),
        name="training-plan-calendar",
    ),
    path("plan-sessions/<int:pk>/", views.PlanSessionDetailView.as_view(), name="plan-session-detail"),
    path(
        "plan-sessions/<int:pk>/workout.fit",
        views.PlanSessionWorkoutView.as_view(),
        name="plan-session-workout-fit",
    ),
    path(
        "plan-sessions/<int:pk>/complete/",
        views.PlanSessionCompleteView.as_view(),
        name="plan-session-complete",
    ),
    path("plan-sessions/<int:pk>/skip/", views.PlanSessionSkipView.as_view(), name="plan-session-skip"),
    path(
        "calendar/subscription/",
        views.CalendarSubscriptionView.as_view(),
        name="training-calendar-subscription",
    ),
    path("calendar/feed/<str:token>.ics", views.CalendarFeedView.as_view(), name="training-calendar-feed"),
]
