from django.db import migrations

GROUP = "Operators"


def create_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.get_or_create(name=GROUP)


def delete_group(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Group.objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [("platform", "0002_idempotency_record")]

    operations = [migrations.RunPython(create_group, delete_group)]
