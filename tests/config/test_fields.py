"""Fields and choices the apps share (config/fields.py): one time zone field, one set of levels."""

from io import StringIO

import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.core.management import call_command

from config.fields import Level, TimeZoneField
from notifications.models import NotificationPreferences
from progress.models import Difficulty as CourseDifficulty
from scenarios.models import Difficulty as ScenarioDifficulty
from training.models import Activity, ExperienceLevel, PlannedSession, RunnerProfile, TrainingPlan


@pytest.mark.parametrize(
    "model", [RunnerProfile, Activity, TrainingPlan, PlannedSession, NotificationPreferences]
)
def test_every_time_zone_column_is_the_shared_field_stored_as_before(model):
    field = model._meta.get_field("time_zone")
    assert isinstance(field, TimeZoneField)
    assert (field.max_length, field.default, field.verbose_name) == (64, "UTC", "time zone")


def test_an_unknown_zone_is_refused_with_a_message_an_admin_form_shows():
    field = RunnerProfile._meta.get_field("time_zone")
    field.clean("Europe/Berlin", None)
    with pytest.raises(ValidationError) as caught:
        field.clean("Mars/Olympus_Mons", None)
    assert caught.value.messages == ["'Mars/Olympus_Mons' is not an IANA time zone name."]

    class ZoneForm(forms.ModelForm):
        class Meta:
            model = NotificationPreferences
            fields = ["time_zone"]

    form = ZoneForm(data={"time_zone": "Europe/Berlim"})
    assert form.errors == {"time_zone": ["'Europe/Berlim' is not an IANA time zone name."]}


def test_levels_and_difficulties_are_one_set_of_choices_with_the_stored_values():
    assert ExperienceLevel is CourseDifficulty is ScenarioDifficulty is Level
    assert Level.values == ["beginner", "intermediate", "advanced"]
    assert Level.labels == ["Beginner", "Intermediate", "Advanced"]


@pytest.mark.django_db
def test_the_models_and_their_migrations_agree():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize(("app", "migration"), [("training", "0006"), ("notifications", "0005")])
def test_the_time_zone_field_migrations_change_nothing_in_the_database(app, migration):
    out = StringIO()
    call_command("sqlmigrate", app, migration, stdout=out)
    statements = [line for line in out.getvalue().splitlines() if line and not line.startswith("--")]
    assert statements in ([], ["BEGIN;", "COMMIT;"])
