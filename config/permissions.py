"""The "Content designers" group and what it may change.

Each app lists the models its content designers edit in its ``AppConfig.content_models``
(``"app_label.ModelName"`` strings, or ``("app_label.ModelName", "view")`` for read-only
access). After every ``migrate`` the group gets view/add/change/delete on those models and
view on the read-only ones; never on users, groups, tokens or audit tables.
"""

from django.apps import apps

CONTENT_DESIGNERS = "Content designers"
FULL_ACCESS = ("view", "add", "change", "delete")


def content_model_grants():
    """Yield (model class, actions) declared by every installed app."""
    for config in apps.get_app_configs():
        for entry in getattr(config, "content_models", ()):
            label, actions = (entry, FULL_ACCESS) if isinstance(entry, str) else (entry[0], entry[1:])
            yield apps.get_model(label), actions


def sync_content_designer_permissions():
    from django.contrib.auth.models import Group, Permission
    from django.contrib.contenttypes.models import ContentType

    group, _ = Group.objects.get_or_create(name=CONTENT_DESIGNERS)
    wanted = []
    for model, actions in content_model_grants():
        content_type = ContentType.objects.get_for_model(model, for_concrete_model=False)
        codenames = [f"{action}_{model._meta.model_name}" for action in actions]
        wanted.extend(Permission.objects.filter(content_type=content_type, codename__in=codenames))
    group.permissions.add(*wanted)
    return group
