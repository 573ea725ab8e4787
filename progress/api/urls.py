"""Routes of the progress app under ``/api/v1/``. Each area lives in its own module of
``progress.api``; add new areas as new modules and include their patterns here."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from .achievements import AchievementBadgeView, AchievementListView
from .analytics import CommunityAnalyticsView, MyAnalyticsView
from .certificates import CertificateListView, CertificateVerifyView, MilestoneListView
from .content import CommunityViewSet, CourseViewSet, ProgramViewSet, WodViewSet
from .enrollments import CourseEnrollmentView, ProgramEnrollmentView
from .events import ProgressEventsView
from .trees import CourseProgressView, NextView, ProgramProgressView, WodProgressView
from .xapi import XapiStatementsView

router = SimpleRouter()
router.register("communities", CommunityViewSet, basename="progress-community")
router.register("programs", ProgramViewSet, basename="progress-program")
router.register("courses", CourseViewSet, basename="progress-course")
router.register("wods", WodViewSet, basename="progress-wod")

urlpatterns = [
    path("enrollments/programs/", ProgramEnrollmentView.as_view(), name="progress-enroll-program"),
    path("enrollments/courses/", CourseEnrollmentView.as_view(), name="progress-enroll-course"),
    path("progress/events/", ProgressEventsView.as_view(), name="progress-events"),
    path("progress/programs/<int:pk>/", ProgramProgressView.as_view(), name="progress-program-tree"),
    path("progress/courses/<int:pk>/", CourseProgressView.as_view(), name="progress-course-tree"),
    path("progress/wods/<int:pk>/", WodProgressView.as_view(), name="progress-wod-tree"),
    path("progress/next/", NextView.as_view(), name="progress-next"),
    path("xapi/statements/", XapiStatementsView.as_view(), name="progress-xapi-statements"),
    *router.urls,
]

urlpatterns += [
    path("achievements/", AchievementListView.as_view(), name="progress-achievements"),
    path("achievements/<int:pk>/badge/", AchievementBadgeView.as_view(), name="progress-achievement-badge"),
    path("milestones/", MilestoneListView.as_view(), name="progress-milestones"),
    path("certificates/", CertificateListView.as_view(), name="progress-certificates"),
    path("certificates/<uuid:id>/", CertificateVerifyView.as_view(), name="progress-certificate-verify"),
    path("analytics/me/", MyAnalyticsView.as_view(), name="progress-analytics-me"),
    path(
        "analytics/communities/<int:pk>/",
        CommunityAnalyticsView.as_view(),
        name="progress-analytics-community",
    ),
]
