"""The "Content designers", "Coaches" and "Operators" groups and what each may do.

Each app lists the models its content designers edit in its ``AppConfig.content_models``, the
runners' data its coaches may read in ``AppConfig.coach_models`` and the ones its operators run in
``AppConfig.operator_models`` (``"app_label.ModelName"`` strings for view/add/change/delete, or
``("app_label.ModelName", "view", ...)`` for just those actions). After every ``migrate`` each group
gets exactly the declared actions on the declared models (an action it held on such a model that is
no longer declared is taken away); never anything on users, groups or tokens.

Runners' personal data (profiles, activities, plans, sessions, devices, notifications) is never a
content model: designers do not see it. Coaches only view it, and each admin read of it is written
to the access log (``config/access.py``); deleting it is for superusers only.

Periodic tasks can run any registered task with any arguments, so they belong to operators (and
superusers); content designers may only look at them.
"""

from django.apps import apps

CONTENT_DESIGNERS = "Content designers"
COACHES = "Coaches"
OPERATORS = "Operators"
FULL_ACCESS = ("view", "add", "change", "delete")


def _grants(attribute: str):
    for config in apps.get_app_configs():
        for entry in getattr(config, attribute, ()):
            label, actions = (entry, FULL_ACCESS) if isinstance(entry, str) else (entry[0], entry[1:])
            yield apps.get_model(label), actions


def content_model_grants():
    """Yield (model class, actions) declared for content designers by every installed app."""
    return _grants("content_models")


def coach_model_grants():
    """Yield (model class, actions) declared for coaches by every installed app."""
    return _grants("coach_models")


def operator_model_grants():
    """Yield (model class, actions) declared for operators by every installed app."""
    return _grants("operator_models")


def _sync_group(name: str, grants):
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    group, _ = Group.objects.get_or_create(name=name)
    wanted, undeclared = [], []
    for model, actions in grants:
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        codenames = [f"{action}_{model._meta.model_name}" for action in actions]
        on_model = Permission.objects.filter(content_type=content_type)
        wanted.extend(on_model.filter(codename__in=codenames))
        undeclared.extend(on_model.exclude(codename__in=codenames))
    group.permissions.remove(*undeclared)
    group.permissions.add(*wanted)
    return group


def sync_content_designer_permissions():
    return _sync_group(CONTENT_DESIGNERS, content_model_grants())


def sync_coach_permissions():
    return _sync_group(COACHES, coach_model_grants())


def sync_operator_permissions():
    return _sync_group(OPERATORS, operator_model_grants())
