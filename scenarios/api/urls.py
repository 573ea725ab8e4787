from django.urls import path

from . import views

urlpatterns = [
    path("scenarios/", views.ScenarioListCreateView.as_view(), name="scenario-list"),
    path("scenarios/<int:pk>/", views.ScenarioDetailView.as_view(), name="scenario-detail"),
    path("scenarios/<int:pk>/save/", views.ScenarioSaveView.as_view(), name="scenario-save"),
    path("scenarios/<int:pk>/attempts/", views.ScenarioAttemptView.as_view(), name="scenario-attempts"),
    path(
        "scenarios/<int:pk>/completions/", views.ScenarioCompletionView.as_view(), name="scenario-completions"
    ),
    path("scenarios/<int:pk>/rating/", views.ScenarioRatingView.as_view(), name="scenario-rating"),
    path("scenarios/<int:pk>/notes/", views.ScenarioNotesView.as_view(), name="scenario-notes"),
    path("scenarios/<int:pk>/similar/", views.ScenarioSimilarView.as_view(), name="scenario-similar"),
    path("me/scenarios/", views.MyScenariosView.as_view(), name="my-scenarios"),
]
