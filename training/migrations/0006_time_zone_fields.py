"""The time zone columns become ``config.fields.TimeZoneField``: the same varchar(64), default and
validation (the validator now comes with the field). Nothing changes in the database."""

import config.fields
from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("training", "0005_calendar_feed_tokens_hashed"),
    ]

    operations = [
        migrations.AlterField(
            model_name="activity",
            name="time_zone",
            field=config.fields.TimeZoneField(
                default="UTC",
                help_text="IANA name of the zone where it happened.",
                max_length=64,
                verbose_name="time zone",
            ),
        ),
        migrations.AlterField(
            model_name="plannedsession",
            name="time_zone",
            field=config.fields.TimeZoneField(default="UTC", max_length=64, verbose_name="time zone"),
        ),
        migrations.AlterField(
            model_name="runnerprofile",
            name="time_zone",
            field=config.fields.TimeZoneField(
                default="UTC",
                help_text="IANA name, e.g. Europe/Berlin: the zone sessions are planned in.",
                max_length=64,
                verbose_name="time zone",
            ),
        ),
        migrations.AlterField(
            model_name="trainingplan",
            name="time_zone",
            field=config.fields.TimeZoneField(default="UTC", max_length=64, verbose_name="time zone"),
        ),
    ]
