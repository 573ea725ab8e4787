"""Metadata rows copy their scenario's filter columns for the ranked lists' indexes: every write of
a scenario keeps them equal in its transaction, the recount corrects any that differ, and a
filtered list answers what filtering the scenarios themselves would."""

import json

import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command
from django.urls import reverse

from config.permissions import CONTENT_DESIGNERS, sync_content_designer_permissions
from scenarios import selectors, services
from scenarios.models import SCENARIO_FILTER_FIELDS, Scenario, ScenarioMetadata
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


def copies(scenario) -> dict:
    metadata = ScenarioMetadata.objects.get(scenario=scenario)
    return {name: getattr(metadata, name) for name in SCENARIO_FILTER_FIELDS}


def own(scenario) -> dict:
    scenario = Scenario.objects.get(pk=scenario.pk)
    return {name: getattr(scenario, name) for name in SCENARIO_FILTER_FIELDS}


def test_a_created_scenario_copies_its_filter_columns(user):
    scenario = services.scenario_create(
        user=user,
        title="Rent",
        description="x",
        role="tutor",
        difficulty="advanced",
        instructions="x",
        context="x",
        cefr_level="B2",
    )
    assert copies(scenario) == {
        "is_active": True,
        "role": "tutor",
        "difficulty": "advanced",
        "cefr_level": "B2",
    }


def test_a_designer_changing_a_scenario_in_the_admin_changes_the_copies(client, designer):
    scenario = ScenarioFactory(role="tutor", difficulty="advanced", cefr_level="B2")
    data = {
        "title": scenario.title,
        "description": scenario.description,
        "role": "friend",
        "difficulty": "beginner",
        "visibility": "public",
        "instructions": scenario.instructions,
        "context": scenario.context,
        "learning_objectives": json.dumps([]),
        "cefr_level": "A1",
        "metadata-TOTAL_FORMS": "0",
        "metadata-INITIAL_FORMS": "0",
        "metadata-MIN_NUM_FORMS": "0",
        "metadata-MAX_NUM_FORMS": "0",
    }  # "is_active" left out: unticked
    response = client.post(reverse("admin:scenarios_scenario_change", args=[scenario.pk]), data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert (
        copies(scenario)
        == own(scenario)
        == {
            "is_active": False,
            "role": "friend",
            "difficulty": "beginner",
            "cefr_level": "A1",
        }
    )


def test_the_recount_corrects_copies_that_differ_and_a_dry_run_only_reports_them(capsys):
    scenario = ScenarioFactory(role="tutor")
    ScenarioMetadata.objects.filter(pk=scenario.pk).update(role="friend", is_active=False)
    result = services.scenario_metadata_reconcile(dry_run=True)
    assert (result.recopied, result.corrected) == (1, 0)
    assert copies(scenario)["role"] == "friend"
    call_command("reconcile_scenario_metadata")
    assert "copied the filter columns of 1 scenario(s)" in capsys.readouterr().out
    assert copies(scenario) == own(scenario)
    assert services.scenario_metadata_reconcile(dry_run=True).recopied == 0


def test_a_missing_metadata_row_is_created_with_the_copies_by_the_recount():
    scenario = ScenarioFactory(with_metadata=False, role="expert", difficulty="advanced", cefr_level="C2")
    services.scenario_metadata_reconcile(scenario_ids=[scenario.pk])
    assert copies(scenario) == own(scenario)


@pytest.mark.parametrize("sort", sorted(selectors.SORTS))
def test_a_filtered_list_is_the_scenarios_own_columns_filtered(user, sort):
    for role in ("tutor", "friend"):
        for difficulty in ("beginner", "advanced"):
            for cefr in ("B2", "C1"):
                ScenarioFactory(role=role, difficulty=difficulty, cefr_level=cefr)
                ScenarioFactory(role=role, difficulty=difficulty, cefr_level=cefr, is_active=False)
    for scenario in Scenario.objects.all()[:5]:
        services.scenario_save(user=UserFactory(), scenario=scenario)
    for filters in (
        {"role": "tutor"},
        {"difficulty": "advanced", "cefr": "B2"},
        {"role": "friend", "cefr": "C1"},
    ):
        listed = [
            row["id"]
            for row in selectors.scenario_list_page(user=user, sort=sort, offset=0, limit=50, **filters)
        ]
        lookups = {"role": "role", "difficulty": "difficulty", "cefr": "cefr_level"}
        expected = Scenario.objects.visible_to(user).filter(**{lookups[k]: v for k, v in filters.items()})
        assert sorted(listed) == sorted(expected.values_list("pk", flat=True))
        assert len(listed) == selectors.scenario_list_count(user=user, **filters)


def test_operations_with_an_older_instance_never_write_its_older_columns(user):
    old = ScenarioFactory(role="tutor")
    newer = Scenario.objects.get(pk=old.pk)
    newer.role = "friend"
    newer.save()
    services.scenario_metadata_ensure(scenario=newer)
    for operation in ("scenario_save", "scenario_save", "scenario_unsave", "scenario_unsave"):
        getattr(services, operation)(user=user, scenario=old)
    services.scenario_attempt(user=user, scenario=old)
    assert copies(old)["role"] == "friend"
