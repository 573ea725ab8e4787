"""``time_zone`` becomes ``config.fields.TimeZoneField``: the same varchar(64), default and validation
(the validator now comes with the field). Nothing changes in the database."""

import config.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_notification_copy_errors_and_sandbox_help"),
    ]

    operations = [
        migrations.AlterField(
            model_name="notificationpreferences",
            name="time_zone",
            field=config.fields.TimeZoneField(
                default="UTC",
                help_text="IANA name, e.g. Europe/Berlin: every notification time is computed in it.",
                max_length=64,
                verbose_name="time zone",
            ),
        ),
    ]
