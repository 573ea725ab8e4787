"""``manage.py add_totp_device USERNAME``: a TOTP device for a staff user's second factor."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django_otp.plugins.otp_totp.models import TOTPDevice

from config.commands import user_named


class Command(BaseCommand):
    help = (
        "Give a staff user a TOTP device (an authenticator app) for the admin's second factor "
        "(ADMIN_OTP_REQUIRED). Prints the otpauth:// URL and a QR code to scan; shown once."
    )

    def add_arguments(self, parser):
        parser.add_argument("username", help="The staff user who will scan the code.")
        parser.add_argument(
            "--name", default="authenticator", help="A name for the device (default: %(default)s)."
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help="Delete the user's other TOTP devices first (a lost phone).",
        )

    def handle(self, *args, username, name, replace, **options):
        user = user_named(username)
        if not user.is_staff:
            raise CommandError(f"{username!r} is not staff: only the admin asks for a second factor.")
        if replace:
            TOTPDevice.objects.filter(user=user).delete()
        device = TOTPDevice.objects.create(user=user, name=name, confirmed=True)
        self.stdout.write(f"TOTP device {device.name!r} for {username} ({settings.OTP_TOTP_ISSUER}):")
        self.stdout.write(device.config_url)
        try:
            import qrcode
        except ImportError:  # pragma: no cover - qrcode is a pinned dependency
            return
        code = qrcode.QRCode()
        code.add_data(device.config_url)
        code.print_ascii(out=self.stdout._out)
