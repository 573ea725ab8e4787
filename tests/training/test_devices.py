"""Real files from real watches and apps (tests/training/data, licences in LICENCES.md) through
``POST /api/v1/activities/import/``: recorded with the totals of their own session messages,
tolerant where the data is intact, strict where it is not, and bounded as untrusted input."""

import tracemalloc

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from config.metrics import activity_files
from tests.conftest import api_token_for, client_for
from tests.utils.uploads import streamed_upload
from training.models import Activity

from . import activity_files as files

pytestmark = pytest.mark.django_db
MB = 1024 * 1024


def upload(client, name, data):
    return client.post(
        "/api/v1/activities/import/", {"file": SimpleUploadedFile(name, data)}, format="multipart"
    )


@pytest.mark.parametrize(
    ("name", "kind", "started_at", "duration_s", "distance_m", "hr", "cadence", "gain"),
    [
        # Garmin Fenix 2: the session has no heart rate; the records have it.
        ("fenix2-run.fit", "run", "2015-08-15T14:45:08Z", 2832, 9008, (154, 178), 162, 64),
        ("fenix5-run.fit", "run", "2017-06-11T14:34:09Z", 57, 158, (90, 112), 167, 2),
        ("fenix5-walk.fit", "ruck", "2017-06-11T14:32:51Z", 45, 68, (75, 82), 122, 1),
        ("forerunner645m-run.fit", "run", "2019-09-14T15:22:05Z", 3165, 5840, (130, 160), 130, 234),
        # A Stryd foot pod's developer fields (unknown to us) are ignored.
        ("stryd-developer-fields-run.fit", "run", "2017-01-17T17:06:47Z", 3424, 6754, (131, 146), 148, 83),
        # Strava's GPX export and Garmin Connect's GPX and TCX exports: TrackPointExtension hr/cad,
        # ActivityExtension RunCadence (strides a minute: twice that in steps).
        ("strava-export-run.gpx", "run", "2021-01-10T08:54:28Z", 5127, 12609, (151, 174), 170, 37),
        ("garmin-connect-run.gpx", "run", "2018-02-21T14:30:50Z", 2, 5, (125, 130), 150, 0),
        (
            "garmin-connect-forerunner620-run.tcx",
            "run",
            "2018-11-25T07:20:49Z",
            816,
            2154,
            (142, 153),
            173,
            19,
        ),
    ],
)
def test_real_device_files_are_recorded_with_their_own_totals(
    runner, name, kind, started_at, duration_s, distance_m, hr, cadence, gain
):
    response = upload(client_for(runner), name, files.real(name))
    assert response.status_code == 201, response.json()
    activity = response.json()["activity"]
    assert (activity["kind"], activity["started_at"]) == (kind, started_at)
    assert (activity["duration_s"], activity["distance_m"]) == (duration_s, distance_m)
    assert (activity["avg_heart_rate"], activity["max_heart_rate"]) == hr
    assert activity["avg_cadence"] == cadence
    assert activity["elevation_gain_m"] == gain
    assert response.json()["warnings"] == []


def test_a_strava_android_run_skips_the_undefined_local_messages_and_says_so(runner):
    """The Strava app writes some records a byte short, so the next header reads as local message
    11, never defined: the messages are skipped and counted, the session is intact."""
    response = upload(client_for(runner), "strava.fit", files.real("strava-android-run.fit"))
    assert response.status_code == 201, response.json()
    activity = response.json()["activity"]
    assert activity["started_at"] == "2021-09-27T14:13:10Z"
    assert (activity["distance_m"], activity["duration_s"]) == (11274, 59 * 60 + 18)
    warnings = response.json()["warnings"]
    skipped = [w for w in warnings if "local message type 11, which the file never defined" in w]
    assert len(skipped) >= 15
    assert any("checksum do not match its header" in w for w in warnings)


def test_a_file_without_a_session_is_summarised_from_its_records(runner):
    data = files.without_messages(files.real("fenix2-run.fit"), 18)
    response = upload(client_for(runner), "no-session.fit", data)
    assert response.status_code == 201, response.json()
    activity = response.json()["activity"]
    assert activity["started_at"] == "2015-08-15T14:45:08Z"
    assert abs(activity["duration_s"] - 2832) <= 2 and abs(activity["distance_m"] - 9008) <= 2
    assert (activity["avg_heart_rate"], activity["max_heart_rate"]) == (154, 178)


@pytest.mark.parametrize(
    ("name", "says"),
    [
        ("crc-mismatch.fit", "checksum does not match"),
        ("truncated.fit", "truncated"),
        ("corrupt-header.fit", "not a FIT file"),
        ("fenix5-bike.fit", "cycling; only runs and rucks"),
        ("edge510-settings.fit", "a settings file, not an activity"),
        ("vivofit-monitoring.fit", "a monitoring_b file, not an activity"),
    ],
)
def test_real_files_that_are_no_intact_run_are_400_on_file(runner, name, says):
    response = upload(client_for(runner), name, files.real(name))
    assert response.status_code == 400, response.content
    assert says in " ".join(response.json()["file"])
    assert not Activity.objects.filter(user=runner).exists()


