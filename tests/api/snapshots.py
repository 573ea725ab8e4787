"""Every row a user owns, to compare before and after a request.

A row is the user's when a foreign key to the user points at them, or when it hangs off such a
row (a scenario's metadata, an enrollment's step states and history). Models are found from the
app registry, so new apps are covered without a change here.
"""

from django.apps import apps
from django.contrib.auth import get_user_model

SKIPPED = {"admin.LogEntry", "sessions.Session"}


def _user_keys(model, user_model):
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and field.related_model is user_model and (field.many_to_one or field.one_to_one)
    ]


def owned_lookups() -> dict[str, list[tuple]]:
    """``{model label: [(model, lookup path to the user)]}``."""
    user_model = get_user_model()
    direct = {}
    for model in apps.get_models():
        if model._meta.label in SKIPPED or model is user_model:
            continue
        for field in _user_keys(model, user_model):
            direct.setdefault(model, []).append(field.name)
    lookups = {}
    for model, names in direct.items():
        lookups.setdefault(model._meta.label, []).extend((model, name) for name in names)
    for model in apps.get_models():
        if model._meta.label in SKIPPED or model in direct:
            continue
        for field in model._meta.concrete_fields:
            if (
                field.is_relation
                and field.related_model in direct
                and (field.many_to_one or field.one_to_one)
            ):
                for name in direct[field.related_model]:
                    lookups.setdefault(model._meta.label, []).append((model, f"{field.name}__{name}"))
    return lookups


def snapshot(user) -> dict[str, dict]:
    """``{"<model> by <lookup>": {pk: row}}``."""
    rows = {}
    for label, paths in owned_lookups().items():
        for model, lookup in paths:
            pk = model._meta.pk.attname
            found = model._default_manager.filter(**{lookup: user}).values()
            rows[f"{label} by {lookup}"] = {row[pk]: row for row in found}
    return rows


def differences(before: dict, after: dict) -> list[str]:
    changed = []
    for key in sorted(set(before) | set(after)):
        old, new = before.get(key, {}), after.get(key, {})
        for pk in sorted(set(old) | set(new), key=str):
            if old.get(pk) != new.get(pk):
                changed.append(f"{key} #{pk}: {old.get(pk)} -> {new.get(pk)}")
    return changed
