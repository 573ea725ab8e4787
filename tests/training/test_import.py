"""Activity files: GPX, TCX and FIT recorded once, matched to the day's session; bad files are 400s."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.conftest import client_for
from training import services
from training.models import Activity, PlannedSession, SessionStatus

from . import activity_files

pytestmark = pytest.mark.django_db
START = dt.datetime(2026, 11, 20, 6, 30, tzinfo=dt.UTC)


def upload(client, name, data):
    return client.post(
        "/api/v1/activities/import/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


@pytest.mark.parametrize(
    ("name", "data", "source", "distance_m", "avg_hr"),
    [
        ("morning.gpx", activity_files.gpx(START), "gpx", 5947, 150),
        ("morning.tcx", activity_files.tcx(START), "tcx", 5000, 152),
        ("morning.fit", activity_files.fit(START), "fit", 7000, 152),
    ],
)
def test_import_records_the_activity(runner, name, data, source, distance_m, avg_hr):
    response = upload(client_for(runner), name, data)
    assert response.status_code == 201, response.json()
    activity = response.json()["activity"]
    assert activity["source"] == source
    assert activity["started_at"] == "2026-11-20T06:30:00Z"
    assert abs(activity["distance_m"] - distance_m) <= 5
    assert activity["avg_heart_rate"] == avg_hr
    assert activity["time_zone"] == "Europe/Berlin"


def test_the_same_file_twice_is_recorded_once(runner):
    client = client_for(runner)
    data = activity_files.fit(START)
    assert upload(client, "a.fit", data).status_code == 201
    again = upload(client, "renamed.fit", data)
    assert again.status_code == 200 and again.json()["created"] is False
    assert Activity.objects.filter(user=runner).count() == 1


@pytest.mark.parametrize(
    ("name", "data", "says"),
    [
        ("cut.fit", activity_files.fit(START)[:70], "truncated"),
        ("cut.gpx", activity_files.gpx(START)[:400], "cannot be read"),
        ("bike.tcx", activity_files.tcx(START, sport="Biking"), "Biking"),
        ("notes.txt", b"just some notes", "Unsupported"),
        ("empty.gpx", b"", "empty"),
        ("one-point.gpx", activity_files.gpx(START, points=1), "no timed"),
    ],
)
def test_bad_files_are_400_naming_the_problem_and_record_nothing(runner, name, data, says):
    response = upload(client_for(runner), name, data)
    assert response.status_code == 400, response.content
    assert says in " ".join(response.json()["file"])
    assert not Activity.objects.filter(user=runner).exists()


def test_missing_file_is_400(runner):
    response = client_for(runner).post("/api/v1/activities/import/", {}, format="multipart")
    assert response.status_code == 400 and "file" in response.json()


def test_import_completes_the_session_of_that_local_day(runner):
    plan = services.plan_generate(
        user=runner, goal_type="10k", duration_weeks=8, today=timezone.now().date() - dt.timedelta(days=20)
    )
    services.plan_activate(user=runner, plan=plan)
    session = plan.sessions.exclude(session_type="rest").order_by("date").first()
    started = dt.datetime.combine(session.date, dt.time(6, 0), tzinfo=dt.UTC)  # 07:00 in Berlin
    response = upload(client_for(runner), "run.gpx", activity_files.gpx(started))
    assert response.status_code == 201
    session = PlannedSession.objects.get(pk=session.pk)
    assert session.status == SessionStatus.COMPLETED
    assert session.activity_id == response.json()["activity"]["id"]
    assert response.json()["activity"]["planned_session_id"] == session.pk
