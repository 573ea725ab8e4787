"""Calendar feed tokens are no longer stored: each row keeps a nonce (the token is derived from it
under SECRET_KEY) and the SHA-256 of the token. The URL each user already has keeps working: its
digest moves to ``previous_digest`` until the user asks for a new URL. Irreversible by nature (a
digest gives no token back): the reverse gives every row a new token, so old URLs stop working."""

import hashlib
import secrets

from django.db import migrations, models
from django.utils.crypto import salted_hmac

import training.models


def digest(token):
    return hashlib.sha256(token.encode()).hexdigest()


def derived_token(nonce):
    return salted_hmac("training.calendar-feed", nonce, algorithm="sha256").hexdigest()


def hash_tokens(apps, schema_editor):
    CalendarSubscription = apps.get_model("training", "CalendarSubscription")
    for subscription in CalendarSubscription.objects.all():
        subscription.previous_digest = digest(subscription.token)
        subscription.nonce = secrets.token_urlsafe(32)
        subscription.token_digest = digest(derived_token(subscription.nonce))
        subscription.token = None
        subscription.save(update_fields=["previous_digest", "nonce", "token_digest", "token"])


def new_tokens(apps, schema_editor):
    CalendarSubscription = apps.get_model("training", "CalendarSubscription")
    for subscription in CalendarSubscription.objects.all():
        subscription.token = secrets.token_urlsafe(32)
        subscription.save(update_fields=["token"])


class Migration(migrations.Migration):
    dependencies = [("training", "0004_activity_cadence_and_archive_imports")]

    operations = [
        migrations.AlterField(
            model_name="calendarsubscription",
            name="token",
            field=models.CharField(max_length=64, null=True, unique=True, verbose_name="token"),
        ),
        migrations.AddField(
            model_name="calendarsubscription",
            name="nonce",
            field=models.CharField(max_length=64, null=True, verbose_name="nonce"),
        ),
        migrations.AddField(
            model_name="calendarsubscription",
            name="token_digest",
            field=models.CharField(max_length=64, null=True, unique=True, verbose_name="token digest"),
        ),
        migrations.AddField(
            model_name="calendarsubscription",
            name="previous_digest",
            field=models.CharField(
                blank=True,
                help_text="A feed URL issued before feed tokens were hashed; it works until a new URL is made.",
                max_length=64,
                null=True,
                unique=True,
                verbose_name="previous token digest",
            ),
        ),
        migrations.RunPython(hash_tokens, new_tokens),
        migrations.RemoveField(model_name="calendarsubscription", name="token"),
        migrations.AlterField(
            model_name="calendarsubscription",
            name="nonce",
            field=models.CharField(
                default=training.models.new_calendar_nonce, max_length=64, verbose_name="nonce"
            ),
        ),
        migrations.AlterField(
            model_name="calendarsubscription",
            name="token_digest",
            field=models.CharField(max_length=64, unique=True, verbose_name="token digest"),
        ),
    ]
