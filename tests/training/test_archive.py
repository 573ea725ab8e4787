"""A whole history at once: ``POST /api/v1/activities/archive/`` and the task that imports it.

The end-to-end tests run the task in a real Celery worker on the Redis broker the test command
started, sent through the task outbox after the upload's transaction commits; the others call
the task's service directly.
"""

import io
import time
import zipfile
import zlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.metrics import activity_files
from tests.conftest import client_for
from training import services
from training.models import Activity, ActivityArchiveImport, TrainingPlan
from training.services.archives import activity_archive_process

from . import activity_files as files

MB = 1024 * 1024


def gzipped(data: bytes) -> bytes:
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    return packer.compress(data) + packer.flush()


def gzip_bomb(size: int = 64 * MB) -> bytes:
    """A gzip file of ``size`` zero bytes (about a thousandth of that on disk), made in 1 MB steps."""
    packer = zlib.compressobj(9, zlib.DEFLATED, 31)
    zeros = bytes(MB)
    return b"".join(packer.compress(zeros) for _ in range(size // MB)) + packer.flush()


def archive(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zipped:
        for name, data in entries.items():
            zipped.writestr(name, data)
    return buffer.getvalue()


def history() -> bytes:
    """What a Strava bulk export looks like: activities (some gzipped), a CSV, a photo; among the
    activities a duplicate, a bike ride, a settings file, a gzip bomb and corrupt files."""
    return archive(
        {
            "activities.csv": b"Activity ID,Activity Date\n1,2021-09-27\n",
            "media/photo.jpg": b"\xff\xd8\xff\xe0 not really a photo",
            "activities/1001.fit": files.real("fenix2-run.fit"),
            "activities/1002.fit.gz": gzipped(files.real("strava-android-run.fit")),
            "activities/1003.fit": files.real("forerunner645m-run.fit"),
            "activities/1004.gpx.gz": gzipped(files.real("strava-export-run.gpx")),
            "activities/1005.tcx": files.real("garmin-connect-forerunner620-run.tcx"),
            "activities/1006.fit": files.real("fenix5-run.fit"),
            "activities/1006-again.fit.gz": gzipped(files.real("fenix5-run.fit")),
            "activities/1007.fit": files.real("fenix5-bike.fit"),
            "activities/settings.fit": files.real("edge510-settings.fit"),
            "activities/1008.gpx.gz": gzip_bomb(),
            "activities/1009.fit": files.real("crc-mismatch.fit"),
            "activities/1010.fit": files.real("truncated.fit"),
        }
    )


def post_archive(client, data: bytes, name: str = "export.zip"):
    return client.post(
        "/api/v1/activities/archive/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def wait_until_finished(client, pk, timeout=90.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        report = client.get(f"/api/v1/activities/archive/{pk}/").json()
        if report["status"] in ("done", "failed"):
            return report
        time.sleep(0.2)
    raise AssertionError(f"archive {pk} still {report['status']} after {timeout} s: {report}")


def refused_reasons(report) -> dict[str, str]:
    return {row["name"]: row["reason"] for row in report["refused"]}


def realignments(plan) -> int:
    plan = TrainingPlan.objects.get(pk=plan.pk)
    return sum(1 for d in plan.decisions if d.get("category") == "realign")


@pytest.mark.django_db(transaction=True)
def test_a_whole_history_is_imported_by_the_worker_and_the_second_time_nothing_is_new(
    redis_worker, runner, active_plan, media
):
    client = client_for(runner)
    data = history()

    response = post_archive(client, data)
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "queued"
    report = wait_until_finished(client, response.json()["id"])

    assert report["status"] == "done", report
    assert (report["total"], report["processed"]) == (12, 12)
    assert (report["imported"], report["duplicates"]) == (6, 1)
    reasons = refused_reasons(report)
    assert set(reasons) == {
        "activities/1007.fit",
        "activities/settings.fit",
        "activities/1008.gpx.gz",
        "activities/1009.fit",
        "activities/1010.fit",
    }
    assert "cycling; only runs and rucks" in reasons["activities/1007.fit"]
    assert "a settings file, not an activity" in reasons["activities/settings.fit"]
    assert "gzip" in reasons["activities/1008.gpx.gz"] and "refused" in reasons["activities/1008.gpx.gz"]
    assert "checksum does not match" in reasons["activities/1009.fit"]
    assert "truncated" in reasons["activities/1010.fit"]
    assert any(
        w["name"] == "activities/1002.fit.gz" and "local message type 11" in w["message"]
        for w in report["warnings"]
    )
    assert Activity.objects.filter(user=runner).count() == 6
    strava = Activity.objects.get(user=runner, distance_m=11274)
    assert strava.duration_s == 59 * 60 + 18
    # The plan realigned its fitness estimate once, after the archive, not per file.
    assert realignments(active_plan) == 1
    # The stored zip is gone once imported.
    assert not ActivityArchiveImport.objects.get(pk=report["id"]).archive
    assert not any(p.is_file() for p in media.rglob("*"))

    again = post_archive(client, data, name="export-again.zip")
    assert again.status_code == 202
    second = wait_until_finished(client, again.json()["id"])
    assert second["status"] == "done"
    assert (second["imported"], second["duplicates"], len(second["refused"])) == (0, 7, 5)
    assert Activity.objects.filter(user=runner).count() == 6
    assert realignments(active_plan) == 1  # nothing new, no realign


@pytest.mark.django_db
def test_the_task_is_safe_to_run_twice(runner, media):
    client = client_for(runner)
    pk = post_archive(client, archive({"a.fit": files.real("fenix5-run.fit")})).json()["id"]
    activity_archive_process(archive_id=pk)
    activity_archive_process(archive_id=pk)
    report = client.get(f"/api/v1/activities/archive/{pk}/").json()
    assert (report["status"], report["imported"], report["duplicates"]) == ("done", 1, 0)


@pytest.mark.django_db
def test_a_run_after_a_crash_resumes_after_the_entries_already_counted(runner, media):
    client = client_for(runner)
    data = archive({"a.fit": files.real("fenix5-run.fit"), "b.fit": files.real("fenix2-run.fit")})
    pk = post_archive(client, data).json()["id"]
    # The first worker imported a.fit and died: its transaction for a.fit committed.
    services.activity_import_bytes(
        user=runner, name="a.fit", data=files.real("fenix5-run.fit"), via="archive"
    )
    ActivityArchiveImport.objects.filter(pk=pk).update(status="running", processed=1, imported=1)
    activity_archive_process(archive_id=pk)
    report = client.get(f"/api/v1/activities/archive/{pk}/").json()
    assert (report["status"], report["processed"], report["imported"], report["duplicates"]) == (
        "done",
        2,
        2,
        0,
    )


def _zip_of_zeros(name: str, size: int) -> bytes:
    return archive({name: bytes(size)})


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("entries", "code_words"),
    [
        ({"bomb.fit": bytes(30 * MB)}, "declares 30 MB uncompressed; at most 25 MB"),
        ({"ratio.fit": bytes(5 * MB)}, "compression ratio is above 100"),
        ({"../../../etc/cron.d/evil.fit": files.real("fenix5-run.fit")}, "unsafe"),
        ({"/abs/evil.fit": files.real("fenix5-run.fit")}, "unsafe"),
        ({"C:\\evil.fit": files.real("fenix5-run.fit")}, "unsafe"),
        ({"bomb.gpx.gz": gzip_bomb(40 * MB)}, "gzip"),
    ],
)
def test_bombs_and_unsafe_names_are_refused_entries_never_unpacked(
    runner, media, entries, code_words, tmp_path
):
    client = client_for(runner)
    pk = post_archive(client, archive(entries)).json()["id"]
    activity_archive_process(archive_id=pk)
    report = client.get(f"/api/v1/activities/archive/{pk}/").json()
    assert report["status"] == "done" and report["imported"] == 0
    assert len(report["refused"]) == 1
    assert code_words in report["refused"][0]["reason"]
    assert not list(tmp_path.parent.glob("**/evil.fit"))  # names never touch the filesystem


@pytest.mark.django_db
def test_a_refused_entry_is_counted_by_reason(runner, media):
    counter = activity_files.labels(via="archive", outcome="refused", reason="gzip_bomb")
    before = counter._value.get()
    pk = post_archive(client_for(runner), archive({"b.gpx.gz": gzip_bomb(8 * MB)})).json()["id"]
    activity_archive_process(archive_id=pk)
    assert counter._value.get() == before + 1


@pytest.mark.django_db
def test_too_many_entries_is_a_400_at_upload_from_the_central_directory(runner, media, settings):
    settings.ACTIVITY_ARCHIVE_MAX_ENTRIES = 5
    data = archive({f"activities/{i}.fit": b"x" for i in range(6)})
    response = post_archive(client_for(runner), data)
    assert response.status_code == 400
    assert "6 entries; at most 5" in " ".join(response.json()["file"])
    assert not ActivityArchiveImport.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "says"),
    [
        (b"PK\x03\x04 not a zip at all", "not a zip"),
        (archive({"notes.txt": b"hello"}), "no .fit, .gpx or .tcx file"),
    ],
)
def test_an_archive_that_is_no_history_is_a_400(runner, media, data, says):
    response = post_archive(client_for(runner), data)
    assert response.status_code == 400
    assert says in " ".join(response.json()["file"])


@pytest.mark.django_db
def test_an_archive_over_the_size_limit_is_a_413_before_it_is_read(runner, media, settings):
    settings.ACTIVITY_ARCHIVE_MAX_BYTES = 64 * 1024
    response = post_archive(client_for(runner), bytes(256 * 1024))
    assert response.status_code == 413
    assert response.json()["code"] == "archive_too_large"


@pytest.mark.django_db
def test_another_users_archive_is_a_404(runner, other_user, media):
    pk = post_archive(client_for(runner), archive({"a.fit": files.real("fenix5-run.fit")})).json()["id"]
    assert client_for(other_user).get(f"/api/v1/activities/archive/{pk}/").status_code == 404
    assert client_for(runner).get(f"/api/v1/activities/archive/{pk}/").status_code == 200


@pytest.mark.django_db
def test_the_upload_answers_at_once_and_is_retry_safe(runner, media, django_capture_on_commit_callbacks):
    client = client_for(runner)
    data = archive({"a.fit": files.real("fenix5-run.fit")})
    with django_capture_on_commit_callbacks() as callbacks:
        first = client.post(
            "/api/v1/activities/archive/",
            {"file": SimpleUploadedFile("a.zip", data)},
            format="multipart",
            HTTP_IDEMPOTENCY_KEY="archive-1",
        )
    assert first.status_code == 202 and len(callbacks) == 1  # the task, sent after commit
    again = client.post(
        "/api/v1/activities/archive/",
        {"file": SimpleUploadedFile("a.zip", data)},
        format="multipart",
        HTTP_IDEMPOTENCY_KEY="archive-1",
    )
    assert again.json() == first.json() and again["Idempotent-Replayed"] == "true"
    assert ActivityArchiveImport.objects.filter(user=runner).count() == 1


@pytest.mark.django_db
def test_the_admin_shows_reports_read_only_to_operators_and_never_to_designers(runner, media, client):
    from django.contrib.auth.models import Group

    from config.permissions import sync_content_designer_permissions, sync_operator_permissions
    from tests.factories import UserFactory

    sync_operator_permissions()
    sync_content_designer_permissions()
    pk = post_archive(client_for(runner), archive({"a.fit": files.real("fenix2-run.fit")})).json()["id"]
    activity_archive_process(archive_id=pk)
    url = f"/admin/training/activityarchiveimport/{pk}/change/"

    operator = UserFactory(is_staff=True)
    operator.groups.add(Group.objects.get(name="Operators"))
    client.force_login(operator)
    page = client.get(url)
    assert page.status_code == 200 and b"Done" in page.content
    assert client.post(url, {}).status_code == 403
    assert client.get(f"/admin/training/activityarchiveimport/{pk}/delete/").status_code == 403

    designer = UserFactory(is_staff=True)
    designer.groups.add(Group.objects.get(name="Content designers"))
    client.force_login(designer)
    assert client.get(url).status_code == 403


@pytest.mark.django_db
def test_the_schema_documents_the_archive_answers(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    upload = schema["paths"]["/api/v1/activities/archive/"]["post"]
    assert {"202", "400", "413"} <= set(upload["responses"])
    assert "multipart/form-data" in upload["requestBody"]["content"]
    report = schema["paths"]["/api/v1/activities/archive/{id}/"]["get"]
    assert {"200", "404"} <= set(report["responses"])
    imported = schema["paths"]["/api/v1/activities/import/"]["post"]
    assert "413" in imported["responses"]
