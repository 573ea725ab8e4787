"""A runner's whole history at once: an archive of activity files, imported by a task.

``activity_archive_create`` checks the zip's central directory against the limits (refusing the
whole archive with a reason when it already breaks them), keeps the upload under MEDIA_ROOT and
enqueues ``training.tasks.import_activity_archive`` after commit. ``activity_archive_process`` (the
task) imports each entry through ``activity_import_bytes``, the single-file import's own service
(same fingerprint dedupe, same refusal reasons), each entry in its own transaction with the
archive's counters, so one bad file never loses the others and a second run resumes after the
entries already done. Importing a file never realigns a plan; once the archive is done, the
runner's active plan is realigned once (``fitness_refresh``) when something new was imported.
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from config.errors import Conflict, Invalid, NotFound, TooLarge
from config.metrics import record_activity_file
from config.outbox import enqueue_on_commit, run_on_commit

from ..importers import ImportFailed
from ..importers.archives import Limits, label, open_archive, read_entry
from ..models import ActivityArchiveImport, ArchiveStatus, PlanStatus, TrainingPlan
from .activities import activity_import_bytes

logger = logging.getLogger("training.archives")


def activity_archive_create(*, user, file) -> ActivityArchiveImport:
    """Accept an uploaded archive for import: ``TooLarge`` past ``ACTIVITY_ARCHIVE_MAX_BYTES``,
    ``Invalid`` on ``file`` when its central directory already breaks a limit or it is no zip."""
    limits = Limits.from_settings()
    size = getattr(file, "size", None) or 0
    if size > limits.archive_bytes:
        raise TooLarge(
            f"The archive is larger than {limits.archive_bytes // (1024 * 1024)} MB.",
            code="archive_too_large",
        )
    try:
        archive, entries = open_archive(file, size=size, limits=limits)
    except ImportFailed as error:
        record_activity_file(via="archive", outcome="refused", reason=error.code)
        raise Invalid({"file": [str(error)]}) from error
    archive.close()
    file.seek(0)
    with transaction.atomic():
        upload = ActivityArchiveImport(
            user=user, name=label(getattr(file, "name", "") or ""), size_bytes=size, total=len(entries)
        )
        upload.archive.save("archive.zip", file, save=False)
        upload.save()
        enqueue_on_commit("training.tasks.import_activity_archive", upload.pk)
    return upload


def activity_archive_get(*, user, pk: int) -> ActivityArchiveImport:
    """One of the user's archive imports; another user's is ``NotFound``."""
    found = ActivityArchiveImport.objects.filter(user=user, pk=pk).first()
    if found is None:
        raise NotFound("No such archive import among yours.")
    return found


def _claim(archive_id: int) -> ActivityArchiveImport | None:
    with transaction.atomic():
        upload = ActivityArchiveImport.objects.select_for_update(of=("self",)).filter(pk=archive_id).first()
        if upload is None or upload.status in (ArchiveStatus.DONE, ArchiveStatus.FAILED):
            return None
        if upload.status == ArchiveStatus.QUEUED:
            upload.status = ArchiveStatus.RUNNING
            upload.started_at = timezone.now()
            upload.save(update_fields=["status", "started_at"])
        return upload


def activity_archive_process(*, archive_id: int) -> ActivityArchiveImport | None:
    """Import every activity file of the archive (the task). Safe to run twice: a finished
    archive is left alone, and a run after a crash resumes after the entries already counted."""
    upload = _claim(archive_id)
    if upload is None:
        return None
    limits = Limits.from_settings()
    try:
        handle = upload.archive.open("rb")
    except (FileNotFoundError, ValueError, OSError) as error:
        return activity_archive_fail(
            archive_id=archive_id, reason=f"The archive is no longer stored ({error})."
        )
    try:
        try:
            archive, entries = open_archive(handle, size=upload.archive.size, limits=limits)
        except ImportFailed as error:
            return activity_archive_fail(archive_id=archive_id, reason=str(error))
        with archive:
            for index, info in enumerate(entries):
                if index < upload.processed:
                    continue
                _import_entry(upload=upload, index=index, archive=archive, info=info, limits=limits)
    finally:
        handle.close()
    return _finish(archive_id=archive_id)


def _import_entry(*, upload, index, archive, info, limits) -> None:
    """One entry in one transaction: its activity (if any) and the archive's counters together."""
    name = label(info.filename)
    with transaction.atomic():
        locked = ActivityArchiveImport.objects.select_for_update(of=("self",)).get(pk=upload.pk)
        if locked.processed > index:  # another run did this entry
            upload.processed = locked.processed
            return
        outcome, detail, warnings = _entry_outcome(
            user=locked.user, archive=archive, info=info, limits=limits
        )
        counters = {"processed": F("processed") + 1}
        if outcome == "imported":
            counters["imported"] = F("imported") + 1
        elif outcome == "duplicate":
            counters["duplicates"] = F("duplicates") + 1
        fields = {}
        if outcome == "refused":
            fields["refused"] = [*locked.refused, {"name": name, "reason": detail[:1000]}]
        if warnings:
            fields["warnings"] = [*locked.warnings, *({"name": name, "message": w[:1000]} for w in warnings)]
        ActivityArchiveImport.objects.filter(pk=locked.pk).update(**counters, **fields)
        upload.processed = index + 1


