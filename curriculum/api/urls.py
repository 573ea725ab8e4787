"""Curriculum routes. Enrollment routes use ``<int:pk>`` so they never capture other apps'
``enrollments/<word>/`` paths, and there is no ``enrollments/`` list route here."""

from django.urls import path

from . import views

urlpatterns = [
    path("curricula/", views.CurriculumListView.as_view(), name="curriculum-list"),
    path("curricula/enrollments/", views.MyEnrollmentListView.as_view(), name="curriculum-my-enrollments"),
    path("curricula/<slug:slug>/", views.CurriculumDetailView.as_view(), name="curriculum-detail"),
    path("curricula/<slug:slug>/enroll/", views.CurriculumEnrollView.as_view(), name="curriculum-enroll"),
    path("enrollments/<int:pk>/", views.EnrollmentDetailView.as_view(), name="curriculum-enrollment-detail"),
    path(
        "enrollments/<int:pk>/steps/<int:order>/alternatives/",
        views.StepAlternativesView.as_view(),
        name="curriculum-step-alternatives",
    ),
    path(
        "enrollments/<int:pk>/history/",
        views.EnrollmentHistoryView.as_view(),
        name="curriculum-enrollment-history",
    ),
    path("coach/status", views.CoachStatusView.as_view(), name="coach-status"),
    path("coach/status/", views.CoachStatusSlashView.as_view(), name="coach-status-slash"),
]
