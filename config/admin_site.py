"""The admin site: Django's, plus a second factor for staff when ``ADMIN_OTP_REQUIRED`` is on.

With the setting on, the login form asks for a TOTP code (django-otp) after the password, and a
signed-in user whose session was not verified by one of their confirmed devices is treated as not
staff: a staff user without a device cannot reach the admin. An operator gives someone a device
with ``manage.py add_totp_device USERNAME`` (or a superuser in the admin under *TOTP devices*).
Off by default, so the embedded demo's logins work as they are.
"""

from django.conf import settings
from django.contrib.admin import AdminSite
from django_otp.admin import OTPAdminAuthenticationForm, OTPAdminSite


class PlatformAdminSite(OTPAdminSite):
    def __init__(self, name="admin"):
        AdminSite.__init__(self, name)

    @property
    def login_form(self):
        return OTPAdminAuthenticationForm if settings.ADMIN_OTP_REQUIRED else None

    @property
    def login_template(self):
        return OTPAdminSite.login_template if settings.ADMIN_OTP_REQUIRED else None

    def has_permission(self, request):
        if settings.ADMIN_OTP_REQUIRED:
            return super().has_permission(request)
        return AdminSite.has_permission(self, request)