def _entry_outcome(*, user, archive, info, limits) -> tuple[str, str, tuple[str, ...]]:
    """("imported" | "duplicate" | "refused", reason, warnings) of one entry."""
    try:
        name, data = read_entry(archive, info, limits)
    except ImportFailed as error:
        record_activity_file(via="archive", outcome="refused", reason=error.code)
        return "refused", str(error), ()
    try:
        result = activity_import_bytes(user=user, name=name, data=data, via="archive")
    except ValidationError as error:
        messages = error.message_dict.get("file") if hasattr(error, "error_dict") else error.messages
        return "refused", " ".join(messages or ["The file cannot be read."]), ()
    return ("imported" if result.created else "duplicate"), "", result.warnings


def _finish(*, archive_id: int) -> ActivityArchiveImport:
    with transaction.atomic():
        upload = ActivityArchiveImport.objects.select_for_update(of=("self",)).get(pk=archive_id)
        if upload.status != ArchiveStatus.RUNNING:
            return upload
        # The realign commits with the status: a client that sees "done" sees the realigned plan.
        if upload.imported:
            fitness_refresh(user=upload.user)
        upload.status = ArchiveStatus.DONE
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "finished_at"])
        _forget_file(upload)
    return upload


def activity_archive_fail(*, archive_id: int, reason: str) -> ActivityArchiveImport | None:
    """Stop an archive import with ``reason`` (not a zip after all, the time limit); what was
    imported stays, and the plan is realigned once if anything was."""
    with transaction.atomic():
        upload = ActivityArchiveImport.objects.select_for_update(of=("self",)).filter(pk=archive_id).first()
        if upload is None or upload.status in (ArchiveStatus.DONE, ArchiveStatus.FAILED):
            return upload
        if upload.imported:
            fitness_refresh(user=upload.user)
        upload.status = ArchiveStatus.FAILED
        upload.error = reason[:500]
        upload.finished_at = timezone.now()
        upload.save(update_fields=["status", "error", "finished_at"])
        _forget_file(upload)
    return upload


def _forget_file(upload: ActivityArchiveImport) -> None:
    """Delete the stored zip once the transaction that finished the import commits."""
    if not upload.archive:
        return
    stored = upload.archive.name
    storage = upload.archive.storage
    ActivityArchiveImport.objects.filter(pk=upload.pk).update(archive="")
    run_on_commit(storage.delete, stored)


def fitness_refresh(*, user) -> TrainingPlan | None:
    """Realign the runner's active plan from their activities, once, after many were imported at
    once (its remaining weeks start again from the new fitness estimate). Nothing without an
    active plan, or when the plan has nothing left to realign."""
    from .plans import plan_realign

    plan = TrainingPlan.objects.filter(user=user, status=PlanStatus.ACTIVE).first()
    if plan is None:
        return None
    try:
        with transaction.atomic():  # a refused realign never undoes the import
            return plan_realign(user=user, plan=plan, reason="history_imported")
    except (Conflict, ValidationError) as error:
        logger.info("plan %s not realigned after an archive import: %s", plan.pk, error)
        return None
