"""Revisions of content designers' content (django-reversion).

Every model an app declares with full access in ``AppConfig.content_models`` keeps its revisions;
``AppConfig.revision_follow`` names the children saved with a parent's revision (a step with its
alternatives, a page with its blocks), so reverting the parent restores them too.
``AppConfig.revert_guard`` names a function that tells why a revert must not happen (it would
delete something learners used); the admin refuses such a revert with the reason.

Writes record a revision with who and why: the admin through ``ContentVersionAdmin``
(``config/revision_admin.py``), services and imports through :func:`content_revision`.
Users, groups, tokens and audit tables are never registered, so nobody can revert them.
"""

from contextlib import contextmanager
from itertools import chain

import reversion
from django.apps import apps
from django.db import models
from django.db.models.deletion import Collector
from django.utils.module_loading import import_string
from reversion.models import Version
from reversion.revisions import _follow_relations_recursive, create_revision, is_active

from .permissions import content_model_grants


def revision_models() -> list[type[models.Model]]:
    """The content models designers may change: the ones that keep revisions."""
    return [model for model, actions in content_model_grants() if "change" in actions]


def _follows() -> dict:
    follow = {}
    for config in apps.get_app_configs():
        for label, names in getattr(config, "revision_follow", {}).items():
            follow[apps.get_model(label)] = tuple(names)
    return follow


def register_content_models() -> None:
    """Register every content model with django-reversion (once, from ``ready()``)."""
    follow = _follows()
    for model in revision_models():
        if not reversion.is_registered(model):
            reversion.register(model, follow=follow.get(model, ()))


@contextmanager
def content_revision(*, user=None, comment: str = ""):
    """Record the content saved inside the block as one revision, with who and why.

    Inside a revision already open (an admin save), adds to it and keeps its user and comment."""
    if is_active():
        if user is not None and getattr(user, "pk", None) and reversion.get_user() is None:
            reversion.set_user(user)
        if comment and not reversion.get_comment():
            reversion.set_comment(comment)
        yield
        return
    with create_revision():
        if user is not None and getattr(user, "pk", None):
            reversion.set_user(user)
        reversion.set_comment(comment)
        yield


def revert_deletions(revision) -> list[models.Model]:
    """The objects that reverting ``revision`` would delete: children added since (the same
    computation django-reversion's ``Revision.revert(delete=True)`` makes)."""
    old = set()
    for version in revision.version_set.all():
        model = version._model
        try:
            old.add(model._default_manager.get(pk=version.object_id))
        except model.DoesNotExist:
            pass
    current = set(chain.from_iterable(_follow_relations_recursive(obj) for obj in old))
    return sorted((obj for obj in current if obj not in old), key=lambda obj: (obj._meta.label, obj.pk))


def _protected(deleted) -> list[str]:
    reasons = []
    for obj in deleted:
        try:
            Collector(using="default").collect([obj])
        except models.ProtectedError as exc:
            kinds = sorted({type(row)._meta.verbose_name_plural for row in exc.protected_objects})
            reasons.append(
                f"it would delete {obj._meta.verbose_name} “{obj}”, which {', '.join(kinds)} still refer to"
            )
    return reasons


def revert_refusals(revision) -> list[str]:
    """Why ``revision`` may not be restored (empty when it may): every app's ``revert_guard``
    is asked about the objects the revert would delete, then the database's own protections."""
    deleted = revert_deletions(revision)
    if not deleted:
        return []
    reasons = []
    for config in apps.get_app_configs():
        guard = getattr(config, "revert_guard", None)
        if guard:
            reasons.extend(import_string(guard)(deleted=deleted))
    return reasons or _protected(deleted)


def initial_revisions_create(*, batch_size: int = 500) -> int:
    """Give every content object without a revision its initial one, so a first edit can be
    undone. Run after every ``migrate`` and by ``seed_demo``; objects with revisions are skipped,
    so running it twice adds nothing. Returns how many objects got one."""
    from django.contrib.contenttypes.models import ContentType
    from django.db.models import TextField
    from django.db.models.functions import Cast

    created = 0
    for model in revision_models():
        content_type = ContentType.objects.get_for_model(model)
        versioned = Version.objects.filter(content_type=content_type).values("object_id")
        missing = (
            model._default_manager.annotate(pk_text=Cast("pk", TextField()))
            .exclude(pk_text__in=versioned)
            .order_by("pk")
        )
        while batch := list(missing[:batch_size]):
            with create_revision():
                reversion.set_comment("Initial version.")
                for obj in batch:
                    reversion.add_to_revision(obj)
            created += len(batch)
    return created


def recent_changes(*, app_label: str = "", user_id: int | None = None):
    """The latest revisions of content, newest first, one row per object changed."""
    from django.contrib.contenttypes.models import ContentType

    content_types = [ContentType.objects.get_for_model(model) for model in revision_models()]
    versions = Version.objects.filter(content_type__in=content_types).select_related(
        "revision__user", "content_type"
    )
    if app_label:
        versions = versions.filter(content_type__app_label=app_label)
    if user_id:
        versions = versions.filter(revision__user_id=user_id)
    return versions.order_by("-revision__date_created", "-pk")


def previous_version(version):
    """The version of the same object just before ``version`` (None for its first)."""
    return (
        Version.objects.filter(
            content_type_id=version.content_type_id, object_id=version.object_id, pk__lt=version.pk
        )
        .order_by("-pk")
        .first()
    )
