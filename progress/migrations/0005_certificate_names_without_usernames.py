"""Certificates issued with the learner's username as their name (when no name was given) show
the learner's name instead, or "Certificate holder": the certificate page is public and a
username is a sign-in credential. The reverse leaves the names as they are."""

from django.db import migrations

ANONYMOUS_LEARNER = "Certificate holder"


def names_without_usernames(apps, schema_editor):
    Certificate = apps.get_model("progress", "Certificate")
    rows = Certificate.objects.select_related("user").only(
        "pk", "learner_name", "user__username", "user__first_name", "user__last_name"
    )
    for certificate in rows.iterator():
        user = certificate.user
        if certificate.learner_name != user.username:
            continue
        full = f"{user.first_name} {user.last_name}".strip()
        certificate.learner_name = full or ANONYMOUS_LEARNER
        certificate.save(update_fields=["learner_name"])


class Migration(migrations.Migration):
    dependencies = [("progress", "0004_scheduled_publishing")]

    operations = [migrations.RunPython(names_without_usernames, migrations.RunPython.noop)]
