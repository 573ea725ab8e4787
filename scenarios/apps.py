from django.apps import AppConfig


class ScenariosConfig(AppConfig):
    """Conversation scenarios, their app-wide metadata and each user's progress."""

    name = "scenarios"
    verbose_name = "Scenarios"
    # Models the "Content designers" group may edit (see config/permissions.py).
    content_models = ("scenarios.Scenario", ("scenarios.ScenarioMetadata", "view"))
    # Operators may recount the counters (the admin's "Recount" action needs the change right).
    operator_models = (("scenarios.ScenarioMetadata", "view", "change"),)
    schedule_apply = "scenarios.services.scenario_schedule_apply"  # config/scheduling.py
