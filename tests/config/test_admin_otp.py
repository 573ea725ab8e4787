"""The admin's second factor (django-otp TOTP), on with ADMIN_OTP_REQUIRED."""

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
PASSWORD = "pass-word-123"


def code_of(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


@pytest.fixture
def otp_required(settings):
    settings.ADMIN_OTP_REQUIRED = True


def test_without_the_setting_a_password_is_enough(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_a_staff_user_without_a_verified_device_cannot_reach_the_admin(client, otp_required):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    response = client.post("/admin/login/?next=/admin/", {"username": "root", "password": PASSWORD})
    assert response.status_code == 200  # the form again, asking for the code
    assert b"otp_token" in response.content
    assert client.get("/admin/").status_code == 302
    # A session signed in with the password alone (e.g. from before the setting) is not enough.
    client.force_login(staff)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response.url
    assert client.get("/admin/training/trainingplan/").status_code == 302


def test_a_wrong_code_is_refused(client, otp_required):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    wrong = f"{(int(code_of(device)) + 1) % 1_000_000:06d}"
    response = client.post(
        "/admin/login/?next=/admin/",
        {"username": "root", "password": PASSWORD, "otp_device": device.persistent_id, "otp_token": wrong},
    )
    assert response.status_code == 200
    assert client.get("/admin/").status_code == 302


def test_the_password_and_a_current_code_reach_the_admin(client, otp_required):
    staff = UserFactory(username="root", is_staff=True, is_superuser=True)
    device = TOTPDevice.objects.create(user=staff, name="phone", confirmed=True)
    response = client.post(
        "/admin/login/?next=/admin/",
        {
            "username": "root",
            "password": PASSWORD,
            "otp_device": device.persistent_id,
            "otp_token": code_of(device),
        },
    )
    assert response.status_code == 302, response.content[:500]
    assert client.get("/admin/").status_code == 200


def test_the_api_is_not_asked_for_a_code(api_client, otp_required):
    UserFactory(username="ann")
    response = api_client.post(
        "/api/v1/auth/token/", {"username": "ann", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 200


def test_add_totp_device_prints_a_url_to_scan_and_refuses_non_staff():
    UserFactory(username="root", is_staff=True)
    out = StringIO()
    call_command("add_totp_device", "root", stdout=out)
    assert "otpauth://totp/" in out.getvalue()
    assert TOTPDevice.objects.filter(user__username="root", confirmed=True).count() == 1
    call_command("add_totp_device", "root", "--replace", stdout=StringIO())
    assert TOTPDevice.objects.filter(user__username="root").count() == 1
    UserFactory(username="ann")
    with pytest.raises(CommandError, match="not staff"):
        call_command("add_totp_device", "ann")
