import json

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from scenarios import services
from scenarios.models import Scenario, ScenarioMetadata
from tests.factories import UserFactory
from tests.scenarios.factories import ScenarioFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def designer(client):
    sync_content_designer_permissions()
    user = UserFactory(is_staff=True)
    user.groups.add(Group.objects.get(name=CONTENT_DESIGNERS))
    client.force_login(user)
    return user


def test_designer_creates_a_scenario_with_persona_json_and_it_gets_metadata(client, designer):
    data = {
        "title": "At the post office",
        "description": "Send a parcel abroad.",
        "role": "character",
        "difficulty": "beginner",
        "visibility": "public",
        "is_active": "on",
        "instructions": "Send the parcel.",
        "context": "A queue at the counter.",
        # as django-jsonform's widget submits them: every key of the schema
        "persona": json.dumps(
            {
                "name": "Ida",
                "role": "clerk",
                "personality": "",
                "speaking_style": "",
                "goals": [],
                "background": "",
            }
        ),
        "comfort_indicators": json.dumps(
            {"comfortable": ["asks about prices"], "struggling": [], "adaptations": []}
        ),
        "learning_objectives": '["Ask for postage"]',
        "cefr_level": "A2",
        "metadata-TOTAL_FORMS": "0",
        "metadata-INITIAL_FORMS": "0",
        "metadata-MIN_NUM_FORMS": "0",
        "metadata-MAX_NUM_FORMS": "0",
    }
    response = client.post(reverse("admin:scenarios_scenario_add"), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    scenario = Scenario.objects.get(title="At the post office")
    assert scenario.persona["name"] == "Ida"
    assert ScenarioMetadata.objects.filter(scenario=scenario).exists()


def test_designer_cannot_save_a_persona_that_breaks_the_schema(client, designer):
    data = {
        "title": "x",
        "description": "x",
        "role": "character",
        "difficulty": "beginner",
        "visibility": "public",
        "instructions": "x",
        "context": "x",
        "persona": '{"name": 3}',
        "learning_objectives": "[]",
        "metadata-TOTAL_FORMS": "0",
        "metadata-INITIAL_FORMS": "0",
    }
    response = client.post(reverse("admin:scenarios_scenario_add"), data)
    assert response.status_code == 200
    assert "persona" in response.context["adminform"].form.errors
    assert not Scenario.objects.exists()


def test_metadata_is_read_only_for_designers_and_sorts_by_metrics(client, designer):
    popular, quiet = ScenarioFactory.create_batch(2)
    services.scenario_save(user=UserFactory(), scenario=popular)
    changelist = reverse("admin:scenarios_scenariometadata_changelist")
    response = client.get(changelist, {"o": "-2"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list] == [popular.pk, quiet.pk]
    change = reverse("admin:scenarios_scenariometadata_change", args=[popular.pk])
    assert client.post(change, {"saved_count": 99}).status_code == 403
    assert ScenarioMetadata.objects.get(pk=popular.pk).saved_count == 1


def recount(client, scenario):
    return client.post(
        reverse("admin:scenarios_scenariometadata_changelist"),
        {"action": "recount", "_selected_action": [scenario.pk]},
        follow=True,
    )


def test_recount_action_corrects_drift(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    scenario = ScenarioFactory()
    services.scenario_save(user=UserFactory(), scenario=scenario)
    ScenarioMetadata.objects.filter(pk=scenario.pk).update(saved_count=5)
    response = recount(client, scenario)
    assert response.status_code == 200
    assert "corrected 1" in response.content.decode()
    assert ScenarioMetadata.objects.get(pk=scenario.pk).saved_count == 1


def test_recount_writes_so_view_permission_is_not_enough(client, designer):
    scenario = ScenarioFactory()
    services.scenario_save(user=UserFactory(), scenario=scenario)
    ScenarioMetadata.objects.filter(pk=scenario.pk).update(saved_count=5)
    changelist = client.get(reverse("admin:scenarios_scenariometadata_changelist"))
    assert changelist.status_code == 200
    assert 'value="recount"' not in changelist.content.decode()
    recount(client, scenario)
    assert ScenarioMetadata.objects.get(pk=scenario.pk).saved_count == 5
    designer.user_permissions.add(Permission.objects.get(codename="change_scenariometadata"))
    client.force_login(type(designer).objects.get(pk=designer.pk))
    assert "corrected 1" in recount(client, scenario).content.decode()
    assert ScenarioMetadata.objects.get(pk=scenario.pk).saved_count == 1


def test_scenario_changelist_sorts_by_saved_count(client, designer):
    a, b = ScenarioFactory.create_batch(2)
    services.scenario_save(user=UserFactory(), scenario=a)
    response = client.get(reverse("admin:scenarios_scenario_changelist"), {"o": "-7"})
    assert response.status_code == 200
    assert [row.pk for row in response.context["cl"].result_list][0] == a.pk