def test_a_strava_file_with_a_bad_crc_elsewhere_is_still_refused_when_its_messages_do_not_hold(runner):
    """Tolerance is for intact data: the same Strava file with a stretch of its records overwritten
    has too many unreadable bytes and is refused."""
    data = bytearray(files.real("strava-android-run.fit"))
    data[20000:26000] = b"\x3b" * 6000
    response = upload(client_for(runner), "mangled.fit", bytes(data))
    assert response.status_code == 400
    assert "corrupt" in " ".join(response.json()["file"])


def _gpx(extra_declarations: str = "", doctype: str = "") -> bytes:
    return (
        f'<?xml version="1.0" encoding="UTF-8"?>\n{doctype}'
        f'<gpx version="1.1" xmlns="http://www.topografix.com/GPX/1/1" {extra_declarations}>'
        "<trk><trkseg>"
        '<trkpt lat="52.5" lon="13.4"><time>2026-01-05T07:00:00Z</time></trkpt>'
        '<trkpt lat="52.51" lon="13.4"><time>2026-01-05T07:06:00Z</time></trkpt>'
        "</trkseg></trk></gpx>"
    ).encode()


@pytest.mark.parametrize(
    ("data", "says"),
    [
        (_gpx(" ".join(f'xmlns:n{i}="urn:n{i}"' for i in range(3000))), "more than 12 XML namespaces"),
        (_gpx(doctype='<!DOCTYPE gpx [<!ENTITY a "aaaa">]>'), "DOCTYPE"),
        (_gpx(doctype='<!DOCTYPE gpx SYSTEM "file:///etc/passwd">'), "DOCTYPE"),
        ("<gpx>".encode("utf-16"), "not UTF-8"),
    ],
)
def test_xml_a_watch_never_writes_is_refused_before_it_is_parsed(runner, data, says, monkeypatch):
    import defusedxml.ElementTree

    def never(*args, **kwargs):
        raise AssertionError("the parser saw the file")

    monkeypatch.setattr(defusedxml.ElementTree, "iterparse", never)
    response = upload(client_for(runner), "odd.gpx", data)
    assert response.status_code == 400
    assert says in " ".join(response.json()["file"])


def test_gpx_parsing_leaves_the_process_wide_namespace_map_alone(runner):
    import xml.etree.ElementTree as ET

    before = dict(ET._namespace_map)
    data = _gpx(" ".join(f'xmlns:p{i}="urn:coach:{i}"' for i in range(10)))
    assert upload(client_for(runner), "ten.gpx", data).status_code == 201
    assert ET._namespace_map == before


def test_parsing_stops_at_the_deadline(runner, settings):
    settings.ACTIVITY_IMPORT_PARSE_TIMEOUT_S = 0
    response = upload(client_for(runner), "run.fit", files.real("fenix2-run.fit"))
    assert response.status_code == 400
    assert "took longer than 0 s" in " ".join(response.json()["file"])


def test_imports_are_counted_by_outcome_and_reason(runner):
    def count(outcome, reason=""):
        return activity_files.labels(via="file", outcome=outcome, reason=reason)._value.get()

    before = (count("imported"), count("duplicate"), count("refused", "crc"))
    client = client_for(runner)
    upload(client, "a.fit", files.real("fenix5-run.fit"))
    upload(client, "b.fit", files.real("fenix5-run.fit"))
    upload(client, "c.fit", files.real("crc-mismatch.fit"))
    after = (count("imported"), count("duplicate"), count("refused", "crc"))
    assert [a - b for a, b in zip(after, before, strict=True)] == [1, 1, 1]


# --- untrusted uploads: bounded before and while reading ---------------------------------


def _measured(path, user, size, **kwargs):
    token = api_token_for(user)
    tracemalloc.start()
    try:
        result = streamed_upload(path, token=token, size=size, **kwargs)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, peak


def test_a_60_mb_upload_is_refused_from_its_declared_size_without_reading_it(runner):
    result, peak = _measured("/api/v1/activities/import/", runner, 60 * MB)
    assert result.status_code == 413, result.body
    assert b'"code":"file_too_large"' in result.body.replace(b" ", b"")
    assert result.body_read == 0
    assert peak < 10 * MB, f"peak {peak / MB:.1f} MB"


def test_an_upload_over_the_cap_is_cut_while_it_streams(runner, settings):
    """A file within the declared-size check's margin (form overhead) but over the cap: counted
    chunk by chunk as it streams, cut at the cap and refused before any parser sees it."""
    settings.ACTIVITY_IMPORT_MAX_BYTES = 8 * MB
    result, peak = _measured("/api/v1/activities/import/", runner, 8 * MB + 32 * 1024)
    assert result.status_code == 413, result.body
    assert peak < 10 * MB, f"peak {peak / MB:.1f} MB"
    assert not Activity.objects.filter(user=runner).exists()


def test_a_60_mb_archive_streams_to_disk_without_growing_the_worker(runner, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    result, peak = _measured("/api/v1/activities/archive/", runner, 60 * MB, filename="history.zip")
    assert result.status_code == 400, result.body  # 60 MB of zeros is no zip
    assert result.body_read == result.declared
    assert peak < 10 * MB, f"peak {peak / MB:.1f} MB"
