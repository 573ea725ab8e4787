import pytest
from django.core.exceptions import ValidationError

from config.jsonschemas import load_schema, schema_errors, schema_for, validate_with_schema


def test_the_widget_schema_is_a_copy_so_widget_edits_never_reach_validation():
    widget_schema = schema_for("curriculum", "alternative_content")()
    widget_schema["properties"] = {"mangled": {"required": True}}
    assert "mangled" not in load_schema("curriculum", "alternative_content")["properties"]


def test_validation_lists_every_violation_with_its_path():
    schema = {
        "type": "object",
        "properties": {"steps": {"type": "array", "items": {"type": "integer"}}},
        "required": ["title"],
    }
    messages = schema_errors(schema, {"steps": [1, "two"]})
    assert messages == ["'title' is a required property", "steps/1: 'two' is not of type 'integer'"]
    with pytest.raises(ValidationError) as caught:
        validate_with_schema(schema, {"steps": []}, field="content")
    assert caught.value.message_dict == {"content": ["'title' is a required property"]}


def test_the_admin_field_gives_the_editor_buildable_data_and_drops_its_blanks_again():
    from config.jsonschemas import editor_data, load_schema, without_editor_blanks

    schema = load_schema("curriculum", "trait_schema")
    stored = {
        "type": "object",
        "properties": {"age": {"type": "string", "enum": ["puppy", "adult"]}},
        "required": ["age"],
        "additionalProperties": False,
    }
    shown = editor_data(stored, schema)
    assert shown["properties"]["age"]["x-segment-labels"] == {}
    # What the editor posts back for an unchanged page: every optional key it showed, blank.
    posted = {
        **shown,
        "properties": {
            "age": {
                **shown["properties"]["age"],
                "title": "",
                "description": "",
                "minimum": None,
                "maximum": None,
                "x-segment": False,
            }
        },
    }
    assert without_editor_blanks(posted, schema) == stored


def test_a_json_field_refuses_nul_before_postgresql_would():
    from config.jsonschemas import JSONSchemaValidator

    validator = JSONSchemaValidator("scenarios", "learning_objectives")
    validator(["fine"])
    with pytest.raises(ValidationError, match="Null characters"):
        validator(["not\x00fine"])
